"""Sirens and alarm relays over MQTT: Tasmota, Shelly Gen2, Zigbee2MQTT,
ESPHome, or topics and payloads given in YAML.

The entity is `on` only when the device's state topic says so: a command
not confirmed within `confirm_timeout` seconds sets the state `unconfirmed`
and fires `siren.unconfirmed`, which automations can alert on; the device
reporting the asked-for state after all fires `siren.confirmed_late`.

Every turn_on makes the hub owe the siren its switch-off (owed.py): on disk
before the ON is sent, sent when the time is up (a device that times itself
gets `confirm_timeout` more to do so and say so), and again whenever the
device comes back, until its state topic says off.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from hub import STATE_UNKNOWN, Context, DeviceError, LogRate, MqttMessage, Siren

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
from .dialects import DIALECTS, Dialect
from .owed import Debt

EVENT_SIREN_UNCONFIRMED = "siren.unconfirmed"
EVENT_SIREN_CONFIRMED_LATE = "siren.confirmed_late"

COMMON = {
    vol.Required("dialect"): vol.In(sorted(DIALECTS)),
    # seconds the device's state topic has to confirm a command
    vol.Optional("confirm_timeout", default=5.0): vol.All(vol.Coerce(float), vol.Range(min=0.05)),
    # the longest the siren sounds, sent to the device with every turn_on
    vol.Optional("max_on_time", default=120.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
    # the device publishes its state at least this often by itself; silent
    # longer, it is unavailable (for devices without a last will)
    vol.Optional("expire_after"): vol.All(vol.Coerce(float), vol.Range(min=0.05)),
}


class MqttSiren(Siren):
    platform = "mqtt"
    CONFIG_SCHEMA = dialect_schema(COMMON, DIALECTS)

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self.dialect: Dialect = DIALECTS[config["dialect"]](
            config, f"sigap-{hub.settings.get('id') or 'sigap'}-{self.id}"
        )
        self._pending: Confirmation | None = None
        # the last command that went unconfirmed, until the device reports its state
        self._unsure: Unconfirmed | None = None
        self._undo: list[Any] = []
        # lines about messages the hub will not read: one a minute per topic
        self.refusals = LogRate(self.log, language=lambda: hub.console_language)
        self.debt = Debt(
            self, "turn_off", self._switch_off, confirm_timeout=config["confirm_timeout"]
        )

    def base_attributes(self) -> dict[str, Any]:
        return {
            **super().base_attributes(),
            "dialect": self.dialect.name,
            "max_on_time": self.config["max_on_time"],
            "device_max_on_time": self.dialect.device_max_on_time,
        }

    async def start(self) -> None:
        connection = connection_of(self)
        for topic in self.dialect.state_topics():
            self._undo.append(await connection.subscribe(topic, self._on_state, 1))
        for topic in self.dialect.reply_topics():
            self._undo.append(await connection.subscribe(topic, self._on_reply, 1))
        undo = await follow_availability(
            self,
            self.dialect.availability_topic(),
            self.dialect.read_availability,
            heard_on=self.dialect.state_topics(),
            expire_after=self.config.get("expire_after"),
            on_back=self._back,
        )
        self._undo.append(undo)
        self.debt.resume()

    async def stop(self) -> None:
        await self.debt.stop()  # the hub will not be here when it falls due
        self._cancel_pending()
        for undo in self._undo:
            undo()
        self.refusals.close()

    # -- commands ---------------------------------------------------------------

    async def turn_on(
        self, *, duration: float | None, tone: str | None, level: str | None, context: Context
    ) -> None:
        self.require_available()
        try:
            tone, level = self.dialect.sound(tone, level)
        except vol.Invalid as err:  # before anything is sent: the device would refuse it
            raise DeviceError(err.msg) from None
        limit = self.config["max_on_time"]
        seconds = min(duration or limit, limit)
        # a device that times itself gets the time to do it and say so first
        grace = self.config["confirm_timeout"] if self.dialect.device_max_on_time else 0.0
        earlier = await self.debt.owe(seconds + grace, context, for_command="turn_on")
        try:
            await self._command(True, seconds, tone, level, context)
        except BaseException:
            self.debt.not_sent(earlier)
            raise
        self.log.warning(
            "%s",
            log_text(
                self,
                "mqtt_devices.siren_on",
                seconds=f"{self.dialect.on_time(seconds):g}",  # as the device was told it
                dialect=self.dialect.name,
            ),
        )

    async def turn_off(self, *, context: Context) -> None:
        # makes safe: owed until the device confirms, even while it is away
        await self.debt.owe_now(context)

    async def _switch_off(self, context: Context) -> None:
        """Pay the owed switch-off."""
        await self._command(False, 0, None, None, context)

    async def _command(
        self, on: bool, seconds: float, tone: str | None, level: str | None, context: Context
    ) -> None:
        self._cancel_pending()
        expected = "on" if on else "off"
        await publish_commands(self, self.dialect.commands(on, seconds, tone, level))
        pending = self._pending = Confirmation(
            expected,
            self.config["confirm_timeout"],
            lambda reason: self._unconfirmed(
                Unconfirmed(expected, "turn_on" if on else "turn_off", pending.sent, context),
                reason,
            ),
            self.hub.clock,
        )

    def _back(self) -> None:
        """The device is heard online (again): pay what is owed, and ask it
        what it is."""
        self.debt.back()
        self._ask_state()

    def _ask_state(self) -> None:
        """What the device did while the hub could not hear it (its own
        timer switched it off) is not what the hub last heard. Ask it,
        where the dialect can; until it answers, its state is unknown (or
        still `unconfirmed`, or a command is on its way)."""
        query = self.dialect.state_query()
        if not query:
            return  # ESPHome publishes its states itself when it reconnects
        if self._pending is None and self._unsure is None:
            self.set_state(STATE_UNKNOWN, {})
        self.hub.create_task(self._send_query(query), f"ask {self.entity_id} its state")

    async def _send_query(self, query: list[tuple[str, str]]) -> None:
        try:
            await publish_commands(self, query)
        except DeviceError as err:  # the broker went again: asked on its return
            self.log.debug("%s: state query not sent: %s", self.entity_id, err)

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _unconfirmed(self, unsure: Unconfirmed, refused: str | None = None) -> None:
        """The command is not known to have happened: the time is up, or
        the device said no (`refused`, in its words) before it was. An owed
        switch-off stays owed and is sent again; the alarm is raised once."""
        self._pending = None
        self._unsure = unsure
        expected, command, context = unsure.expected, unsure.command, unsure.context
        again = command == "turn_off" and self.debt.retrying
        if command == "turn_off":
            self.debt.unconfirmed()
        timeout = self.config["confirm_timeout"]
        if refused is None:
            said = log_text(
                self, "mqtt_devices.siren_unconfirmed", command=command, seconds=f"{timeout:.1f}"
            )
        else:
            said = log_text(self, "mqtt_devices.siren_refused", command=command, refused=refused)
        self.log.error("%s", said)
        self.set_state(
            STATE_UNCONFIRMED,
            {"expected": expected, "command": command, "refused": refused},
            context,
        )
        if again:
            return
        self.fire(
            EVENT_SIREN_UNCONFIRMED,
            {
                "expected": expected,
                "command": command,
                "timeout": timeout,
                "refused": refused,
                "siren": self.entity_id,
            },
            context,
        )

    # -- what the device says -------------------------------------------------

    def _on_reply(self, message: MqttMessage) -> None:
        reply = read_message(self, message, lambda m: self.dialect.read_reply(m.topic, m.payload))
        if reply is None:
            return
        if reply.refused is not None:
            if self._pending is not None:
                self._pending.refuse(reply.refused)
        elif reply.state is not None:
            self._heard(reply.state)

    def _on_state(self, message: MqttMessage) -> None:
        state = read_message(self, message, lambda m: self.dialect.read_state(m.topic, m.payload))
        if state is not None:
            self._heard(state, now=not message.retain)

    def _heard(self, state: str, *, now: bool = True) -> None:
        """The device said its switch is `state` (on its state topic, or in
        its answer to a request); `now=False`: a retained report, which may
        be older than what the device did since."""
        turning_on = self._pending is not None and self._pending.expected == "on"
        if self._pending is not None and self._pending.expected == state:
            self._pending.cancel()
            self._pending = None
        if state == "off" and now and not turning_on and self.debt.owed is not None:
            self.debt.settled()  # an "off" older than our ON settles nothing
        unsure, self._unsure = self._unsure, None
        self.set_state(state, {})
        if unsure is not None and unsure.expected == state:
            confirmed_late(self, unsure, EVENT_SIREN_CONFIRMED_LATE, siren=self.entity_id)
