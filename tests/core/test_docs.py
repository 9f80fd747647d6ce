"""The hookspecs are the documented contract: docs/plugin_hooks.md has a
section for every hook, headed by its name and showing its exact signature
(modelled on datasette's test_plugin_hooks_are_documented)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from hub.core import hookspecs

DOCS = Path(__file__).resolve().parents[2] / "docs"
HOOKS = sorted(name for name, obj in vars(hookspecs).items() if hasattr(obj, "sigap_spec"))


def _annotation(annotation: object) -> str:
    # hookspecs.py uses postponed annotations, so these are the source text
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def signature(hook: str) -> str:
    """`sigap_x(hub: Hub) -> Iterable[type[Camera]]`, as written in hookspecs.py."""
    sig = inspect.signature(getattr(hookspecs, hook))
    params = ", ".join(f"{p.name}: {_annotation(p.annotation)}" for p in sig.parameters.values())
    return f"{hook}({params}) -> {_annotation(sig.return_annotation)}"


@pytest.fixture(scope="module")
def sections() -> dict[str, str]:
    """Each `### name` section of docs/plugin_hooks.md, by name."""
    text = (DOCS / "plugin_hooks.md").read_text(encoding="utf-8")
    parts = re.split(r"^### +(\S+) *$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_hooks_are_found() -> None:
    assert "sigap_lifespan" in HOOKS and "sigap_camera_platforms" in HOOKS
    assert len(HOOKS) >= 8


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_are_documented(hook: str, sections: dict[str, str]) -> None:
    assert hook in sections, f"docs/plugin_hooks.md has no '### {hook}' section"
    body = sections[hook]
    code = re.search(r"```python\n(.*?)\n```", body, flags=re.DOTALL)
    assert code is not None, f"the {hook} section shows no signature"
    assert code.group(1).strip() == signature(hook), (
        f"the {hook} section must open with its exact signature from hookspecs.py"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_each_hook_parameter_is_described(hook: str, sections: dict[str, str]) -> None:
    for name in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f"- `{name}`:" in sections.get(hook, ""), f"{hook}: parameter {name} undescribed"


def test_no_section_documents_a_hook_that_does_not_exist(sections: dict[str, str]) -> None:
    documented = {name for name in sections if name.startswith("sigap_")}
    assert documented - set(HOOKS) == set()


def test_the_signature_helper_reads_the_hookspec() -> None:
    assert signature("sigap_siren_platforms") == (
        "sigap_siren_platforms(hub: Hub) -> Iterable[type[Siren]]"
    )
