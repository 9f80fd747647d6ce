"""Live view as the Command Center uses it: an operator watches a camera's
RTSP stream as MJPEG frames (what an <img> plays), staff of another site
are refused, one ffmpeg serves every viewer of a camera, it is gone soon
after the last viewer leaves, the cap on cameras watched at once holds,
and every view is an audit record with its reason."""

from __future__ import annotations

import asyncio

import pytest

from hub.core.live import LIVE
from hub.testing.cameras.rtsp import RtspSource
from tests.test_media import StreamPlugin, ffmpeg_children

from .auth_hub import auth_hub  # noqa: F401

SOI = b"\xff\xd8"


@pytest.fixture
async def rtsp():
    async with RtspSource(mounts=2, fps=10, gop=10) as source:
        yield source


def cameras(rtsp) -> list[dict]:
    return [
        {"platform": "stream", "id": "lobi", "site": "dinkes", "area": "lobi",
         "stream_url": rtsp.url(1)},
        {"platform": "stream", "id": "server", "site": "diskominfo", "area": "ruang_server",
         "stream_url": rtsp.url(2)},
    ]  # fmt: skip


async def frames(response, count: int, seconds: float = 20.0) -> list[bytes]:
    """The first `count` JPEG frames of a multipart/x-mixed-replace answer."""
    boundary = response.headers["Content-Type"].split("boundary=", 1)[1].encode()
    got: list[bytes] = []
    buffer = b""
    async with asyncio.timeout(seconds):
        while len(got) < count:
            buffer += await response.content.readany()
            while True:
                start = buffer.find(b"--" + boundary + b"\r\n")
                head_end = buffer.find(b"\r\n\r\n", start)
                if start < 0 or head_end < 0:
                    break
                headers = buffer[start:head_end].decode().split("\r\n")
                length = int(next(h for h in headers if h.startswith("Content-Length")).split()[1])
                body_start = head_end + 4
                if len(buffer) < body_start + length:
                    break
                got.append(buffer[body_start : body_start + length])
                buffer = buffer[body_start + length :]
    return got


async def ended(served, entity_id: str, seconds: float = 30.0) -> None:
    """Until the camera's live stream has ended and its ffmpeg is reaped."""
    stream = served.hub.data[LIVE].streams[entity_id]
    async with asyncio.timeout(seconds):
        await stream.ended.wait()
    assert entity_id not in served.hub.data[LIVE].streams


async def test_an_operator_watches_live_and_the_ffmpeg_ends_after_they_leave(auth_hub, rtsp):  # noqa: F811
    served = await auth_hub(
        more={"camera": cameras(rtsp), "media": {"live_linger": 1, "rtsp_timeout": 5}},
        plugins=(StreamPlugin(),),
    )
    first, second = await served.as_role("operator"), await served.as_role("admin")
    one = await first.request("GET", "/api/cameras/camera.lobi/live?reason=patroli malam")
    assert one.status == 200
    assert one.headers["Content-Type"].startswith("multipart/x-mixed-replace")
    got = await frames(one, 3)
    assert all(frame.startswith(SOI) and frame.endswith(b"\xff\xd9") for frame in got)
    two = await second.request("GET", "/api/cameras/camera.lobi/live")
    assert len(await frames(two, 2)) == 2
    assert len(ffmpeg_children()) == 1  # one stream of the camera, however many watch
    one.close()
    two.close()
    # gone soon after the last viewer left (the issue allows 30 s; linger is 1 s here)
    await ended(served, "camera.lobi")
    assert not ffmpeg_children()
    await served.hub.recorder.flush()
    views = [
        r
        for r in await served.hub.recorder.audit_trail(entity_id="camera.lobi")
        if r["action"] == "viewed_live"
    ]
    assert [(v["who"], v["reason"]) for v in views] == [("sari", "patroli malam"), ("rina", None)]


async def test_staff_of_another_site_cannot_watch(auth_hub, rtsp):  # noqa: F811
    served = await auth_hub(more={"camera": cameras(rtsp)}, plugins=(StreamPlugin(),))
    dewi = await served.as_role("staff_b")  # diskominfo
    refused = await dewi.request("GET", "/api/cameras/camera.lobi/live")
    assert refused.status == 403
    anonymous = await served.as_role("anonymous")
    assert (await anonymous.request("GET", "/api/cameras/camera.lobi/live")).status == 401
    assert not ffmpeg_children()


async def test_the_cap_on_cameras_watched_at_once_holds(auth_hub, rtsp):  # noqa: F811
    served = await auth_hub(
        more={"camera": cameras(rtsp), "media": {"live_max_streams": 1, "live_linger": 0}},
        plugins=(StreamPlugin(),),
    )
    rina = await served.as_role("admin")
    watching = await rina.request("GET", "/api/cameras/camera.lobi/live")
    await frames(watching, 1)
    over = await rina.request(
        "GET", "/api/cameras/camera.server/live", headers={"Accept-Language": "id"}
    )
    assert over.status == 503
    assert "Sudah 1 kamera ditonton langsung" in (await over.json())["error"]["message"]
    assert len(ffmpeg_children()) == 1
    watching.close()
    await ended(served, "camera.lobi")
    now = await rina.request("GET", "/api/cameras/camera.server/live")
    assert len(await frames(now, 1)) == 1
    now.close()
