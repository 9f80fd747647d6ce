"""Site arming as buildings work: an alarm panel per site with an exit delay,
an entry delay that ends triggered unless the right code disarms it, wrong
codes refused and locked out, people allowed by role and site, a schedule
in WITA, and the state kept across a restart. All on a FakeClock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hub import Context, DeviceError
from hub.core.permissions import PermissionDenied
from hub.testing import FakeClock

WITA = ZoneInfo("Asia/Makassar")
PANEL = "alarm_control_panel.dinkes"
CODE = "4321"


def config(**panel: Any) -> dict[str, Any]:
    return {
        "sites": [{"id": "dinkes"}, {"id": "diskominfo"}],
        "people": [
            {"id": "andi", "role": "staff", "sites": ["dinkes"]},
            {"id": "budi", "role": "operator", "sites": ["dinkes"]},
            {"id": "yusuf", "role": "staff", "sites": ["diskominfo"]},
        ],
        "alarm_control_panel": [
            {
                "platform": "manual",
                "id": "dinkes",
                "site": "dinkes",
                "code": CODE,
                "arming_time": 60,
                "delay_time": 30,
                "trigger_time": 120,
                **panel,
            }
        ],
    }


def by(user: str) -> Context:
    return Context(user_id=user, actor=f"telegram:{user}")


AUTOMATION = Context(actor="automation:pintu_dibobol")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=WITA))  # a Tuesday


async def start(hub_factory, clock, **panel):
    return await hub_factory(config=config(**panel), plugins=["hub.plugins.arming"], clock=clock)


async def call(hub, service: str, context: Context, code: str | None = None) -> None:
    data: dict[str, Any] = {"entity_id": PANEL}
    if code is not None:
        data["code"] = code
    await hub.services.call("alarm_control_panel", service, data, context)


def state(hub) -> str:
    return hub.states.get(PANEL).state


async def test_arming_waits_out_the_exit_delay(hub_factory, clock):
    hub = await start(hub_factory, clock)
    assert state(hub) == "disarmed"
    await call(hub, "arm_away", by("andi"), CODE)
    panel = hub.states.get(PANEL)
    assert panel.state == "arming"
    assert panel.attributes["next_state"] == "armed_away"
    assert panel.attributes["changed_by"] == "andi"
    assert panel.attributes["until"] == pytest.approx(clock.timestamp() + 60)
    await clock.advance(59)
    assert state(hub) == "arming"
    await clock.advance(1)
    assert state(hub) == "armed_away"


async def test_an_entry_delay_ends_triggered_then_the_panel_rearms(hub_factory, clock):
    hub = await start(hub_factory, clock, armed_night={"arming_time": 0})
    await call(hub, "arm_night", by("budi"))  # an operator of the site needs no code
    assert state(hub) == "armed_night"
    await call(hub, "trigger", AUTOMATION)  # a door forced: the automation trips it
    assert state(hub) == "pending"
    assert hub.states.get(PANEL).attributes["previous_state"] == "armed_night"
    await clock.advance(29)
    assert state(hub) == "pending"
    await clock.advance(1)
    assert state(hub) == "triggered"
    await clock.advance(120)
    assert state(hub) == "armed_night"


async def test_the_right_code_within_the_entry_delay_disarms(hub_factory, clock):
    hub = await start(hub_factory, clock, arming_time=0)
    await call(hub, "arm_away", AUTOMATION)
    await call(hub, "trigger", AUTOMATION)
    await clock.advance(20)
    await call(hub, "disarm", by("andi"), CODE)
    assert state(hub) == "disarmed"
    await clock.advance(600)
    assert state(hub) == "disarmed"


async def test_a_wrong_code_is_refused_and_repeated_ones_lock_the_panel(hub_factory, clock):
    hub = await start(hub_factory, clock, arming_time=0)
    await call(hub, "arm_away", AUTOMATION)
    wrong, locked = [], []
    hub.bus.listen("alarm_control_panel.wrong_code", wrong.append)
    hub.bus.listen("alarm_control_panel.locked_out", locked.append)
    with pytest.raises(DeviceError) as refused:
        await call(hub, "disarm", by("andi"), "1111")
    assert "wrong code for alarm_control_panel.dinkes" in str(refused.value)
    assert "kode salah untuk alarm_control_panel.dinkes" in refused.value.args[0].render("id")
    assert state(hub) == "armed_away"
    await hub.bus.drain()
    assert wrong[0].data == {
        "entity_id": PANEL,
        "site": "dinkes",
        "area": None,
        "who": "andi",
        "attempts": 1,
    }
    for _ in range(4):
        await clock.advance(30)
        with pytest.raises(DeviceError):
            await call(hub, "disarm", by("andi"), "2222")
    await hub.bus.drain()
    assert len(wrong) == 5 and len(locked) == 1
    # locked: even the right code is not looked at now
    with pytest.raises(DeviceError) as refused:
        await call(hub, "disarm", by("andi"), CODE)
    assert "locked after too many wrong codes" in str(refused.value)
    assert hub.states.get(PANEL).attributes["locked_until"] is not None
    assert state(hub) == "armed_away"
    # an operator of the site is known by their role: the lock is on the code
    await call(hub, "disarm", by("budi"))
    assert state(hub) == "disarmed"
    await call(hub, "arm_away", AUTOMATION)
    await clock.advance(600)
    assert hub.states.get(PANEL).attributes["locked_until"] is None
    await call(hub, "disarm", by("andi"), CODE)
    assert state(hub) == "disarmed"


async def test_the_code_is_never_logged(hub_factory, clock, caplog):
    hub = await start(hub_factory, clock)
    with pytest.raises(DeviceError):
        await call(hub, "disarm", by("andi"), "98765")
    await call(hub, "arm_home", by("andi"), CODE)
    assert "98765" not in caplog.text and CODE not in caplog.text
    assert "a wrong code from andi" in caplog.text


async def test_who_may_arm_without_a_code_and_who_may_not_at_all(hub_factory, clock):
    hub = await start(hub_factory, clock, arming_time=0)
    # staff of the site: the code, or nothing
    with pytest.raises(DeviceError) as refused:
        await call(hub, "arm_away", by("andi"))
    assert "needs its code" in str(refused.value)
    # staff of another site: refused even with the right code
    with pytest.raises(PermissionDenied):
        await call(hub, "arm_away", by("yusuf"), CODE)
    with pytest.raises(PermissionDenied):
        await call(hub, "disarm", Context(actor="telegram:5550123"), CODE)
    assert state(hub) == "disarmed"
    with pytest.raises(PermissionDenied):
        hub.states.read(PANEL, by("yusuf"))
    await call(hub, "arm_away", by("budi"))
    assert state(hub) == "armed_away"


async def test_the_schedule_arms_at_night_and_disarms_on_office_days(hub_factory):
    clock = FakeClock(datetime(2026, 12, 24, 21, 0, tzinfo=WITA))  # a Thursday
    schedule = {"arm_at": "22:00", "disarm_at": "07:00", "holidays": ["2026-12-25"]}
    hub = await start(hub_factory, clock, schedule=schedule)
    assert state(hub) == "disarmed"  # a weekday evening, before 22:00
    await clock.set_time(datetime(2026, 12, 24, 22, 0, tzinfo=WITA))
    assert state(hub) == "arming"  # the exit delay for whoever is still inside
    assert hub.states.get(PANEL).attributes["changed_by"] == "plugin:arming"
    await clock.advance(60)
    assert state(hub) == "armed_night"
    await clock.set_time(datetime(2026, 12, 25, 7, 0, 5, tzinfo=WITA))  # Christmas
    assert state(hub) == "armed_night"
    await clock.set_time(datetime(2026, 12, 26, 12, 0, tzinfo=WITA))  # a Saturday
    assert state(hub) == "armed_night"
    await clock.set_time(datetime(2026, 12, 28, 7, 0, tzinfo=WITA))  # Monday
    assert state(hub) == "disarmed"
    await clock.set_time(datetime(2026, 12, 28, 22, 1, tzinfo=WITA))
    assert state(hub) == "armed_night"


async def test_the_schedule_reads_the_wall_clock_when_it_fires(hub_factory):
    clock = FakeClock(datetime(2026, 12, 1, 21, 59, tzinfo=WITA))  # a Tuesday
    schedule = {"arm_at": "22:00", "disarm_at": "07:00"}
    hub = await start(hub_factory, clock, arming_time=0, schedule=schedule)
    assert state(hub) == "disarmed"
    # the box booted with a clock ten hours behind; NTP corrects it: the 22:00
    # timer is due, but the wall clock says 07:59 the next morning, when the
    # building is disarmed: the latest moment passed counts
    await clock.jump(10 * 3600)
    assert state(hub) == "disarmed"
    await clock.set_time(datetime(2026, 12, 2, 22, 0, tzinfo=WITA))
    assert state(hub) == "armed_night"


async def test_the_arming_state_survives_a_restart(hub_factory, clock):
    hub = await start(hub_factory, clock, arming_time=0)
    await call(hub, "arm_away", AUTOMATION)
    await call(hub, "trigger", AUTOMATION)
    await clock.advance(10)
    await hub.stop()
    again = await start(hub_factory, clock, arming_time=0)
    assert state(again) == "pending"  # the entry delay goes on where it was
    await clock.advance(19)
    assert state(again) == "pending"
    await clock.advance(1)
    assert state(again) == "triggered"
    await again.stop()
    # off longer than the trigger time: it comes back armed as it was
    await clock.advance(3600)
    third = await start(hub_factory, clock, arming_time=0)
    assert state(third) == "armed_away"


async def test_automations_use_the_panel_as_home_assistant_s_manual_one(hub_factory, clock):
    automations = [
        {
            "id": "pintu_dinkes_saat_alarm_aktif",
            "triggers": [
                {"trigger": "event", "event_type": "door.opened", "event_data": {"site": "dinkes"}}
            ],
            "conditions": [
                {
                    "condition": "state",
                    "entity_id": PANEL,
                    "state": ["armed_night", "armed_away"],
                }
            ],
            "actions": [{"action": "alarm_control_panel.trigger", "target": {"entity_id": PANEL}}],
        }
    ]
    hub = await hub_factory(
        config={**config(arming_time=0), "automation": automations},
        plugins=["hub.plugins.arming"],
        clock=clock,
    )
    hub.bus.fire("door.opened", {"site": "dinkes"})
    await clock.advance(1)
    assert state(hub) == "disarmed"  # office hours: someone at work
    await call(hub, "arm_away", by("budi"))
    hub.bus.fire("door.opened", {"site": "dinkes"})
    await clock.advance(1)
    assert state(hub) == "pending"


async def test_the_code_from_secrets_shows_nowhere(hub_factory, clock, tmp_path):
    from hub.testing import canary

    canary.plant(tmp_path)
    (tmp_path / "configuration.yaml").write_text(
        "sites: [{id: dinkes}]\n"
        "people: [{id: andi, role: staff, sites: [dinkes]}]\n"
        "alarm_control_panel:\n"
        "  - {platform: manual, id: dinkes, site: dinkes, arming_time: 0,\n"
        "     code: !secret sigap_canary}\n",
        encoding="utf-8",
    )
    hub = await hub_factory(config_dir=tmp_path, plugins=["hub.plugins.arming"], clock=clock)
    announced = []
    hub.bus.listen("call_service", announced.append)
    with pytest.raises(DeviceError):
        await call(hub, "arm_away", by("andi"), canary.CANARY_SECRET.lower())
    await call(hub, "arm_away", by("andi"), canary.CANARY_SECRET)
    assert state(hub) == "armed_away"
    await hub.stop()
    await hub.bus.drain()
    assert {e.data["service_data"]["code"] for e in announced} == {"***"}
    assert "armed_away" in (tmp_path / ".storage" / "arming.json").read_text()
    # the autouse canary check reads every log record and the .storage files


async def test_a_mistake_in_a_panel_s_schedule_names_its_key(hub_factory):
    panel = {"schedule": {"arm_at": "22:00", "disarm_at": "22:00", "days": ["mon", "fry"]}}
    hub = await hub_factory(config=config(**panel), plugins=["hub.plugins.arming"], start=False)
    assert [str(e) for e in hub.load()] == [
        "alarm_control_panel[0].schedule.days[1]: expected a day of the week"
        " (mon, tue, ... sun), got 'fry'"
    ]
    panel = {"schedule": {"arm_at": "22:00", "disarm_at": "22:00"}}
    hub = await hub_factory(config=config(**panel), plugins=["hub.plugins.arming"], start=False)
    assert [str(e) for e in hub.load()] == [
        "alarm_control_panel[0].schedule.disarm_at: arm_at and disarm_at must be different"
        " times, got '22:00'"
    ]
