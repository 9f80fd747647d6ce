"""Hikvision alertStream and Dahua eventManager against real-shaped fake
streams: split chunks, heartbeats, unknown events, dropped connections."""

from __future__ import annotations

import asyncio

import pytest

from hub import i18n
from hub.kit.eventstream import MultipartParser
from hub.plugins.dahua.camera import parse_events
from hub.plugins.hikvision.camera import parse_alert
from hub.testing import EventWaiter, wait_for_state
from hub.testing.cameras.vendor_streams import FakeDahua, FakeHikvision

SITES = [{"id": "diskominfo", "areas": ["parkir"]}]


def config(platform: str, fake, **extra) -> dict:
    return {
        "sites": SITES,
        "camera": [
            {
                "platform": platform,
                "id": "parkir",
                "site": "diskominfo",
                "area": "parkir",
                "host": fake.host,
                "port": fake.port,
                "username": "admin",
                "password": "sandi123",
                "unavailable_after": 1,
                "retry_max": 0.5,
                **extra,
            }
        ],
    }


@pytest.fixture
async def hik():
    fake = FakeHikvision(heartbeat=0.3, split=True)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def dahua():
    fake = FakeDahua(split=True)
    await fake.start()
    yield fake
    await fake.stop()


async def connected(hub, fake, count: int = 1):
    """Until the hub has opened the stream `count` times and holds it open."""
    camera = hub.devices.get("camera.parkir")
    async with asyncio.timeout(10):
        while not (camera.stream.connections >= count and fake.listeners):  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # nothing on the bus says "connected"
    return camera


# -- parsing ----------------------------------------------------------------------


def feed_bytewise(parser: MultipartParser, data: bytes) -> list:
    parts = []
    for i in range(len(data)):
        parts += parser.feed(data[i : i + 1])
    return parts


def test_hikvision_parts_split_anywhere_with_and_without_length():
    fake = FakeHikvision()
    motion = fake.alert("VMD")
    stream = fake._part(motion, "application/xml") + fake.heartbeat_part()
    fake.content_length = False
    stream += fake._part(fake.alert("linedetection"), "application/xml")
    stream += b"--boundary\r\n" + fake.alert("fielddetection")  # headerless (old firmware)
    parser = MultipartParser("boundary", b"</EventNotificationAlert>")
    parts = feed_bytewise(parser, stream)
    kinds = [parse_alert(p.body)["eventtype"] for p in parts]
    assert kinds == ["VMD", "videoloss", "linedetection", "fielddetection"]
    assert parse_alert(parts[0].body)["eventstate"] == "active"


def test_dahua_parts_with_dashed_boundary_and_data():
    body = (
        b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nHeartbeat\r\n"
        b"--myboundary\nContent-Type: text/plain\n\n"  # LF only, no length
        b'Code=CrossLineDetection;action=Start;index=0;data={\n "Direction" : "LeftToRight"\n}\n'
        b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length: 36\r\n\r\n"
        b"Code=VideoMotion;action=Stop;index=1\r\n"
    )
    parser = MultipartParser("--myboundary")  # some firmware put the dashes in the header
    parts = []
    for step in range(0, len(body), 5):
        parts += parser.feed(body[step : step + 5])
    assert parts[0].body == b"Heartbeat"
    events = [e for p in parts for e in parse_events(p.body)]
    assert [(e["code"], e["action"], e["index"]) for e in events] == [
        ("CrossLineDetection", "Start", "0"),
        ("VideoMotion", "Stop", "1"),
    ]


# -- Hikvision ---------------------------------------------------------------------


