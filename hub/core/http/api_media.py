"""/api/cameras/{entity_id}/...: snapshots and clips, served only to those
who may see the camera.

Footage is confidential (Perwali 25/2019): every file shown is an audit
record (the media room's `viewed`) naming who saw which file, when and why.
The reason is required: `?reason=` or the `X-Sigap-Reason` header (at
most 500 characters), optionally with the alarm it is for (`alarm_id`).
Without a running recorder nothing is shown, since nothing could be
recorded. A snapshot is the latest one taken (`?new=1`: a new one, taken
as the caller through `camera.snapshot`); looked at for an alarm
(`alarm_id`), it is the picture taken when that alarm was raised, as the
alarm's messages carried it (the latest when the alarm has none of this
camera); the `X-Sigap-Snapshot` header says which (`alarm`, `latest`,
`new`). A clip is named as the hub saved it, and only that camera's folder
is ever read.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from ..alarms import ALARMS
from ..i18n import Text
from ..media import MEDIA, MediaRoom
from ..permissions import denied_read
from ..platform import Camera
from .api_base import Refused, Routes
from .openapi import ApiRoute, header, obj, operation, query

REASON_HEADER = "X-Sigap-Reason"
MAX_REASON = 500
MAX_CLIPS = 500
# how the media room names a clip: <camera id>_<YYYYmmdd>-<HHMMSS>-<ms>.mp4
_CLIP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}_(\d{8})-\d{6}-\d{3}\.mp4$")
_WHY = [
    query("reason", "why the footage is looked at (required, or the header)", maxLength=500),
    header(REASON_HEADER, "why the footage is looked at (instead of ?reason=)"),
    query("alarm_id", "the alarm it is looked at for (its picture)", maxLength=100),
]
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class MediaRoutes(Routes):
    def api_routes(self) -> list[ApiRoute]:
        return [
            self.route(
                "GET",
                "/api/cameras/{entity_id}/snapshot",
                self.snapshot,
                operation(
                    "The camera's latest snapshot, the one taken at an alarm's raise (alarm_id) "
                    "or a new one (X-Sigap-Snapshot says which); audited with its reason",
                    "cameras",
                    params=[*_WHY, query("new", "1: take a new one now", enum=["0", "1"])],
                    media="image/jpeg",
                    result={"type": "string", "contentMediaType": "image/jpeg"},
                    errors=[400, 404, 409, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/cameras/{entity_id}/clips",
                self.clips,
                operation(
                    "The camera's saved clips, newest first",
                    "cameras",
                    result={"type": "array", "items": obj()},
                    errors=[404, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/cameras/{entity_id}/clips/{name}",
                self.clip,
                operation(
                    "One clip file; audited with its reason",
                    "cameras",
                    params=_WHY,
                    media="video/mp4",
                    result={"type": "string", "contentMediaType": "video/mp4"},
                    errors=[400, 404, 503],
                ),
            ),
        ]

    def _camera(self, request: web.Request) -> tuple[Camera, MediaRoom]:
        entity_id = request.match_info["entity_id"]
        camera = self.hub.devices.get(entity_id)
        state = self.hub.states.get(entity_id)
        if state is not None and not self.hub.policy.may_read(self.context(request), state):
            raise denied_read(self.context(request), entity_id)
        if not isinstance(camera, Camera) or state is None:
            raise Refused(404, "not_found", Text("api.no_entity", entity_id=entity_id))
        room = self.hub.data.get(MEDIA)
        if room is None:
            raise Refused(503, "media_off", Text("api.media_off"))
        return camera, room

    def _why(self, request: web.Request) -> dict[str, Any]:
        reason = (request.query.get("reason") or request.headers.get(REASON_HEADER) or "").strip()
        if not reason:
            raise Refused(400, "reason_needed", Text("api.reason_needed", header=REASON_HEADER))
        if len(reason) > MAX_REASON:
            raise Refused(400, "bad_query", Text("api.reason_too_long", most=MAX_REASON))
        alarm_id = request.query.get("alarm_id") or None
        if alarm_id is not None and len(alarm_id) > 100:
            raise Refused(400, "bad_query", Text("api.bad_alarm_id"))
        return {"reason": reason, "alarm_id": alarm_id}

    async def _serve(
        self, request: web.Request, kind: str, camera: Camera, room: MediaRoom, path: Path, why: Any
    ) -> web.StreamResponse:
        if not room.viewed(kind, camera, path, self.context(request), why):
            raise Refused(503, "recorder_off", Text("api.recorder_off"))
        return web.FileResponse(path, headers=_NO_STORE)

    async def snapshot(self, request: web.Request) -> web.StreamResponse:
        camera, room = self._camera(request)
        why = self._why(request)
        self.recorder()  # nothing is shown (or taken for showing) that cannot be audited
        if request.query.get("new") == "1":
            taken = await self.call(
                request,
                "camera",
                "snapshot",
                {"entity_id": camera.entity_id, **{k: v for k, v in why.items() if v}},
            )
            files = (taken or {}).get("files") or {}
            path = Path(files[camera.entity_id]) if camera.entity_id in files else None
            which = "new"
        else:
            path, which = await self._of_alarm(room, camera, why["alarm_id"]), "alarm"
            if path is None:
                path = await asyncio.to_thread(_latest, room, camera, "jpg")
                which = "latest"
        if path is None:
            raise Refused(404, "no_snapshot", Text("api.no_snapshot", entity_id=camera.entity_id))
        response = await self._serve(request, "snapshot", camera, room, path, why)
        response.headers["X-Sigap-Snapshot"] = which
        return response

    async def _of_alarm(self, room: MediaRoom, camera: Camera, alarm_id: str | None) -> Path | None:
        """The picture of this camera taken when the alarm was raised, if it
        still exists (retention may have removed it)."""
        if alarm_id is None:
            return None
        manager = self.hub.data.get(ALARMS)
        alarm = manager.open.get(alarm_id) if manager is not None else None
        # an open alarm's record is the manager's; a closed one's, the recorder's
        record = alarm.record if alarm is not None else await self.recorder().alarms.get(alarm_id)
        taken = ((record or {}).get("snapshots") or {}).get(camera.entity_id)
        if not isinstance(taken, str):
            return None
        path = Path(taken)
        # only ever a file of this camera's folder, whatever the record says
        if not path.is_relative_to(_folder(room, camera)) or ".." in path.parts:
            return None
        return path if await asyncio.to_thread(path.is_file) else None

    async def clips(self, request: web.Request) -> web.Response:
        camera, room = self._camera(request)
        indexed = await _indexed_clips(room, camera)
        return web.json_response(await asyncio.to_thread(_clips, room, camera, indexed))

    async def clip(self, request: web.Request) -> web.StreamResponse:
        camera, room = self._camera(request)
        why = self._why(request)
        name = request.match_info["name"]
        path = _clip_path(room, camera, name)
        if path is None or not await asyncio.to_thread(path.is_file):
            raise Refused(404, "not_found", Text("api.no_clip", name=name))
        return await self._serve(request, "clip", camera, room, path, why)


def _folder(room: MediaRoom, camera: Camera) -> Path:
    return room.root / camera.id


def _latest(room: MediaRoom, camera: Camera, ext: str) -> Path | None:
    """The newest file of the camera: the room's recent list first, else its
    folder (the days' folders are named so that the last sorts newest)."""
    for record in reversed(room.recent):
        if record.entity_id == camera.entity_id and record.path.endswith("." + ext):
            if Path(record.path).is_file():
                return Path(record.path)
    folder = _folder(room, camera)
    if not folder.is_dir():
        return None
    for day in sorted((d for d in folder.iterdir() if d.is_dir()), reverse=True):
        files = sorted(day.glob(f"*.{ext}"), reverse=True)
        if files:
            return files[0]
    return None


async def _indexed_clips(room: MediaRoom, camera: Camera) -> dict[str, dict[str, Any]]:
    """The camera's clips in the media index, by path; none while the
    recorder's database is away (the folder alone then, without times)."""
    recorder = room.hub.recorder
    if not recorder.running:
        return {}
    try:
        rows = await recorder.media.of_camera(camera.entity_id)
    except Exception:
        return {}
    return {row["path"]: row for row in rows if row["kind"] == "clip"}


def _clips(
    room: MediaRoom, camera: Camera, indexed: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    folder = _folder(room, camera)
    found: list[dict[str, Any]] = []
    if not folder.is_dir():
        return found
    for day in sorted((d for d in folder.iterdir() if d.is_dir()), reverse=True):
        for path in sorted(day.glob("*.mp4"), reverse=True):
            item: dict[str, Any] = {"name": path.name, "size": path.stat().st_size}
            row = indexed.get(str(path))
            if row is not None:
                item["created_at"] = row["taken_at"]
                item["seconds"] = (row["extra"] or {}).get("seconds")
            found.append(item)
            if len(found) >= MAX_CLIPS:
                return found
    return found


def _clip_path(room: MediaRoom, camera: Camera, name: str) -> Path | None:
    """Where a clip of this name lives, or None for a name the room never gives."""
    match = _CLIP_NAME.match(name)
    if match is None or not name.startswith(camera.id + "_"):
        return None
    day = match.group(1)
    return _folder(room, camera) / f"{day[:4]}-{day[4:6]}-{day[6:]}" / name
