"""What the hub remembers and how it is doing: an entity's history and the
audit trail from the recorder, the automations and their last traces,
firing an event, and the health of plugins and devices.

Who reads what: an entity's history, whoever may see the entity; the audit
trail, the auditors (admins: of every site, or of the site they ask for);
automations and traces, whoever views every site (the Command Center: a
trace holds what the run saw, of any building); plugin faults likewise,
while each device's availability is shown to whoever may see it. Firing an
event is an admin's (of the site its data names), or the action that
`http.event_permissions` gives its type (`panic.pressed: control`).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ..eventdata import json_safe
from ..i18n import Text, render
from .api_base import Refused, Routes
from .openapi import ApiRoute, obj, operation, query

# event types the hub and its rooms fire; from outside they would be lies
RESERVED_EVENTS = re.compile(
    r"^(state_changed|call_service|hub\..*|alarm\..*|automation\..*|recorder\..*)$"
)
# GET /api/events reads this many times the limit (some rows are of sites the
# caller may not see), at most MAX_EVENTS_READ rows
EVENT_READ_AHEAD = 5
MAX_EVENTS_READ = 5000
EVENT_TYPE = re.compile(r"^[a-z0-9_]{1,64}(\.[a-z0-9_]{1,64}){0,4}$")

_RANGE = [
    query("since", "at or after (Unix seconds)", "number"),
    query("until", "before (Unix seconds)", "number"),
    query("limit", "at most this many (1-1000, default 100)", "integer"),
]


class RecordRoutes(Routes):
    def api_routes(self) -> list[ApiRoute]:
        return [
            self.route(
                "GET",
                "/api/history/{entity_id}",
                self.history,
                operation(
                    "An entity's recorded states, oldest first",
                    "records",
                    params=_RANGE,
                    result={"type": "array", "items": obj()},
                    errors=[400, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/audit",
                self.audit,
                operation(
                    "The audit trail (auditors: admins), oldest first",
                    "records",
                    params=[
                        query("alarm_id", "records of one alarm"),
                        query("entity_id", "records of one entity (a camera)"),
                        query("person", "records of one person (who)"),
                        query("site", "records of one site"),
                        *_RANGE,
                    ],
                    result={"type": "array", "items": obj()},
                    errors=[400, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/events",
                self.events,
                operation(
                    "Recorded events the caller may see, the newest `limit` (oldest first)",
                    "records",
                    params=[
                        query("event_type", "events of one type (camera.motion)"),
                        query("site", "events of these sites (site=a,b)"),
                        query("entity_id", "events about one entity"),
                        *_RANGE,
                    ],
                    result={"type": "array", "items": obj()},
                    errors=[400, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/outbox",
                self.outbox,
                operation(
                    "Outgoing messages waiting, retried, failed or superseded, with reasons",
                    "records",
                    params=[query("failed", "only the failed ones (failed=1)"), _RANGE[2]],
                    result={"type": "array", "items": obj()},
                    errors=[400, 503],
                ),
            ),
            self.route(
                "GET",
                "/api/automations",
                self.automations,
                operation(
                    "The automations, on or off, with their last run",
                    "automations",
                    result={"type": "array", "items": obj()},
                ),
            ),
            self.route(
                "GET",
                "/api/automations/{automation_id}/traces",
                self.traces,
                operation(
                    "An automation's last runs, step by step",
                    "automations",
                    result=obj({"id": {"type": "string"}, "traces": {"type": "array"}}),
                    errors=[404],
                ),
            ),
            self.route(
                "POST",
                "/api/events/{event_type}",
                self.fire,
                operation(
                    "Fire an event on the hub's bus as the caller",
                    "events",
                    body=obj(),
                    result=obj({"event_type": {"type": "string"}, "context_id": {}}),
                    errors=[400],
                ),
            ),
            self.route(
                "GET",
                "/api/health",
                self.health,
                operation(
                    "Plugin faults and device availability",
                    "hub",
                    result=obj({"devices": {"type": "array"}, "plugins": {"type": "array"}}),
                ),
            ),
        ]

    # -- the recorder ----------------------------------------------------------------

    async def history(self, request: web.Request) -> web.Response:
        entity_id = request.match_info["entity_id"]
        context = self.context(request)
        state = self.hub.states.get(entity_id)
        if state is not None:
            allowed = self.hub.policy.may_read(context, state)
        else:  # gone now: its site, if a device names one, else only for every site
            allowed = self.may(context, self.site_of(entity_id), "view")
        if not allowed:
            return self.denied(request, entity_id=entity_id)
        rows = await self.recorder().history(
            entity_id,
            since=self.number(request, "since"),
            until=self.number(request, "until"),
            limit=self.limit(request),
        )
        return web.json_response(json_safe(rows))

    async def audit(self, request: web.Request) -> web.Response:
        context = self.context(request)
        given = {
            k: request.query.get(k) or None for k in ("alarm_id", "entity_id", "person", "site")
        }
        self.require(context, given["site"], "admin")
        rows = await self.recorder().audit_trail(
            **given,
            since=self.number(request, "since"),
            until=self.number(request, "until"),
            limit=self.limit(request),
        )
        return web.json_response(json_safe(rows))

    async def events(self, request: web.Request) -> web.Response:
        """The timeline's past: what the WebSocket would have shown this caller."""
        context = self.context(request)
        sites = self.listed(request, "site")
        entity_id = request.query.get("entity_id") or None
        limit = self.limit(request)
        # more are read than asked for: some may be of sites the caller may not see
        rows = await self.recorder().events(
            request.query.get("event_type") or None,
            since=self.number(request, "since"),
            until=self.number(request, "until"),
            limit=min(limit * EVENT_READ_AHEAD, MAX_EVENTS_READ),
            newest=True,
        )
        shown = []
        for row in rows:
            data = row["data"] if isinstance(row["data"], dict) else {}
            about = data.get("entity_id") if isinstance(data.get("entity_id"), str) else None
            if entity_id is not None and about != entity_id:
                continue
            site = data.get("site") if isinstance(data.get("site"), str) else None
            if site is None and about is not None:
                site = self.site_of(about)
            if sites and site not in sites:
                continue
            if self.may(context, site, "view"):
                shown.append({**row, "site": site})
        return web.json_response(json_safe(shown[-limit:]))

    async def outbox(self, request: web.Request) -> web.Response:
        """What `sigap outbox` shows, for whoever views every site; the
        messages' words stay out (they are people's alerts)."""
        from ..recorder.outbox import FAILED
        from ..reports.outbox import SHOWN_STATES

        self.require(self.context(request), None, "view")
        failed = request.query.get("failed") in ("1", "true", "yes")
        rows = await self.recorder().outbox.listing(
            [FAILED] if failed else SHOWN_STATES, limit=self.limit(request)
        )
        private = {"text", "message", "title", "body", "photo_path", "data", "buttons"}
        shown = [{k: v for k, v in row.items() if k not in private} for row in rows]
        return web.json_response(json_safe(shown))

    # -- automations -----------------------------------------------------------------

    def _engine(self, request: web.Request) -> Any:
        # imported here: the automation room imports the webhooks of this one
        from ..automation.engine import ENGINE

        self.require(self.context(request), None, "view")
        return self.hub.data.get(ENGINE)

    async def automations(self, request: web.Request) -> web.Response:
        engine = self._engine(request)
        found = []
        for automation in engine.automations.values() if engine is not None else ():
            traces = engine.traces.get(automation.id)
            last = traces[-1].as_dict() if traces else None
            found.append(
                {
                    "id": automation.id,
                    "alias": automation.alias,
                    "entity_id": automation.entity_id,
                    "enabled": automation.enabled,
                    "mode": automation.mode,
                    "where": automation.where,
                    "last_triggered": automation.last_triggered,
                    "running": len(automation.runs),
                    "last_run": _summary(last),
                }
            )
        return web.json_response(json_safe(found))

    async def traces(self, request: web.Request) -> web.Response:
        engine = self._engine(request)
        wanted = request.match_info["automation_id"]
        automation = engine.find(wanted) if engine is not None else None
        if automation is None:
            raise Refused(404, "not_found", Text("api.no_automation", name=wanted))
        traces = [t.as_dict() for t in engine.traces.get(automation.id)]
        return web.json_response(
            json_safe(
                {
                    "id": automation.id,
                    "alias": automation.alias,
                    "entity_id": automation.entity_id,
                    "traces": list(reversed(traces)),  # the newest first
                }
            )
        )

    # -- events ----------------------------------------------------------------------

    async def fire(self, request: web.Request) -> web.Response:
        event_type = request.match_info["event_type"]
        context = self.context(request)
        if not EVENT_TYPE.match(event_type):
            raise Refused(400, "bad_event_type", Text("api.bad_event_type", event_type=event_type))
        if RESERVED_EVENTS.match(event_type):
            raise Refused(400, "reserved_event", Text("api.reserved_event", event_type=event_type))
        data = await self.json_object(request)
        site = data.get("site")
        if site is not None and not isinstance(site, str):
            raise Refused(400, "invalid_data", Text("api.site_not_text"))
        if site is not None and self.hub.sites.get(site) is None:
            raise Refused(400, "invalid_data", Text("api.no_site", site=site))
        action = (self.settings.get("event_permissions") or {}).get(event_type)
        if not (self.may(context, site, "admin") or (action and self.may(context, site, action))):
            return self.denied(request)
        event = self.hub.bus.fire(event_type, json_safe(data, mask=False), context)
        return web.json_response({"event_type": event_type, "context_id": event.context.id})

    # -- health ----------------------------------------------------------------------

    async def health(self, request: web.Request) -> web.Response:
        context = self.context(request)
        lang = self.lang(request)
        devices = []
        for device in self.hub.devices.all():
            state = self.hub.states.get(device.entity_id)
            if state is None or not self.hub.policy.may_read(context, state):
                continue
            devices.append(
                {
                    "entity_id": device.entity_id,
                    "domain": device.domain,
                    "platform": device.platform,
                    "site": device.site,
                    "area": device.area,
                    "available": device.available,
                }
            )
        answer: dict[str, Any] = {"stage": self.hub.stage, "devices": devices}
        if self.may(context, None, "view"):
            plugins = self.hub.plugins
            answer["plugins"] = [
                {
                    "name": name,
                    "failures": [
                        {
                            "stage": f.stage,
                            "error": render(f.text(), lang),
                            "count": f.count,
                            "when": f.when,
                        }
                        for f in plugins.failed(name)
                    ],
                    "quarantined": [q.as_dict() for q in plugins.quarantined if q.plugin == name],
                }
                for name in plugins.names()
            ]
        return web.json_response(json_safe(answer))


def _summary(trace: dict[str, Any] | None) -> dict[str, Any] | None:
    if trace is None:
        return None
    keys = ("run_id", "state", "script_execution", "error", "timestamp", "started", "finished")
    return {k: trace[k] for k in keys if k in trace}
