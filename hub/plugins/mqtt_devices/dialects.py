"""How each kind of MQTT siren is spoken to: the topics and payloads of its
commands, and how its state and availability messages read.

A dialect turns (on, seconds, tone, level) into messages to publish and
reads a received message as "on", "off" or None (not about the switch);
a message it will not read raises payloads.Unreadable, and nothing else.
Facts from ../shared/PROTOCOLS.md and the vendors' documentation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import voluptuous as vol

from hub import i18n, shown, suggest

from .payloads import json_object, read_json, read_text

Command = tuple[str, str]  # topic, payload


@dataclass(frozen=True, slots=True)
class Reply:
    """What a device's answer to one of the hub's requests says: the state
    the switch is in now, or the device's refusal in its own words."""

    state: str | None = None
    refused: str | None = None


def whole_seconds(seconds: float) -> int:
    """A device-side limit in whole seconds: rounded up and at least 1, never
    0 (which many devices read as "no limit") nor less than was asked."""
    return max(1, math.ceil(round(seconds, 6)))  # round: 2.0000000001 s is 2 s


def one_of(choices: Sequence[str], key: str) -> Callable[[Any], str]:
    """A validator for a word from `choices`, in any case; the error (text
    `key`) names the choices and the closest one."""

    def check(value: Any) -> str:
        word = value.strip().lower() if isinstance(value, str) else value
        if word not in choices:
            raise vol.Invalid(
                i18n.Text(
                    key,
                    value=repr(value),
                    hint=suggest(word, choices),
                    names=", ".join(choices),
                )
            )
        return word

    return check


def _online(text: str) -> bool | None:
    text = text.strip().lower()
    if text in ("online", "true", "1"):
        return True
    if text in ("offline", "false", "0"):
        return False
    return None


def _on_off(value: Any) -> str | None:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        text = value.strip().upper()
        if text in ("ON", "TRUE", "1"):
            return "on"
        if text in ("OFF", "FALSE", "0"):
            return "off"
    return None


class Dialect:
    name: ClassVar[str] = ""
    #: does the device itself switch off after a time we send with the command?
    device_max_on_time: ClassVar[bool] = True
    SCHEMA: ClassVar[dict[Any, Any]] = {}

    def __init__(self, config: Mapping[str, Any], client_id: str) -> None:
        self.config = config
        self.client_id = client_id

    def commands(
        self, on: bool, seconds: float, tone: str | None, level: str | None
    ) -> list[Command]:
        raise NotImplementedError

    def on_time(self, seconds: float) -> float:
        """The on-time as the device is told it (in its own unit, rounded up):
        what the log says was sent."""
        return float(whole_seconds(seconds)) if self.device_max_on_time else seconds

    def sound(self, tone: str | None, level: str | None) -> tuple[str | None, str | None]:
        """A turn_on's tone and level as the device takes them; raises
        vol.Invalid for ones it does not know."""
        return tone, level

    def state_topics(self) -> list[str]:
        raise NotImplementedError

    def state_query(self) -> list[Command]:
        """Messages that make the device report its state on its state (or
        reply) topics, for dialects that can be asked; [] for the others."""
        return []

    def read_state(self, topic: str, payload: bytes) -> str | None:
        raise NotImplementedError

    def availability_topic(self) -> str | None:
        return None

    def read_availability(self, payload: bytes) -> bool | None:
        return _online(read_text(payload))

    def reply_topics(self) -> list[str]:
        """Where the device answers our commands, for dialects that answer."""
        return []

    def read_reply(self, topic: str, payload: bytes) -> Reply | None:
        """The device's answer to one of our requests, if this message is
        one: the state it reports (a command done is its state confirmed)
        or its refusal of the last command; None for anything else."""
        return None


class Tasmota(Dialect):
    """`cmnd/<t>/POWER`; the on-time is Tasmota's PulseTime, sent just before."""

    name = "tasmota"
    SCHEMA = {vol.Required("topic"): str}

    @property
    def topic(self) -> str:
        return self.config["topic"]

    def commands(
        self, on: bool, seconds: float, tone: str | None, level: str | None
    ) -> list[Command]:
        if not on:
            return [(f"cmnd/{self.topic}/POWER", "OFF")]
        return [
            (f"cmnd/{self.topic}/PulseTime", str(pulse_time(seconds))),
            (f"cmnd/{self.topic}/POWER", "ON"),
        ]

    def on_time(self, seconds: float) -> float:
        value = pulse_time(seconds)
        return value / 10 if value <= 111 else value - 100

    def state_topics(self) -> list[str]:
        return [f"stat/{self.topic}/POWER", f"stat/{self.topic}/RESULT"]

    def state_query(self) -> list[Command]:
        return [(f"cmnd/{self.topic}/POWER", "")]  # no payload: Tasmota reports, changes nothing

    def read_state(self, topic: str, payload: bytes) -> str | None:
        if topic.endswith("/POWER"):
            return _on_off(read_text(payload))
        data = read_json(payload)  # RESULT answers every command: only POWER is ours
        return _on_off(data.get("POWER")) if isinstance(data, dict) else None

    def availability_topic(self) -> str | None:
        return f"tele/{self.topic}/LWT"


