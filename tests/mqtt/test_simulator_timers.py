"""The simulated devices time themselves as their firmware does: each
switching replaces the off timer of the one before, so the pulse of an
earlier short alarm never cuts a later long one short."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hub.testing import wait_for_state

from .test_sirens import device, hub, turn_on

__all__ = ["device", "hub"]  # the fixtures of test_sirens, on the dialects below

SOUNDING = {
    "tasmota": lambda d: d.power,
    "shelly": lambda d: d.output,
    "zigbee2mqtt": lambda d: d.alarm,
    "generic": lambda d: d.on,
}


@pytest.fixture(params=sorted(SOUNDING))
def dialect(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_an_earlier_pulse_does_not_end_a_later_alarm(
    hub: Any, dialect: str, device: Any
) -> None:
    await turn_on(hub, duration=1)
    await wait_for_state(hub, "siren.halaman", "on")
    await hub.services.call("siren", "turn_off", {"entity_id": "siren.halaman"})
    await wait_for_state(hub, "siren.halaman", "off")
    await turn_on(hub, duration=30)
    await wait_for_state(hub, "siren.halaman", "on")
    with pytest.raises(TimeoutError):  # past the first pulse's end: still sounding
        async with asyncio.timeout(1.5):
            await device.wait_until(lambda: not SOUNDING[dialect](device))
    assert hub.states.get("siren.halaman").state == "on"