async def test_hikvision_events_heartbeats_and_unknown_types(hub_factory, hik):
    hub = await hub_factory(config("hikvision", hik), plugins=["hub.plugins.hikvision"])
    camera = await connected(hub, hik)
    assert camera.snapshot_url.endswith("/ISAPI/Streaming/channels/101/picture")
    with (
        EventWaiter(hub, "camera.motion") as motion,
        EventWaiter(hub, "camera.line_crossed") as line,
    ):
        hik.emit("faceSnap")  # unknown to Sigap: ignored, the stream goes on
        hik.emit("VMD")
        hik.emit("VMD")  # repeated while active: one event
        event = await motion.wait(5)
        assert event.data["entity_id"] == "camera.parkir" and event.data["site"] == "diskominfo"
        await wait_for_state(hub, "camera.parkir", "motion")
        hik.emit("VMD", "inactive")
        await wait_for_state(hub, "camera.parkir", "idle")
        hik.emit("linedetection")
        await line.wait(5)
    assert len(motion.events) == 1
    with EventWaiter(hub, "camera.tamper") as tamper, EventWaiter(hub, "camera.video_loss") as loss:
        hik.emit("tamperdetection")
        hik.emit("videoloss", "active")
        await tamper.wait(5)
        await loss.wait(5)
    assert camera.stream.connections == 1  # heartbeats kept one connection alive


async def test_hikvision_active_without_inactive_ends_by_itself(hub_factory, hik):
    hub = await hub_factory(
        config("hikvision", hik, active_for=0.5), plugins=["hub.plugins.hikvision"]
    )
    await connected(hub, hik)
    hik.emit("VMD")
    await wait_for_state(hub, "camera.parkir", "motion")
    await wait_for_state(hub, "camera.parkir", "idle", 3)


async def test_hikvision_reconnects_after_drop_and_silence(hub_factory, hik):
    hub = await hub_factory(config("hikvision", hik, silence=1), plugins=["hub.plugins.hikvision"])
    camera = await connected(hub, hik)
    hik.drop()
    await connected(hub, hik, 2)
    hik.silent = True  # a wedged camera: connection open, nothing comes
    with EventWaiter(hub, "device.unavailable") as down:
        await down.wait(10)
    hik.silent = False
    hik.drop()
    with EventWaiter(hub, "device.available") as up:
        await up.wait(10)
    with EventWaiter(hub, "camera.motion") as motion:
        hik.emit("VMD")
        await motion.wait(5)
    assert camera.stream.connections >= 3


async def test_hikvision_wrong_password(hub_factory, hik):
    hub = await hub_factory(
        config("hikvision", hik, password="salah"), plugins=["hub.plugins.hikvision"], start=False
    )
    with EventWaiter(hub, "device.unavailable") as down:
        await hub.start()
        event = await down.wait(10)
    assert "camera.parkir" in event.data["reason"] and "401" in event.data["reason"]
    assert i18n.render(i18n.text_in(event.data, "reason"), "id").startswith(
        "camera.parkir: kamera menolak nama pengguna atau kata sandi untuk "
    )


# -- Dahua ---------------------------------------------------------------------------


async def test_dahua_events_and_heartbeats(hub_factory, dahua):
    hub = await hub_factory(config("dahua", dahua, heartbeat=1), plugins=["hub.plugins.dahua"])
    camera = await connected(hub, dahua)
    assert camera.snapshot_url.endswith("/cgi-bin/snapshot.cgi?channel=1")
    with (
        EventWaiter(hub, "camera.motion") as motion,
        EventWaiter(hub, "camera.line_crossed") as line,
    ):
        dahua.emit("NewFile")  # unknown: ignored
        dahua.emit("VideoMotion", "Start", index=1)  # another channel of an NVR
        dahua.emit("VideoMotion", "Start")
        await motion.wait(5)
        await wait_for_state(hub, "camera.parkir", "motion")
        dahua.emit("VideoMotion", "Stop")
        await wait_for_state(hub, "camera.parkir", "idle")
        dahua.emit("CrossLineDetection", "Pulse", data='{"Direction":"LeftToRight"}')
        await line.wait(5)
    assert len(motion.events) == 1
    with EventWaiter(hub, "camera.video_loss") as loss, EventWaiter(hub, "camera.tamper") as blind:
        dahua.emit("VideoLoss")
        dahua.emit("VideoBlind")
        await loss.wait(5)
        await blind.wait(5)