def pulse_time(seconds: float) -> int:
    """Tasmota's PulseTime: 1-111 in tenths of a second, 112-64900 as seconds
    + 100; rounded up (a pulse is never shorter than asked, nor 0: no pulse)."""
    tenths = math.ceil(round(seconds * 10, 6))  # round: 0.3 * 10 is 3.0000000000000004
    if tenths <= 111:
        return max(1, tenths)
    return min(64900, whole_seconds(seconds) + 100)


class Shelly(Dialect):
    """Shelly Gen2 RPC `Switch.Set` with `toggle_after` as the on-time."""

    name = "shelly"
    SCHEMA = {vol.Required("topic"): str, vol.Optional("channel", default=0): int}

    #: the requests whose answers are still awaited, at most (older ones are forgotten)
    ASKED = 16

    def __init__(self, config: Mapping[str, Any], client_id: str) -> None:
        super().__init__(config, client_id)
        self._rpc_id = 0
        self._last_command = 0  # the id of the last Switch.Set
        # request id -> the output that Switch.Set sets ("on"/"off"; None: a question)
        self._asked: dict[int, str | None] = {}

    @property
    def prefix(self) -> str:
        return self.config["topic"]

    def _request(self, method: str, params: dict[str, Any], sets: str | None) -> Command:
        self._rpc_id += 1
        self._asked[self._rpc_id] = sets
        while len(self._asked) > self.ASKED:
            del self._asked[next(iter(self._asked))]
        request = {"id": self._rpc_id, "src": self.client_id, "method": method, "params": params}
        return (f"{self.prefix}/rpc", json.dumps(request, separators=(",", ":")))

    def commands(
        self, on: bool, seconds: float, tone: str | None, level: str | None
    ) -> list[Command]:
        params: dict[str, Any] = {"id": self.config["channel"], "on": on}
        if on:
            params["toggle_after"] = whole_seconds(seconds)
        command = self._request("Switch.Set", params, "on" if on else "off")
        self._last_command = self._rpc_id
        return [command]

    def state_query(self) -> list[Command]:
        return [self._request("Switch.GetStatus", {"id": self.config["channel"]}, None)]

    def state_topics(self) -> list[str]:
        return [
            f"{self.prefix}/status/switch:{self.config['channel']}",
            f"{self.prefix}/events/rpc",
        ]

    def read_state(self, topic: str, payload: bytes) -> str | None:
        data = json_object(read_json(payload), "message")
        if topic.endswith("/events/rpc"):
            if data.get("method") != "NotifyStatus":
                return None
            params = json_object(data.get("params"), "params")
            switch = f"switch:{self.config['channel']}"
            if switch not in params:
                return None  # another component's news
            data = json_object(params[switch], switch)
        return _on_off(data.get("output")) if "output" in data else None

    def availability_topic(self) -> str | None:
        return f"{self.prefix}/online"

    def reply_topics(self) -> list[str]:
        return [f"{self.client_id}/rpc"]  # Gen2 answers on <src>/rpc

    def read_reply(self, topic: str, payload: bytes) -> Reply | None:
        # Gen2 publishes no status when the output does not change (off
        # while off): the answer {"was_on": false} is then the only word
        data = read_json(payload)
        if not isinstance(data, dict):
            return None
        request = data.get("id")
        if type(request) is not int or request not in self._asked:
            return None  # not an answer to a request of ours still awaited
        sets = self._asked.pop(request)
        error = data.get("error")
        if error is not None:
            if request != self._last_command or not isinstance(error, dict):
                return None  # a question or a command since replaced
            # the device's words go into the log, the state and the event: escaped, capped
            words, code = shown(error.get("message", "error")), shown(error.get("code"), 20)
            return Reply(refused=f"{words} (RPC error {code})")
        result = data.get("result")
        if not isinstance(result, dict):
            return None
        if sets is not None:
            return Reply(state=sets)  # Switch.Set done: the output is as set
        return Reply(state=_on_off(result.get("output")))


#: Zigbee2MQTT's warning schema (zigbee-herdsman-converters `warning`);
#: `stop` is what turn_off sends, never a tone to sound
Z2M_TONES = ("burglar", "fire", "emergency", "police_panic", "fire_panic", "emergency_panic")
Z2M_LEVELS = ("low", "medium", "high", "very_high")
z2m_tone = one_of(Z2M_TONES, "mqtt_devices.z2m_mode")
z2m_level = one_of(Z2M_LEVELS, "mqtt_devices.z2m_level")


