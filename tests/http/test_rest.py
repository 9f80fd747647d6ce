"""What the REST routes beyond the base answer (who gets which status is
test_matrix.py's table): alarms filtered and answered as the caller, with
their history; arming with a code; history and the audit trail; traces;
events fired as the caller; health; footage served with an audit record of
who saw it and why; and an API token's sites narrowing the alarm services."""

from __future__ import annotations

import json
from pathlib import Path

from hub.core.context import Context
from tests.alarms.conftest import background_done

from .api_hub import CAM_A, CAM_B, CODE, PANEL_A, A, api_hub  # noqa: F401
from .auth_hub import auth_hub  # noqa: F401


async def test_alarms_filter_and_are_answered_as_the_caller(api_hub):  # noqa: F811
    api = await api_hub()
    admin = await api.served.as_role("admin")
    andi = await api.served.as_role("staff_a")

    async def ids(query: str) -> list[str]:
        response = await admin.request("GET", f"/api/alarms{query}")
        assert response.status == 200, await response.text()
        return [a["id"] for a in await response.json()]

    a, a2, b, none = (api.alarms[k] for k in ("a", "a2", "b", "none"))
    assert await ids("") == [none, b, a2, a]  # newest first
    assert await ids("?site=dinkes") == [a2, a]
    assert await ids("?site=dinkes,diskominfo&limit=1") == [b]
    assert await ids("?priority=low") == []
    bad = await admin.request("GET", "/api/alarms?state=lupa")
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "bad_query"

    answer = await andi.request("POST", f"/api/alarms/{a}/acknowledge", json={"note": "OTW"})
    assert answer.status == 200 and (await answer.json())["acknowledged"] is True
    closed = await andi.request("POST", f"/api/alarms/{a}/close", json={"note": "aman"})
    assert closed.status == 200 and (await closed.json())["closed"] is True
    assert await ids("?state=closed") == [a]
    assert a not in await ids("?state=open")
    one = await (await andi.request("GET", f"/api/alarms/{a}")).json()
    assert one["alarm"]["acknowledged_by"] == "andi" and one["alarm"]["close_note"] == "aman"
    steps = [(h["kind"], h["who"]) for h in one["history"]]
    assert ("acknowledged", "andi") in steps and ("closed", "andi") in steps
    unknown = await andi.request("POST", f"/api/alarms/{a2}/close", json={"catatan": "x"})
    assert unknown.status == 400
    for note in ("x" * 2001, {"teks": "x"}):
        long = await andi.request("POST", f"/api/alarms/{a2}/close", json={"note": note})
        assert long.status == 400 and (await long.json())["error"]["keys"] == ["note"]
    assert (await api.hub.recorder.alarms.get(a2))["state"] != "closed"
    # a refusal says who may not do what, where, in the reader's language
    dewi = await api.served.as_role("staff_b")
    for query in ("?site=dinkes", "?site=dinkes&limit=1", "?state=closed"):
        listed = await (await dewi.request("GET", f"/api/alarms{query}")).json()
        assert all(alarm["site"] == "diskominfo" for alarm in listed), query
    assert [x["id"] for x in await (await dewi.request("GET", "/api/alarms?limit=1")).json()] == [b]
    refused = await (await dewi.request("GET", f"/api/alarms/{a}")).json()
    assert refused == {"error": {"code": "forbidden", "message": "dewi may not see dinkes"}}
    audit = await (await andi.request("GET", "/api/audit")).json()
    assert audit["error"]["message"] == (
        "andi bukan admin semua lokasi (jejak audit hanya untuk auditor)"
    )


async def test_a_site_token_answers_alarms_of_its_sites_only(api_hub):  # noqa: F811
    """The token of an operator of every site reaches only site A: the alarm
    services apply its narrowing (they check the site themselves)."""
    api = await api_hub()
    token = await api.served.as_role("token_a")
    refused = await token.request("POST", f"/api/alarms/{api.alarms['b']}/acknowledge", json={})
    assert refused.status == 403
    assert (await api.hub.recorder.alarms.get(api.alarms["b"]))["state"] != "acknowledged"
    taken = await token.request("POST", f"/api/alarms/{api.alarms['a']}/acknowledge", json={})
    assert taken.status == 200
    # the same through the services route, and the service itself
    via_service = await token.request(
        "POST", "/api/services/alarm/close", json={"alarm_id": api.alarms["b"]}
    )
    assert via_service.status == 403
    context = Context(user_id="sari", actor="api-token:erp-dinkes")
    assert not api.hub.policy.may_site(context, "diskominfo", "close")
    assert api.hub.policy.may_site(context, "dinkes", "close")


