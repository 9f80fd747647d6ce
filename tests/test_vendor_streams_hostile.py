"""A hostile Hikvision or Dahua camera against a hub: entity bombs, floods
of bad parts, steady junk. Each test sends what a broken or malicious box
sends, then checks that the hub stays responsive, quiet in its log, and
honest about the camera's health."""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging

import pytest

from hub.kit.eventstream import MultipartParser
from hub.testing import EventWaiter
from hub.testing.cameras import hostile
from hub.testing.cameras.vendor_streams import FakeDahua, FakeHikvision

from .test_vendor_streams import config, connected


@pytest.fixture
async def hik():
    fake = FakeHikvision(heartbeat=0.3)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def dahua():
    fake = FakeDahua(heartbeat=0.3)
    await fake.start()
    yield fake
    await fake.stop()


def stream_lines(caplog, *words: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("hub.camera") and all(w in r.getMessage() for w in words)
    ]


async def test_xml_entities_are_refused_never_expanded(hub_factory, hik, caplog):
    hub = await hub_factory(config("hikvision", hik), plugins=["hub.plugins.hikvision"])
    await connected(hub, hik)
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY kind "VMD">]>'
        b"<EventNotificationAlert><eventType>&kind;</eventType>"
        b"<eventState>active</eventState></EventNotificationAlert>"
    )
    with (
        EventWaiter(hub, "camera.motion") as motion,
        EventWaiter(hub, "camera.line_crossed") as line,
    ):
        hik.send_raw(entity)  # a motion event only once &kind; is expanded
        hik.send_raw(hostile.ENTITY_BOMB)
        hik.emit("linedetection")
        await line.wait(5)
    assert motion.events == []
    refused = stream_lines(caplog, "camera.parkir", "DTD or entities")
    assert len(refused) == 1, refused  # the second one is counted, not written


async def test_the_reader_yields_to_the_loop_between_parts(hub_factory, hik):
    hub = await hub_factory(config("hikvision", hik), plugins=["hub.plugins.hikvision"])
    camera = await connected(hub, hik)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    seen: list[int] = []
    handle = camera.on_reading
    camera.on_reading = lambda reading: (seen.append(ticks), handle(reading))
    count = 200
    task = asyncio.create_task(ticker())
    try:
        with EventWaiter(hub, "camera.line_crossed") as line:
            # 200 parts in one write: they reach the reader in one or a few chunks
            hik.send_bytes(b"".join(hik._part(hik.alert("linedetection"), "application/xml")
                                    for _ in range(count)))  # fmt: skip
            for _ in range(count):
                await line.wait(10)
    finally:
        task.cancel()
    moved = sum(1 for a, b in itertools.pairwise(seen) if b > a)
    assert moved >= count * 0.9, f"the loop ran between {moved} of {count} parts"


async def test_a_flood_of_bad_xml_is_one_log_line_with_a_count(hub_factory, hik, caplog):
    caplog.set_level(logging.WARNING)
    hub = await hub_factory(config("hikvision", hik), plugins=["hub.plugins.hikvision"])
    camera = await connected(hub, hik)
    with EventWaiter(hub, "camera.line_crossed") as line:
        hik.send_bytes(hostile.BAD_XML * 3000)
        hik.emit("linedetection")
        await line.wait(10)
    lines = stream_lines(caplog, "camera.parkir", "unreadable")
    assert len(lines) == 1, lines[:3]
    assert camera.stream.unreadable == 3000
    assert not any(r.exc_info for r in caplog.records), "a traceback for a camera's bad XML"
    await hub.stop()  # the stream closes: the count it held is written
    assert stream_lines(caplog, "camera.parkir", "unreadable", "2999 more like it")


async def test_dahua_event_lines_are_read_in_linear_time(hub_factory, dahua):
    hub = await hub_factory(config("dahua", dahua, heartbeat=1), plugins=["hub.plugins.dahua"])
    await connected(hub, dahua)
    loop = asyncio.get_running_loop()
    with EventWaiter(hub, "camera.motion") as motion:
        # 400 kB of "Code=" and no ";": a regex scanning for Code=[^;]+; from every "Code="
        # takes minutes over it
        dahua.send_raw(b"Code=" * 80_000, "text/plain")
        sent = loop.time()
        dahua.emit("VideoMotion")
        await motion.wait(30)
    assert loop.time() - sent < 1.0


@pytest.mark.parametrize(
    "junk",
    [
        pytest.param(b"\x00junk\xff" * 200, id="bytes-without-a-boundary"),
        pytest.param(hostile.BAD_XML * 5, id="parts-of-bad-xml"),
    ],
)
async def test_steady_junk_is_silence(hub_factory, hik, junk):
    hub = await hub_factory(
        config("hikvision", hik, silence=1, unavailable_after=0.5),
        plugins=["hub.plugins.hikvision"],
    )
    await connected(hub, hik)
    # the camera goes on sending, a write every 0.1 s, but nothing readable
    hik.heartbeat = 3600  # no heartbeats between the junk

    async def keep_sending() -> None:
        while True:
            hik.send_bytes(junk)
            await asyncio.sleep(0.1)

    sender = asyncio.create_task(keep_sending())
    try:
        with EventWaiter(hub, "device.unavailable") as down:
            event = await down.wait(10)
    finally:
        sender.cancel()
    assert event.data["entity_id"] == "camera.parkir"
    assert "nothing readable for 1 s" in event.data["reason"], event.data["reason"]


async def test_a_big_chunk_is_parsed_a_slice_at_a_time(hub_factory, hik, monkeypatch):
    hub = await hub_factory(config("hikvision", hik), plugins=["hub.plugins.hikvision"])
    await connected(hub, hik)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    parsed: collections.Counter[int] = collections.Counter()  # bytes parsed, by tick
    feed = MultipartParser.feed

    def counted(self, data):
        parsed[ticks] += len(data)
        return feed(self, data)

    monkeypatch.setattr(MultipartParser, "feed", counted)
    task = asyncio.create_task(ticker())
    try:
        with EventWaiter(hub, "camera.line_crossed") as line:
            # 2 MB of tiny bad parts in one write: aiohttp hands over up to half of it at once
            hik.send_bytes(hostile.BAD_XML * 25_000)
            hik.emit("linedetection")
            await line.wait(60)
    finally:
        task.cancel()
    assert sum(parsed.values()) > 2_000_000
    # between two turns of the loop, at most a slice (about 60 tiny parts, 1 ms)
    assert max(parsed.values()) <= 16 * 1024, max(parsed.values())
