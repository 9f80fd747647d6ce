"""What MQTT sirens and doors share: the hub's connection, availability from
the device's last will, and commands that count only once the device's own
state topic confirms them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import voluptuous as vol

from hub import (
    EVENT_MQTT_CONNECTED,
    EVENT_MQTT_DISCONNECTED,
    MQTT,
    Clock,
    Context,
    DeviceError,
    MqttError,
    MqttMessage,
    MqttNotConnected,
    i18n,
    shown,
    suggest,
)

from .payloads import Unreadable

#: an item's keys every platform has (checked by the hub before ours)
BASE_KEYS = ("platform", "id", "name", "site", "area")

STATE_UNCONFIRMED = "unconfirmed"


T = TypeVar("T")


def read_message(device: Any, message: MqttMessage, read: Callable[[MqttMessage], T]) -> T | None:
    """`read(message)`, or None for a message the device's parser will not
    read (too large, not JSON, not the shape the device sends): said in one
    escaped, capped log line, at most once a minute per device and topic
    (`device.refusals`, a LogRate); the rest are counted."""
    try:
        return read(message)
    except Unreadable as err:
        said = i18n.Text(
            "mqtt_devices.refused_message",
            entity_id=device.entity_id,
            site=device.site,
            topic=shown(message.topic, 120),
            reason=err.reason,
            payload=shown(message.payload, 80),
        )
        device.refusals.log((device.entity_id, message.topic), logging.WARNING, said)
        return None


def log_text(device: Any, key: str, **values: Any) -> str:
    """A log line about `device` in the admin's language."""
    return i18n.Text(key, entity_id=device.entity_id, site=device.site, **values).render(
        device.hub.console_language
    )


def dialect_schema(common: Mapping[Any, Any], dialects: Mapping[str, Any]) -> Callable[[Any], Any]:
    """A CONFIG_SCHEMA that picks the keys to accept by the item's `dialect`."""
    names = ", ".join(sorted(dialects))

    def check(item: Any) -> Any:
        if not isinstance(item, Mapping):
            raise vol.Invalid(i18n.Text("config.expected_mapping"))
        dialect = item.get("dialect")
        if dialect not in dialects:
            raise vol.Invalid(
                i18n.Text(
                    "mqtt_devices.unknown_dialect",
                    value=repr(dialect),
                    hint=suggest(dialect, dialects),
                    names=names,
                ),
                path=["dialect"],
            )
        own = {**common, **dialects[dialect].SCHEMA}
        known = [*BASE_KEYS, *(str(getattr(k, "schema", k)) for k in own)]
        for key in item:
            if key not in known:
                raise vol.Invalid(
                    i18n.Text(
                        "mqtt_devices.unknown_key",
                        key=repr(key),
                        dialect=dialect,
                        hint=suggest(key, known),
                    ),
                    path=[key],
                )
        keys = {vol.Optional(k): object for k in BASE_KEYS}
        return vol.Schema({**keys, **own})(dict(item))

    return check


def connection_of(device: Any) -> Any:
    connection = device.hub.data.get(MQTT)
    if connection is None:
        raise DeviceError(i18n.Text("mqtt_devices.no_mqtt", entity_id=device.entity_id))
    return connection


async def publish_commands(device: Any, commands: list[tuple[str, str]]) -> None:
    """Send commands QoS 1, never retained (a retained ON would sound again
    after the device reboots), now or never: a command that acts must not
    arrive late, and one that makes safe is owed and sent again (owed.py)."""
    connection = connection_of(device)
    try:
        for topic, payload in commands:
            await connection.publish(topic, payload, qos=1, retain=False, late=False)
    except MqttNotConnected as err:
        raise DeviceError(
            i18n.Text(
                "mqtt_devices.not_sent_now", entity_id=device.entity_id, error=i18n.message(err)
            )
        ) from None
    except MqttError as err:
        raise DeviceError(
            i18n.Text(
                "mqtt_devices.command_failed", entity_id=device.entity_id, error=i18n.message(err)
            )
        ) from None


