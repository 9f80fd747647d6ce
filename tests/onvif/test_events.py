"""ONVIF cameras against the fake ONVIF device: events flow, survive a
reboot and a refused renewal, and bad logins say what is wrong and where."""

from __future__ import annotations

import asyncio
import logging
import re
import time

import pytest

from hub import i18n
from hub.testing import EventWaiter, FakeClock, wait_for_state

from .conftest import PLUGINS, SITES, camera_config, subscribed


async def test_events_flow_with_device_details(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    assert camera.info["serial"] == "SIM-lobi"
    assert camera.stream_url.startswith("rtsp://")
    assert camera.snapshot_url == f"{fake.url}/snapshot.jpg"
    with (
        EventWaiter(hub, "camera.motion") as motion,
        EventWaiter(hub, "camera.line_crossed") as line,
    ):
        fake.emit("motion", True)
        event = await motion.wait(5)
        assert event.data["entity_id"] == "camera.dinkes_lobi"
        assert event.data["site"] == "dinkes"
        assert event.data["topic"] == "tns1:RuleEngine/CellMotionDetector/Motion"
        await wait_for_state(hub, "camera.dinkes_lobi", "motion")
        fake.emit("motion", False)
        await wait_for_state(hub, "camera.dinkes_lobi", "idle")
        fake.emit("line_crossed")
        await line.wait(5)
    # the "Initialized" message at subscription is the current state, not an event
    assert len(motion.events) == 1


@pytest.mark.parametrize(
    ("kind", "event_type"),
    [
        ("motion_alarm", "camera.motion"),
        ("tamper", "camera.tamper"),
        ("scene_change", "camera.tamper"),
        ("intrusion", "camera.intrusion"),
        ("digital_input", "camera.digital_input"),
        ("video_loss", "camera.video_loss"),
    ],
)
async def test_topic_mapping(hub_factory, fake, kind, event_type):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    with EventWaiter(hub, event_type) as waiter:
        fake.emit(kind)
        event = await waiter.wait(5)
    assert event.data["camera"] == "camera.dinkes_lobi"


async def test_events_resume_after_reboot_without_hub_restart(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    started = time.monotonic()
    with EventWaiter(hub, "device.unavailable") as down, EventWaiter(hub, "device.available") as up:
        await fake.reboot(down_for=3.0)  # longer than unavailable_after
        await down.wait(10)
        await up.wait(30)
    await subscribed(hub, count=2)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)
    assert time.monotonic() - started < 60
    assert fake.boot_count == 2


async def test_soap_fault_on_pull_resubscribes(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    fake.faults.pull_faults = 1
    await subscribed(hub, count=2)
    assert fake.faults.pull_faults == 0
    assert camera.available
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


async def test_wedged_pull_is_abandoned_and_the_camera_comes_back(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    camera = await subscribed(hub)
    fake.faults.hang_pulls = True  # answers nothing, keeps the socket open
    with EventWaiter(hub, "device.unavailable") as down:
        await down.wait(15)
    fake.faults.hang_pulls = False
    await wait_for_state(hub, "camera.dinkes_lobi", lambda s: s.state != "unavailable", 15)
    await subscribed(hub)
    assert camera.subscriptions_made == 1  # the camera still knew it: pulled again, not re-made
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


async def test_renewal_failure_recovers(hub_factory, fake):
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake, subscription_time=3)]}, plugins=PLUGINS
    )
    await subscribed(hub)
    fake.faults.renew_fails = True
    await wait_for_state(
        hub, "camera.dinkes_lobi", lambda s: s.attributes.get("events_stale") is True, 10
    )
    fake.faults.renew_fails = False
    camera = await subscribed(hub, count=2)
    assert "Renew" in fake.requests
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)
    assert camera.available


async def test_renews_before_termination(hub_factory, fake):
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake, subscription_time=3)]}, plugins=PLUGINS
    )
    camera = await subscribed(hub)
    async with asyncio.timeout(10):  # two renewals take 2 x 80% of 3 s
        while fake.requests.count("Renew") < 2:  # noqa: ASYNC110 - the fake has no hook for it
            await asyncio.sleep(0.1)
    assert camera.subscriptions_made == 1  # renewed, never lost
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


