"""Base classes for what plugins provide: devices (cameras, doors, sirens,
messengers) and automation trigger types.

A device is one item under `camera:`, `door:`, `siren:` or `notify:` in the
YAML. It owns one entity (`<domain>.<id>`), keeps its state and availability
current, and fires normalized events with its site and area attached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import voluptuous as vol

from . import i18n
from .bus import Event, Unsubscribe
from .context import Context
from .state import STATE_UNAVAILABLE, STATE_UNKNOWN, State

if TYPE_CHECKING:
    from .hub import Hub

EVENT_DEVICE_UNAVAILABLE = "device.unavailable"
EVENT_DEVICE_AVAILABLE = "device.available"


class DeviceError(Exception):
    """A device could not do what it was asked; the message says which and why."""


def kind(domain_or_entity: str, *, capital: bool = False) -> str:
    """What a domain's devices are called, in the reader's language
    (`siren` -> "sirene"); an unknown domain as it is written."""
    domain = domain_or_entity.partition(".")[0]
    if not i18n.has(f"device.kind.{domain}"):
        return domain
    return i18n.Text(f"device.{'Kind' if capital else 'kind'}.{domain}")


def _plain(value: Any) -> str | None:
    return None if value is None else str(value)


class DeviceUnavailable(DeviceError):
    def __init__(self, entity_id: str) -> None:
        # A Text: str() is the English; whoever shows it to a person renders it.
        super().__init__(
            i18n.Text("device.unavailable", kind=kind(entity_id, capital=True), entity_id=entity_id)
        )


class Device:
    """One configured device. Subclasses set `domain` (via the domain base
    class), `platform` and optionally `CONFIG_SCHEMA` (their extra YAML keys)."""

    domain: ClassVar[str] = ""
    platform: ClassVar[str] = ""
    CONFIG_SCHEMA: ClassVar[Any] = None

    def __init__(self, hub: Hub, config: Mapping[str, Any]) -> None:
        self.hub = hub
        self.config = config
        # plain str: these travel in every event and state (JSON, no config nodes)
        self.id: str = str(config["id"])
        self.entity_id = f"{self.domain}.{self.id}"
        self.name: str = str(config.get("name") or self.id)
        self.site: str | None = _plain(config.get("site"))
        self.area: str | None = _plain(config.get("area"))
        self.log = logging.getLogger(f"hub.{self.domain}.{self.platform}")
        self._available = True
        self._state: str = STATE_UNKNOWN
        self._attributes: dict[str, Any] = {}
        #: the device this entity belongs to (a door of an access panel), or None
        self.owner: Device | None = None
        self._owned: list[Device] = []

    # -- lifetime: the hub awaits these ---------------------------------------

    async def start(self) -> None:
        """Connect and begin work. Background loops go through
        `self.hub.create_task` so the hub can stop them. Being unreachable is
        not an error here: mark the device unavailable and keep retrying."""

    async def stop(self) -> None:
        """Release connections; the hub cancels tasks it started for you."""

    # -- a device with several entities -----------------------------------------

    def own(self, entity: Device) -> Device:
        """Add `entity` (any domain's Device) as one of this device's entities:
        the four doors and the tamper input of an access panel, a channel of
        an NVR, a camera's motion sensor. It is registered with the hub (its
        services reach it by entity id, site or area like any entity's) and
        follows this device's availability. Call it from `__init__` or
        `start()`; the owner drives it (the hub does not start it)."""
        entity.owner = self
        self._owned.append(entity)
        self.hub.devices.add(entity)
        entity.set_state(entity._state)
        return entity

    def entity_config(self, suffix: str, **extra: Any) -> dict[str, Any]:
        """The config of an owned entity: `<id>_<suffix>`, this device's
        platform, site and area unless `extra` says otherwise."""
        return {
            "platform": self.platform,
            "id": f"{self.id}_{suffix}",
            "site": self.site,
            "area": self.area,
            **extra,
        }

    @property
    def entities(self) -> list[Device]:
        """This device and the entities it owns."""
        return [self, *self._owned]

    # -- state and events -------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._available

    @property
    def state(self) -> State | None:
        return self.hub.states.get(self.entity_id)

    def base_attributes(self) -> dict[str, Any]:
        return {
            "friendly_name": self.name,
            "site": self.site,
            "area": self.area,
            "platform": self.platform,
        }

    def set_state(
        self,
        state: str,
        attributes: Mapping[str, Any] | None = None,
        context: Context | None = None,
    ) -> None:
        """Record the device's state (shown as `unavailable` while it is)."""
        self._state = state
        if attributes is not None:
            self._attributes = dict(attributes)
        self._write(context)

    def set_available(
        self, available: bool, reason: str = "", context: Context | None = None
    ) -> None:
        """Mark the device reachable or not; fires device.available /
        device.unavailable on a change."""
        if available == self._available:
            return
        self._available = available
        event = EVENT_DEVICE_AVAILABLE if available else EVENT_DEVICE_UNAVAILABLE
        if available:
            self.log.info("%s (%s) is available again", self.entity_id, self.site)
        else:
            said = i18n.Text(
                "device.unavailable_log", entity_id=self.entity_id, site=self.site, reason=reason
            )
            self.log.warning(said)
        self._write(context)
        data: dict[str, Any] | None = None
        if reason:  # the words, and the Text's key for a reader in another language
            data = {"reason": str(reason)}
            if isinstance(reason, i18n.Text):
                data["reason_text"] = reason.as_dict()
        self.fire(event, data, context)
        for entity in self._owned:  # a panel offline takes its doors with it
            entity.set_available(available, reason, context)

    def fire(
        self, event_type: str, data: Mapping[str, Any] | None = None, context: Context | None = None
    ) -> Event:
        """Fire a normalized event about this device (entity_id, site and area added)."""
        payload = {"entity_id": self.entity_id, "site": self.site, "area": self.area}
        if data:
            payload.update(data)
        return self.hub.bus.fire(event_type, payload, context)

    def _write(self, context: Context | None) -> None:
        state = self._state if self._available else STATE_UNAVAILABLE
        self.hub.states.set(
            self.entity_id, state, {**self.base_attributes(), **self._attributes}, context
        )

    def require_available(self) -> None:
        if not self._available:
            raise DeviceUnavailable(self.entity_id)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.entity_id}>"


