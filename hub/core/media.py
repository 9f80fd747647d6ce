"""The media room: snapshots and clips from cameras, kept under the media
folder with a retention limit, each linked to the Context that asked.

`camera.snapshot` tries the camera's HTTP snapshot URL first (digest or
basic auth), then the platform's own snapshot, then one frame from the RTSP
stream; `camera.record_clip` records N seconds, with pre-roll from a
per-camera ring of short segments when the camera has `pre_roll:` set.
Both services answer with the files they wrote. Every file has a row in
the recorder's media index (`hub.recorder.media`) saying which camera, when,
how big, and which Context (and so which event and automation run), alarm
or reason asked for it; retention and `for_context` read the index.
`camera.snapshot_taken` / `camera.clip_recorded` tell the notify layer and
the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import voluptuous as vol

from . import ffmpeg, i18n
from .context import Context
from .entities import TARGET
from .hookspecs import hookimpl
from .keys import HubKey
from .platform import Camera, DeviceError, kind
from .recorder.recorder import error_line
from .services import ServiceCall
from .storage import write_atomic

if TYPE_CHECKING:
    from .hub import Hub

_LOGGER = logging.getLogger(__name__)

EVENT_SNAPSHOT_TAKEN = "camera.snapshot_taken"
EVENT_CLIP_RECORDED = "camera.clip_recorded"
RING_DIR = ".ring"  # under the media folder; never counted by retention

MEDIA_SCHEMA = vol.Schema(
    {
        vol.Optional("max_age_days", default=30): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("max_size_mb", default=5000): vol.All(vol.Coerce(float), vol.Range(min=1)),
        # wall-clock limit of an HTTP snapshot request
        vol.Optional("http_timeout", default=5.0): vol.All(vol.Coerce(float), vol.Range(min=0.1)),
        # ffmpeg's socket timeout (-timeout) and the wall-clock limit of one grab
        vol.Optional("rtsp_timeout", default=5.0): vol.All(vol.Coerce(float), vol.Range(min=0.1)),
        vol.Optional("ffmpeg_limit", default=10.0): vol.All(vol.Coerce(float), vol.Range(min=0.5)),
        vol.Optional("max_clip_seconds", default=120): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Optional("segment_seconds", default=2.0): vol.All(
            vol.Coerce(float), vol.Range(min=0.5)
        ),
        vol.Optional("retention_interval", default=600): vol.All(
            vol.Coerce(float), vol.Range(min=1)
        ),
        # live view (hub/core/live.py): cameras streamed at once, how long an
        # unwatched stream lingers, and its frames
        vol.Optional("live_max_streams", default=4): vol.All(int, vol.Range(min=1)),
        vol.Optional("live_linger", default=10.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("live_fps", default=5): vol.All(int, vol.Range(min=1, max=30)),
        vol.Optional("live_width", default=1280): vol.All(int, vol.Range(min=160, max=3840)),
    }
)
DEFAULTS: dict[str, Any] = MEDIA_SCHEMA({})


@dataclass(slots=True)
class MediaFile:
    """One snapshot or clip and who asked for it (its row in the media index)."""

    kind: str  # "snapshot" | "clip"
    entity_id: str
    path: str
    created_at: float
    source: str  # http | platform | rtsp | ring
    size: int
    context_id: str
    parent_id: str | None
    user_id: str | None
    site: str | None = None
    area: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def sidecar(self) -> Path:
        """Where an older hub kept this record (imported at start)."""
        return Path(self.path).with_suffix(".json")

    @classmethod
    def from_index(cls, row: Mapping[str, Any]) -> MediaFile:
        return cls(
            kind=row["kind"],
            entity_id=row["entity_id"] or "",
            path=row["path"],
            created_at=row["taken_at"],
            source=row["source"] or "",
            size=row["size"],
            context_id=row["context_id"] or "",
            parent_id=row["parent_id"],
            user_id=row["user_id"],
            site=row["site"],
            area=row["area"],
            extra=row["extra"] or {},
        )


class MediaRoom:
    """Snapshots, clips, pre-roll rings and retention for one hub."""

    def __init__(self, hub: Hub, settings: Mapping[str, Any]) -> None:
        self.hub = hub
        self.settings = {**DEFAULTS, **settings}
        media_dir = Path(hub.settings.get("media_dir", "media"))
        self.root = media_dir if media_dir.is_absolute() else hub.config_dir / media_dir
        self.session: aiohttp.ClientSession | None = None
        self.rings: dict[str, Ring] = {}
        # newest last: what for_context answers while the recorder's database is away
        self.recent: list[MediaFile] = []
        self._digest: dict[str, aiohttp.DigestAuthMiddleware] = {}
        self.first_retention_done = asyncio.Event()
        self._index_said = False  # the log said the index did not answer (said once per outage)

    # -- lifetime -------------------------------------------------------------

    async def start(self) -> None:
        await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))

    def start_rings(self) -> None:
        for camera in self.hub.devices.all("camera"):
            seconds = float(camera.config.get("pre_roll") or 0)
            if seconds > 0 and isinstance(camera, Camera):
                ring = Ring(self, camera, seconds)
                self.rings[camera.entity_id] = ring
                ring.task = self.hub.create_task(ring.run(), f"pre-roll ring {camera.entity_id}")

    async def stop(self) -> None:
        for ring in self.rings.values():
            await ring.stop()
        if self.session is not None:
            await self.session.close()

    # -- snapshots ----------------------------------------------------------------

    async def snapshot(
        self, camera: Camera, context: Context | None = None, why: Mapping[str, Any] | None = None
    ) -> MediaFile:
        """Take one snapshot now; raises DeviceError saying why when every way failed.
        `why`: {"reason": ..., "alarm_id": ...} for the audit record."""
        context = context or Context()
        attempts: list[str] = []
        image, source = None, ""
        if camera.snapshot_url:
            try:
                image, source = await self._http_snapshot(camera), "http"
            except (DeviceError, aiohttp.ClientError, TimeoutError, OSError) as err:
                attempts.append(i18n.Text("media.attempt", source="HTTP", error=_reason(err)))
        if image is None and type(camera).snapshot is not Camera.snapshot:
            try:
                async with asyncio.timeout(self.settings["ffmpeg_limit"]):
                    image, source = await camera.snapshot(), "platform"
            except (DeviceError, TimeoutError, OSError, NotImplementedError) as err:
                attempts.append(
                    i18n.Text("media.attempt", source=camera.platform, error=_reason(err))
                )
        if image is None and camera.stream_url:
            try:
                image, source = await self._rtsp_snapshot(camera), "rtsp"
            except DeviceError as err:
                attempts.append(i18n.Text("media.attempt", source="RTSP", error=_reason(err)))
        if image is None:
            why = attempts or i18n.Text("media.no_urls")
            raise DeviceError(i18n.Text("media.no_snapshot", entity_id=camera.entity_id, why=why))
        path = self._new_path(camera, "jpg")
        try:
            await asyncio.to_thread(_write, path, image)
            record = await self._record("snapshot", camera, path, source, context)
        except OSError as err:
            # a full disk: the picture is written whole (atomically) or not at all
            await asyncio.to_thread(_discard, path)
            raise DeviceError(
                i18n.Text(
                    "media.not_saved",
                    entity_id=camera.entity_id,
                    folder=self.root,
                    error=_disk_reason(err),
                )
            ) from err
        self._index(record, why)
        self._audit(record, context, why)
        self.hub.bus.fire(EVENT_SNAPSHOT_TAKEN, self._event_data(record), context)
        return record

    async def _http_snapshot(self, camera: Camera) -> bytes:
        assert self.session is not None and camera.snapshot_url
        url = camera.snapshot_url
        middlewares: tuple[aiohttp.DigestAuthMiddleware, ...] = ()
        if camera.username:
            digest = self._digest.get(camera.entity_id)
            if digest is None:
                digest = aiohttp.DigestAuthMiddleware(camera.username, camera.password or "")
                self._digest[camera.entity_id] = digest
            middlewares = (digest,)
        async with asyncio.timeout(self.settings["http_timeout"]):
            async with self.session.get(url, middlewares=middlewares) as resp:
                if (
                    resp.status == 401
                    and camera.username
                    and "basic" in resp.headers.get("WWW-Authenticate", "").lower()
                ):
                    auth = aiohttp.BasicAuth(camera.username, camera.password or "")
                    async with self.session.get(url, auth=auth) as basic:
                        return await _jpeg(basic, camera)
                return await _jpeg(resp, camera)

    async def _rtsp_snapshot(self, camera: Camera) -> bytes:
        assert camera.stream_url
        url = ffmpeg.with_credentials(camera.stream_url, camera.username, camera.password)
        args = ffmpeg.snapshot_args(url, self.settings["rtsp_timeout"])
        image = await ffmpeg.run(
            args,
            self.settings["ffmpeg_limit"],
            what=f"{camera.entity_id} stream {ffmpeg.without_credentials(camera.stream_url)}",
            hide=[url, camera.password or ""],
        )
        if not image.startswith(b"\xff\xd8"):
            raise DeviceError(i18n.Text("media.no_picture", entity_id=camera.entity_id))
        return image

    # -- clips --------------------------------------------------------------------

    async def record_clip(
        self,
        camera: Camera,
        seconds: float,
        context: Context | None = None,
        *,
        pre_roll: bool = True,
        why: Mapping[str, Any] | None = None,
    ) -> MediaFile:
        context = context or Context()
        seconds = min(seconds, self.settings["max_clip_seconds"])
        ring = self.rings.get(camera.entity_id) if pre_roll else None
        path = self._new_path(camera, "mp4")
        if not (ring is not None and ring.running) and not camera.stream_url:
            raise DeviceError(i18n.Text("media.no_stream", entity_id=camera.entity_id))
        # ffmpeg writes beside the clip and the clip appears whole, or not at all
        partial = _partial(path)
        try:
            if ring is not None and ring.running:
                extra = await ring.clip(seconds, partial)
                source = "ring"
            else:
                assert camera.stream_url
                url = ffmpeg.with_credentials(camera.stream_url, camera.username, camera.password)
                started = time.time()
                await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
                await ffmpeg.run(
                    ffmpeg.clip_args(url, seconds, str(partial), self.settings["rtsp_timeout"]),
                    seconds + self.settings["rtsp_timeout"] + self.settings["ffmpeg_limit"],
                    what=f"{camera.entity_id} clip",
                    hide=[url, camera.password or ""],
                )
                extra = {"starts_at": started, "pre_roll": 0.0}
                source = "rtsp"
            await asyncio.to_thread(os.replace, partial, path)
            record = await self._record(
                "clip", camera, path, source, context, {"seconds": seconds, **extra}
            )
        except OSError as err:
            await asyncio.to_thread(_discard, path, partial)
            raise DeviceError(
                i18n.Text(
                    "media.clip_not_saved",
                    entity_id=camera.entity_id,
                    folder=self.root,
                    error=_disk_reason(err),
                )
            ) from err
        except BaseException:
            await asyncio.to_thread(_discard, partial)
            raise
        self._index(record, why)
        self._audit(record, context, why)
        self.hub.bus.fire(EVENT_CLIP_RECORDED, self._event_data(record), context)
        return record

    # -- files ------------------------------------------------------------------------

    def _new_path(self, camera: Camera, ext: str) -> Path:
        now = datetime.now(self.hub.time_zone)
        stamp = now.strftime("%Y%m%d-%H%M%S-") + f"{now.microsecond // 1000:03d}"
        return self.root / camera.id / now.strftime("%Y-%m-%d") / f"{camera.id}_{stamp}.{ext}"

    async def _record(
        self,
        kind: str,
        camera: Camera,
        path: Path,
        source: str,
        context: Context,
        extra: dict[str, Any] | None = None,
    ) -> MediaFile:
        size = (await asyncio.to_thread(path.stat)).st_size
        record = MediaFile(
            kind=kind,
            entity_id=camera.entity_id,
            path=str(path),
            created_at=time.time(),
            source=source,
            size=size,
            context_id=context.id,
            parent_id=context.parent_id,
            user_id=context.user_id,
            site=camera.site,
            area=camera.area,
            extra=extra or {},
        )
        self.recent.append(record)
        del self.recent[:-200]
        return record

    def _index(self, record: MediaFile, why: Mapping[str, Any] | None) -> None:
        """The file's row in the media index, written with the recorder's
        next batch (while its database is away it waits in the queue; a file
        whose row never came is indexed at the next start)."""
        recorder = self.hub.recorder
        if recorder.running:
            why = why or {}
            recorder.media.add(
                {**asdict(record), "alarm_id": why.get("alarm_id"), "reason": why.get("reason")}
            )

    def _audit(self, record: MediaFile, context: Context, why: Mapping[str, Any] | None) -> None:
        """Footage is confidential (Perwali 25/2019): every file taken is an
        audit record saying who asked, why (an alarm or a reason) and when."""
        recorder = self.hub.recorder
        if not recorder.running:
            return
        why = why or {}
        recorder.audit(
            {
                "who": context.who,
                "action": record.kind,
                "entity_id": record.entity_id,
                "site": record.site,
                "alarm_id": why.get("alarm_id"),
                "reason": why.get("reason"),
                "context_id": context.id,
                "time": record.created_at,
                "data": {"path": record.path, "source": record.source, **record.extra},
            }
        )

    def viewed(
        self,
        kind: str,
        camera: Camera,
        path: Path,
        context: Context,
        why: Mapping[str, Any],
        **data: Any,
    ) -> bool:
        """Footage shown to someone (the API's snapshot and clip files): an
        audit record of who saw which file, why and when. False when no
        record can be written (the recorder is off): then it is not shown."""
        recorder = self.hub.recorder
        if not recorder.running:
            return False
        recorder.audit(
            {
                "who": context.who,
                "action": f"{kind}_viewed",
                "entity_id": camera.entity_id,
                "site": camera.site,
                "alarm_id": why.get("alarm_id"),
                "reason": why.get("reason"),
                "context_id": context.id,
                "time": self.hub.clock.timestamp(),
                "data": {"file": path.name, **data},
            }
        )
        return True

    def _event_data(self, record: MediaFile) -> dict[str, Any]:
        return {
            "entity_id": record.entity_id,
            "site": record.site,
            "area": record.area,
            "path": record.path,
            "source": record.source,
        }

    async def for_context(self, context_id: str) -> list[MediaFile]:
        """The files asked for by a Context or by anything it caused, from
        the media index; while the recorder's database is away, the last
        200 files this run took."""
        recorder = self.hub.recorder
        if recorder.running:
            try:
                rows = await recorder.media.for_context(context_id)
            except Exception as err:
                self._index_unavailable(err)
            else:
                return [MediaFile.from_index(row) for row in rows]
        return [m for m in self.recent if context_id in (m.context_id, m.parent_id)]

    def _index_unavailable(self, err: BaseException) -> None:
        if not self._index_said:
            self._index_said = True
            lang = self.hub.console_language
            said = i18n.t("media.index_unavailable", lang, error=error_line(err))
            _LOGGER.warning("%s", said)

    # -- the index at start ------------------------------------------------------------

    async def reconcile(self) -> None:
        """Once at start: sidecars an older hub wrote go into the index
        (renamed *.json.imported), files with no row (taken while the
        database was away when the hub died) are indexed from the disk, rows
        whose file is gone are removed, and clip leftovers of a crash go."""
        recorder = self.hub.recorder
        if not recorder.running:
            return
        try:
            known = await recorder.media.paths()
            found = await asyncio.to_thread(_scan, self.root, time.time())
            sidecars = [record for record, _ in found.sidecars]
            await recorder.media.add_now(sidecars, update=False)
            orphans = [r for r in found.unindexed if r["path"] not in known]
            await recorder.media.add_now(orphans, update=False)
            gone = [p for p in known if Path(p).is_relative_to(self.root) and p not in found.paths]
            await recorder.media.remove(gone)
        except Exception as err:  # the hub runs on; retention walks the folder meanwhile
            self._index_unavailable(err)
            return
        await asyncio.to_thread(_mark_imported, [path for _, path in found.sidecars])
        if sidecars or orphans or gone:
            said = i18n.t(
                "media.index_reconciled",
                self.hub.console_language,
                imported=len(sidecars),
                found=len(orphans),
                gone=len(gone),
                folder=self.root,
            )
            _LOGGER.info("%s", said)

    # -- retention ---------------------------------------------------------------------

    async def enforce_retention(self) -> list[str]:
        """Delete files older than max_age_days, then the oldest until the
        folder is under max_size_mb. Returns the deleted paths. The index
        says which; while the recorder's database is away, the folder is
        walked as before the index (by the files' times)."""
        max_age = self.settings["max_age_days"] * 86400
        max_size = self.settings["max_size_mb"] * 1024 * 1024
        recorder = self.hub.recorder
        if recorder.running:
            try:
                before = time.time() - max_age if max_age else None
                expired = await recorder.media.expired(before, max_size)
                # only under the media folder: a row of a folder since moved is only a row
                ours = [p for p in expired if Path(p).is_relative_to(self.root)]
                deleted = await asyncio.to_thread(_delete, ours)
                await recorder.media.remove(expired)
            except Exception as err:
                self._index_unavailable(err)
            else:
                self._index_said = False
                return deleted
        return await asyncio.to_thread(_retention, self.root, max_age, max_size)

    async def retention_loop(self) -> None:
        await self.reconcile()
        while True:
            deleted = await self.enforce_retention()
            self.first_retention_done.set()
            if deleted:
                _LOGGER.info("media retention removed %d files", len(deleted))
            await self.hub.clock.sleep(self.settings["retention_interval"])


class Ring:
    """A camera's pre-roll: ffmpeg copies the stream into a ring of short
    segments; a clip takes the finished segments from before the request
    and waits for the ones after it. One RTSP connection per camera."""

    def __init__(self, room: MediaRoom, camera: Camera, pre_roll: float) -> None:
        self.room = room
        self.camera = camera
        self.pre_roll = pre_roll
        self.segment = room.settings["segment_seconds"]
        # enough segments for the pre-roll, plus slack while a clip copies them
        self.wrap = math.ceil(pre_roll / self.segment) + 4
        self.dir = room.root / RING_DIR / camera.id
        self.proc: asyncio.subprocess.Process | None = None
        self.task: asyncio.Task[None] | None = None
        self.running = False
        self.log = logging.getLogger(f"{__name__}.ring")

    async def run(self) -> None:
        delay = 1.0
        while True:
            url = self.camera.stream_url
            if not url:  # some cameras learn it only after they connect
                await self.camera.hub.clock.sleep(1.0)
                continue
            await asyncio.to_thread(_fresh_dir, self.dir)
            full = ffmpeg.with_credentials(url, self.camera.username, self.camera.password)
            args = ffmpeg.ring_args(
                full, str(self.dir / "seg%03d.ts"), self.segment, self.wrap,
                self.room.settings["rtsp_timeout"],
            )  # fmt: skip
            self.proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            started = time.monotonic()  # how long the real ffmpeg process ran
            self.running = True
            try:
                _, err = await self.proc.communicate()
            finally:
                self.running = False
                await ffmpeg.reap(self.proc, grace=2.0)
            if time.monotonic() - started > 60:
                delay = 1.0
            last = err.decode(errors="replace").strip().splitlines()[-1:] or ["ended"]
            said = i18n.t(
                "media.pre_roll_stopped", self.camera.hub.console_language,
                entity_id=self.camera.entity_id, error=last[0].replace(full, "<stream>"),
                seconds=f"{delay:.0f}",
            )  # fmt: skip
            self.log.warning("%s", said)
            await self.camera.hub.clock.sleep(delay)
            delay = min(delay * 2, 60.0)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        if self.proc is not None:
            await ffmpeg.reap(self.proc, grace=2.0)

    def _finished(self) -> list[tuple[float, Path]]:
        """Finished segments as (mtime, path), oldest first (the newest is
        still being written)."""
        try:
            files = [(p.stat().st_mtime, p) for p in self.dir.glob("seg*.ts")]
        except FileNotFoundError:
            return []
        files.sort()
        return files[:-1]

    async def clip(self, seconds: float, path: Path) -> dict[str, Any]:
        asked = time.time()
        work = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="clip-", dir=self.dir.parent))
        try:
            taken: dict[Path, float] = {}  # ring file -> its mtime when copied
            copies: list[Path] = []

            def take(items: list[tuple[float, Path]]) -> None:
                for mtime, src in items:
                    if taken.get(src) == mtime:
                        continue
                    taken[src] = mtime
                    dst = work / f"{len(copies):04d}.ts"
                    shutil.copyfile(src, dst)
                    copies.append(dst)

            before = [f for f in self._finished() if f[0] <= asked]
            need = math.ceil(self.pre_roll / self.segment)
            pre = before[-need:] if need else []
            start_of_first = (
                before[-need - 1][0]
                if len(before) > need
                else (pre[0][0] - self.segment if pre else asked)
            )
            await asyncio.to_thread(take, pre)
            deadline = asked + seconds + self.segment * 3 + self.room.settings["rtsp_timeout"]
            while True:
                after = [f for f in self._finished() if f[0] > asked]
                await asyncio.to_thread(take, after)
                if after and after[-1][0] >= asked + seconds:
                    break
                if time.time() > deadline:
                    raise DeviceError(
                        i18n.Text("media.ring_stopped", entity_id=self.camera.entity_id)
                    )
                await asyncio.sleep(0.2)
            listing = work / "list.txt"
            await asyncio.to_thread(listing.write_text, "".join(f"file '{c}'\n" for c in copies))
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            await ffmpeg.run(
                ffmpeg.concat_args(str(listing), str(path)),
                self.room.settings["ffmpeg_limit"] + seconds,
                what=f"{self.camera.entity_id} clip",
            )
            return {
                "starts_at": start_of_first,
                "asked_at": asked,
                "pre_roll": asked - start_of_first,
            }
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)


