"""Sign-in as people meet it: a session cookie a script cannot read and
another site cannot send, a CSRF token for every write, lock-out after
repeated failures (released after its time, on the hub's clock), sessions
that end, API tokens that stop working the moment they are revoked, and no
password in any log line or answer."""

from __future__ import annotations

import logging

import pytest

from hub.core.clock import FakeClock
from hub.core.http.auth import CSRF_COOKIE, SESSION_COOKIE
from hub.core.http.auth_store import AuthStore, hash_password

from .auth_hub import PASSWORD, auth_hub  # noqa: F401

UNLOCK_A = ("POST", "/api/services/door/unlock", {"entity_id": "door.dinkes_lobi"})


def denied_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "hub.core.http.auth"]


async def test_sign_in_sets_a_session_cookie_scripts_cannot_read(auth_hub):  # noqa: F811
    served = await auth_hub()
    browser = await served.caller()
    response = await browser.sign_in("andi")
    assert response.status == 200
    body = await response.json()
    assert body["user"] == "andi" and body["role"] == "staff" and body["sites"] == ["dinkes"]
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getall("Set-Cookie")}
    session = cookies[SESSION_COOKIE]
    assert "HttpOnly" in session and "SameSite=Strict" in session and "Path=/" in session
    assert "Max-Age=43200" in session  # the absolute lifetime, 12 h by default
    assert "Secure" not in session  # plain HTTP: a Secure cookie would never come back
    # the CSRF cookie is for the page's script to read
    assert "HttpOnly" not in cookies[CSRF_COOKIE] and "SameSite=Strict" in cookies[CSRF_COOKIE]
    me = await browser.request("GET", "/api/me")
    assert (await me.json())["user"] == "andi"


async def test_behind_a_tls_proxy_the_cookie_is_secure(auth_hub):  # noqa: F811
    served = await auth_hub()
    browser = await served.caller()
    # the proxy (127.0.0.1 is in trusted_proxies) says the browser came over HTTPS
    browser.headers["X-Forwarded-Proto"] = "https"
    response = await browser.sign_in("andi")
    for cookie in response.headers.getall("Set-Cookie"):
        assert "Secure" in cookie


async def test_an_untrusted_peer_cannot_claim_tls_for_a_cookie(auth_hub):  # noqa: F811
    served = await auth_hub(trusted_proxies=[])
    browser = await served.caller()
    browser.headers["X-Forwarded-Proto"] = "https"
    response = await browser.sign_in("andi")
    assert all("Secure" not in c for c in response.headers.getall("Set-Cookie"))


async def test_a_new_session_id_at_each_sign_in(auth_hub):  # noqa: F811
    served = await auth_hub()
    browser = await served.caller()
    await browser.sign_in("andi")
    planted = browser.headers["Cookie"]
    await browser.sign_in("andi")  # signing in again while carrying the old cookie
    assert browser.headers["Cookie"] != planted
    assert (await browser.request("GET", "/api/me")).status == 200
    stale = await served.caller()
    stale.headers["Cookie"] = planted
    assert (await stale.request("GET", "/api/me")).status == 401


async def test_a_write_without_the_csrf_token_is_refused(auth_hub, caplog):  # noqa: F811
    served = await auth_hub()
    browser = await served.caller()
    await browser.sign_in("sari")
    method, path, data = UNLOCK_A
    csrf, browser.csrf = browser.csrf, None
    refused = await browser.request(method, path, json=data)
    assert refused.status == 403
    assert (await refused.json())["error"]["code"] == "csrf"
    wrong = await browser.request(method, path, json=data, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status == 403
    assert served.hub.states.get("door.dinkes_lobi").state == "locked"
    browser.csrf = csrf
    assert (await browser.request(method, path, json=data)).status == 200
    assert served.hub.states.get("door.dinkes_lobi").state == "unlocked"
    # reads need no CSRF token; an API token needs none (a browser never sends it by itself)
    browser.csrf = None
    assert (await browser.request("GET", "/api/me")).status == 200


async def test_lock_out_after_repeated_failures_released_after_its_time(auth_hub, caplog):  # noqa: F811
    clock = FakeClock()
    served = await auth_hub(clock=clock)
    browser = await served.caller()
    for _ in range(4):
        assert (await browser.sign_in("andi", "salah-salah-salah")).status == 401
    # the fifth failure locks the name out, and says so
    assert (await browser.sign_in("andi", "salah-salah-salah")).status == 429
    # locked: even the right password is refused, and the answer says for how long
    locked = await browser.sign_in("andi")
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) == 900
    said = (await locked.json())["error"]["message"]
    assert said == "Terlalu banyak login yang gagal: coba lagi dalam 15 menit."  # andi: id
    # another person from the same address is not locked by andi's failures
    assert (await (await served.caller()).sign_in("dewi")).status == 200
    await clock.advance(899)
    assert (await browser.sign_in("andi")).status == 429
    await clock.advance(2)
    assert (await browser.sign_in("andi")).status == 200


