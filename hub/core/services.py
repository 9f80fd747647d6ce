"""Services: named actions (`siren.turn_on`) that plugins implement and
automations, the API and chat commands call."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import voluptuous as vol

from .bus import EventBus, is_coroutine_callable
from .context import Context
from .eventdata import json_safe
from .i18n import Text
from .permissions import ALLOW_ALL, PermissionDenied, Policy


class ServiceNotFound(LookupError):
    def __init__(self, domain: str, service: str, known: list[str]) -> None:
        self.domain, self.service = domain, service
        name = f"{domain}.{service}"
        close = difflib.get_close_matches(name, known, n=1)
        hint = Text("config.did_you_mean", match=close[0]) if close else ""
        super().__init__(Text("service.not_registered", name=repr(name), hint=hint))


class ServiceValidationError(ValueError):
    """The data given to a service does not fit its schema."""

    def __init__(self, domain: str, service: str, err: vol.Invalid) -> None:
        self.domain, self.service = domain, service
        errors = err.errors if isinstance(err, vol.MultipleInvalid) else [err]
        parts = []
        for e in errors:
            where = ".".join(str(p) for p in e.path) or "data"
            parts.append(Text("service.invalid_field", where=where, error=e.msg))
        super().__init__(Text("service.invalid_data", service=f"{domain}.{service}", errors=parts))


class ServiceCall:
    """One call of a service: its name, validated data and Context."""

    __slots__ = ("context", "data", "domain", "service")

    def __init__(
        self, domain: str, service: str, data: Mapping[str, Any], context: Context
    ) -> None:
        self.domain = domain
        self.service = service
        self.data = data
        self.context = context

    def __repr__(self) -> str:
        return f"<ServiceCall {self.domain}.{self.service} {dict(self.data)!r}>"


Handler = Callable[[ServiceCall], Awaitable[Any]]


class _Service:
    __slots__ = ("handler", "permission", "schema")

    def __init__(
        self, handler: Handler, schema: Callable[[Any], Any] | None, permission: str | None
    ) -> None:
        self.handler = handler
        self.schema = schema
        self.permission = permission


EVENT_CALL_SERVICE = "call_service"


class ServiceRegistry:
    """The services of one hub. Every call is checked by the hub's policy
    and announced as a `call_service` event (domain, service, target and
    data with secrets masked, who asked), which the audit records."""

    def __init__(self, bus: EventBus | None = None, policy: Policy = ALLOW_ALL) -> None:
        self._services: dict[str, _Service] = {}
        self._bus = bus
        #: who may call what (the hub's policy)
        self.policy = policy

    def register(
        self,
        domain: str,
        service: str,
        handler: Handler,
        schema: vol.Schema | Mapping[Any, Any] | None = None,
        *,
        permission: str | None = None,
    ) -> Callable[[], None]:
        """Register `domain.service`; `handler(call)` is a coroutine function
        and may return a response. `permission`: what a person needs on the
        sites the call targets (see hub/core/permissions.py); None leaves it
        to the policy (admins only, unless it knows the service). Returns the
        function that unregisters it."""
        if not is_coroutine_callable(handler):
            raise TypeError(f"handler of {domain}.{service} must be an async function")
        name = f"{domain}.{service}"
        if name in self._services:
            raise ValueError(f"service {name} is already registered")
        if isinstance(schema, Mapping):
            schema = vol.Schema(dict(schema))
        entry = _Service(handler, schema, permission)
        self._services[name] = entry

        def unregister() -> None:
            if self._services.get(name) is entry:
                del self._services[name]

        return unregister

    def has(self, domain: str, service: str) -> bool:
        return f"{domain}.{service}" in self._services

    def permission(self, domain: str, service: str) -> str | None:
        """The permission `domain.service` was registered with (None: none declared)."""
        entry = self._services.get(f"{domain}.{service}")
        return entry.permission if entry else None

    def names(self) -> list[str]:
        return sorted(self._services)

    def schema(self, domain: str, service: str) -> Callable[[Any], Any] | None:
        entry = self._services.get(f"{domain}.{service}")
        return entry.schema if entry else None

    async def call(
        self,
        domain: str,
        service: str,
        data: Mapping[str, Any] | None = None,
        context: Context | None = None,
    ) -> Any:
        """Validate `data` and run the service; returns its response.
        Raises ServiceNotFound or ServiceValidationError with a clear message;
        whatever the handler raises reaches the caller."""
        entry = self._services.get(f"{domain}.{service}")
        if entry is None:
            raise ServiceNotFound(domain, service, list(self._services))
        payload: Any = data if data is not None else {}
        if entry.schema is not None:
            try:
                payload = entry.schema(payload)
            except vol.Invalid as err:
                raise ServiceValidationError(domain, service, err) from None
        if context is None:
            context = Context()
        try:
            self.policy.check_call(context, domain, service, payload)
        except PermissionDenied:
            self._announce(domain, service, payload, context, denied=True)
            raise
        self._announce(domain, service, payload, context, denied=False)
        return await entry.handler(ServiceCall(domain, service, payload, context))

    def _announce(
        self, domain: str, service: str, data: Any, context: Context, *, denied: bool
    ) -> None:
        if self._bus is None or not self._bus.has_listeners(EVENT_CALL_SERVICE):
            return  # nobody audits (yet): the masked copy of the data is not made
        event = {
            "domain": domain,
            "service": service,
            "service_data": json_safe(data),
            "user_id": context.user_id,
            "actor": context.actor,
        }
        if denied:
            event["denied"] = True
        self._bus.fire(EVENT_CALL_SERVICE, event, context)
