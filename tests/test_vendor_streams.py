"""Hikvision alertStream and Dahua eventManager against real-shaped fake
streams: split chunks, heartbeats, unknown events, dropped connections."""

from __future__ import annotations

import asyncio

import pytest

from hub import i18n
from hub.kit.eventstream import MultipartParser
from hub.plugins.dahua.camera import parse_events
from hub.plugins.hikvision.camera import parse_alert
from hub.testing import EventWaiter, FakeClock, wait_for_state
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


# -- an NVR: one device, a camera per channel, one stream -------------------------------


def nvr_config(platform: str, fake, channels: list[int], **extra) -> dict:
    """One NVR item (as an admin writes it) with a camera per channel."""
    nvr = config(platform, fake, **extra)["camera"][0]
    del nvr["area"]
    return {
        "sites": [{"id": "diskominfo", "areas": ["parkir", "lobi", "gudang"]}],
        "camera": [
            {
                **nvr,
                "id": "nvr_diskominfo",
                "name": "NVR Diskominfo",
                "channels": [
                    {"channel": ch, "id": f"kanal_{ch}", "area": area}
                    for ch, area in zip(channels, ["parkir", "lobi", "gudang"], strict=False)
                ],
            }
        ],
    }


async def all_connected(hub, fake, count: int = 1) -> None:
    """Until the NVR's stream was opened `count` times and is held open."""
    nvr = hub.devices.get("nvr.nvr_diskominfo")
    async with asyncio.timeout(10):
        while not (fake.listeners and nvr.stream.connections >= count):  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # nothing on the bus says "connected"


async def failed_once(hub) -> None:
    """Until the NVR's stream has failed and waits out its back-off."""
    link = hub.devices.get("nvr.nvr_diskominfo").link
    async with asyncio.timeout(10):
        while not link.failures:  # noqa: ASYNC110 - nothing on the bus says "dropped"
            await asyncio.sleep(0.02)


CHANNELS = ["camera.kanal_1", "camera.kanal_2", "camera.kanal_3"]


async def test_hikvision_nvr_is_one_device_with_a_camera_per_channel_and_one_stream(
    hub_factory, hik
):
    clock = FakeClock()
    hub = await hub_factory(
        nvr_config("hikvision", hik, [1, 2, 3], unavailable_after=0.5, retry_max=5),
        plugins=["hub.plugins.hikvision"],
        clock=clock,
    )
    await all_connected(hub, hik)
    assert [s.entity_id for s in hub.states.all("camera")] == CHANNELS
    assert hub.states.get("nvr.nvr_diskominfo").attributes["channels"] == CHANNELS
    lobi = hub.devices.get("camera.kanal_2")
    assert lobi.snapshot_url.endswith("/ISAPI/Streaming/channels/201/picture")
    assert hub.states.get("camera.kanal_2").attributes["area"] == "lobi"
    # NVRs allow only a few alertStream connections: one for the whole box
    assert hik.connections == 1 and hik.listeners == 1

    with EventWaiter(hub, "camera.motion") as motion:
        hik.emit("VMD", channel=2)
        event = await motion.wait(5)
        await wait_for_state(hub, "camera.kanal_2", "motion")
    assert event.data["entity_id"] == "camera.kanal_2" and event.data["area"] == "lobi"
    assert len(motion.events) == 1
    assert [hub.states.get(c).state for c in CHANNELS] == ["idle", "motion", "idle"]

    # the NVR drops the stream: its channels go with it, after unavailable_after
    hik.drop()
    await failed_once(hub)
    assert hub.states.get("camera.kanal_1").state == "idle"  # a short drop pages no one
    with EventWaiter(hub, "device.unavailable") as down:
        await clock.advance(0.6)
        gone = {e.data["entity_id"] for e in down.events}
    assert gone == {"nvr.nvr_diskominfo", *CHANNELS}
    assert [hub.states.get(c).state for c in CHANNELS] == ["unavailable"] * 3
    assert hik.connections == 1  # the back-off (about 1 s) is on the hub's clock: not over yet
    await clock.advance(1.5)
    await all_connected(hub, hik, 2)
    for camera in CHANNELS:
        await wait_for_state(hub, camera, lambda s: s.state != "unavailable", 5)
    assert hik.connections == 2 and hik.listeners == 1  # reconnected once, still one stream


async def test_dahua_nvr_routes_each_channel_and_closes_its_one_attach_at_stop(hub_factory, dahua):
    hub = await hub_factory(
        nvr_config("dahua", dahua, [1, 2], heartbeat=1), plugins=["hub.plugins.dahua"]
    )
    await all_connected(hub, dahua)
    assert dahua.connections == 1
    assert [s.entity_id for s in hub.states.all("camera")] == CHANNELS[:2]
    with EventWaiter(hub, "camera.motion") as motion:
        dahua.emit("VideoMotion", "Start", index=1)  # Dahua counts from 0: channel 2
        event = await motion.wait(5)
    assert event.data["entity_id"] == "camera.kanal_2"
    assert hub.states.get("camera.kanal_1").state == "idle"
    await hub.stop()
    async with asyncio.timeout(3):
        while dahua.listeners:  # noqa: ASYNC110 - the fake notices the close on its own
            await asyncio.sleep(0.05)


