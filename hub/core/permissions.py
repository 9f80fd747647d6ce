"""The hub's one permission check.

Every service call and every state read on someone's behalf asks the hub's
`Policy`, with the `Context` that says who is asking. The policy the hub
starts with allows everything (the hub has no people yet); people, roles
and site scopes replace it with one that decides, and nothing reaches
around it: the service registry and the state machine ask it themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .i18n import Text

if TYPE_CHECKING:
    from .context import Context
    from .state import State


class PermissionDenied(PermissionError):
    """The policy said no; the message names who and what, never why in detail."""

    def __init__(self, text: Text, context: Context) -> None:
        self.context = context
        super().__init__(text)


class Policy:
    """Decides who may do what. This base allows everything."""

    def check_call(
        self, context: Context, domain: str, service: str, data: Mapping[str, Any]
    ) -> None:
        """Raise PermissionDenied unless `context` may call `domain.service`
        with `data` (its target names the entities, sites or areas)."""

    def may_read(self, context: Context, state: State) -> bool:
        """Whether `context` may see `state`."""
        return True


ALLOW_ALL = Policy()


def denied_call(context: Context, domain: str, service: str) -> PermissionDenied:
    """The error a policy raises for a refused call (one wording for all policies)."""
    text = Text("permission.denied_call", who=context.who, service=f"{domain}.{service}")
    return PermissionDenied(text, context)


def denied_read(context: Context, entity_id: str) -> PermissionDenied:
    return PermissionDenied(
        Text("permission.denied_read", who=context.who, entity_id=entity_id), context
    )