class Camera(Device):
    """A camera. Plugins report `camera.*` events through `fire`."""

    domain = "camera"

    #: the camera's HTTP snapshot URL and RTSP stream URL, when known
    snapshot_url: str | None = None
    stream_url: str | None = None
    #: what the media layer logs in with on those URLs (digest or basic auth
    #: for HTTP, put into the RTSP URL for ffmpeg); never logged
    username: str | None = None
    password: str | None = None

    #: YAML keys every camera platform accepts for the media layer; a
    #: platform merges them into its CONFIG_SCHEMA
    MEDIA_OPTIONS: ClassVar[dict[Any, Any]] = {
        # seconds of video kept before an event, from a ring of short segments
        vol.Optional("pre_roll", default=0): vol.All(vol.Coerce(float), vol.Range(min=0, max=120)),
    }

    async def snapshot(self) -> bytes:
        """Return a JPEG of the current view (the media layer falls back to
        the RTSP stream when a platform has no snapshot of its own)."""
        raise NotImplementedError

    async def ptz_preset(self, preset: str, *, context: Context) -> None:
        raise DeviceError(i18n.Text("device.no_ptz", entity_id=self.entity_id))


class Door(Device):
    """A door or access controller channel: states locked/unlocked/open/closed."""

    domain = "door"

    async def unlock(self, *, duration: float | None, context: Context) -> None:
        raise NotImplementedError

    async def lock(self, *, context: Context) -> None:
        raise NotImplementedError


class Siren(Device):
    """A siren or alarm relay: states on/off (or unconfirmed)."""

    domain = "siren"

    async def turn_on(
        self,
        *,
        duration: float | None,
        tone: str | None,
        level: str | None,
        context: Context,
    ) -> None:
        raise NotImplementedError

    async def turn_off(self, *, context: Context) -> None:
        raise NotImplementedError


class BinarySensor(Device):
    """An on/off input: a door contact, a tamper switch, a motion detector
    (states on/off). Its domain `binary_sensor` is declared by the
    first-party `sensors` plugin."""

    domain = "binary_sensor"


class Sensor(Device):
    """A measured value (temperature of a server room, a battery level);
    `unit` is shown with it. Its domain `sensor` is declared by `sensors`."""

    domain = "sensor"
    unit: ClassVar[str | None] = None


