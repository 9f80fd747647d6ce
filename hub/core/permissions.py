"""The hub's one permission check.

Every service call and every state read on someone's behalf asks the hub's
`Policy`, with the `Context` that says who is asking. The policy a hub is
created with allows everything; at load, people, roles and site scopes
(hub/core/people.py) replace it with one that decides, and nothing reaches
around it: the service registry and the state machine ask it themselves.

A service declares what a person needs to call it when it is registered
(`ServiceRegistry.register(..., permission="control")`): one of the people
actions ("view", "acknowledge", "close", "control", "arm", "admin"), which
the policy checks on every site the call's target reaches, or
`CHECKED_BY_SERVICE` when only the service knows the site (an alarm's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .context import SYSTEM
from .i18n import Text

if TYPE_CHECKING:
    from .context import Context
    from .state import State


#: a service's permission when the service itself checks the person
#: (hub.policy.may_site); the policy asks only that the caller be a known person
CHECKED_BY_SERVICE = "checked_by_service"

# Actors that are the hub acting: an automation (the admin's configuration,
# whoever's event started it), a device, a plugin's own work.
_HUB_ACTORS = ("automation:", "device:", "plugin:")


def is_hub_context(context: Context) -> bool:
    """Whether `context` is the hub itself rather than someone asking: no
    person and no actor or `system`, or an automation, device or plugin
    acting. Anything else (`telegram:...`, `api-token:...`, a person's id)
    is someone, whom the policy checks."""
    actor = context.actor
    if actor is None or actor == SYSTEM:
        return context.user_id is None
    return actor.startswith(_HUB_ACTORS)


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

    def may_site(self, context: Context, site: str | None, action: str) -> bool:
        """Whether `context` may `action` on `site` (None: what has no site):
        what a service that checks by itself (an alarm's site) and the API's
        own reads (history, footage, alarms) ask."""
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
