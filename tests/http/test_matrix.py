"""Every route of the API as each kind of caller meets it, in one table: an
admin, an operator of every site, staff of site A (dinkes), staff of site
B (diskominfo), an anonymous caller and an API token of the operator scoped
to site A. The hub's policy decides every row; the table must name every
route the app serves (a new route without a row fails here), and every
write a browser makes without its CSRF token is refused."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from .api_hub import CAM_A, CAM_B, CODE, A, B, api_hub  # noqa: F401
from .auth_hub import auth_hub  # noqa: F401

ROLES = ("admin", "operator", "staff_a", "staff_b", "anonymous", "token_a")
OK_ALL = (200, 200, 200, 200, 401, 200)
SITE_A = (200, 200, 200, 403, 401, 200)
SITE_B = (200, 200, 403, 200, 401, 403)
EVERY_SITE = (200, 200, 403, 403, 401, 403)  # whoever views every site (not the A token)
ADMIN = (200, 403, 403, 403, 401, 403)
WHY = "reason=piket%20memeriksa"

# (method, path, body): status for admin, operator, staff A, staff B, anonymous, token A.
# {a} {a2} {b} {none} are alarms of site A, A, B and of no site; {clip} a clip of A's camera.
MATRIX = [
    (("GET", "/healthz", None), (200, 200, 200, 200, 200, 200)),
    (("POST", "/api/auth/login", {"user": "x"}), (400, 400, 400, 400, 400, 400)),
    (("GET", "/api/me", None), OK_ALL),
    (("GET", "/api/openapi.json", None), OK_ALL),
    (("GET", "/metrics", None), (200, 403, 403, 403, 401, 403)),
    (("POST", "/api/webhook/tidak-ada", {}), (200, 200, 200, 200, 200, 200)),
    (("GET", "/api/websocket", None), (400, 400, 400, 400, 401, 400)),  # no upgrade asked
    # the dashboard: its files and words need no one; the sites, someone
    (("GET", "/", None), (200, 200, 200, 200, 200, 200)),
    (("GET", "/ui/js/app.js", None), (200, 200, 200, 200, 200, 200)),
    (("GET", "/i18n/en.json", None), (200, 200, 200, 200, 200, 200)),
    (("GET", "/api/sites", None), OK_ALL),
    # states and services
    (("GET", f"/api/states/{A}", None), SITE_A),
    (("GET", f"/api/states/{B}", None), SITE_B),
    (("GET", "/api/states", None), OK_ALL),
    (("POST", "/api/services/door/unlock", {"entity_id": A}), (200, 200, 403, 403, 401, 200)),
    (("POST", "/api/services/door/unlock", {"entity_id": B}), (200, 200, 403, 403, 401, 403)),
    (("POST", "/api/services/door/lock", {"site": "dinkes"}), (200, 200, 403, 403, 401, 200)),
    # alarms: staff may acknowledge and close on their own site
    (("GET", "/api/alarms", None), OK_ALL),
    (("GET", "/api/alarms/{a}", None), SITE_A),
    (("GET", "/api/alarms/{b}", None), SITE_B),
    (("GET", "/api/alarms/{none}", None), EVERY_SITE),
    (("GET", "/api/alarms/tidak-ada", None), (404, 404, 404, 404, 401, 404)),
    (("POST", "/api/alarms/{a}/acknowledge", {"note": "menuju lokasi"}), SITE_A),
    (("POST", "/api/alarms/{b}/acknowledge", {}), SITE_B),
    (("POST", "/api/alarms/{none}/acknowledge", {}), EVERY_SITE),
    (("POST", "/api/alarms/{a2}/close", {"note": "kucing lewat"}), SITE_A),
    (("POST", "/api/alarms/{b}/close", {"note": "sudah diperiksa"}), SITE_B),
    # arming: the panel takes the code, or a role that may arm there (not staff)
    (("GET", "/api/sites/dinkes/arming", None), SITE_A),
    (("GET", "/api/sites/diskominfo/arming", None), SITE_B),
    (("GET", "/api/sites/tidak-ada/arming", None), (404, 404, 404, 404, 401, 404)),
    (("POST", "/api/sites/dinkes/arming", {"mode": "armed_away"}), (200, 200, 409, 403, 401, 200)),
    (("POST", "/api/sites/dinkes/arming", {"mode": "disarmed", "code": CODE}), SITE_A),
    (("POST", "/api/sites/diskominfo/arming", {"mode": "disarmed", "code": CODE}), SITE_B),
    # the recorder: history to who may see the entity, the audit trail to admins
    (("GET", f"/api/history/{A}", None), SITE_A),
    (("GET", f"/api/history/{B}", None), SITE_B),
    (("GET", "/api/events", None), OK_ALL),  # each sees the events of their sites
    (("GET", "/api/outbox", None), EVERY_SITE),  # the Command Center: every site
    (("GET", "/api/audit", None), ADMIN),
    (("GET", "/api/audit?site=dinkes", None), ADMIN),
    # automations and health
    (("GET", "/api/automations", None), EVERY_SITE),
    (("GET", "/api/automations/catat/traces", None), EVERY_SITE),
    (("GET", "/api/health", None), OK_ALL),
    # events: admins, or the action http.event_permissions gives the type on its site
    (("POST", "/api/events/panic.pressed", {"site": "dinkes"}), (200, 200, 403, 403, 401, 200)),
    (("POST", "/api/events/test.lain", {"site": "dinkes"}), ADMIN),
    (("POST", "/api/events/test.lain", {}), ADMIN),
    # footage: to who may see the camera, with a reason
    (("GET", f"/api/cameras/{CAM_A}/snapshot?{WHY}", None), SITE_A),
    (("GET", f"/api/cameras/{CAM_B}/snapshot?{WHY}&new=1", None), SITE_B),
    (("GET", f"/api/cameras/{CAM_A}/snapshot", None), (400, 400, 400, 403, 401, 400)),
    (("GET", f"/api/cameras/{CAM_A}/clips", None), SITE_A),
    (("GET", f"/api/cameras/{CAM_A}/clips/{{clip}}?{WHY}", None), SITE_A),
    (
        ("GET", f"/api/cameras/{CAM_B}/clips/server_20261202-061500-000.mp4?{WHY}", None),
        (404, 404, 403, 404, 401, 403),
    ),
    # the demo camera has no stream to watch live
    (("GET", f"/api/cameras/{CAM_A}/live?{WHY}", None), (404, 404, 404, 403, 401, 404)),
    # last: a session signs out (a token has none; it is answered all the same)
    (("POST", "/api/auth/logout", None), OK_ALL),
]
#: what GET /api/states lists of the doors for each role
DOORS_SEEN = {
    "admin": {A, B},
    "operator": {A, B},
    "staff_a": {A},
    "staff_b": {B},
    "token_a": {A},
}
#: what GET /api/alarms lists for each role, by the alarms' keys
ALARMS_SEEN = {
    "admin": {"a", "a2", "b", "none"},
    "operator": {"a", "a2", "b", "none"},
    "staff_a": {"a", "a2"},
    "staff_b": {"b"},
    "token_a": {"a", "a2"},
}


async def _template(app: web.Application, method: str, path: str) -> tuple[str, str]:
    match = await app.router.resolve(make_mocked_request(method, path.split("?")[0]))
    route = match.route
    return route.method, route.resource.canonical if route.resource else path


async def test_the_permission_matrix_of_every_route(api_hub):  # noqa: F811
    api = await api_hub()
    served, hub = api.served, api.hub
    callers = {role: await served.as_role(role) for role in ROLES}
    names = {**api.alarms, "clip": api.clip}
    got, expected = {}, {}
    for (method, template, body), statuses in MATRIX:
        path = template.format(**names)
        for role, status in zip(ROLES, statuses, strict=True):
            # each call starts from locked doors: a row tests the call, not the last one
            for door in (A, B):
                hub.states.set(door, "locked", hub.states.get(door).attributes)
            response = await callers[role].request(method, path, json=body)
            got[(method, template, str(body), role)] = response.status
            expected[(method, template, str(body), role)] = status
            if response.status == 200 and path == "/api/states":
                doors = {s["entity_id"] for s in await response.json()} & {A, B}
                assert doors == DOORS_SEEN[role], role
            if response.status == 200 and path == "/api/services/door/unlock":
                assert hub.states.get(body["entity_id"]).state == "unlocked", role
            if response.status == 200 and path == "/api/alarms":
                seen = {a["id"] for a in await response.json()}
                assert seen == {api.alarms[k] for k in ALARMS_SEEN[role]}, role
            if response.status == 200 and path == "/api/health":
                health = await response.json()
                assert ("plugins" in health) == (role in ("admin", "operator")), role
            if response.status in (401, 403) and path.startswith("/api/services"):
                assert hub.states.get(A).state == hub.states.get(B).state == "locked"
    assert got == expected


async def test_the_matrix_names_every_route_the_app_serves(api_hub):  # noqa: F811
    api = await api_hub()
    app = api.served.first.server.app
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    named = set()
    for (method, template, _body), _statuses in MATRIX:
        path = template.format(**api.alarms, clip=api.clip)
        named.add(await _template(app, method, path))
    assert served == named


async def test_every_write_of_a_browser_without_its_csrf_token_is_refused(api_hub):  # noqa: F811
    api = await api_hub()
    admin = await api.served.as_role("admin")
    csrf, admin.csrf = admin.csrf, None  # a page of another site cannot read it
    before = api.hub.states.get(A).state
    writes = [row for row, _ in MATRIX if row[0] == "POST" and row[1] != "/api/auth/login"]
    writes = [w for w in writes if not w[1].startswith("/api/webhook/")]
    assert len(writes) >= 10
    for method, template, body in writes:
        path = template.format(**api.alarms, clip=api.clip)
        response = await admin.request(method, path, json=body)
        assert response.status == 403, path
        assert (await response.json())["error"]["code"] == "csrf", path
    assert api.hub.states.get(A).state == before
    record = await api.hub.recorder.alarms.get(api.alarms["a"])
    assert record["state"] != "acknowledged"
    # the same session with its token is let through
    admin.csrf = csrf
    response = await admin.request("POST", f"/api/alarms/{api.alarms['a']}/acknowledge", json={})
    assert response.status == 200
