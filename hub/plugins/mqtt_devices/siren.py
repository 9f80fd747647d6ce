"""Sirens and alarm relays over MQTT: Tasmota, Shelly Gen2, Zigbee2MQTT,
ESPHome, or topics and payloads given in YAML.

The entity is `on` only when the device's state topic says so: a command
not confirmed within `confirm_timeout` seconds sets the state `unconfirmed`
and fires `siren.unconfirmed`, which automations can alert on; the device
reporting the asked-for state after all fires `siren.confirmed_late`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import voluptuous as vol

from hub import Context, DeviceError, MqttMessage, Siren

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
)
from .dialects import DIALECTS, Dialect

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
        self._hub_off: asyncio.TimerHandle | None = None

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
        )
        self._undo.append(undo)

    async def stop(self) -> None:
        self._cancel_timers()
        for undo in self._undo:
            undo()

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
        await self._command(True, seconds, tone, level, context)
        if not self.dialect.device_max_on_time:
            # the device cannot time itself out: the hub switches it off
            loop = asyncio.get_running_loop()
            self._hub_off = loop.call_later(seconds, self._switch_off_from_hub, context)
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
        self.require_available()
        await self._command(False, 0, None, None, context)

    async def _command(
        self, on: bool, seconds: float, tone: str | None, level: str | None, context: Context
    ) -> None:
        self._cancel_timers()
        expected = "on" if on else "off"
        await publish_commands(self, self.dialect.commands(on, seconds, tone, level))
        pending = self._pending = Confirmation(
            expected,
            self.config["confirm_timeout"],
            lambda reason: self._unconfirmed(
                Unconfirmed(expected, "turn_on" if on else "turn_off", pending.sent, context),
                reason,
            ),
        )

    def _switch_off_from_hub(self, context: Context) -> None:
        self._hub_off = None
        if self.available:
            self.hub.create_task(self._command(False, 0, None, None, context), "siren auto off")

    def _cancel_timers(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._hub_off is not None:
            self._hub_off.cancel()
            self._hub_off = None

    def _unconfirmed(self, unsure: Unconfirmed, refused: str | None = None) -> None:
        """The command is not known to have happened: the time is up, or
        the device said no (`refused`, in its words) before it was."""
        self._pending = None
        self._unsure = unsure
        expected, command, context = unsure.expected, unsure.command, unsure.context
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
        reply = self.dialect.read_reply(message.topic, message.payload)
        if reply is None:
            return
        if reply.refused is not None:
            if self._pending is not None:
                self._pending.refuse(reply.refused)
        elif reply.state is not None:
            self._heard(reply.state)

    def _on_state(self, message: MqttMessage) -> None:
        state = self.dialect.read_state(message.topic, message.payload)
        if state is not None:
            self._heard(state)

    def _heard(self, state: str) -> None:
        """The device said its switch is `state` (on its state topic, or in
        its answer to a request)."""
        if self._pending is not None and self._pending.expected == state:
            self._pending.cancel()
            self._pending = None
        if state == "off" and self._hub_off is not None:
            self._hub_off.cancel()
            self._hub_off = None
        unsure, self._unsure = self._unsure, None
        self.set_state(state, {})
        if unsure is not None and unsure.expected == state:
            confirmed_late(self, unsure, EVENT_SIREN_CONFIRMED_LATE, siren=self.entity_id)