class Zigbee2Mqtt(Dialect):
    """`zigbee2mqtt/<name>/set {"warning": {...,"duration": s}}`; the tone
    and level are checked against Zigbee2MQTT's warning schema, since the
    device refuses any other (and only Zigbee2MQTT's log would say so)."""

    name = "zigbee2mqtt"
    SCHEMA = {
        vol.Required("topic"): str,  # the device's friendly name
        vol.Optional("base_topic", default="zigbee2mqtt"): str,
        vol.Optional("state_key", default="alarm"): str,
        vol.Optional("tone", default="burglar"): z2m_tone,
        vol.Optional("level", default="high"): z2m_level,
        vol.Optional("strobe", default=True): bool,
    }

    def sound(self, tone: str | None, level: str | None) -> tuple[str | None, str | None]:
        return (
            None if tone is None else z2m_tone(tone),
            None if level is None else z2m_level(level),
        )

    @property
    def device(self) -> str:
        return f"{self.config['base_topic']}/{self.config['topic']}"

    def commands(
        self, on: bool, seconds: float, tone: str | None, level: str | None
    ) -> list[Command]:
        if on:
            warning = {
                "mode": tone or self.config["tone"],
                "level": level or self.config["level"],
                "strobe": self.config["strobe"],
                "duration": whole_seconds(seconds),
            }
        else:
            warning = {"mode": "stop", "level": "low", "strobe": False, "duration": 0}
        return [(f"{self.device}/set", json.dumps({"warning": warning}, separators=(",", ":")))]

    def state_topics(self) -> list[str]:
        return [self.device]

    def state_query(self) -> list[Command]:
        get = {self.config["state_key"]: ""}
        return [(f"{self.device}/get", json.dumps(get, separators=(",", ":")))]

    def read_state(self, topic: str, payload: bytes) -> str | None:
        data = read_json(payload)
        if isinstance(data, dict) and self.config["state_key"] in data:
            return _on_off(data[self.config["state_key"]])
        return None

    def availability_topic(self) -> str | None:
        return f"{self.device}/availability"

    def read_availability(self, payload: bytes) -> bool | None:
        text = read_text(payload)
        if text.startswith("{"):  # {"state": "online"}; older versions send plain text
            state = json_object(read_json(payload), "availability").get("state")
            text = state if isinstance(state, str) else ""
        return _online(text)


class ESPHome(Dialect):
    """`<node>/switch/<name>/command` ON|OFF. ESPHome takes no on-time with the
    command, so the hub switches it off itself (and the node's YAML should
    carry its own limit)."""

    name = "esphome"
    device_max_on_time = False
    SCHEMA = {vol.Required("topic"): str, vol.Optional("switch", default="siren"): str}

    @property
    def base(self) -> str:
        return f"{self.config['topic']}/switch/{self.config['switch']}"

    def commands(
        self, on: bool, seconds: float, tone: str | None, level: str | None
    ) -> list[Command]:
        return [(f"{self.base}/command", "ON" if on else "OFF")]

    def state_topics(self) -> list[str]:
        return [f"{self.base}/state"]

    def read_state(self, topic: str, payload: bytes) -> str | None:
        return _on_off(read_text(payload))

    def availability_topic(self) -> str | None:
        return f"{self.config['topic']}/status"


class Generic(Dialect):
    """Topics and payloads from YAML. `{duration}` (whole seconds), `{tone}`
    and `{level}` in `payload_on` are replaced, which is how a device-side
    on-time is sent."""

    name = "generic"
    SCHEMA = {
        vol.Required("command_topic"): str,
        vol.Required("state_topic"): str,
        vol.Optional("availability_topic"): str,
        vol.Optional("payload_on", default="ON"): str,
        vol.Optional("payload_off", default="OFF"): str,
        vol.Optional("state_on", default="ON"): str,
        vol.Optional("state_off", default="OFF"): str,
        vol.Optional("payload_available", default="online"): str,
        vol.Optional("payload_not_available", default="offline"): str,
    }

    @property
    def device_max_on_time(self) -> bool:  # type: ignore[override]
        return "{duration}" in self.config["payload_on"]

    def commands(
        self, on: bool, seconds: float, tone: str | None, level: str | None
    ) -> list[Command]:
        if not on:
            return [(self.config["command_topic"], self.config["payload_off"])]
        payload = (
            self.config["payload_on"]
            .replace("{duration}", str(whole_seconds(seconds)))
            .replace("{tone}", tone or "")
            .replace("{level}", level or "")
        )
        return [(self.config["command_topic"], payload)]

    def state_topics(self) -> list[str]:
        return [self.config["state_topic"]]

    def read_state(self, topic: str, payload: bytes) -> str | None:
        text = read_text(payload)
        if text == self.config["state_on"]:
            return "on"
        if text == self.config["state_off"]:
            return "off"
        return None

    def availability_topic(self) -> str | None:
        return self.config.get("availability_topic")

    def read_availability(self, payload: bytes) -> bool | None:
        text = read_text(payload)
        if text == self.config["payload_available"]:
            return True
        if text == self.config["payload_not_available"]:
            return False
        return None


DIALECTS: dict[str, type[Dialect]] = {
    d.name: d for d in (Tasmota, Shelly, Zigbee2Mqtt, ESPHome, Generic)
}
