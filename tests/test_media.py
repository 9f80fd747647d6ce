"""The media room with the real ffmpeg and a real RTSP source: snapshots
from HTTP (digest) and RTSP, a dead RTSP port bounded and reaped, clips
with pre-roll, retention."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import ffmpeg
import pytest
import voluptuous as vol
from aiohttp import web

from hub import Camera, hookimpl, i18n
from hub.core.media import MEDIA
from hub.testing import EventWaiter
from hub.testing.cameras import SAMPLE_JPEG
from hub.testing.cameras.digest import DigestGuard
from hub.testing.cameras.rtsp import RtspSource

SITES = [{"id": "dinkes", "areas": ["lobi", "halaman"]}]


class StreamCamera(Camera):
    """A camera that is only its URLs (what the media layer needs)."""

    platform = "stream"
    CONFIG_SCHEMA = {
        **Camera.MEDIA_OPTIONS,
        vol.Optional("snapshot_url"): str,
        vol.Optional("stream_url"): str,
        vol.Optional("username"): str,
        vol.Optional("password"): str,
    }

    def __init__(self, hub, config):
        super().__init__(hub, config)
        self.snapshot_url = config.get("snapshot_url")
        self.stream_url = config.get("stream_url")
        self.username = config.get("username")
        self.password = config.get("password")


class StreamPlugin:
    name = "stream_test"

    @hookimpl
    def sigap_camera_platforms(self, hub):
        return [StreamCamera]


def cam(cid: str, **urls) -> dict:
    return {"platform": "stream", "id": cid, "site": "dinkes", "area": "lobi", **urls}


async def start_hub(hub_factory, tmp_path, cameras, **media):
    config = {
        "hub": {"media_dir": str(tmp_path / "media")},
        "sites": SITES,
        "camera": cameras,
        "media": {"rtsp_timeout": 2, "ffmpeg_limit": 6, **media},
    }
    return await hub_factory(config, plugins=[StreamPlugin()])


@pytest.fixture
async def http_camera(aiohttp_server):
    """A snapshot URL behind digest auth, like a Hikvision's."""
    guard = DigestGuard("admin", "sandi123", "IP Camera(C1234)")
    app = web.Application(middlewares=[guard.middleware])
    hits = []

    async def picture(request):
        hits.append(request.path)
        return web.Response(body=SAMPLE_JPEG, content_type="image/jpeg")

    async def broken(request):
        return web.Response(status=500, text="busy")

    app.router.add_get("/ISAPI/Streaming/channels/101/picture", picture)
    app.router.add_get("/broken", broken)
    server = await aiohttp_server(app, access_log=None)
    return f"http://{server.host}:{server.port}", hits


@pytest.fixture
async def rtsp():
    async with RtspSource(mounts=4, fps=10, gop=10) as source:
        yield source


@pytest.fixture
async def silent_port():
    """A port that accepts RTSP connections and never says a word."""
    held = []

    async def hold(reader, writer):
        held.append(writer)
        await reader.read()  # until the client goes away

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


def ffmpeg_children() -> list[int]:
    """ffmpeg processes this test process started and has not reaped."""
    mine = str(os.getpid())
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = stat[stat.rindex(")") + 2 :].split()[1]
        if ppid == mine and comm == "ffmpeg":
            found.append(int(pid))
    return found


def read_bytes(path: str | Path) -> bytes:
    return Path(path).read_bytes()


async def ffprobe_duration(path: str) -> float:
    # ffmpeg-python's probe runs ffprobe and waits for it: in a thread, off the loop
    probed = await asyncio.to_thread(ffmpeg.probe, path)
    return float(probed["format"]["duration"])


async def test_snapshot_from_http_url_with_digest(hub_factory, tmp_path, http_camera):
    base, hits = http_camera
    url = f"{base}/ISAPI/Streaming/channels/101/picture"
    hub = await start_hub(
        hub_factory,
        tmp_path,
        [cam("lobi", snapshot_url=url, username="admin", password="sandi123")],
    )
    with EventWaiter(hub, "camera.snapshot_taken") as taken:
        answer = await hub.services.call("camera", "snapshot", {"entity_id": "camera.lobi"})
        event = await taken.wait(1)
    path = Path(answer["files"]["camera.lobi"])
    assert read_bytes(path) == SAMPLE_JPEG
    assert path.is_relative_to(tmp_path / "media" / "lobi")
    assert not path.with_suffix(".json").exists()  # the index is in the recorder now
    row = await hub.recorder.media.get(str(path))
    assert row["source"] == "http" and row["entity_id"] == "camera.lobi"
    assert row["context_id"] == event.context.id and row["size"] == len(SAMPLE_JPEG)
    assert row["kind"] == "snapshot" and row["site"] == "dinkes"
    (found,) = await hub.data[MEDIA].for_context(event.context.id)
    assert found.path == str(path) and found.source == "http"
    assert hits


