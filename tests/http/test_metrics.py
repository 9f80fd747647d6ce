"""/metrics as Prometheus scrapes it: the figures an operator graphs
(events by type, automation runs and failures, device availability, loop
lag, WebSocket clients), readable by an admin, an admin's token or an
allowed address, and by no one else."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from .auth_hub import auth_hub, write_users  # noqa: F401

ROLES = ("admin", "operator", "staff_a", "staff_b", "anonymous", "token_a")
FAILING = [
    {
        "id": "rusak",
        "mode": "parallel",
        "triggers": [{"trigger": "event", "event_type": "uji.coba"}],
        "actions": [{"action": "tidak.ada"}],
    }
]


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_who_may_read_metrics(auth_hub):  # noqa: F811
    served = await auth_hub()
    got = {}
    for role in ROLES:
        caller = await served.as_role(role)
        got[role] = (await caller.request("GET", "/metrics")).status
    assert got == {
        "admin": 200,
        "operator": 403,
        "staff_a": 403,
        "staff_b": 403,
        "anonymous": 401,
        "token_a": 403,  # an operator's token, scoped to one site
    }


async def test_an_allowed_address_reads_metrics_without_signing_in(auth_hub):  # noqa: F811
    served = await auth_hub(metrics_allow=["127.0.0.0/8"])
    anonymous = await served.caller()
    response = await anonymous.request("GET", "/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")


async def test_the_figures(auth_hub, tmp_path):  # noqa: F811
    served = await auth_hub(more={"automation": FAILING})
    hub = served.hub
    admin = await served.as_role("admin")
    for _ in range(3):
        hub.bus.fire("uji.coba", {})
    hub.devices.get("door.server").set_available(False, "test")
    await hub.bus.drain()
    for _ in range(50):  # the runs are tasks: wait until all three ended
        got = samples(await (await admin.request("GET", "/metrics")).text())
        if got.get(("sigap_automation_failures_total", ())) == 3:
            break
    assert got[("sigap_events_total", (("event_type", "uji.coba"),))] == 3
    assert got[("sigap_automation_runs_total", ())] == 3
    assert got[("sigap_automation_failures_total", ())] == 3
    door = lambda e, s: (  # noqa: E731
        "sigap_device_available",
        (("domain", "door"), ("entity_id", e), ("site", s)),
    )
    assert got[door("door.dinkes_lobi", "dinkes")] == 1
    assert got[door("door.server", "diskominfo")] == 0
    assert got[("sigap_websocket_clients", ())] == 0
    assert got[("sigap_loop_lag_seconds", ())] >= 0
    assert got[("sigap_http_sessions", ())] == 1


async def test_alarms_by_state_and_time_to_acknowledge(auth_hub):  # noqa: F811
    from hub.core.clock import FakeClock
    from hub.core.context import Context

    clock = FakeClock()
    served = await auth_hub(clock=clock)
    hub = served.hub
    admin = await served.as_role("admin")
    by_automation = Context(actor="automation:uji")
    raised = []
    for site, priority in (("dinkes", "high"), ("dinkes", "high"), ("diskominfo", "critical")):
        data = {"title": "Uji", "site": site, "priority": priority}
        raised.append(await hub.services.call("alarm", "raise", data, by_automation))
    await clock.advance(45)
    await hub.services.call(
        "alarm", "acknowledge", {"alarm_id": raised[0]["alarm_id"]}, Context(user_id="andi")
    )
    await hub.bus.drain()
    got = samples(await (await admin.request("GET", "/metrics")).text())
    state = lambda s, p, site: (  # noqa: E731
        "sigap_alarms_open",
        (("priority", p), ("site", site), ("state", s)),
    )
    assert got[state("acknowledged", "high", "dinkes")] == 1
    assert (
        got[state("raised", "high", "dinkes")] + got.get(state("notified", "high", "dinkes"), 0)
        == 1
    )
    assert sum(v for (name, labels), v in got.items() if name == "sigap_alarms_open") == 3
    hist = "sigap_alarm_time_to_acknowledge_seconds"
    assert got[(f"{hist}_count", ())] == 1
    assert got[(f"{hist}_sum", ())] == 45
    assert got[(f"{hist}_bucket", (("le", "30"),))] == 0
    assert got[(f"{hist}_bucket", (("le", "60"),))] == 1


async def test_recorder_lag_is_the_age_of_the_oldest_waiting_record(auth_hub):  # noqa: F811
    from hub.core.clock import FakeClock

    clock = FakeClock()
    # a long commit interval: what is fired waits for the writer while the clock moves
    served = await auth_hub(clock=clock, more={"recorder": {"commit_interval": 600}})
    hub = served.hub
    admin = await served.as_role("admin")
    await hub.recorder.flush()
    got = samples(await (await admin.request("GET", "/metrics")).text())
    assert got[("sigap_recorder_lag_seconds", ())] == 0
    hub.bus.fire("uji.coba", {})
    await clock.advance(40)
    hub.bus.fire("uji.coba", {})  # a newer one does not make the lag younger
    await clock.advance(5)
    got = samples(await (await admin.request("GET", "/metrics")).text())
    assert got[("sigap_recorder_lag_seconds", ())] >= 45
    assert got[("sigap_recorder_queued", ())] >= 2
    assert await hub.recorder.flush()
    got = samples(await (await admin.request("GET", "/metrics")).text())
    assert got[("sigap_recorder_lag_seconds", ())] == 0
