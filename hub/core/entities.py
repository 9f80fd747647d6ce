"""The configured devices, and the domain services (`siren.turn_on`,
`door.unlock`, ...) that reach them by entity id, site or area."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from .domains import EntityDomain, EntityService
from .hookspecs import hookimpl
from .i18n import Text, message
from .platform import Camera, Device, DeviceError, Door, Notification, Notifier, Siren, kind
from .services import ServiceCall
from .sites import SiteRegistry, UnknownPlace

if TYPE_CHECKING:
    from .hub import Hub

_LOGGER = logging.getLogger(__name__)


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise vol.Invalid(Text("automation.expected_names"))


TARGET = {
    vol.Optional("entity_id"): _str_list,
    vol.Optional("site"): _str_list,
    vol.Optional("area"): _str_list,
}


class NoTarget(DeviceError):
    pass


class DeviceRegistry:
    """Every configured device, by entity id."""

    def __init__(self, sites: SiteRegistry | None = None) -> None:
        self._devices: dict[str, Device] = {}
        #: where targets by site and area are checked (the hub's registry)
        self.sites = sites if sites is not None else SiteRegistry()

    def add(self, device: Device) -> None:
        if device.entity_id in self._devices:
            raise ValueError(f"{device.entity_id} is configured twice")
        self._devices[device.entity_id] = device

    def remove(self, entity_id: str) -> None:
        self._devices.pop(entity_id, None)

    def get(self, entity_id: str) -> Device | None:
        return self._devices.get(entity_id)

    def all(self, domain: str | None = None) -> list[Device]:
        return [d for d in self._devices.values() if domain is None or d.domain == domain]

    def __len__(self) -> int:
        return len(self._devices)

    def resolve(self, domain: str, data: Mapping[str, Any]) -> list[Device]:
        """The devices of `domain` a service call targets: its entity ids,
        plus every device in its sites/areas. An empty target is an error,
        never "all sirens in the city"."""
        ids, sites, areas = data.get("entity_id"), data.get("site"), data.get("area")
        if not (ids or sites or areas):
            raise NoTarget(Text("entity.no_target", service=domain))
        found: dict[str, Device] = {}
        for entity_id in ids or ():
            device = self._devices.get(entity_id)
            if device is None or device.domain != domain:
                raise NoTarget(
                    Text("entity.not_configured", entity_id=entity_id, kind=kind(domain))
                )
            found[entity_id] = device
        if sites or areas:
            try:
                self.sites.check_target(sites or (), areas or ())
            except UnknownPlace as err:
                raise NoTarget(err.args[0]) from None
            for device in self.all(domain):
                if sites and device.site not in sites:
                    continue
                if areas and device.area not in areas:
                    continue
                found[device.entity_id] = device
        if not found:
            where = ", ".join(f"{k}={v}" for k, v in data.items() if k in ("site", "area"))
            raise NoTarget(Text("entity.none_found", kind=kind(domain), where=where))
        return list(found.values())


async def _each(devices: Iterable[Device], act: Callable[[Any], Any], what: str) -> None:
    """Act on every targeted device at once; one failing never stops the
    others, and every failure is reported together."""
    devices = list(devices)
    results = await asyncio.gather(*(act(d) for d in devices), return_exceptions=True)
    failures = [
        Text("entity.failure", entity_id=d.entity_id, error=message(r))
        for d, r in zip(devices, results, strict=True)
        if isinstance(r, BaseException)
    ]
    if failures:
        raise DeviceError(Text("entity.failed", service=what, failures=failures))


def _entity_service(
    hub: Hub,
    domain: str,
    name: str,
    act: Callable[[Any, ServiceCall], Any],
    makes_safe: bool = False,
) -> Callable[[ServiceCall], Any]:
    async def act_if_available(device: Device, call: ServiceCall) -> Any:
        if not makes_safe:
            device.require_available()
        return await act(device, call)

    prepare = PREPARE.get((domain, name))

    async def handler(call: ServiceCall) -> None:
        # An offline siren is reported with the others' failures; it must
        # not keep the rest of its site silent.
        devices = hub.devices.resolve(domain, call.data)
        if prepare is not None:
            call = await prepare(hub, call, devices)
        await _each(devices, lambda d: act_if_available(d, call), f"{domain}.{name}")

    return handler


def _duration(value: Any) -> float:
    seconds = vol.Coerce(float)(value)
    if seconds <= 0:
        raise vol.Invalid(Text("config.positive_seconds"))
    return seconds


def _notification(call: ServiceCall) -> Notification:
    return Notification(
        message=call.data["message"],
        title=call.data.get("title"),
        targets=call.data["targets"],
        photo_path=call.data.get("photo_path"),  # from `snapshot:` (_with_picture)
        data=call.data["data"],
    )


async def _notify(device: Notifier, call: ServiceCall) -> None:
    """notify.send: through the outbox (stored first, one message per
    target, paced, retried) once it runs; straight to the messenger before
    (at start, or in a hub without the outbox's room)."""
    from .outbox import OUTBOX  # the outbox's room imports the platforms too

    hub = device.hub
    outbox = hub.data.get(OUTBOX)
    if outbox is None or not outbox.running:
        await device.send(_notification(call), context=call.context)
        return
    data = call.data["data"]
    messages = []
    for target in call.data["targets"] or [""]:
        person = hub.people.get(target) if target else None
        address = device.address(person) if person is not None else None
        messages.append(
            outbox.message(
                device.entity_id,
                str(address or target),
                text=call.data["message"],
                title=call.data.get("title"),
                photo_path=call.data.get("photo_path"),
                data=data,
                language=person.language if person is not None else hub.language,
                person_id=person.id if person is not None else data.get("person"),
                alarm_id=data.get("alarm_id"),
                kind=data.get("kind"),
                context=call.context,
            )
        )
    await outbox.put(messages)
    outcomes = await outbox.first_try(messages)
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    if refused and len(refused) == len(outcomes):
        raise refused[0]


# The core's own domains, declared as any plugin declares one.
CORE_DOMAINS = (
    EntityDomain(
        "camera",
        Camera,
        services={
            "ptz_preset": EntityService(
                {vol.Required("preset"): vol.Coerce(str)},
                lambda d, c: d.ptz_preset(c.data["preset"], context=c.context),
            ),
        },
    ),
    EntityDomain(
        "door",
        Door,
        services={
            "unlock": EntityService(
                {vol.Optional("duration"): _duration},
                lambda d, c: d.unlock(duration=c.data.get("duration"), context=c.context),
            ),
            "lock": EntityService({}, lambda d, c: d.lock(context=c.context), makes_safe=True),
        },
    ),
    EntityDomain(
        "siren",
        Siren,
        services={
            "turn_on": EntityService(
                {
                    vol.Optional("duration"): _duration,
                    vol.Optional("tone"): str,
                    vol.Optional("level"): str,
                },
                lambda d, c: d.turn_on(
                    duration=c.data.get("duration"),
                    tone=c.data.get("tone"),
                    level=c.data.get("level"),
                    context=c.context,
                ),
            ),
            "turn_off": EntityService(
                {}, lambda d, c: d.turn_off(context=c.context), makes_safe=True
            ),
        },
    ),
    EntityDomain(
        "notify",
        Notifier,
        needs_site=False,
        services={
            "send": EntityService(
                {
                    vol.Required("message"): str,
                    vol.Optional("title"): str,
                    vol.Optional("targets", default=list): _str_list,
                    # a camera whose picture goes with the alert, taken when it is sent
                    vol.Optional("snapshot"): str,
                    vol.Optional("data", default=dict): dict,
                },
                _notify,
            ),
        },
    ),
)


@hookimpl
def sigap_entity_domains(hub: Hub) -> Any:
    return CORE_DOMAINS


def domain_services(hub: Hub) -> list[str]:
    """`domain.service` of every entity service the hub's domains offer."""
    return [f"{d.name}.{name}" for d in hub.domains.values() for name in d.services]


async def _with_picture(hub: Hub, call: ServiceCall, notifiers: list[Device]) -> ServiceCall:
    """notify.send with `snapshot:`: the camera's picture, taken once for all
    the messengers. An alert is never lost because its picture was: without
    one, it goes with a note saying so, and the admin gets one log line."""
    camera_id = call.data.get("snapshot")
    if not camera_id:
        return call
    from .media import picture_path_for_alert  # media imports TARGET from this module

    try:
        path = await picture_path_for_alert(hub, camera_id, call.context)
        return ServiceCall(
            call.domain, call.service, {**call.data, "photo_path": path}, call.context
        )
    except Exception as err:
        camera = hub.devices.get(camera_id)
        note = Text("notify.no_picture", camera=camera.name if camera else camera_id)
        said = Text(
            "notify.sent_without_picture",
            targets=", ".join(n.entity_id for n in notifiers),
            camera=camera_id,
            error=message(err),
        )
        _LOGGER.warning(said)
        text = f"{call.data['message']}\n{note.render(hub.language)}"
        return ServiceCall(call.domain, call.service, {**call.data, "message": text}, call.context)


PREPARE: dict[
    tuple[str, str], Callable[[Hub, ServiceCall, list[Device]], Awaitable[ServiceCall]]
] = {("notify", "send"): _with_picture}


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        # every domain's services, a plugin's as the core's: one way to a target
        undo = [
            hub.services.register(
                domain.name,
                name,
                _entity_service(hub, domain.name, name, service.act, service.makes_safe),
                {**TARGET, **service.schema},
                permission=service.permission,
            )
            for domain in hub.domains.values()
            for name, service in domain.services.items()
        ]
        try:
            yield
        finally:
            for unregister in undo:
                unregister()

    return lifespan()