async def test_wrong_password_on_http_says_so(hub_factory, tmp_path, http_camera):
    base, _ = http_camera
    url = f"{base}/ISAPI/Streaming/channels/101/picture"
    hub = await start_hub(
        hub_factory, tmp_path, [cam("lobi", snapshot_url=url, username="admin", password="salah")]
    )
    with pytest.raises(Exception, match=r"camera\.lobi.*HTTP 401") as err:
        await hub.services.call("camera", "snapshot", {"entity_id": "camera.lobi"})
    # what an Indonesian reader gets (a trace, the dashboard): every part translated
    assert i18n.render(i18n.message(err.value), "id") == (
        "camera.lobi: snapshot tidak dapat diambil"
        " (HTTP: camera.lobi: URL snapshot menjawab HTTP 401)"
    )


async def test_snapshot_from_rtsp(hub_factory, tmp_path, rtsp):
    hub = await start_hub(hub_factory, tmp_path, [cam("lobi", stream_url=rtsp.url(1))])
    answer = await hub.services.call("camera", "snapshot", {"entity_id": "camera.lobi"})
    data = read_bytes(answer["files"]["camera.lobi"])
    assert data.startswith(b"\xff\xd8") and len(data) > 500
    assert not ffmpeg_children()


async def test_http_failure_falls_back_to_rtsp(hub_factory, tmp_path, http_camera, rtsp):
    base, _ = http_camera
    camera = cam("lobi", snapshot_url=f"{base}/broken", stream_url=rtsp.url(2))
    hub = await start_hub(
        hub_factory, tmp_path, [{**camera, "username": "admin", "password": "sandi123"}]
    )
    answer = await hub.services.call("camera", "snapshot", {"entity_id": "camera.lobi"})
    path = Path(answer["files"]["camera.lobi"])
    assert (await hub.recorder.media.get(str(path)))["source"] == "rtsp"


async def test_silent_rtsp_port_times_out_and_leaves_no_ffmpeg(hub_factory, tmp_path, silent_port):
    stream = f"rtsp://admin:rahasia@127.0.0.1:{silent_port}/live"
    hub = await start_hub(hub_factory, tmp_path, [cam("mati", stream_url=stream)], rtsp_timeout=1)
    started = time.monotonic()
    with pytest.raises(Exception, match=r"camera\.mati") as err:
        await hub.services.call("camera", "snapshot", {"entity_id": "camera.mati"})
    assert time.monotonic() - started < 6 + 1  # ffmpeg_limit 6 s, plus reaping
    assert "rahasia" not in str(err.value)
    assert not ffmpeg_children()


async def test_wall_clock_limit_kills_ffmpeg(hub_factory, tmp_path, silent_port):
    # a socket timeout longer than the wall-clock limit: the limit must win
    stream = f"rtsp://127.0.0.1:{silent_port}/live"
    hub = await start_hub(
        hub_factory, tmp_path, [cam("mati", stream_url=stream)], rtsp_timeout=30, ffmpeg_limit=1
    )
    started = time.monotonic()
    with pytest.raises(Exception, match="no picture within 1 s") as err:
        await hub.services.call("camera", "snapshot", {"entity_id": "camera.mati"})
    assert time.monotonic() - started < 3
    indonesian = i18n.render(i18n.message(err.value), "id")
    assert indonesian.startswith(
        "camera.mati: snapshot tidak dapat diambil (RTSP: camera.mati stream "
    )
    assert indonesian.endswith(": tidak ada gambar dalam 1 detik (ffmpeg dihentikan))")
    assert not ffmpeg_children()


async def test_dead_camera_does_not_block_another(hub_factory, tmp_path, http_camera, silent_port):
    base, _ = http_camera
    good = cam(
        "lobi", snapshot_url=f"{base}/ISAPI/Streaming/channels/101/picture",
        username="admin", password="sandi123",
    )  # fmt: skip
    dead = cam("mati", stream_url=f"rtsp://127.0.0.1:{silent_port}/live")
    hub = await start_hub(hub_factory, tmp_path, [good, dead], rtsp_timeout=3)
    slow = asyncio.ensure_future(
        hub.services.call("camera", "snapshot", {"entity_id": "camera.mati"})
    )
    started = time.monotonic()
    await hub.services.call("camera", "snapshot", {"entity_id": "camera.lobi"})
    assert time.monotonic() - started < 1.0 and not slow.done()
    # both at once: the answer carries the good file and the dead camera's reason
    answer = await hub.services.call(
        "camera", "snapshot", {"entity_id": ["camera.lobi", "camera.mati"]}
    )
    assert "camera.lobi" in answer["files"] and "camera.mati" in answer["errors"]
    with pytest.raises(Exception, match=r"camera\.mati"):
        await slow