async def test_arming_takes_the_code_and_says_the_panels_state(api_hub):  # noqa: F811
    api = await api_hub()
    andi = await api.served.as_role("staff_a")
    wrong = await andi.request(
        "POST", "/api/sites/dinkes/arming", json={"mode": "armed_night", "code": "0000"}
    )
    assert wrong.status == 409 and (await wrong.json())["error"]["code"] == "refused"
    assert api.hub.states.get(PANEL_A).state == "disarmed"
    armed = await andi.request(
        "POST", "/api/sites/dinkes/arming", json={"mode": "armed_night", "code": CODE}
    )
    assert armed.status == 200
    panels = (await armed.json())["panels"]
    assert [(p["entity_id"], p["state"]) for p in panels] == [(PANEL_A, "armed_night")]
    read = await (await andi.request("GET", "/api/sites/dinkes/arming")).json()
    assert read["panels"][0]["state"] == "armed_night"
    assert "4711" not in await armed.text()
    bad = await andi.request("POST", "/api/sites/dinkes/arming", json={"mode": "siaga"})
    assert bad.status == 400


async def test_history_audit_traces_events_and_health(api_hub):  # noqa: F811
    api = await api_hub()
    hub = api.hub
    admin = await api.served.as_role("admin")
    hub.states.set(A, "unlocked", hub.states.get(A).attributes)
    history = await (await admin.request("GET", f"/api/history/{A}")).json()
    assert [h["state"] for h in history][-2:] == ["locked", "unlocked"]
    assert (await admin.request("GET", f"/api/history/{A}?since=lusa")).status == 400

    fired = await admin.request("POST", "/api/events/panic.pressed", json={"site": "dinkes"})
    assert fired.status == 200
    events = await hub.recorder.events("panic.pressed")
    assert events[-1]["context"]["user_id"] == "rina"
    assert events[-1]["data"] == {"site": "dinkes"}
    reserved = await admin.request("POST", "/api/events/alarm.raised", json={})
    assert reserved.status == 400 and (await reserved.json())["error"]["code"] == "reserved_event"

    automations = await (await admin.request("GET", "/api/automations")).json()
    assert [(a["id"], a["enabled"]) for a in automations] == [("catat", True)]
    assert automations[0]["last_run"]["script_execution"] == "finished"
    traces = await (await admin.request("GET", "/api/automations/catat/traces")).json()
    assert traces["traces"][0]["trigger"]["event"]["event_type"] == "test.tombol"
    missing = await admin.request("GET", "/api/automations/tidak_ada/traces")
    assert missing.status == 404

    audit = await (await admin.request("GET", "/api/audit?site=dinkes")).json()
    assert {r["action"] for r in audit} >= {"snapshot", "call_service"}
    assert all(r["site"] == "dinkes" for r in audit)

    hub.devices.get(CAM_B).set_available(False, "kabel putus")
    health = await (await admin.request("GET", "/api/health")).json()
    available = {d["entity_id"]: d["available"] for d in health["devices"]}
    assert available[CAM_B] is False and available[CAM_A] is True
    assert {"demo", "arming", "alarms"} <= {p["name"] for p in health["plugins"]}
    andi = await api.served.as_role("staff_a")
    seen = await (await andi.request("GET", "/api/health")).json()
    assert CAM_B not in {d["entity_id"] for d in seen["devices"]} and "plugins" not in seen


async def test_every_view_of_footage_is_audited_with_its_reason(api_hub):  # noqa: F811
    api = await api_hub()
    hub = api.hub
    andi = await api.served.as_role("staff_a")
    latest = await andi.request(
        "GET",
        f"/api/cameras/{CAM_A}/snapshot?alarm_id={api.alarms['a']}",
        headers={"X-Sigap-Reason": "memeriksa alarm pintu"},
    )
    assert latest.status == 200 and latest.headers["Content-Type"] == "image/jpeg"
    assert (await latest.read()).startswith(b"\xff\xd8")
    assert latest.headers["Cache-Control"] == "no-store"
    fresh = await andi.request("GET", f"/api/cameras/{CAM_A}/snapshot?new=1&reason=cek%20ulang")
    assert fresh.status == 200
    clips = await (await andi.request("GET", f"/api/cameras/{CAM_A}/clips")).json()
    assert [c["name"] for c in clips] == [api.clip] and clips[0]["seconds"] == 10
    clip = await andi.request("GET", f"/api/cameras/{CAM_A}/clips/{api.clip}?reason=bukti")
    assert clip.status == 200 and clip.headers["Content-Type"] == "video/mp4"
    for name in ("..%2F..%2Fsigap.db", "dinkes_lobi_x.mp4", "server_20261202-061500-000.mp4"):
        sneaky = await andi.request("GET", f"/api/cameras/{CAM_A}/clips/{name}?reason=x")
        assert sneaky.status == 404, name
    no_reason = await andi.request("GET", f"/api/cameras/{CAM_A}/snapshot")
    assert no_reason.status == 400
    assert (await no_reason.json())["error"]["code"] == "reason_needed"

    trail = await hub.recorder.audit_trail(entity_id=CAM_A)
    views = [(r["action"], r["who"], r["reason"]) for r in trail if r["action"].endswith("_viewed")]
    assert views == [
        ("snapshot_viewed", "andi", "memeriksa alarm pintu"),
        ("snapshot_viewed", "andi", "cek ulang"),
        ("clip_viewed", "andi", "bukti"),
    ]
    first = next(r for r in trail if r["action"] == "snapshot_viewed")
    assert first["alarm_id"] == api.alarms["a"] and first["site"] == "dinkes"
    # the new one was taken as andi, with the same reason
    taken = [r for r in trail if r["action"] == "snapshot" and r["who"] == "andi"]
    assert [r["reason"] for r in taken] == ["cek ulang"]


