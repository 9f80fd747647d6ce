"""The device-side on-time is sent in the device's own unit, rounded up:
a siren asked for 0.4 s is never told 0 (which many devices read as "no
limit"), and the log says the value that was sent (issue #8)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hub.plugins.mqtt_devices.dialects import pulse_time
from hub.testing import wait_for_state

from .test_sirens import DIALECTS, device, hub, on_time_sent, turn_on

__all__ = ["device", "hub"]  # the fixtures of test_sirens, on the dialects below


@pytest.mark.parametrize(
    ("seconds", "sent"),
    [
        (0.01, 1),  # the shortest Tasmota pulse, 0.1 s; never 0 (no pulse at all)
        (0.3, 3),  # 0.3 * 10 is 3.0000000000000004: still 3 tenths
        (0.4, 4),
        (11.1, 111),  # the last value in tenths
        (11.15, 112),  # 11.2 s cannot be said in tenths: 12 s (112 = 12 + 100), not 11.1
        (12.2, 113),  # 13 s, never 12
        (60, 160),
        (10**6, 64900),  # Tasmota's longest pulse
    ],
)
def test_tasmota_pulse_time_rounds_up(seconds: float, sent: int) -> None:
    assert pulse_time(seconds) == sent


# dialect -> the on-time the device is told for a 0.4 s turn_on
SENT_FOR_0_4_S = {"tasmota": 0.4, "shelly": 1, "zigbee2mqtt": 1, "generic": 1}


@pytest.fixture(params=sorted(SENT_FOR_0_4_S))
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_a_short_turn_on_is_rounded_up_never_to_zero(
    hub: Any, dialect: str, device: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert dialect in DIALECTS
    caplog.set_level(logging.WARNING, logger="hub.siren.mqtt")
    await turn_on(hub, duration=0.4)
    await wait_for_state(hub, "siren.halaman", "on")
    sent = SENT_FOR_0_4_S[dialect]
    assert on_time_sent(dialect, device) == sent
    (line,) = [r.getMessage() for r in caplog.records if "siren on" in r.getMessage()]
    assert f"siren on for at most {sent:g} s ({dialect})" in line
    # the device times itself out: with 0 on the wire a Zigbee siren sounded for ever
    await wait_for_state(hub, "siren.halaman", "off", timeout=4)
