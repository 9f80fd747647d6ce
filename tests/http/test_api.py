"""The REST base as each kind of caller meets it: one table says, for every
route, what an admin, an operator of every site, staff of site A (dinkes),
staff of site B (diskominfo), an anonymous caller and an API token scoped to
site A get; the hub's policy decides every row. Then what the answers
carry: filters, the schema's refusal naming the key, a refusal in the
reader's language, no secret."""

from __future__ import annotations

import pytest

from .auth_hub import auth_hub  # noqa: F401

ROLES = ("admin", "operator", "staff_a", "staff_b", "anonymous", "token_a")
A, B = "door.dinkes_lobi", "door.server"

# (method, path, body): status for admin, operator, staff A, staff B, anonymous, token A
MATRIX = [
    (("GET", "/api/me", None), (200, 200, 200, 200, 401, 200)),
    (("GET", f"/api/states/{A}", None), (200, 200, 200, 403, 401, 200)),
    (("GET", f"/api/states/{B}", None), (200, 200, 403, 200, 401, 403)),
    (("GET", "/api/states", None), (200, 200, 200, 200, 401, 200)),
    (("POST", "/api/services/door/unlock", {"entity_id": A}), (200, 200, 403, 403, 401, 200)),
    (("POST", "/api/services/door/unlock", {"entity_id": B}), (200, 200, 403, 403, 401, 403)),
    (("POST", "/api/services/door/lock", {"site": "dinkes"}), (200, 200, 403, 403, 401, 200)),
    (("GET", "/healthz", None), (200, 200, 200, 200, 200, 200)),
]
#: what GET /api/states lists for each role (doors only: the demo has no other entity here)
VISIBLE = {
    "admin": {A, B},
    "operator": {A, B},
    "staff_a": {A},
    "staff_b": {B},
    "token_a": {A},
}


async def test_the_permission_matrix(auth_hub):  # noqa: F811
    served = await auth_hub()
    callers = {role: await served.as_role(role) for role in ROLES}
    got, expected = {}, {}
    for (method, path, body), statuses in MATRIX:
        for role, status in zip(ROLES, statuses, strict=True):
            # each call starts from locked doors: a row tests the call, not the last one
            for door in (A, B):
                served.hub.states.set(door, "locked", served.hub.states.get(door).attributes)
            response = await callers[role].request(method, path, json=body)
            got[(method, path, str(body), role)] = response.status
            expected[(method, path, str(body), role)] = status
            if response.status == 200 and path == "/api/states":
                ids = {s["entity_id"] for s in await response.json()}
                assert ids == VISIBLE[role], role
            if response.status == 200 and path == "/api/services/door/unlock":
                assert served.hub.states.get(body["entity_id"]).state == "unlocked", role
            if response.status in (401, 403) and path.startswith("/api/services"):
                assert served.hub.states.get(A).state == served.hub.states.get(B).state == "locked"
    assert got == expected


async def test_states_filter_by_site_area_and_domain(auth_hub):  # noqa: F811
    served = await auth_hub()
    admin = await served.as_role("admin")

    async def ids(query: str) -> set[str]:
        response = await admin.request("GET", f"/api/states{query}")
        assert response.status == 200
        return {s["entity_id"] for s in await response.json()}

    assert await ids("?site=dinkes") == {A}
    assert await ids("?site=dinkes,diskominfo") == {A, B}
    assert await ids("?area=ruang_server") == {B}
    assert await ids("?domain=door&site=diskominfo") == {B}
    assert await ids("?domain=siren") == set()
    one = await (await admin.request("GET", f"/api/states/{A}")).json()
    assert one["state"] == "locked" and one["attributes"]["site"] == "dinkes"
    missing = await admin.request("GET", "/api/states/door.tidak_ada")
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"


async def test_a_call_the_schema_refuses_names_the_key(auth_hub):  # noqa: F811
    served = await auth_hub()
    admin = await served.as_role("admin")
    response = await admin.request(
        "POST", "/api/services/door/unlock", json={"entity_id": A, "duration": "lama"}
    )
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid_data" and error["keys"] == ["duration"]
    assert "duration" in error["message"]
    unknown = await admin.request("POST", "/api/services/door/open_sesame", json={})
    assert unknown.status == 404 and (await unknown.json())["error"]["code"] == "unknown_service"
    not_object = await admin.request("POST", "/api/services/door/unlock", json=[A])
    assert not_object.status == 400


@pytest.mark.parametrize(
    ("role", "accept", "words"),
    [
        ("staff_a", None, "andi tidak berhak memanggil door.unlock"),  # andi's language: id
        ("staff_b", None, "dewi may not call door.unlock"),  # dewi's: en
        ("staff_b", "id-ID,id;q=0.9", "dewi tidak berhak memanggil door.unlock"),
    ],
)
async def test_a_refused_call_speaks_the_readers_language(auth_hub, role, accept, words):  # noqa: F811
    served = await auth_hub()
    caller = await served.as_role(role)
    headers = {"Accept-Language": accept} if accept else None
    response = await caller.request(
        "POST", "/api/services/door/unlock", json={"entity_id": A}, headers=headers
    )
    assert response.status == 403
    assert await response.json() == {"error": {"code": "forbidden", "message": words}}


async def test_no_answer_carries_a_secret(auth_hub):  # noqa: F811
    served = await auth_hub()
    token = await served.as_role("token_a")
    browser = await served.as_role("admin")
    texts = []
    for caller in (token, browser):
        for path in ("/api/me", "/api/states", f"/api/states/{A}"):
            texts.append(await (await caller.request("GET", path)).text())
    joined = "\n".join(texts)
    assert served.tokens["erp-dinkes"] not in joined
    assert "$argon2" not in joined and "sha256" not in joined
    # a browser's own CSRF token is the one secret it is given back, and only its own
    me = await (await browser.request("GET", "/api/me")).json()
    assert (
        me["csrf_token"] == browser.csrf
        and "csrf_token" not in await (await token.request("GET", "/api/me")).json()
    )