async def test_the_timeline_reads_past_events_of_the_callers_sites_only(api_hub):  # noqa: F811
    api = await api_hub()
    hub = api.hub
    for n in range(30):
        hub.bus.fire("camera.motion", {"entity_id": CAM_A, "n": n})
        hub.bus.fire("camera.motion", {"entity_id": CAM_B, "n": n})
    hub.bus.fire("panic.pressed", {"site": "diskominfo"})
    andi = await api.served.as_role("staff_a")  # dinkes only
    seen = await (await andi.request("GET", "/api/events?event_type=camera.motion")).json()
    assert {e["data"]["entity_id"] for e in seen} == {CAM_A}
    assert [e["data"]["n"] for e in seen] == list(range(30))  # oldest first
    last = await (await andi.request("GET", "/api/events?limit=5")).json()
    assert [e["data"].get("n") for e in last] == [25, 26, 27, 28, 29]  # the newest five
    assert all(e["site"] == "dinkes" for e in last)
    sari = await api.served.as_role("operator")
    both = await (await sari.request("GET", "/api/events?site=diskominfo&limit=1000")).json()
    kinds = {(e["event_type"], e["site"]) for e in both}
    assert ("panic.pressed", "diskominfo") in kinds and ("camera.motion", "dinkes") not in kinds
    bad = await sari.request("GET", "/api/events?limit=0")
    assert bad.status == 400


async def test_an_alarms_picture_is_the_one_taken_at_its_raise(api_hub):  # noqa: F811
    api = await api_hub()
    hub = api.hub
    answer = await hub.services.call(
        "alarm",
        "raise",
        {"title": "Gerakan di lobi", "site": "dinkes", "priority": "high", "cameras": [CAM_A]},
        hub.context,
    )
    alarm_id = answer["alarm_id"]
    await background_done(hub)  # the raise's pictures are taken in the alarm's task
    at_raise = Path((await hub.recorder.alarms.get(alarm_id))["snapshots"][CAM_A]).name
    andi = await api.served.as_role("staff_a")
    # a newer picture of the camera comes after the raise
    fresh = await andi.request("GET", f"/api/cameras/{CAM_A}/snapshot?new=1&reason=cek%20ulang")
    assert fresh.status == 200 and fresh.headers["X-Sigap-Snapshot"] == "new"
    shown = await (await andi.request("GET", f"/api/alarms/{alarm_id}")).json()
    # the page captions it as the raise's; the answer names the file, never where it lies
    assert shown["alarm"]["snapshots"] == {CAM_A: at_raise}
    step = next(s for s in shown["history"] if s["kind"] == "snapshots")
    assert step["data"]["files"] == {CAM_A: at_raise}
    assert str(hub.config_dir) not in json.dumps(shown)
    of_alarm = await andi.request(
        "GET", f"/api/cameras/{CAM_A}/snapshot?alarm_id={alarm_id}&reason=memeriksa%20alarm"
    )
    assert of_alarm.status == 200 and of_alarm.headers["X-Sigap-Snapshot"] == "alarm"
    latest = await andi.request("GET", f"/api/cameras/{CAM_A}/snapshot?reason=lihat")
    assert latest.headers["X-Sigap-Snapshot"] == "latest"
    # an alarm without a picture of this camera: the latest one, said so
    other = await andi.request(
        "GET", f"/api/cameras/{CAM_A}/snapshot?alarm_id={api.alarms['a']}&reason=memeriksa"
    )
    assert other.status == 200 and other.headers["X-Sigap-Snapshot"] == "latest"
    await hub.recorder.flush()
    trail = await hub.recorder.audit_trail(entity_id=CAM_A)
    files = {r["reason"]: r["data"]["file"] for r in trail if r["action"] == "snapshot_viewed"}
    assert files["memeriksa alarm"] == at_raise
    assert files["lihat"] == files["cek ulang"] != at_raise
    assert files["memeriksa"] == files["lihat"]