async def test_dahua_reconnects_after_drop_and_closes_at_stop(hub_factory, dahua):
    hub = await hub_factory(config("dahua", dahua, heartbeat=1), plugins=["hub.plugins.dahua"])
    await connected(hub, dahua)
    dahua.drop()
    await connected(hub, dahua, 2)
    with EventWaiter(hub, "camera.motion") as motion:
        dahua.emit("VideoMotion")
        await motion.wait(5)
    await hub.stop()
    # cameras limit concurrent attaches: ours must be gone
    async with asyncio.timeout(3):
        while dahua.listeners:  # noqa: ASYNC110 - the fake notices the close on its own
            await asyncio.sleep(0.05)


# -- an NVR: several channels, one stream ----------------------------------------------


def nvr_config(platform: str, fake, channels: list[int], **extra) -> dict:
    cameras = config(platform, fake, **extra)["camera"][0]
    return {
        "sites": SITES,
        "camera": [{**cameras, "id": f"kanal_{ch}", "channel": ch} for ch in channels],
    }


async def all_connected(hub, fake, channels: list[int], count: int = 1) -> None:
    """Until every channel's camera is on a stream opened `count` times."""
    cameras = [hub.devices.get(f"camera.kanal_{ch}") for ch in channels]
    async with asyncio.timeout(10):
        while not (  # noqa: ASYNC110 - nothing on the bus says "connected"
            fake.listeners
            and all(c.stream is not None and c.stream.connections >= count for c in cameras)
        ):
            await asyncio.sleep(0.02)


async def test_hikvision_nvr_channels_share_one_alert_stream(hub_factory, hik):
    hub = await hub_factory(
        nvr_config("hikvision", hik, [1, 2, 3], silence=1), plugins=["hub.plugins.hikvision"]
    )
    await all_connected(hub, hik, [1, 2, 3])
    # NVRs allow only a few alertStream connections: one for the whole box
    assert hik.connections == 1 and hik.listeners == 1
    with EventWaiter(hub, "camera.motion") as motion:
        hik.emit("VMD", channel=2)
        hik.emit("VMD", channel=3)
        await motion.wait(5)
        await motion.wait(5)
    assert sorted(e.data["entity_id"] for e in motion.events) == [
        "camera.kanal_2",
        "camera.kanal_3",
    ]
    assert hub.states.get("camera.kanal_1").state == "idle"

    hik.silent = True  # the NVR hangs: every channel on it goes unavailable
    with EventWaiter(hub, "device.unavailable") as down:
        gone = {(await down.wait(10)).data["entity_id"] for _ in range(3)}
    assert gone == {"camera.kanal_1", "camera.kanal_2", "camera.kanal_3"}
    hik.silent = False
    hik.drop()
    for ch in (1, 2, 3):
        await wait_for_state(hub, f"camera.kanal_{ch}", lambda s: s.state != "unavailable", 10)
    assert hik.listeners == 1


async def test_dahua_nvr_channels_share_one_attach_and_close_it_at_stop(hub_factory, dahua):
    hub = await hub_factory(
        nvr_config("dahua", dahua, [1, 2], heartbeat=1), plugins=["hub.plugins.dahua"]
    )
    await all_connected(hub, dahua, [1, 2])
    assert dahua.connections == 1
    with EventWaiter(hub, "camera.motion") as motion:
        dahua.emit("VideoMotion", "Start", index=1)  # Dahua counts from 0: channel 2
        event = await motion.wait(5)
    assert event.data["entity_id"] == "camera.kanal_2"
    assert hub.states.get("camera.kanal_1").state == "idle"
    await hub.stop()
    async with asyncio.timeout(3):
        while dahua.listeners:  # noqa: ASYNC110 - the fake notices the close on its own
            await asyncio.sleep(0.05)