async def test_wrong_password_names_the_camera(hub_factory, fake, caplog, monkeypatch):
    monkeypatch.setenv("SIGAP_LANG", "id")  # the admin's console reads Indonesian
    caplog.set_level(logging.ERROR)
    config = camera_config(fake, password="salah")
    with_hub = hub_factory({"sites": SITES, "camera": [config]}, plugins=PLUGINS, start=False)
    hub = await with_hub
    with EventWaiter(hub, "device.unavailable") as down:
        await hub.start()
        event = await down.wait(10)
    reason = i18n.text_in(event.data, "reason")
    assert "camera.dinkes_lobi" in reason and fake.host in reason
    assert "password" in reason or "kata sandi" in reason
    assert any("camera.dinkes_lobi" in r.getMessage() for r in caplog.records)
    # the reason keeps both languages; the log line is in the console's
    indonesian = (
        f"camera.dinkes_lobi ({fake.host}:{fake.port}): kamera menolak pengguna 'admin':"
        " nama pengguna atau kata sandi salah"
    )
    assert i18n.render(reason, "id") == indonesian
    assert i18n.render(reason, "en").endswith("wrong user name or password")
    assert indonesian in [r.getMessage() for r in caplog.records]


async def test_clock_skew_is_named_in_the_error(hub_factory, fake, caplog):
    caplog.set_level(logging.WARNING)
    fake.faults.clock_skew = 3600
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS, start=False
    )
    with EventWaiter(hub, "device.unavailable") as down:
        await hub.start()
        event = await down.wait(10)
    reason = i18n.text_in(event.data, "reason")
    assert "camera.dinkes_lobi" in reason
    assert re.search(r"\+3(599|600)\b", reason) and "NTP" in reason
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("camera.dinkes_lobi" in w and re.search(r"\+3(599|600)\b", w) for w in warnings)


async def test_clock_skew_with_adjust_time_works(hub_factory, fake):
    fake.faults.clock_skew = 3600
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake, adjust_time=True)]}, plugins=PLUGINS
    )
    camera = await subscribed(hub)
    assert camera.clock_offset == pytest.approx(3600, abs=2)
    with EventWaiter(hub, "camera.motion") as motion:
        fake.emit("motion")
        await motion.wait(5)


async def test_ptz_preset_by_name_and_unknown(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    await subscribed(hub)
    await hub.services.call(
        "camera", "ptz_preset", {"entity_id": "camera.dinkes_lobi", "preset": "Parkir"}
    )
    assert fake.preset_calls == ["2"]
    with pytest.raises(Exception, match="Gerbang") as err:
        await hub.services.call(
            "camera", "ptz_preset", {"entity_id": "camera.dinkes_lobi", "preset": "atap"}
        )
    indonesian = i18n.render(i18n.message(err.value), "id")
    assert "camera.dinkes_lobi tidak memiliki preset PTZ 'atap'; yang tersedia: " in indonesian


async def test_a_renewal_comes_when_the_hub_clock_says(hub_factory, fake):
    clock = FakeClock()
    hub = await hub_factory(
        {"sites": SITES, "camera": [camera_config(fake, subscription_time=600, pull_timeout=1)]},
        plugins=PLUGINS,
        clock=clock,
    )
    camera = await subscribed(hub)
    await clock.advance(400)  # well before 80% of the 600 s the camera granted
    pulls = fake.requests.count("PullMessages")
    async with asyncio.timeout(10):
        while fake.requests.count("PullMessages") < pulls + 2:  # noqa: ASYNC110 - no hook in the fake
            await asyncio.sleep(0.05)
    assert "Renew" not in fake.requests
    await clock.advance(80)  # 480 s: renewal time, without waiting 8 minutes
    async with asyncio.timeout(10):
        while "Renew" not in fake.requests:  # noqa: ASYNC110 - the fake has no hook for it
            await asyncio.sleep(0.05)
    assert camera.subscriptions_made == 1
