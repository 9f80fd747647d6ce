"""Render the few templates the MQTT room needs (`value_template`, templated
payloads) with the automation engine's template environment once it is
there, and a sandboxed Jinja2 environment until then."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..hub import Hub

Render = Callable[[Mapping[str, Any]], Any]


def compile_template(hub: Hub, source: str) -> Render:
    try:
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError as err:  # pragma: no cover - Jinja2 is a dependency
        raise RuntimeError("templates need Jinja2") from err
    template = ImmutableSandboxedEnvironment().from_string(source)

    def render(variables: Mapping[str, Any]) -> Any:
        return template.render(**variables).strip()

    return render