async def _jpeg(resp: aiohttp.ClientResponse, camera: Camera) -> bytes:
    if resp.status != 200:
        raise DeviceError(
            i18n.Text("media.http_status", entity_id=camera.entity_id, status=resp.status)
        )
    body = await resp.read()
    if not body.startswith(b"\xff\xd8"):
        raise DeviceError(i18n.Text("media.not_jpeg", entity_id=camera.entity_id))
    return body


def _reason(err: BaseException) -> str:
    if isinstance(err, TimeoutError):
        return i18n.Text("media.timed_out")
    return i18n.message(err) or type(err).__name__


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


def _partial(path: Path) -> Path:
    """Where ffmpeg writes a clip until it is whole (one a crash left is aged out)."""
    return path.with_name(f".{path.name}.part")


def _discard(*paths: Path) -> None:
    """A media file that could not be finished goes (with an old sidecar)."""
    for path in paths:
        path.unlink(missing_ok=True)
        if not path.name.startswith("."):
            path.with_suffix(".json").unlink(missing_ok=True)


def _disk_reason(err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return i18n.Text("media.disk_full")
    return i18n.message(err) or type(err).__name__


def _fresh_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)


def _unlink(path: Path) -> None:
    """A media file, and what an older hub kept beside it (its sidecar)."""
    path.unlink(missing_ok=True)
    sidecar = path.with_suffix(".json")
    sidecar.unlink(missing_ok=True)
    sidecar.with_name(sidecar.name + IMPORTED).unlink(missing_ok=True)


