"""Fuzzing every device payload parser (Tasmota, Shelly, Zigbee2MQTT,
ESPHome, generic sirens; ESPHome and generic doors) with what anyone on the
broker could publish: the parser answers what it understood or raises
payloads.Unreadable, nothing else escapes, and no payload costs more than a
bounded amount of time and memory (issue #9)."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.plugins.mqtt_devices.dialects import DIALECTS, Dialect, Reply
from hub.plugins.mqtt_devices.door import DOOR_DIALECTS, DoorDialect
from hub.plugins.mqtt_devices.payloads import MAX_PAYLOAD, Unreadable

SIREN_CONFIGS: dict[str, dict[str, Any]] = {
    "tasmota": {"topic": "t"},
    "shelly": {"topic": "s", "channel": 0},
    "zigbee2mqtt": {
        "topic": "z",
        "base_topic": "zigbee2mqtt",
        "state_key": "alarm",
        "tone": "burglar",
        "level": "high",
        "strobe": True,
    },
    "esphome": {"topic": "e", "switch": "siren"},
    "generic": {
        "command_topic": "g/set",
        "state_topic": "g/state",
        "availability_topic": "g/status",
        "payload_on": "ON",
        "payload_off": "OFF",
        "state_on": "ON",
        "state_off": "OFF",
        "payload_available": "online",
        "payload_not_available": "offline",
    },
}
DOOR_CONFIGS: dict[str, dict[str, Any]] = {
    "esphome": {"topic": "p", "relay": "lock_relay", "contact": "door_contact"},
    "generic": {
        "relay_command_topic": "d/set",
        "relay_state_topic": "d/relay",
        "contact_topic": "d/contact",
        "payload_unlock": "ON",
        "payload_lock": "OFF",
        "contact_open": "ON",
        "contact_closed": "OFF",
        "payload_available": "online",
        "payload_not_available": "offline",
    },
}

Parser = Callable[[bytes], Any]


def siren_dialect(name: str) -> Dialect:
    dialect = DIALECTS[name](SIREN_CONFIGS[name], "sigap-uji-halaman")
    for on in (True, False, True):  # requests whose answers a Shelly may send
        dialect.commands(on, 30, None, None)
    dialect.state_query()
    return dialect


def parsers() -> dict[str, tuple[Parser, Callable[[Any], bool]]]:
    """name -> (parser, is this an answer it may give?)"""
    found: dict[str, tuple[Parser, Callable[[Any], bool]]] = {}
    for name in SIREN_CONFIGS:
        dialect = siren_dialect(name)
        for topic in dialect.state_topics():
            found[f"{name} state {topic}"] = (
                lambda p, d=dialect, t=topic: d.read_state(t, p),
                lambda r: r in (None, "on", "off"),
            )
        found[f"{name} availability"] = (dialect.read_availability, _is_availability)
        for topic in dialect.reply_topics():
            found[f"{name} reply {topic}"] = (
                lambda p, d=dialect, t=topic: d.read_reply(t, p),
                _is_reply,
            )
    for name, config in DOOR_CONFIGS.items():
        door: DoorDialect = DOOR_DIALECTS[name](config)
        for what in ("relay", "contact", "availability"):
            found[f"{name} door {what}"] = (getattr(door, f"read_{what}"), _is_availability)
    return found


def _is_availability(result: Any) -> bool:
    return result in (None, True, False)


def _is_reply(result: Any) -> bool:
    if result is None:
        return True
    if not isinstance(result, Reply) or result.state not in (None, "on", "off"):
        return False
    refused = result.refused
    return refused is None or (len(refused) < 300 and refused.isprintable())


PARSERS = parsers()
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)
WORDS = st.sampled_from(["ON", "OFF", "on", "off", "true", "false", "online", "offline", "1", ""])
SHAPED = st.one_of(
    st.builds(lambda v: {"POWER": v}, JSON | WORDS),
    st.builds(lambda v: {"alarm": v}, JSON | WORDS),
    st.builds(lambda v: {"state": v}, JSON | WORDS),
    st.builds(lambda v: {"id": 0, "output": v}, JSON | st.booleans()),
    st.builds(lambda p: {"src": "s", "method": "NotifyStatus", "params": p}, JSON),
    st.builds(lambda o: {"method": "NotifyStatus", "params": {"switch:0": o}}, JSON),
    st.builds(
        lambda i, r, e: {"id": i, "src": "s", "result": r, "error": e},
        st.integers(-1, 8) | JSON,
        JSON,
        JSON,
    ),
    st.builds(
        lambda i, m, c: {"id": i, "error": {"message": m, "code": c}},
        st.integers(1, 8),
        st.text(max_size=400) | JSON,
        JSON,
    ),
)
PAYLOADS = st.one_of(
    st.binary(max_size=512),
    WORDS.map(str.encode),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    JSON.map(lambda v: json.dumps(v).encode()),
    SHAPED.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 40_000).map(lambda n: b"[" * n),  # deep: RecursionError in json
    st.integers(1, 20_000).map(lambda n: b'{"params":' * n),
    st.integers(4_000, 6_000).map(lambda n: b"1" * n),  # past int() digit limits
)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(
    max_examples=150,
    deadline=500,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(payload=PAYLOADS)
def test_no_payload_breaks_a_parser(name: str, payload: bytes) -> None:
    parse, acceptable = PARSERS[name]
    try:
        result = parse(payload)
    except Unreadable as err:
        assert str(err)  # the reason can be said
        return
    assert acceptable(result), result


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_a_huge_payload_costs_neither_time_nor_memory(name: str) -> None:
    parse, _ = PARSERS[name]
    huge = json.dumps({"POWER": "ON", "alarm": True, "Filler": ["x" * 1000] * 29_000}).encode()
    nearly = b"[" * MAX_PAYLOAD  # the deepest a payload within the limit can nest
    for payload in (huge, nearly, b" " * MAX_PAYLOAD + b"ON"):
        tracemalloc.start()
        started = time.perf_counter()
        try:
            parse(payload)
        except Unreadable:
            pass
        took = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert took < 0.5, f"{name}: {took:.2f} s on {len(payload)} bytes"
        assert peak < 4 * 1024 * 1024, f"{name}: {peak / 1e6:.1f} MB on {len(payload)} bytes"
