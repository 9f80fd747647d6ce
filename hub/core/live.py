"""Live view: a camera's RTSP stream as MJPEG frames a browser plays in an
<img>, started when someone watches and stopped when nobody does.

One ffmpeg per camera however many watch it (a camera or an NVR allows only
a few RTSP sessions, and every decode costs the hub's CPU); each viewer gets
the newest frame, so a slow phone skips frames instead of holding memory
or slowing the others. A cap on cameras streamed at once keeps the hub's
CPU for its real work; past it a new live view is refused, not queued.
Every viewer is an audit record (Perwali 25/2019: who watched, why, when).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import ffmpeg

from . import ffmpeg as ff
from .context import Context
from .i18n import Text
from .keys import HubKey
from .media import DEFAULTS as MEDIA_DEFAULTS
from .platform import Camera, DeviceError

if TYPE_CHECKING:
    from .hub import Hub

_LOGGER = logging.getLogger(__name__)

SOI, EOI = b"\xff\xd8", b"\xff\xd9"
#: a frame past this is not a camera's JPEG: the stream is dropped
MAX_FRAME = 4 * 1024 * 1024


class LiveRefused(DeviceError):
    """A live view that cannot start (no stream, too many at once)."""


def live_args(url: str, fps: int, width: int, socket_timeout: float) -> list[str]:
    stream = ffmpeg.input(url, **ff.input_options(url, socket_timeout))
    out = stream.output(
        "pipe:",
        format="image2pipe",
        vcodec="mjpeg",
        r=fps,
        vf=f"scale='min({width},iw)':-2",
        an=None,
        **{"q:v": 6},
    )
    return [ff.FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", *out.get_args()]


class LiveStream:
    """One camera's ffmpeg and the viewers of its frames."""

    def __init__(self, views: LiveViews, camera: Camera) -> None:
        self.views = views
        self.camera = camera
        self.viewers: set[asyncio.Queue[bytes | None]] = set()
        self.task: asyncio.Task[None] | None = None
        self.stop_task: asyncio.Task[None] | None = None
        self.proc: asyncio.subprocess.Process | None = None
        #: set once its ffmpeg has exited and been reaped
        self.ended = asyncio.Event()

    def start(self) -> None:
        hub = self.views.hub
        self.task = hub.create_task(self._run(), f"live view {self.camera.entity_id}")

    def join(self) -> asyncio.Queue[bytes | None]:
        if self.stop_task is not None:  # someone came back within the linger
            self.stop_task.cancel()
            self.stop_task = None
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=1)
        self.viewers.add(queue)
        return queue

    def leave(self, queue: asyncio.Queue[bytes | None]) -> None:
        self.viewers.discard(queue)
        if not self.viewers and self.stop_task is None and self.task is not None:
            linger = self.views.settings["live_linger"]
            self.stop_task = self.views.hub.create_task(
                self._stop_after(linger), f"live view {self.camera.entity_id} linger"
            )

    async def _stop_after(self, seconds: float) -> None:
        await self.views.hub.clock.sleep(seconds)
        self.stop_task = None
        if not self.viewers:
            await self.close()

    async def close(self) -> None:
        self.views.streams.pop(self.camera.entity_id, None)
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for queue in list(self.viewers):
            _offer(queue, None)

    async def _run(self) -> None:
        settings = self.views.settings
        camera = self.camera
        url = ff.with_credentials(camera.stream_url or "", camera.username, camera.password)
        args = live_args(
            url, settings["live_fps"], settings["live_width"], settings["rtsp_timeout"]
        )
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            _LOGGER.info("%s", Text("live.started", entity_id=camera.entity_id))
            await self._pump(self.proc.stdout)  # type: ignore[arg-type]
        finally:
            if self.proc is not None:
                await ff.reap(self.proc)
                self.proc = None
            _LOGGER.info("%s", Text("live.stopped", entity_id=camera.entity_id))
            self.views.streams.pop(camera.entity_id, None)
            for queue in list(self.viewers):
                _offer(queue, None)  # the viewers' answers end
            self.ended.set()

    async def _pump(self, out: asyncio.StreamReader) -> None:
        buffer = bytearray()
        while True:
            chunk = await out.read(65536)
            if not chunk:
                return
            buffer += chunk
            while True:
                start = buffer.find(SOI)
                if start < 0:
                    buffer.clear()
                    break
                end = buffer.find(EOI, start + 2)
                if end < 0:
                    if start:
                        del buffer[:start]
                    if len(buffer) > MAX_FRAME:
                        return
                    break
                frame = bytes(buffer[start : end + 2])
                del buffer[: end + 2]
                for queue in list(self.viewers):
                    _offer(queue, frame)


def _offer(queue: asyncio.Queue[bytes | None], item: bytes | None) -> None:
    """The newest frame wins: a viewer still busy with the last one skips it."""
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(item)


class LiveViews:
    """Every live view of one hub."""

    def __init__(self, hub: Hub, settings: Mapping[str, Any]) -> None:
        self.hub = hub
        # the media: section's live_* keys and rtsp_timeout (hub/core/media.py)
        self.settings = {**MEDIA_DEFAULTS, **settings}
        self.streams: dict[str, LiveStream] = {}

    @contextlib.asynccontextmanager
    async def watch(
        self, camera: Camera, context: Context, reason: str | None
    ) -> AsyncIterator[asyncio.Queue[bytes | None]]:
        """Frames of `camera` for one viewer while the block runs; raises
        LiveRefused before any frame when it cannot be watched now."""
        if not camera.stream_url:
            raise LiveRefused(Text("live.no_stream", entity_id=camera.entity_id))
        stream = self.streams.get(camera.entity_id)
        if stream is None:
            if len(self.streams) >= self.settings["live_max_streams"]:
                raise LiveRefused(Text("live.too_many", limit=self.settings["live_max_streams"]))
            stream = self.streams[camera.entity_id] = LiveStream(self, camera)
            stream.start()
        self._audit(camera, context, reason)
        queue = stream.join()
        try:
            yield queue
        finally:
            stream.leave(queue)

    def _audit(self, camera: Camera, context: Context, reason: str | None) -> None:
        recorder = self.hub.recorder
        if recorder is None or not recorder.running:
            return
        recorder.audit(
            {
                "who": context.who,
                "action": "viewed_live",
                "entity_id": camera.entity_id,
                "site": camera.site,
                "reason": reason,
                "context_id": context.id,
                "time": self.hub.clock.timestamp(),
                "data": {},
            }
        )

    async def close(self) -> None:
        for stream in list(self.streams.values()):
            if stream.stop_task is not None:
                stream.stop_task.cancel()
            await stream.close()


LIVE: HubKey[LiveViews] = HubKey("live views")