def _delete(paths: list[str]) -> list[str]:
    for path in paths:
        _unlink(Path(path))
    return paths


IMPORTED = ".imported"
# a clip's partial file older than this was left by a crash
_STALE_PARTIAL = 3600.0
_KINDS = {".jpg": "snapshot", ".jpeg": "snapshot", ".mp4": "clip"}


@dataclass(slots=True)
class _Scan:
    paths: set[str] = field(default_factory=set)
    sidecars: list[tuple[dict[str, Any], Path]] = field(default_factory=list)
    unindexed: list[dict[str, Any]] = field(default_factory=list)


def _scan(root: Path, now: float) -> _Scan:
    """The media folder as it is: every file, the sidecars to import, and
    a row for each file from its name and times (camera = its folder)."""
    found = _Scan()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if here == root and RING_DIR in dirnames:
            dirnames.remove(RING_DIR)
        for name in filenames:
            path = here / name
            if name.startswith(".") and name.endswith(".part"):
                try:
                    if now - path.stat().st_mtime > _STALE_PARTIAL:
                        path.unlink(missing_ok=True)
                except FileNotFoundError:
                    pass
                continue
            kind = _KINDS.get(path.suffix.lower())
            if kind is None:
                continue  # a sidecar (read with its file), or not ours
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            found.paths.add(str(path))
            sidecar = path.with_suffix(".json")
            record = _read_sidecar(sidecar, path) if sidecar.exists() else None
            if record is not None:
                found.sidecars.append((record, sidecar))
                continue
            camera = path.relative_to(root).parts[0] if path.parent != root else None
            found.unindexed.append(
                {
                    "path": str(path),
                    "kind": kind,
                    "entity_id": f"camera.{camera}" if camera else None,
                    "size": st.st_size,
                    "taken_at": st.st_mtime,
                }
            )
    return found