async def test_one_address_trying_many_names_is_locked_out(auth_hub):  # noqa: F811
    clock = FakeClock()
    served = await auth_hub(clock=clock, login_address_max_failures=4)
    prober = await served.caller()
    for name, status in (("admin", 401), ("root", 401), ("operator", 401), ("sigap", 429)):
        response = await prober.client.post(
            "/api/auth/login", json={"user": name, "password": "tebak-tebakan"}
        )
        assert response.status == status
    assert (await prober.sign_in("rina")).status == 429
    await clock.advance(901)
    assert (await prober.sign_in("rina")).status == 200


async def test_a_session_ends_when_idle_and_at_its_age(auth_hub):  # noqa: F811
    clock = FakeClock()
    served = await auth_hub(clock=clock, session_idle_timeout=600, session_max_age=1800)
    browser = await served.caller()
    await browser.sign_in("andi")
    await clock.advance(599)
    assert (await browser.request("GET", "/api/me")).status == 200  # and the idle time restarts
    await clock.advance(599)
    assert (await browser.request("GET", "/api/me")).status == 200
    await clock.advance(601)
    assert (await browser.request("GET", "/api/me")).status == 401
    # in use all the time, it still ends at its age
    await browser.sign_in("andi")
    for _ in range(3):
        await clock.advance(590)
        assert (await browser.request("GET", "/api/me")).status == 200
    await clock.advance(100)
    ended = await browser.request("GET", "/api/me")
    assert ended.status == 401
    assert (await ended.json())["error"]["code"] == "expired"


async def test_a_changed_password_ends_the_persons_sessions(auth_hub):  # noqa: F811
    served = await auth_hub()
    browser = await served.caller()
    await browser.sign_in("andi")
    store = AuthStore(served.hub.config_dir)
    data = store.read()
    data.passwords["andi"] = hash_password("Sandi-baru-andi-2027")
    store.save(data)
    assert (await browser.request("GET", "/api/me")).status == 401
    assert (await browser.sign_in("andi", "Sandi-baru-andi-2027")).status == 200


async def test_a_revoked_token_stops_working_at_once(auth_hub):  # noqa: F811
    served = await auth_hub()
    system = await served.as_role("token_a")
    me = await system.request("GET", "/api/me")
    assert me.status == 200
    assert (await me.json())["token"] == {"name": "erp-dinkes", "sites": ["dinkes"]}
    store = AuthStore(served.hub.config_dir)  # what `sigap user token revoke` does
    data = store.read()
    del data.tokens["erp-dinkes"]
    store.save(data)
    refused = await system.request("GET", "/api/me")
    assert refused.status == 401
    assert (await refused.json())["error"]["code"] == "bad_token"


async def test_every_refused_request_is_one_log_line_and_an_audit_record(auth_hub, caplog):  # noqa: F811
    served = await auth_hub()
    staff_b = await served.as_role("staff_b")
    anonymous = await served.caller()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        path = "/api/states/door.server\x1b[2J\nFAKE LINE"
        assert (await anonymous.request("GET", path)).status == 401
    lines = denied_lines(caplog)
    assert len(lines) == 1, lines
    assert "\n" not in lines[0] and "\x1b" not in lines[0] and "\\x1b" in lines[0]
    assert "not signed in" in lines[0] or "belum login" in lines[0]
    # a person refused by the policy: audited with who and what
    assert (await staff_b.request("GET", "/api/states/door.dinkes_lobi")).status == 403
    await served.hub.recorder.flush()
    trail = await served.hub.recorder.audit_trail()
    refused = [(a["action"], a["reason"], a["who"], a["entity_id"]) for a in trail]
    assert refused == [
        ("refused", "unauthorized", "-", None),
        ("refused", "forbidden", "dewi", "door.dinkes_lobi"),
    ]


async def test_passwords_never_reach_a_log_or_an_answer(auth_hub, caplog):  # noqa: F811
    served = await auth_hub()
    browser = await served.caller()
    wrong = "Tebakan-Rahasia-Sekali-99"
    with caplog.at_level(logging.DEBUG):
        answers = [await browser.sign_in("andi", wrong), await browser.sign_in("andi")]
        answers.append(await browser.request("GET", "/api/me"))
        texts = [await a.text() for a in answers]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "andi signed in" in logged or "andi login" in logged
    for secret in (wrong, PASSWORD["andi"], "$argon2"):
        assert secret not in logged
        assert all(secret not in text for text in texts)
    for token in served.tokens.values():
        assert token not in logged


async def test_routes_without_a_user(auth_hub):  # noqa: F811
    served = await auth_hub()
    anonymous = await served.caller()
    health = await anonymous.request("GET", "/healthz")
    assert health.status == 200 and (await health.json())["status"] == "ok"
    # a webhook checks its own callers: no user is asked for (unknown id: a plain 200)
    assert (await anonymous.request("POST", "/api/webhook/tidak-ada", json={})).status == 200
    for path in ("/api/me", "/api/states", "/api/anything"):
        refused = await anonymous.request("GET", path)
        assert refused.status == 401
        assert (await refused.json())["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("en-US,en;q=0.9", "Sign in first."), ("id", "Silakan login terlebih dahulu.")],
)
async def test_refusals_speak_the_readers_language(auth_hub, accept, expected):  # noqa: F811
    served = await auth_hub()
    anonymous = await served.caller()
    response = await anonymous.request("GET", "/api/me", headers={"Accept-Language": accept})
    assert (await response.json())["error"]["message"] == expected