async def test_nvr_channels_are_checked(hub_factory, hik):
    twice = nvr_config("hikvision", hik, [1, 2])
    twice["camera"][0]["channels"][1]["channel"] = 1
    hub = await hub_factory(twice, plugins=["hub.plugins.hikvision"], start=False)
    assert [e.render("en") for e in hub.load()] == [
        "camera[0].channels[1].channel: channel 1 is listed twice"
    ]

    both = nvr_config("hikvision", hik, [1])
    both["camera"][0]["channel"] = 1
    wrong_area = nvr_config("hikvision", hik, [1])
    wrong_area["camera"][0]["channels"][0]["area"] = "lobby"
    for bad, said in [
        (both, "give either channel (one camera) or channels (an NVR), not both"),
        (wrong_area, "channel 1: site diskominfo has no area 'lobby' (did you mean 'lobi'?)"),
    ]:
        hub = await hub_factory(bad, plugins=["hub.plugins.hikvision"], expect_failures=True)
        # nothing half made: neither the NVR nor a channel
        assert hub.devices.get("camera.kanal_1") is None
        assert hub.devices.get("nvr.nvr_diskominfo") is None
        (failure,) = hub.plugins.failures
        assert f"nvr.nvr_diskominfo: {said}" in failure.render("en"), failure.render("en")


async def test_the_channels_of_one_box_as_items_of_their_own_still_work_and_say_so(
    hub_factory, hik, caplog
):
    # how an NVR's channels were configured before `channels:`: each item
    # opens its own stream, and the admin is told to configure the box once
    one = config("hikvision", hik)["camera"][0]
    items = [{**one, "id": f"kanal_{ch}", "channel": ch} for ch in (1, 2)]
    hub = await hub_factory({"sites": SITES, "camera": items}, plugins=["hub.plugins.hikvision"])
    async with asyncio.timeout(10):
        while hik.listeners < 2:  # noqa: ASYNC110 - nothing on the bus says "connected"
            await asyncio.sleep(0.02)
    with EventWaiter(hub, "camera.motion") as motion:
        hik.emit("VMD", channel=2)
        assert (await motion.wait(5)).data["entity_id"] == "camera.kanal_2"
    warned = [r.getMessage() for r in caplog.records if "configure the box once" in r.getMessage()]
    assert len(warned) == 1 and warned[0].startswith("camera.kanal_1, camera.kanal_2: 2 items")


async def test_the_reconnect_back_off_is_on_the_hub_clock(hub_factory, hik, monkeypatch):
    # a refused password: every attempt fails at once, and the waits between
    # them (1 s, 2 s, then retry_max 3 s) pass only when the FakeClock says
    # so: seven attempts, 15 s of back-off, in well under the 5 s of real
    # time the test allows (asyncio.sleep would take the 15 s)
    monkeypatch.setattr("hub.kit.link.random.uniform", lambda low, high: 1.0)  # no jitter
    clock = FakeClock()
    hub = await hub_factory(
        config("hikvision", hik, password="salah", unavailable_after=2, retry_max=3),
        plugins=["hub.plugins.hikvision"],
        clock=clock,
    )
    camera = hub.devices.get("camera.parkir")

    async def attempts(count: int) -> None:
        while camera.link.failures < count:  # noqa: ASYNC110 - a local HTTP round trip
            await asyncio.sleep(0.01)
        assert camera.link.failures == count

    async with asyncio.timeout(5):
        await attempts(1)
        for count, wait in [(2, 1.0), (3, 2.0), (4, 3.0), (5, 3.0), (6, 3.0), (7, 3.0)]:
            await clock.advance(wait - 0.125)
            assert camera.link.failures == count - 1  # still waiting
            state = hub.states.get("camera.parkir").state
            # unavailable after failing for unavailable_after (2 s), not before
            assert (state == "unavailable") is (count > 2), (count, state)
            await clock.advance(0.125)
            await attempts(count)
    assert hik.connections == 0 and hik.refused_logins >= 7


async def test_a_channel_takes_the_nvr_keys_and_its_own(hub_factory, hik):
    nvr = nvr_config("hikvision", hik, [1, 2], pre_roll=4)
    nvr["camera"][0]["channels"][0]["pre_roll"] = 0
    nvr["camera"][0]["channels"].append({"channel": 5})  # no id, name or area of its own
    nvr["camera"][0]["area"] = "gudang"
    hub = await hub_factory(nvr, plugins=["hub.plugins.hikvision"], start=False)
    assert hub.load() == []
    (item,) = hub.config["camera"]
    box = hub.platforms["camera"]["hikvision"](hub, item)  # built as the hub builds it
    assert box.entity_id == "nvr.nvr_diskominfo"
    ch5 = box.channels[2]
    assert (ch5.entity_id, ch5.name, ch5.area) == (
        "camera.nvr_diskominfo_ch5",
        "NVR Diskominfo CH5",
        "gudang",
    )
    assert [c.config["pre_roll"] for c in box.channels] == [0, 4, 4]
    assert {c.site for c in box.channels} == {"diskominfo"}
    assert ch5.stream_url.endswith(":554/Streaming/Channels/501")
    assert [hub.devices.get(c.entity_id) for c in box.channels] == box.channels


async def test_the_silence_limit_is_on_the_hub_clock(hub_factory, hik):
    clock = FakeClock()
    hub = await hub_factory(
        config("hikvision", hik, silence=5, retry_max=3), plugins=["hub.plugins.hikvision"],
        clock=clock,
    )  # fmt: skip
    camera = await connected(hub, hik)
    hik.silent = True  # a wedged camera: the connection stays open, nothing comes
    await clock.advance(4.875)
    assert camera.link.failures == 0 and hik.listeners == 1
    await clock.advance(0.25)
    async with asyncio.timeout(2):  # well under the 5 s a loop-timed silence would take
        while not camera.link.failures:  # noqa: ASYNC110 - the hub closes it at once
            await asyncio.sleep(0.01)
    assert "silent for 5 s" in camera.link.last_error
    hik.silent = False
    await clock.advance(1.5)  # the back-off: about 1 s
    await connected(hub, hik, 2)
