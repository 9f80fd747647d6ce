"""What the REST base's answers carry (who gets which status is the one
table of test_matrix.py): filters, the schema's refusal naming the key, a
refusal in the reader's language, no secret."""

from __future__ import annotations

import pytest

from .auth_hub import auth_hub  # noqa: F401

A, B = "door.dinkes_lobi", "door.server"


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
