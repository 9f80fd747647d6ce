"""GET /api/cameras/{entity_id}/live: a camera's live view as MJPEG
(`multipart/x-mixed-replace`, which an <img> plays), for those who may see
that camera; `?reason=` goes into the audit record of the view."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from ..i18n import Text
from ..live import LIVE, LiveRefused, LiveViews
from ..permissions import PermissionDenied
from ..platform import Camera
from .api_errors import json_error, language_of
from .auth import CONTEXT, Auth
from .openapi import ApiRoute, operation, query

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger(__name__)

BOUNDARY = "sigapframe"
PATH = "/api/cameras/{entity_id}/live"


class LiveRoute:
    def __init__(self, hub: Hub, auth: Auth) -> None:
        self.hub = hub
        self.auth = auth

    def api_routes(self) -> list[ApiRoute]:
        """The route and its OpenAPI spec (make_app registers it and puts
        `views` in the app's cleanup contexts)."""
        spec = operation(
            "The camera's live view as MJPEG; audited with its reason",
            "cameras",
            params=[query("reason", "why the camera is watched", maxLength=200)],
            media=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
            result={"type": "string"},
            errors=[404, 503],
        )
        return [ApiRoute("GET", PATH, self.live, spec)]

    async def views(self, app: web.Application):  # type: ignore[no-untyped-def]
        # the ffmpeg processes live as long as the app that serves them
        views = self.hub.data[LIVE] = LiveViews(self.hub, self.hub.config.get("media") or {})
        yield
        if self.hub.data.get(LIVE) is views:
            self.hub.data.pop(LIVE)
        await views.close()

    def _lang(self, request: web.Request) -> str:
        person = self.auth.person(request.get(CONTEXT))
        return language_of(request, person.language if person else None, self.hub.language)

    async def live(self, request: web.Request) -> web.StreamResponse:
        entity_id = request.match_info["entity_id"]
        context = request[CONTEXT]
        try:
            state = self.hub.states.read(entity_id, context)
        except PermissionDenied as err:
            said = err.args[0] if isinstance(err.args[0], Text) else Text("auth.error.unauthorized")
            return self.auth.refuse(
                request, 403, "forbidden", said, context=context, entity_id=entity_id
            )
        camera = self.hub.devices.get(entity_id)
        if state is None or not isinstance(camera, Camera):
            said = Text("api.no_entity", entity_id=entity_id)
            return json_error(404, "not_found", said, self._lang(request))
        reason = request.query.get("reason", "")[:200] or None
        try:
            async with self.hub.data[LIVE].watch(camera, context, reason) as frames:
                response = web.StreamResponse(
                    headers={
                        "Content-Type": f"multipart/x-mixed-replace; boundary={BOUNDARY}",
                        "Cache-Control": "no-store",
                        "X-Content-Type-Options": "nosniff",
                    }
                )
                await response.prepare(request)
                try:
                    while (frame := await frames.get()) is not None:
                        head = (
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                            f"Content-Length: {len(frame)}\r\n\r\n"
                        ).encode()
                        await response.write(head + frame + b"\r\n")
                except ConnectionError:
                    pass  # the viewer went away: leaving the watch lets them go
                return response
        except LiveRefused as refused:
            status = 404 if not camera.stream_url else 503
            code = "no_stream" if status == 404 else "too_many_live_views"
            return json_error(status, code, refused.args[0], self._lang(request))