def _read_sidecar(sidecar: Path, path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    return {**record, "path": str(path)}  # the file where it is now (a folder moved)


def _mark_imported(sidecars: list[Path]) -> None:
    for sidecar in sidecars:
        with contextlib.suppress(OSError):
            os.replace(sidecar, sidecar.with_name(sidecar.name + IMPORTED))


def _retention(root: Path, max_age: float, max_size: float) -> list[str]:
    files: list[tuple[float, int, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        if Path(dirpath) == root and RING_DIR in dirnames:
            dirnames.remove(RING_DIR)
        for name in filenames:
            if name.endswith((".json", ".json" + IMPORTED)):
                continue  # a sidecar goes with its file
            p = Path(dirpath) / name
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            files.append((st.st_mtime, st.st_size, p))
    files.sort()
    now = time.time()
    total = sum(size for _, size, _ in files)
    deleted: list[str] = []
    for mtime, size, p in files:
        if max_age and now - mtime <= max_age and total <= max_size:
            break
        if not max_age and total <= max_size:
            break
        _unlink(p)
        total -= size
        deleted.append(str(p))
    return deleted


# -- the room as a core plugin ---------------------------------------------------------

MEDIA: HubKey[MediaRoom] = HubKey("media")

# why footage is taken, for its audit record: an alarm, or a reason given
_WHY = {
    vol.Optional("reason"): vol.All(str, vol.Length(max=500)),
    vol.Optional("alarm_id"): vol.All(str, vol.Length(max=100)),
}
_SNAPSHOT_SCHEMA = {**TARGET, **_WHY}
_CLIP_SCHEMA = {
    **TARGET,
    **_WHY,
    vol.Optional("duration", default=10): vol.All(vol.Coerce(float), vol.Range(min=1)),
    vol.Optional("pre_roll", default=True): bool,
}


async def picture_for_alert(hub: Hub, entity_id: str, context: Context) -> bytes:
    """A snapshot of one camera for an alert, saved like any other, as
    bytes; raises DeviceError saying why there is none."""
    path = await picture_path_for_alert(hub, entity_id, context)
    return await asyncio.to_thread(Path(path).read_bytes)


async def picture_path_for_alert(hub: Hub, entity_id: str, context: Context) -> str:
    """The file of a snapshot of one camera for an alert (notify.send
    `snapshot:`; the outbox keeps paths, never bytes), saved like any other;
    raises DeviceError saying why there is none."""
    room = hub.data.get(MEDIA)
    camera = hub.devices.get(entity_id)
    if room is None or not isinstance(camera, Camera):
        raise DeviceError(
            i18n.Text("entity.not_configured", entity_id=entity_id, kind=kind("camera"))
        )
    record = await room.snapshot(camera, context)
    return str(record.path)


def _why(call: ServiceCall) -> dict[str, Any]:
    return {key: call.data.get(key) for key in ("reason", "alarm_id")}


def _cameras(hub: Hub, call: ServiceCall) -> list[Camera]:
    return [d for d in hub.devices.resolve("camera", call.data) if isinstance(d, Camera)]


async def _each_camera(cameras: list[Camera], act: Any) -> dict[str, Any]:
    """Act on every camera at once: a dead camera only fails its own entry."""
    results = await asyncio.gather(*(act(c) for c in cameras), return_exceptions=True)
    files: dict[str, str] = {}
    errors: dict[str, str] = {}  # the reason, a Text when it has one
    for camera, result in zip(cameras, results, strict=True):
        if isinstance(result, MediaFile):
            files[camera.entity_id] = result.path
        elif isinstance(result, Exception):
            errors[camera.entity_id] = _reason(result)
        elif isinstance(result, BaseException):
            raise result
    if not files:
        raise DeviceError(i18n.Text("media.all_failed", errors=list(errors.values())))
    return {"files": files, "errors": errors}


@hookimpl
def sigap_config_schema(hub: Hub) -> Mapping[str, Any]:
    return {"media": MEDIA_SCHEMA}


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        room = MediaRoom(hub, hub.config.get("media") or {})
        await room.start()
        hub.data[MEDIA] = room

        async def snapshot(call: ServiceCall) -> dict[str, Any]:
            why = _why(call)
            return await _each_camera(
                _cameras(hub, call), lambda c: room.snapshot(c, call.context, why)
            )

        async def record_clip(call: ServiceCall) -> dict[str, Any]:
            seconds, pre = call.data["duration"], call.data["pre_roll"]
            return await _each_camera(
                _cameras(hub, call),
                lambda c: room.record_clip(c, seconds, call.context, pre_roll=pre, why=_why(call)),
            )

        def devices_started(_event: Any) -> None:
            room.start_rings()
            hub.create_task(room.retention_loop(), "media retention")

        undo = [
            # staff on duty may ask for a picture of their own building
            hub.services.register(
                "camera", "snapshot", snapshot, _SNAPSHOT_SCHEMA, permission="view"
            ),
            hub.services.register(
                "camera", "record_clip", record_clip, _CLIP_SCHEMA, permission="control"
            ),
            hub.bus.listen("hub.started", devices_started, owner="hub.core.media"),
        ]
        try:
            yield
        finally:
            for u in undo:
                u()
            await room.stop()

    return lifespan()
