"""Relay-driven doors with a contact sensor over MQTT (ESPHome style, or
topics and payloads given in YAML).

The relay energised means unlocked. States: `open` while the contact is
open, else `unlocked` or `locked` by the relay (`closed` while the relay's
state is not yet known), and `unconfirmed` from a relay command not
confirmed in time until the relay reports (`door.confirmed_late` when
it reports what was asked, after all). The contact opening while
locked fires `door.forced`, unless it follows the hub's own `door.unlock`
(from the moment it is sent until its time ends: a relay may confirm after
the visitor pushed); staying open past `held_open_after` fires
`door.held_open`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import voluptuous as vol

from hub import Context, Door, LogRate, MqttMessage, i18n

from .base import (
    STATE_UNCONFIRMED,
    Confirmation,
    Unconfirmed,
    confirmed_late,
    connection_of,
    dialect_schema,
    follow_availability,
    log_text,
    publish_commands,
    read_message,
)
from .owed import Debt
from .payloads import read_text

EVENT_DOOR_UNCONFIRMED = "door.unconfirmed"
EVENT_DOOR_CONFIRMED_LATE = "door.confirmed_late"


class DoorDialect:
    name: ClassVar[str] = ""
    SCHEMA: ClassVar[dict[Any, Any]] = {}

    def __init__(self, config: Any) -> None:
        self.config = config

    relay_command: str
    relay_state: str
    contact_state: str
    availability: str | None
    on, off = "ON", "OFF"
    contact_open, contact_closed = "ON", "OFF"
    available, not_available = "online", "offline"

    @staticmethod
    def _word(payload: bytes, yes: str, no: str) -> bool | None:
        text = read_text(payload)
        return True if text == yes else False if text == no else None

    def read_relay(self, payload: bytes) -> bool | None:
        """True: energised (unlocked); None: not a relay state."""
        return self._word(payload, self.on, self.off)

    def read_contact(self, payload: bytes) -> bool | None:
        """True: the door is open."""
        return self._word(payload, self.contact_open, self.contact_closed)

    def read_availability(self, payload: bytes) -> bool | None:
        return self._word(payload, self.available, self.not_available)


class ESPHomeDoor(DoorDialect):
    """`<node>/switch/<relay>/command|state`, `<node>/binary_sensor/<contact>/state`
    (ON = open), `<node>/status` online/offline."""

    name = "esphome"
    SCHEMA = {
        vol.Required("topic"): str,
        vol.Optional("relay", default="lock_relay"): str,
        vol.Optional("contact", default="door_contact"): str,
    }

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        node = config["topic"]
        self.relay_command = f"{node}/switch/{config['relay']}/command"
        self.relay_state = f"{node}/switch/{config['relay']}/state"
        self.contact_state = f"{node}/binary_sensor/{config['contact']}/state"
        self.availability = f"{node}/status"


class GenericDoor(DoorDialect):
    name = "generic"
    SCHEMA = {
        vol.Required("relay_command_topic"): str,
        vol.Required("relay_state_topic"): str,
        vol.Required("contact_topic"): str,
        vol.Optional("availability_topic"): str,
        vol.Optional("payload_unlock", default="ON"): str,
        vol.Optional("payload_lock", default="OFF"): str,
        vol.Optional("contact_open", default="ON"): str,
        vol.Optional("contact_closed", default="OFF"): str,
        vol.Optional("payload_available", default="online"): str,
        vol.Optional("payload_not_available", default="offline"): str,
    }

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.relay_command = config["relay_command_topic"]
        self.relay_state = config["relay_state_topic"]
        self.contact_state = config["contact_topic"]
        self.availability = config.get("availability_topic")
        self.on, self.off = config["payload_unlock"], config["payload_lock"]
        self.contact_open, self.contact_closed = config["contact_open"], config["contact_closed"]
        self.available = config["payload_available"]
        self.not_available = config["payload_not_available"]


DOOR_DIALECTS: dict[str, type[DoorDialect]] = {d.name: d for d in (ESPHomeDoor, GenericDoor)}

_seconds = vol.All(vol.Coerce(float), vol.Range(min=0.05))
COMMON = {
    vol.Required("dialect"): vol.In(sorted(DOOR_DIALECTS)),
    vol.Optional("unlock_for", default=5.0): _seconds,  # door.unlock without a duration
    vol.Optional("held_open_after", default=30.0): _seconds,
    vol.Optional("confirm_timeout", default=5.0): _seconds,
    # the relay or contact reports at least this often; silent longer: unavailable
    vol.Optional("expire_after"): _seconds,
}


class MqttDoor(Door):
    platform = "mqtt"
    CONFIG_SCHEMA = dialect_schema(COMMON, DOOR_DIALECTS)

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self.dialect = DOOR_DIALECTS[config["dialect"]](config)
        self.relay: bool | None = None  # True: energised, unlocked
        self.contact_open: bool | None = None
        self._pending: Confirmation | None = None
        # the expected relay state of a command not confirmed in time, until the relay reports
        self._unsure: Unconfirmed | None = None
        # every door.unlock makes the hub owe the relock (owed.py)
        self.debt = Debt(self, "lock", self._relock, confirm_timeout=config["confirm_timeout"])
        self._held: Callable[[], None] | None = None  # the held-open timer's cancel
        self._undo: list[Any] = []
        # lines about messages the hub will not read: one a minute per topic
        self.refusals = LogRate(self.log, language=lambda: hub.console_language)

    async def start(self) -> None:
        connection = connection_of(self)
        d = self.dialect
        self._undo.append(await connection.subscribe(d.relay_state, self._on_relay, 1))
        self._undo.append(await connection.subscribe(d.contact_state, self._on_contact, 1))
        undo = await follow_availability(
            self,
            d.availability,
            d.read_availability,
            heard_on=(d.relay_state, d.contact_state),
            expire_after=self.config.get("expire_after"),
            on_back=self.debt.back,
        )
        self._undo.append(undo)
        self.debt.resume()

    async def stop(self) -> None:
        await self.debt.stop()  # the hub will not be here when it falls due
        if self._held is not None:
            self._held()
        if self._pending is not None:
            self._pending.cancel()
        for undo in self._undo:
            undo()
        self.refusals.close()

    # -- commands -------------------------------------------------------------------

    async def unlock(self, *, duration: float | None, context: Context) -> None:
        self.require_available()
        seconds = duration or self.config["unlock_for"]
        # the relock is on disk before the relay is energised
        earlier = await self.debt.owe(seconds, context, for_command="unlock")
        try:
            await self._relay(True, context)
        except BaseException:
            self.debt.not_sent(earlier)  # an earlier unlock's time still runs
            raise
        self.log.info("%s (%s): unlocked for %.0f s", self.entity_id, self.site, seconds)

    async def lock(self, *, context: Context) -> None:
        # makes safe: owed until the relay confirms, even while it is away
        await self.debt.owe_now(context)

    async def _relock(self, context: Context) -> None:
        """Pay the owed relock (the unlock's time is over)."""
        await self._relay(False, context)

    @property
    def _own_unlock(self) -> bool:
        """From sending door.unlock until its time ends: an opening is no break-in."""
        owed = self.debt.owed
        return owed is not None and owed.due > self.hub.clock.timestamp()

    async def _relay(self, energise: bool, context: Context) -> None:
        if self._pending is not None:
            self._pending.cancel()
        d = self.dialect
        await publish_commands(self, [(d.relay_command, d.on if energise else d.off)])
        expected = "unlocked" if energise else "locked"
        pending = self._pending = Confirmation(
            expected,
            self.config["confirm_timeout"],
            lambda _reason: self._unconfirmed(
                Unconfirmed(expected, "unlock" if energise else "lock", pending.sent, context)
            ),
            self.hub.clock,
        )

    def _unconfirmed(self, unsure: Unconfirmed) -> None:
        self._pending = None
        self._unsure = unsure
        expected, context = unsure.expected, unsure.context
        again = expected == "locked" and self.debt.retrying
        if expected == "locked":
            self.debt.unconfirmed()  # still owed: sent again
        seconds = f"{self.config['confirm_timeout']:.1f}"
        self.log.error(
            "%s",
            log_text(
                self,
                "mqtt_devices.door_unconfirmed",
                expected=i18n.Text(f"mqtt_devices.state.{expected}"),
                seconds=seconds,
            ),
        )
        seen = {"relay": self.relay, "contact_open": self.contact_open}
        self.set_state(STATE_UNCONFIRMED, {"expected": expected, **seen}, context)
        if again:
            return  # the alarm was raised on the first try
        self.fire(
            EVENT_DOOR_UNCONFIRMED,
            {"expected": expected, "command": unsure.command, "door": self.entity_id},
            context,
        )

    # -- what the device says -------------------------------------------------

    def _on_relay(self, message: MqttMessage) -> None:
        relay = read_message(self, message, lambda m: self.dialect.read_relay(m.payload))
        if relay is None:
            return
        self.relay = relay
        reported = "unlocked" if self.relay else "locked"
        unlocking = self._pending is not None and self._pending.expected == "unlocked"
        if self._pending is not None and self._pending.expected == reported:
            self._pending.cancel()
            self._pending = None
        unsure, self._unsure = self._unsure, None  # the relay reported: the door shows it
        if not self.relay and not message.retain and not unlocking and self.debt.owed:
            self.debt.settled()  # a retained or older "locked" settles nothing
        self._show()
        if unsure is not None and unsure.expected == reported:
            confirmed_late(self, unsure, EVENT_DOOR_CONFIRMED_LATE, door=self.entity_id)

    def _on_contact(self, message: MqttMessage) -> None:
        contact = read_message(self, message, lambda m: self.dialect.read_contact(m.payload))
        if contact is None:
            return
        was_open = self.contact_open
        self.contact_open = contact
        if message.retain or was_open == self.contact_open:
            self._show()  # a remembered or repeated state is no new event
            return
        data = {"door": self.entity_id}
        if self.contact_open:
            self.fire("door.opened", data)
            if self.relay is not True and not self._own_unlock:
                self.log.warning("%s", log_text(self, "mqtt_devices.door_forced"))
                self.fire("door.forced", data)
            self._held = self.hub.clock.call_later(self.config["held_open_after"], self._held_open)
        else:
            if self._held is not None:
                self._held()
                self._held = None
            self.fire("door.closed", data)
        self._show()

    def _held_open(self) -> None:
        self._held = None
        if self.contact_open:
            seconds = self.config["held_open_after"]
            self.log.warning(
                "%s", log_text(self, "mqtt_devices.door_held_open", seconds=f"{seconds:.0f}")
            )
            self.fire("door.held_open", {"door": self.entity_id, "seconds": seconds})

    def _show(self) -> None:
        seen = {"relay": self.relay, "contact_open": self.contact_open}
        if self._unsure is not None:
            # an alarm was raised on it: the contact does not quietly end it
            self.set_state(STATE_UNCONFIRMED, {"expected": self._unsure.expected, **seen})
            return
        if self.contact_open:
            state = "open"
        elif self.relay is None:
            state = "closed" if self.contact_open is False else self._state
        else:
            state = "unlocked" if self.relay else "locked"
        self.set_state(state, seen)