@dataclass(slots=True)
class Notification:
    """One message for people: text (already in the recipient's language),
    an optional photo and buttons (label, action such as "ack:<alarm_id>").

    Through the outbox a Notification goes to ONE recipient: `targets`
    holds that one address (from `Notifier.address(person)`), and
    `message_id` is the outbox's id for it, the idempotency key a messenger
    may use to avoid sending twice ("" when sent without the outbox)."""

    message: str
    title: str | None = None
    targets: list[str] = field(default_factory=list)
    #: picture bytes, for old callers (`notify.send` with `snapshot:`)
    photo: bytes | None = None
    buttons: list[tuple[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    #: a media file to attach; the outbox keeps paths, never bytes
    photo_path: str | None = None
    message_id: str = ""
    language: str = "id"
    person_id: str | None = None
    alarm_id: str | None = None


class DeliveryError(Exception):
    """A messenger could not deliver a message. `retry_after`: the provider
    said when to try again (a 429), in seconds; `permanent`: trying again
    cannot help (blocked by the user, chat not found, no template outside
    the 24-hour window). Neither: a 5xx or a time-out, retried with back-off."""

    def __init__(
        self, text: Any, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(text)
        self.retry_after = retry_after
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class RateLimits:
    """How fast a messenger may send, in messages per second; None: no
    limit. `per_chat` holds for each recipient, `overall` for all together;
    a burst lets that many go at once before the rate applies."""

    per_chat: float | None = None
    overall: float | None = None
    per_chat_burst: int = 1
    overall_burst: int = 1
    #: besides `per_chat`, for a recipient the messenger calls a group
    #: (`Notifier.is_group`): Telegram's 20 a minute per group
    per_group: float | None = None
    per_group_burst: int = 1


class Notifier(Device):
    """A messenger: delivers Notifications to people.

    The outbox calls `send` with one recipient at a time and keeps to
    `rate_limits`; `send` raises DeliveryError (retry_after=... on a 429,
    permanent=True when trying again cannot help, plain on 5xx/time-out)."""

    domain = "notify"

    #: the provider's limits (PROTOCOLS.md); the default: none
    rate_limits: ClassVar[RateLimits] = RateLimits()

    def is_group(self, recipient: str) -> bool:
        """Whether `recipient` (as `address` gave it; "" for the default
        audience) is a group chat, paced by `rate_limits.per_group` too."""
        return False

    def base_attributes(self) -> dict[str, Any]:
        return {"friendly_name": self.name, "platform": self.platform}

    async def send(self, notification: Notification, *, context: Context) -> str | None:
        """Deliver; return the provider's id for the sent message
        (`chat_id:message_id` for Telegram, the wamid for WhatsApp), which
        `edit` is given later; None when the messenger has none."""
        raise NotImplementedError

    async def edit(
        self, provider_message_id: str, notification: Notification, *, context: Context
    ) -> None:
        """Replace a sent message's text and buttons ("acknowledged by Andi
        at 02:13 WITA"). A messenger that cannot edit says so, permanently."""
        raise DeliveryError(i18n.Text("notify.no_edit", entity_id=self.entity_id), permanent=True)

    async def sent_before(self, message_id: str, notification: Notification) -> str | None:
        """After a crash in the middle of a send: the provider's id if the
        message `message_id` (the outbox's idempotency key) did go, None if
        it did not or the service cannot tell (it is then sent again)."""
        return None

    def address(self, person: Any) -> str | None:
        """The person's address on this messenger (a Telegram user id, an
        E.164 number), or None when this messenger cannot reach them."""
        return None


TriggerAction = Callable[[Mapping[str, Any], Context | None], Any]


class TriggerPlatform:
    """An automation trigger type. `attach` starts watching and returns the
    function that stops; it calls `action(variables, context)` on each firing,
    where variables become the automation's `trigger` variable.

    `config` is the validated trigger: `CONFIG_SCHEMA` (a dict of the keys
    this type adds, like a device platform's) plus the keys every trigger
    has (`platform`, `id`, `alias`, `enabled`, `variables`). `variables` holds
    the automation's `trigger_variables` for templates rendered at attach.
    `action` is a plain function: call it from the event loop; it starts a
    run (or drops it, by the automation's mode) and returns at once (what it
    returns may be awaited, and is already done)."""

    platform: ClassVar[str] = ""
    CONFIG_SCHEMA: ClassVar[Any] = None

    def __init__(self, hub: Hub, config: Mapping[str, Any]) -> None:
        self.hub = hub
        self.config = config
        self.variables: Mapping[str, Any] = {}

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        raise NotImplementedError
