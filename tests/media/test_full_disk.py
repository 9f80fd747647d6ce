"""A full disk costs the picture, never the alert, and never leaves a
half-written file: snapshots are written atomically (their index row is in
the recorder's database, not beside them), and
notify.send with `snapshot:` sends the alert without the picture, saying so
in the people's language, with one log line for the admin."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import voluptuous as vol

from hub import Camera, hookimpl
from hub.core.platform import DeviceError
from hub.testing import EventWaiter
from hub.testing.cameras.rtsp import RtspSource
from tests.automation.conftest import Recorder, settle, write_config

SITES = [{"id": "dinkes", "areas": ["lobi"]}]

DEVICES = """
hub:
  name: Test
  time_zone: Asia/Makassar
  language: {language}
  media_dir: {media}
sites:
  - id: dinkes
    areas: [lobi]
camera:
  - {{platform: demo, id: dinkes_lobi, site: dinkes, area: lobi, simulate: false}}
notify:
  - {{platform: console, id: pusat_komando}}
automation: !include automations.yaml
"""

ALERT = """
- id: gerakan_lobi
  triggers:
    - trigger: event
      event_type: camera.motion
  actions:
    - action: notify.send
      target: {entity_id: notify.pusat_komando}
      data:
        title: Dinas Kesehatan
        message: Gerakan terdeteksi di lobi Dinas Kesehatan
        snapshot: camera.dinkes_lobi
    - action: test.record
"""


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


async def start(hub_factory, tmp_path, media: Path, language: str = "id"):
    folder = write_config(
        tmp_path / "config", ALERT, DEVICES.format(language=language, media=media)
    )
    recorder = Recorder()
    hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], start=False)
    hub.services.register("test", "record", recorder.handler)
    await hub.start()
    await settle()
    return hub, recorder


def notifier(hub):
    return hub.devices.get("notify.pusat_komando")


async def test_the_alert_goes_out_with_its_picture(hub_factory, tmp_path):
    hub, recorder = await start(hub_factory, tmp_path, tmp_path / "media")
    hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    await recorder.next()
    [sent] = notifier(hub).sent
    # the picture goes by path (the outbox keeps paths, never bytes)
    assert sent.photo is None and sent.photo_path is not None
    assert (await asyncio.to_thread(Path(sent.photo_path).read_bytes)).startswith(b"\xff\xd8")
    assert sent.message == "Gerakan terdeteksi di lobi Dinas Kesehatan"
    saved = files_in(tmp_path / "media")
    assert len(saved) == 1 and saved[0].endswith(".jpg")  # no sidecar: the index has it
    row = await hub.recorder.media.get(str(tmp_path / "media" / saved[0]))
    assert row["entity_id"] == "camera.dinkes_lobi" and row["kind"] == "snapshot"


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("id", "(Foto dari kamera dinkes_lobi tidak dapat diambil.)"),
        ("en", "(The picture from camera dinkes_lobi could not be taken.)"),
    ],
)
async def test_a_full_disk_sends_the_alert_without_the_picture_saying_so(
    hub_factory, tmp_path, full_disk, caplog, language, note
):
    hub, recorder = await start(hub_factory, tmp_path, full_disk / "media", language)
    caplog.clear()
    hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi"})
    await recorder.next()  # the run went on past notify.send
    [sent] = notifier(hub).sent
    assert sent.photo is None and sent.photo_path is None
    assert sent.message == f"Gerakan terdeteksi di lobi Dinas Kesehatan\n{note}"
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    failures = [line for line in said if "without the picture" in line]
    assert failures == [
        "notify.send to notify.pusat_komando: sent without the picture from camera.dinkes_lobi"
        f" (camera.dinkes_lobi: the picture could not be saved in {full_disk / 'media'}:"
        " the disk is full)"
    ], said
    assert files_in(full_disk / "media") == []  # nothing half-written left behind


async def test_camera_snapshot_on_a_full_disk_says_so_and_leaves_nothing(
    hub_factory, tmp_path, full_disk
):
    hub, _ = await start(hub_factory, tmp_path, full_disk / "media")
    with EventWaiter(hub, "camera.snapshot_taken") as taken:
        with pytest.raises(DeviceError) as failed:
            await hub.services.call("camera", "snapshot", {"entity_id": "camera.dinkes_lobi"})
    assert "the disk is full" in str(failed.value)
    assert taken.events == []
    assert files_in(full_disk / "media") == []


class StreamCamera(Camera):
    """A camera that is only its stream (what a clip needs)."""

    platform = "stream"
    CONFIG_SCHEMA = {vol.Required("stream_url"): str}

    def __init__(self, hub, config):
        super().__init__(hub, config)
        self.stream_url = config["stream_url"]


class StreamPlugin:
    name = "stream_test"

    @hookimpl
    def sigap_camera_platforms(self, hub):
        return [StreamCamera]


async def test_a_clip_on_a_full_disk_leaves_no_truncated_file(hub_factory, full_disk):
    async with RtspSource(mounts=1, fps=10, gop=10) as rtsp:
        config = {
            "hub": {"media_dir": str(full_disk / "media")},
            "sites": SITES,
            "camera": [
                {"platform": "stream", "id": "lobi", "site": "dinkes", "stream_url": rtsp.url(1)}
            ],
            "media": {"rtsp_timeout": 2, "ffmpeg_limit": 6},
        }
        hub = await hub_factory(config, plugins=[StreamPlugin()])
        with pytest.raises(DeviceError):
            await hub.services.call(
                "camera", "record_clip", {"entity_id": "camera.lobi", "duration": 2}
            )
    assert files_in(full_disk / "media") == []