class Confirmation:
    """One command waiting for the device's state topic to say it happened.

    `on_failure(reason)` runs once: with None when the time is up, or with
    the device's own words when it refuses the command (`refuse`)."""

    def __init__(
        self,
        expected: str,
        timeout: float,
        on_failure: Callable[[str | None], None],
        clock: Clock,
    ) -> None:
        self.expected = expected
        self._on_failure = on_failure
        self.sent = clock.monotonic()
        self._cancel = clock.call_later(timeout, lambda: on_failure(None))

    def cancel(self) -> None:
        self._cancel()

    def refuse(self, reason: str) -> None:
        self._cancel()
        self._on_failure(reason)


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    """A command the device did not confirm in time (or refused): kept until
    the device reports its state, so a late confirmation can be told."""

    expected: str  # the state the command asked for
    command: str  # turn_on, turn_off, unlock, lock
    sent: float  # the hub clock's monotonic time when it was sent
    context: Context


def confirmed_late(device: Any, unconfirmed: Unconfirmed, event_type: str, **data: Any) -> None:
    """The device reports, after all, the state an unconfirmed command asked
    for: say so in the log and fire `event_type` in the command's context
    (an alarm raised for `unconfirmed` can be closed on it)."""
    seconds = round(device.hub.clock.monotonic() - unconfirmed.sent, 1)
    device.log.warning(
        "%s",
        log_text(
            device, "mqtt_devices.confirmed_late", command=unconfirmed.command, seconds=seconds
        ),
    )
    device.fire(
        event_type,
        {
            "expected": unconfirmed.expected,
            "command": unconfirmed.command,
            "seconds": seconds,
            **data,
        },
        unconfirmed.context,
    )


async def follow_availability(
    device: Any,
    topic: str | None,
    read: Callable[[bytes], bool | None],
    *,
    heard_on: Iterable[str] = (),
    expire_after: float | None = None,
    on_back: Callable[[], None] = lambda: None,
) -> Callable[[], None]:
    """Keep the device's availability in step with its LWT/availability topic,
    and with the broker: while the hub cannot reach the broker, it cannot
    reach the device either. With `expire_after`, a device silent that long
    on every topic of `heard_on` (its state topics) is unavailable too, until
    it speaks again: a relay without a last will that lost power is noticed.
    `on_back()` runs whenever the device is heard to be online (again): each
    "online" on its availability topic, even a repeated one (a broker back
    from a restart hands over the retained "online" before the device itself
    has reconnected, which then says it again). Returns the function that
    stops following."""
    last_word: list[bool] = []  # what the availability topic said last, if anything
    clock = device.hub.clock
    silence: list[Callable[[], None]] = []  # the expiry timer's cancel, while one runs
    expired: list[bool] = []

    def expire() -> None:
        expired[:] = [True]
        device.set_available(False, i18n.Text("mqtt_devices.expired", seconds=f"{expire_after:g}"))

    def restart_silence() -> None:
        if expire_after is None:
            return
        for cancel in silence:
            cancel()
        silence[:] = [clock.call_later(expire_after, expire)]

    def heard(message: MqttMessage) -> None:
        restart_silence()
        if expired:
            expired.clear()
            if last_word != [False]:  # the availability topic has the last word
                device.set_available(True)
                on_back()

    def on_message(message: MqttMessage) -> None:
        available = read_message(device, message, lambda m: read(m.payload))
        if available is not None:
            last_word[:] = [available]
            if available and expired:
                return  # online, says the will topic; silent, says the clock
            said = f"'{shown(message.payload, 80)}'"  # what the network sent: escaped, capped
            reason = "" if available else i18n.Text("mqtt_devices.says", topic=topic, payload=said)
            device.set_available(available, reason, Context())
            if available:
                on_back()

    def broker_lost(event: Any) -> None:
        device.set_available(
            False, i18n.Text("mqtt_devices.broker_lost", broker=str(event.data.get("broker")))
        )

    def broker_back(event: Any) -> None:
        # with an availability topic, its retained message (sent again on
        # re-subscribing) decides; without one, reachable broker = reachable device
        restart_silence()  # the device gets its full time again
        if not last_word and not expired:
            device.set_available(True)
            on_back()

    undo = [
        device.hub.bus.listen(EVENT_MQTT_DISCONNECTED, broker_lost),
        device.hub.bus.listen(EVENT_MQTT_CONNECTED, broker_back),
    ]
    connection = connection_of(device)
    if topic is not None:
        undo.append(await connection.subscribe(topic, on_message, 1))
    if expire_after is not None:
        for state_topic in heard_on:
            undo.append(await connection.subscribe(state_topic, heard, 1))
        restart_silence()
        undo.append(lambda: [cancel() for cancel in silence])
    if not connection.connected:
        device.set_available(
            False, f"MQTT broker {connection.host}:{connection.port} is not connected"
        )

    def stop() -> None:
        for unsubscribe in undo:
            unsubscribe()

    return stop
