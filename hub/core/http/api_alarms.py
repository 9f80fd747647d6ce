"""/api/alarms and /api/sites/{site}/arming: the alarm queue and each
site's panels, as the Command Center and the staff on duty use them.

Alarms are read from the recorder (open and closed alike) and shown only
to those who may view the alarm's site; acknowledging and closing go
through the alarm services as the caller, so the alarm room checks the
site (within an API token's sites too) and writes who did it. Arming calls
the `alarm_control_panel` services with the code the caller gives; the
panel decides, the API only finds the site's panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from aiohttp import web

from ..eventdata import json_safe
from ..i18n import Text
from .api import state_json
from .api_base import Refused, Routes
from .openapi import ApiRoute, obj, operation, query

PANEL_DOMAIN = "alarm_control_panel"
ALARM_STATES = ("raised", "notified", "acknowledged", "closed")
PRIORITIES = ("low", "medium", "high", "critical")
# what the arming route's `mode` may be, and the panel service that does it
ARMING_SERVICES = {
    "armed_home": "arm_home",
    "armed_night": "arm_night",
    "armed_away": "arm_away",
    "disarmed": "disarm",
}

MAX_NOTE = 2000  # characters: a note goes to every recipient's messenger
_NOTE = {"note": {"type": "string", "maxLength": MAX_NOTE}}
_ALARM = obj(
    {
        "id": {"type": "string"},
        "site": {"type": ["string", "null"]},
        "priority": {"type": "string", "enum": list(PRIORITIES)},
        "state": {"type": "string", "enum": list(ALARM_STATES)},
        "title": obj(),
        "raised_at": {"type": "number"},
    }
)


class AlarmRoutes(Routes):
    def api_routes(self) -> list[ApiRoute]:
        return [
            self.route(
                "GET",
                "/api/alarms",
                self.list_alarms,
                operation(
                    "Alarms of the sites the caller may view, newest first",
                    "alarms",
                    params=[
                        query("site", "only these sites (comma-separated)"),
                        query("state", "raised, notified, acknowledged, closed or open"),
                        query("priority", "low, medium, high, critical (comma-separated)"),
                        query("since", "raised at or after (Unix seconds)", "number"),
                        query("until", "raised before (Unix seconds)", "number"),
                        query("limit", "at most this many (1-1000, default 100)", "integer"),
                    ],
                    result={"type": "array", "items": _ALARM},
                    errors=[400, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/alarms/{alarm_id}",
                self.one_alarm,
                operation(
                    "One alarm with its history (who did what, when)",
                    "alarms",
                    result=obj({"alarm": _ALARM, "history": {"type": "array"}}),
                    errors=[404, 503],
                ),
            ),
            self.route(
                "POST",
                "/api/alarms/{alarm_id}/acknowledge",
                self.acknowledge,
                operation(
                    "Acknowledge an alarm as the caller (Terima)",
                    "alarms",
                    body=obj(_NOTE, additionalProperties=False),
                    result=obj({"alarm_id": {"type": "string"}, "acknowledged": {}}),
                    errors=[400, 404, 409, 503],
                ),
            ),
            self.route(
                "POST",
                "/api/alarms/{alarm_id}/close",
                self.close,
                operation(
                    "Close an alarm with a note, as the caller",
                    "alarms",
                    body=obj(_NOTE, additionalProperties=False),
                    result=obj({"alarm_id": {"type": "string"}, "closed": {}}),
                    errors=[400, 404, 409, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/sites/{site}/arming",
                self.arming,
                operation(
                    "The site's alarm panels and their states",
                    "arming",
                    result=obj({"site": {"type": "string"}, "panels": {"type": "array"}}),
                    errors=[404],
                ),
            ),
            self.route(
                "POST",
                "/api/sites/{site}/arming",
                self.set_arming,
                operation(
                    "Arm or disarm the site's panel (with its code, or a role that may arm)",
                    "arming",
                    body=obj(
                        {
                            "mode": {"type": "string", "enum": list(ARMING_SERVICES)},
                            "code": {"type": "string", "maxLength": 64},
                            "entity_id": {"type": "string"},
                        },
                        required=["mode"],
                        additionalProperties=False,
                    ),
                    body_required=True,
                    result=obj({"site": {"type": "string"}, "panels": {"type": "array"}}),
                    errors=[400, 404, 409],
                ),
            ),
        ]

    # -- the queue -------------------------------------------------------------------

    async def list_alarms(self, request: web.Request) -> web.Response:
        context = self.context(request)
        sites = self.listed(request, "site")
        states = self.listed(request, "state")
        priorities = self.listed(request, "priority")
        for given, known, name in (
            (states, (*ALARM_STATES, "open"), "state"),
            (priorities, PRIORITIES, "priority"),
        ):
            unknown = sorted(given - set(known))
            if unknown:
                raise Refused(
                    400,
                    "bad_query",
                    Text("api.unknown_value", name=name, value=unknown[0], known=", ".join(known)),
                )
        # the sites the caller may view go into the query, so `limit` counts
        # only what is shown (and no request reads the whole table)
        visible: list[str | None] = [
            site.id for site in self.hub.sites if self.may(context, site.id, "view")
        ]
        if self.may(context, None, "view"):
            visible.append(None)
        scope: list[str | None] | None = visible
        if len(visible) == len(self.hub.sites) + 1:
            scope = None  # every site's, and those of sites since taken out of the config
        if sites:
            scope = [s for s in (sites if scope is None else scope) if s in sites]
        wanted = (states - {"open"}) | (set(ALARM_STATES[:3]) if "open" in states else set())
        records = await self.recorder().alarms.find(
            sites=scope,
            states=sorted(wanted),
            priorities=sorted(priorities),
            since=self.number(request, "since"),
            until=self.number(request, "until"),
            limit=self.limit(request),
        )
        return web.json_response([alarm_json(record) for record in records])

    async def _visible(self, request: web.Request) -> dict[str, Any]:
        alarm_id = request.match_info["alarm_id"]
        record = await self.recorder().alarms.get(alarm_id)
        if record is None:
            raise Refused(404, "not_found", Text("alarm.not_found", alarm_id=alarm_id))
        self.require(self.context(request), record.get("site"), "view")
        return record

    async def one_alarm(self, request: web.Request) -> web.Response:
        record = await self._visible(request)
        history = await self.recorder().alarms.history(record["id"])
        return web.json_response({"alarm": alarm_json(record), "history": history_json(history)})

    async def acknowledge(self, request: web.Request) -> web.Response:
        return await self._answer(request, "acknowledge")

    async def close(self, request: web.Request) -> web.Response:
        return await self._answer(request, "close")

    async def _answer(self, request: web.Request, service: str) -> web.Response:
        body = await self.json_object(request)
        unknown = sorted(set(body) - {"note"})
        if unknown:
            raise Refused(400, "invalid_data", Text("api.unknown_key", key=unknown[0]))
        note = body.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            raise Refused(400, "invalid_data", Text("api.bad_note", most=MAX_NOTE), keys=["note"])
        record = await self._visible(request)
        data: dict[str, Any] = {"alarm_id": record["id"]}
        if note is not None:
            data["note"] = note
        response = await self.call(request, "alarm", service, data)
        return web.json_response(json_safe(response))

    # -- arming ----------------------------------------------------------------------

    def _panels(self, request: web.Request) -> tuple[str, list[Any]]:
        site = request.match_info["site"]
        if self.hub.sites.get(site) is None:
            raise Refused(404, "not_found", Text("api.no_site", site=site))
        self.require(self.context(request), site, "view")
        panels = [s for s in self.hub.states.all(PANEL_DOMAIN) if self.site_of(s.entity_id) == site]
        context = self.context(request)
        return site, [s for s in panels if self.hub.policy.may_read(context, s)]

    async def arming(self, request: web.Request) -> web.Response:
        site, panels = self._panels(request)
        return web.json_response({"site": site, "panels": [state_json(s) for s in panels]})

    async def set_arming(self, request: web.Request) -> web.Response:
        body = await self.json_object(request)
        site, panels = self._panels(request)
        mode = body.get("mode")
        if mode not in ARMING_SERVICES:
            raise Refused(
                400,
                "invalid_data",
                Text(
                    "api.unknown_value",
                    name="mode",
                    value=str(mode),
                    known=", ".join(ARMING_SERVICES),
                ),
            )
        unknown = sorted(set(body) - {"mode", "code", "entity_id"})
        if unknown:
            raise Refused(400, "invalid_data", Text("api.unknown_key", key=unknown[0]))
        wanted = body.get("entity_id")
        chosen = [p for p in panels if wanted is None or p.entity_id == wanted]
        if not chosen:
            raise Refused(404, "not_found", Text("api.no_panel", site=site))
        if wanted is None and len(chosen) > 1:
            raise Refused(400, "invalid_data", Text("api.which_panel", site=site))
        data: dict[str, Any] = {"entity_id": chosen[0].entity_id}
        if body.get("code") is not None:
            data["code"] = body["code"]
        await self.call(request, PANEL_DOMAIN, ARMING_SERVICES[mode], data)
        _, panels = self._panels(request)
        return web.json_response({"site": site, "panels": [state_json(s) for s in panels]})


def alarm_json(record: Mapping[str, Any]) -> dict[str, Any]:
    """An alarm's record as the API shows it: plain JSON, secrets masked,
    without the manager's own bookkeeping."""
    shown = {k: v for k, v in record.items() if k not in ("deadlines",)}
    if isinstance(shown.get("snapshots"), Mapping):
        shown["snapshots"] = _file_names(shown["snapshots"])
    return json_safe(shown)  # type: ignore[no-any-return]


def _file_names(files: Mapping[str, Any]) -> dict[str, Any]:
    """The raise's pictures by camera, named by file only: where the hub
    keeps its media is none of a caller's business (the picture itself is
    GET /api/cameras/<camera>/snapshot?alarm_id=, audited)."""
    return {
        camera: PurePath(path).name if isinstance(path, str) else None
        for camera, path in files.items()
    }


def history_json(history: list[Mapping[str, Any]]) -> Any:
    """An alarm's history as the API shows it: the snapshots step's files by name."""
    shown = []
    for step in history:
        data = step.get("data")
        if step.get("kind") == "snapshots" and isinstance(data, Mapping):
            files = data.get("files")
            if isinstance(files, Mapping):
                step = {**step, "data": {**data, "files": _file_names(files)}}
        shown.append(step)
    return json_safe(shown)
