"""A camera's answer with a DTD, an entity bomb or an external entity is
refused at once, without expanding anything or freezing the loop (#9)."""

from __future__ import annotations

import asyncio
import time

from hub import i18n
from hub.testing import EventWaiter, wait_for_state
from hub.testing.cameras.onvif_device import _ENVELOPE

from .conftest import PLUGINS, SITES, camera_config, subscribed

ENTITY = "camera.dinkes_lobi"
INFO = (
    "<tds:GetDeviceInformationResponse><tds:Manufacturer>{text}</tds:Manufacturer>"
    "<tds:Model>SIM-2000</tds:Model><tds:FirmwareVersion>1</tds:FirmwareVersion>"
    "<tds:SerialNumber>X</tds:SerialNumber><tds:HardwareId>1</tds:HardwareId>"
    "</tds:GetDeviceInformationResponse>"
)
# "billion laughs": lol9 would be 10^9 "lol"s
LAUGHS = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{n} "{(f"&lol{n - 1};" if n > 1 else "&lol;") * 10}">' for n in range(1, 10)
)


def answer(body: str, doctype: str = "") -> str:
    envelope = _ENVELOPE.format(body=body)
    head, rest = envelope.split("\n", 1)
    return f"{head}\n{doctype}{rest}"


BOMB = answer(INFO.format(text="&lol9;"), f"<!DOCTYPE env:Envelope [{LAUGHS}]>")
EXTERNAL = answer(
    INFO.format(text="&secret;"),
    '<!DOCTYPE env:Envelope [<!ENTITY secret SYSTEM "file:///etc/hostname">]>',
)
DTD_ONLY = answer(INFO.format(text="Sigap Simulator"), "<!DOCTYPE env:Envelope>")


class LoopWatch:
    """The longest the event loop went without running us (a frozen loop shows)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            self.longest = max(self.longest, now - last)
            last = now

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def refused(hub_factory, fake, body: str) -> str:
    fake.faults.answer["GetDeviceInformation"] = body
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS, start=False
    )
    watch = LoopWatch()
    try:
        with EventWaiter(hub, "device.unavailable") as down:
            await hub.start()
            event = await down.wait(10)
    finally:
        await watch.close()
    assert watch.longest < 0.5, f"the loop stood still {watch.longest:.2f} s"
    reason = i18n.render(event.data["reason"], "en")
    assert reason.startswith(f"{fake.host}:{fake.port} answered something that is not"), reason
    assert "lol" not in reason and "Sigap" not in reason
    return reason


async def test_an_entity_bomb_is_refused_quickly(hub_factory, fake):
    reason = await refused(hub_factory, fake, BOMB)
    assert "DTD" in reason or "Entities" in reason


async def test_an_external_entity_is_refused(hub_factory, fake):
    reason = await refused(hub_factory, fake, EXTERNAL)
    assert "Entities" in reason or "DTD" in reason


async def test_a_dtd_is_refused(hub_factory, fake):
    assert "DTD" in await refused(hub_factory, fake, DTD_ONLY)


async def test_a_bomb_in_the_event_pull_is_refused_and_events_come_back(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    pull = "<tev:PullMessagesResponse>&lol9;</tev:PullMessagesResponse>"
    fake.faults.answer["PullMessages"] = answer(pull, f"<!DOCTYPE env:Envelope [{LAUGHS}]>")
    state = await wait_for_state(hub, ENTITY, lambda s: s.attributes.get("events_stale"), 10)
    assert "not a usable ONVIF answer" in state.attributes["events_error"]
    del fake.faults.answer["PullMessages"]
    await subscribed(hub)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(10)
    assert camera.subscriptions_made == 1
