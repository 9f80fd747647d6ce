"""Entity states: read-only snapshots kept by the StateMachine, which fires
`state_changed` whenever one changes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from .bus import EventBus
from .context import Context
from .i18n import Text
from .permissions import ALLOW_ALL, Policy, denied_read

EVENT_STATE_CHANGED = "state_changed"
STATE_UNAVAILABLE = "unavailable"
STATE_UNKNOWN = "unknown"

_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")


def valid_entity_id(entity_id: str) -> bool:
    """`domain.object_id`, lower case letters, digits and underscores."""
    return bool(_ENTITY_ID.match(entity_id))


def split_entity_id(entity_id: str) -> tuple[str, str]:
    domain, _, object_id = entity_id.partition(".")
    return domain, object_id


class InvalidEntityId(ValueError):
    def __init__(self, entity_id: str) -> None:
        super().__init__(
            f"invalid entity id {entity_id!r}: expected domain.name in lower case, "
            "e.g. camera.dinkes_lobby"
        )


class _ReadOnly(dict):  # type: ignore[type-arg]
    """A dict nobody can change: what a State holds is its own JSON."""

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a State is read-only; use hub.states.set() to change it")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: Any) -> dict[str, Any]:
        import copy

        return copy.deepcopy(dict(self), memo)

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


class Attributes(_ReadOnly):
    """A State's attributes: a read-only mapping, plain JSON."""

    __slots__ = ()


_NO_ATTRIBUTES = Attributes()


def _attributes(given: Mapping[str, Any]) -> Attributes:
    # Attributes are JSON, read anywhere: a config value (a str that
    # remembers its file and line) becomes plain words, and a Text its
    # words plus `<name>_text` for a reader in another language (i18n.text_in).
    plain: dict[str, Any] = {}
    for key, value in given.items():
        if isinstance(value, str) and type(value) is not str:
            if isinstance(value, Text):
                plain[f"{key}_text"] = value.as_dict()
            value = str(value)
        plain[key] = value
    return Attributes(plain)


class State(_ReadOnly):
    """An entity's state at one moment. Read-only: a change makes a new State.

    A State is also the plain JSON of itself (`entity_id`, `state`,
    `attributes`, `last_changed`, `last_updated`, `context`): the events
    that carry it go to the recorder, the WebSocket API or another hub as
    they are, with no encoder of their own."""

    __slots__ = ("_context", "domain", "object_id")

    def __init__(
        self,
        entity_id: str,
        state: str,
        attributes: Mapping[str, Any] | None = None,
        last_changed: float | None = None,
        last_updated: float | None = None,
        context: Context | None = None,
    ) -> None:
        updated = last_updated if last_updated is not None else time.time()
        context = context if context is not None else Context()
        dict.__init__(
            self,
            entity_id=entity_id,
            state=state,
            attributes=_attributes(attributes) if attributes else _NO_ATTRIBUTES,
            last_changed=last_changed if last_changed is not None else updated,
            last_updated=updated,
            context=context.as_dict(),
        )
        domain, object_id = split_entity_id(entity_id)
        set_ = object.__setattr__
        set_(self, "_context", context)
        set_(self, "domain", domain)
        set_(self, "object_id", object_id)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"State is read-only; use hub.states.set() to change {name}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"State is read-only; use hub.states.set() to change {name}")

    @property
    def entity_id(self) -> str:
        return self["entity_id"]  # type: ignore[no-any-return]

    @property
    def state(self) -> str:
        return self["state"]  # type: ignore[no-any-return]

    @property
    def attributes(self) -> Mapping[str, Any]:
        return self["attributes"]  # type: ignore[no-any-return]

    @property
    def last_changed(self) -> float:
        return self["last_changed"]  # type: ignore[no-any-return]

    @property
    def last_updated(self) -> float:
        return self["last_updated"]  # type: ignore[no-any-return]

    @property
    def context(self) -> Context:
        return self._context

    @property
    def available(self) -> bool:
        return self.state != STATE_UNAVAILABLE

    @property
    def name(self) -> str:
        return str(self.attributes.get("friendly_name") or self.object_id)

    def as_dict(self) -> dict[str, Any]:
        """A plain, mutable copy (the State itself is already plain JSON)."""
        return {**self, "attributes": dict(self.attributes), "context": dict(self["context"])}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, State)
            and self.entity_id == other.entity_id
            and self.state == other.state
            and self.attributes == other.attributes
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<State {self.entity_id}={self.state}>"

    def __reduce__(self) -> Any:
        return (
            _restore,
            (
                self.entity_id,
                self.state,
                dict(self.attributes),
                self.last_changed,
                self.last_updated,
                self._context,
            ),
        )


def _restore(*args: Any) -> State:
    return State(*args)


class StateMachine:
    """Holds the current State of every entity."""

    def __init__(self, bus: EventBus, policy: Policy = ALLOW_ALL) -> None:
        self._bus = bus
        self._states: dict[str, State] = {}
        #: what stamps last_changed/last_updated: the hub's clock (hub.clock sets it)
        self.now: Callable[[], float] = time.time
        #: who may read what, on someone's behalf (the hub's policy)
        self.policy = policy

    def get(self, entity_id: str) -> State | None:
        """The hub's own read (automations, devices): no one else is asking."""
        return self._states.get(entity_id)

    def read(self, entity_id: str, context: Context) -> State | None:
        """A read on someone's behalf (the API, a chat command): the policy
        decides; raises PermissionDenied when `context` may not see it."""
        state = self._states.get(entity_id)
        if state is not None and not self.policy.may_read(context, state):
            raise denied_read(context, entity_id)
        return state

    def visible(self, context: Context, domain: str | None = None) -> list[State]:
        """The states `context` may see (of one domain, or all)."""
        return [s for s in self.all(domain) if self.policy.may_read(context, s)]

    def all(self, domain: str | None = None) -> list[State]:
        if domain is None:
            return list(self._states.values())
        return [s for s in self._states.values() if s.domain == domain]

    def entity_ids(self, domain: str | None = None) -> list[str]:
        return [s.entity_id for s in self.all(domain)]

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._states

    def set(
        self,
        entity_id: str,
        state: str,
        attributes: Mapping[str, Any] | None = None,
        context: Context | None = None,
        force_update: bool = False,
    ) -> State:
        """Set an entity's state. Fires `state_changed` when the state or its
        attributes changed (or always with force_update) and returns the State
        now held."""
        state = str(state)
        old = self._states.get(entity_id)
        if old is None and not valid_entity_id(entity_id):
            raise InvalidEntityId(entity_id)
        attributes = attributes or {}
        same_state = old is not None and old.state == state
        if same_state and not force_update and old.attributes == attributes:
            return old  # type: ignore[return-value]
        now = self.now()
        new = State(
            entity_id,
            state,
            attributes,
            last_changed=old.last_changed if same_state else now,  # type: ignore[union-attr]
            last_updated=now,
            context=context,
        )
        self._states[entity_id] = new
        self._bus.fire(
            EVENT_STATE_CHANGED,
            {"entity_id": entity_id, "old_state": old, "new_state": new},
            new.context,
        )
        return new

    def remove(self, entity_id: str, context: Context | None = None) -> bool:
        """Forget an entity; fires `state_changed` with new_state None."""
        old = self._states.pop(entity_id, None)
        if old is None:
            return False
        self._bus.fire(
            EVENT_STATE_CHANGED,
            {"entity_id": entity_id, "old_state": old, "new_state": None},
            context,
        )
        return True