async def test_clip_with_pre_roll_has_video_from_before_the_request(hub_factory, tmp_path, rtsp):
    hub = await start_hub(
        hub_factory, tmp_path, [cam("lobi", stream_url=rtsp.url(3), pre_roll=3)], segment_seconds=1
    )
    ring = hub.data[MEDIA].rings["camera.lobi"]
    async with asyncio.timeout(15):  # the ring fills: 3 s of pre-roll needs 3 finished segments
        while len(ring._finished()) < 4:  # noqa: ASYNC110 - ffmpeg writes files, nothing to await
            await asyncio.sleep(0.2)
    asked = time.monotonic()
    answer = await hub.services.call(
        "camera", "record_clip", {"entity_id": "camera.lobi", "duration": 2}
    )
    took = time.monotonic() - asked
    path = answer["files"]["camera.lobi"]
    duration = await ffprobe_duration(path)
    # a recording that started at the request could hold at most `took` seconds
    assert duration >= took + 1.5, (duration, took)
    row = await hub.recorder.media.get(path)
    assert row["kind"] == "clip" and row["source"] == "ring" and row["extra"]["pre_roll"] >= 1.5


async def test_clip_without_pre_roll(hub_factory, tmp_path, rtsp):
    hub = await start_hub(hub_factory, tmp_path, [cam("lobi", stream_url=rtsp.url(4))])
    answer = await hub.services.call(
        "camera", "record_clip", {"entity_id": "camera.lobi", "duration": 2}
    )
    duration = await ffprobe_duration(answer["files"]["camera.lobi"])
    assert 1.5 <= duration <= 3.0
    assert not ffmpeg_children()


async def test_retention_deletes_oldest_first(hub_factory, tmp_path):
    hub = await start_hub(hub_factory, tmp_path, [], max_age_days=1, max_size_mb=1)
    room = hub.data[MEDIA]
    await room.first_retention_done.wait()  # the pass at start is over
    folder = room.root / "lobi" / "2026-11-27"
    folder.mkdir(parents=True)
    now = time.time()
    made = []
    for n, age in enumerate([3 * 86400, 3600, 1800, 600, 60]):  # oldest first
        f = folder / f"f{n}.jpg"
        f.write_bytes(b"\xff\xd8" + b"x" * 400_000)
        # the index says when it was taken (the file's own time says otherwise)
        hub.recorder.media.add(
            {"path": str(f), "kind": "snapshot", "entity_id": "camera.lobi",
             "size": 400_002, "taken_at": now - age}
        )  # fmt: skip
        made.append(f)
    old_sidecar = made[0].with_name("f0.json.imported")  # an older hub's, imported
    old_sidecar.write_text("{}")
    ring_file = room.root / ".ring" / "lobi" / "seg000.ts"
    ring_file.parent.mkdir(parents=True)
    ring_file.write_bytes(b"x" * 2_000_000)
    await hub.recorder.flush()  # the rows queued above, written
    deleted = await room.enforce_retention()
    # f0 is too old; then 4 x 400 kB > 1 MB: f1 and f2 go, the newest two stay
    assert deleted == [str(made[0]), str(made[1]), str(made[2])]
    assert [f.exists() for f in made] == [False, False, False, True, True]
    assert not old_sidecar.exists()
    assert ring_file.exists()
    assert await hub.recorder.media.paths() == {str(f) for f in made[3:]}


async def test_demo_camera_snapshot_through_its_platform(hub_factory, tmp_path):
    config = {
        "hub": {"media_dir": str(tmp_path / "media")},
        "sites": SITES,
        "camera": [{"platform": "demo", "id": "lobi", "site": "dinkes", "simulate": False}],
    }
    hub = await hub_factory(config, plugins=["hub.plugins.demo"])
    answer = await hub.services.call("camera", "snapshot", {"site": "dinkes"})
    path = Path(answer["files"]["camera.lobi"])
    assert read_bytes(path).startswith(b"\xff\xd8")
    assert (await hub.recorder.media.get(str(path)))["source"] == "platform"
