"""Acceptance 2: 30 automations written the way Home Assistant's
documentation writes them (data/ha_examples.yaml, both spellings) pass
`sigap check-config` and do what the documentation says they do."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.cli import main
from hub.core.automation import CLOCK, FakeClock
from hub.core.automation.sun import sun_event
from hub.testing import EventWaiter, wait_for_event, wait_for_state

from .conftest import engine_of, settle, write_config

WITA = ZoneInfo("Asia/Makassar")
EXAMPLES = (Path(__file__).parent / "data" / "ha_examples.yaml").read_text()
FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=WITA)


@pytest.fixture
def examples(automation_hub, recorder):
    async def make(start: datetime = FRIDAY_3PM):
        hub = await automation_hub(EXAMPLES, clock=FakeClock(start))
        hub.states.set("input_select.mode_gedung", "kerja")
        await settle()
        return hub

    return make


def recorded(recorder, example: str) -> list[dict]:
    return [
        {k: v for k, v in d.items() if k != "example"}
        for d in recorder.data
        if d.get("example") == example
    ]


async def fire(hub, event_type: str, data: dict | None = None) -> None:
    hub.bus.fire(event_type, data or {})
    await settle()


def test_examples_pass_check_config(tmp_path, capsys):
    folder = write_config(tmp_path / "c", EXAMPLES)
    assert main(["check-config", "-c", str(folder)]) == 0, capsys.readouterr().err


async def test_all_examples_load(examples):
    hub = await examples()
    assert len(engine_of(hub).automations) == 30


async def test_ex01_state_to(examples):
    hub = await examples()
    await hub.services.call("door", "unlock", {"entity_id": "door.dinkes_lobi"})
    await wait_for_state(hub, "siren.dinkes_lobi", "on")


async def test_ex02_state_for(examples):
    hub = await examples()
    console = hub.devices.get("notify.pusat_komando")
    delivered = EventWaiter(hub, "notify.delivered")  # notify.send goes through the outbox
    hub.states.set("input_boolean.pintu_arsip", "on")
    await hub.data[CLOCK].advance(299)
    assert console.sent == [] and delivered.events == []
    await hub.data[CLOCK].advance(1)
    await delivered.wait()
    assert [n.message for n in console.sent] == ["Pintu arsip terbuka lebih dari 5 menit"]


async def test_ex03_numeric_state(examples, recorder):
    hub = await examples()
    hub.states.set("sensor.suhu_ruang_server", "25")
    hub.states.set("sensor.suhu_ruang_server", "31")
    hub.states.set("sensor.suhu_ruang_server", "33")
    await settle()
    assert recorded(recorder, "ex03") == [{"temperature": 31}]


async def test_ex04_event_data(examples, recorder):
    hub = await examples()
    await fire(hub, "MY_CUSTOM_EVENT", {"mood": "sad"})
    await fire(hub, "MY_CUSTOM_EVENT", {"mood": "happy", "weather": "rain"})
    assert recorded(recorder, "ex04") == [{}]


async def test_ex05_start(examples, recorder):
    await examples()
    assert recorded(recorder, "ex05") == [{}]


async def test_ex06_time(examples, recorder):
    hub = await examples()
    await hub.data[CLOCK].advance(31 * 60)
    assert recorded(recorder, "ex06") == []
    await hub.data[CLOCK].advance(60)
    assert recorded(recorder, "ex06") == [{"at": "15:32:00"}]


async def test_ex07_time_pattern(examples, recorder):
    hub = await examples()
    await hub.data[CLOCK].advance(15 * 60 - 1)
    assert len(recorded(recorder, "ex07")) == 2  # 15:05, 15:10
    await hub.data[CLOCK].advance(1)
    assert len(recorded(recorder, "ex07")) == 3


async def test_ex08_template(examples, recorder):
    hub = await examples()
    hub.states.set("input_boolean.alarm_gedung", "off")
    hub.states.set("input_boolean.alarm_gedung", "on")
    await settle()
    assert recorded(recorder, "ex08") == [{}]


async def test_ex09_sun(examples, recorder):
    hub = await examples()
    sunset = sun_event(hub, "sunset", FRIDAY_3PM.date())
    await hub.data[CLOCK].set_time(sunset - timedelta(minutes=61))
    assert recorded(recorder, "ex09") == []
    await hub.data[CLOCK].set_time(sunset - timedelta(minutes=59))
    assert recorded(recorder, "ex09") == [{}]


async def test_ex10_trigger_id(examples, recorder):
    hub = await examples()
    hub.states.set("input_boolean.piket", "on")
    await settle()
    hub.states.set("input_boolean.piket", "off")
    await settle()
    assert recorded(recorder, "ex10") == [{"who": "datang"}, {"who": "pulang"}]


async def test_ex11_template_shorthand(examples, recorder):
    hub = await examples()
    hub.states.set("sensor.ups", "online", {"battery": 80})
    await fire(hub, "ex11")
    hub.states.set("sensor.ups", "online", {"battery": 20})
    await fire(hub, "ex11")
    assert recorded(recorder, "ex11") == [{}]


async def test_ex12_or(examples, recorder):
    hub = await examples()
    hub.states.set("sensor.jumlah_orang", "5")
    await fire(hub, "ex12")
    assert recorded(recorder, "ex12") == []
    hub.states.set("input_select.mode_gedung", "libur")
    await fire(hub, "ex12")
    hub.states.set("input_select.mode_gedung", "kerja")
    hub.states.set("sensor.jumlah_orang", "0")
    await fire(hub, "ex12")
    assert recorded(recorder, "ex12") == [{}, {}]


async def test_ex13_not(examples, recorder):
    hub = await examples()
    await fire(hub, "ex13")
    hub.states.set("input_select.mode_gedung", "perawatan")
    await fire(hub, "ex13")
    assert recorded(recorder, "ex13") == [{}]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 27, 16, 0, tzinfo=WITA), 1),  # Friday afternoon
        (datetime(2026, 11, 27, 14, 59, tzinfo=WITA), 0),  # before 15:00
        (datetime(2026, 11, 25, 1, 30, tzinfo=WITA), 1),  # Wednesday, before 02:00
        (datetime(2026, 11, 26, 16, 0, tzinfo=WITA), 0),  # Thursday
    ],
)
async def test_ex14_time_condition(examples, recorder, moment, expected):
    hub = await examples(moment)
    await fire(hub, "ex14")
    assert len(recorded(recorder, "ex14")) == expected


async def test_ex15_sun_condition(examples, recorder):
    hub = await examples()
    await fire(hub, "ex15")
    assert recorded(recorder, "ex15") == []
    await hub.data[CLOCK].set_time(datetime(2026, 11, 27, 21, 0, tzinfo=WITA))
    await fire(hub, "ex15")
    assert recorded(recorder, "ex15") == [{}]


async def test_ex16_delay(examples):
    hub = await examples()
    await fire(hub, "ex16")
    await wait_for_state(hub, "siren.dinkes_halaman", "on")
    await hub.data[CLOCK].advance(59)
    assert hub.states.get("siren.dinkes_halaman").state == "on"
    await hub.data[CLOCK].advance(1)
    assert hub.states.get("siren.dinkes_halaman").state == "off"


async def test_ex17_wait_template(examples, recorder):
    hub = await examples()
    await fire(hub, "ex17")
    hub.states.set("input_boolean.petugas_tiba", "on")
    await settle()
    assert recorded(recorder, "ex17") == [{"completed": True}]
    hub.states.set("input_boolean.petugas_tiba", "off")
    await fire(hub, "ex17")
    await hub.data[CLOCK].advance(61)
    assert recorded(recorder, "ex17") == [{"completed": True}]  # timed out: stopped


async def test_ex18_wait_for_trigger(examples, recorder):
    hub = await examples()
    hub.states.set("input_boolean.petugas_tiba", "off")
    await fire(hub, "ex18")
    await hub.data[CLOCK].advance(121)
    assert recorded(recorder, "ex18") == [{"arrived": False}]
    await fire(hub, "ex18")
    hub.states.set("input_boolean.petugas_tiba", "on")
    await settle()
    assert recorded(recorder, "ex18")[-1] == {"arrived": True}


async def test_ex19_to_ex21_repeat(examples, recorder):
    hub = await examples()
    for event in ("ex19", "ex20", "ex21"):
        await fire(hub, event)
    assert recorded(recorder, "ex19") == [{"index": 1}, {"index": 2}, {"index": 3}]
    assert [d["index"] for d in recorded(recorder, "ex20")] == [1, 2, 3, 4]
    assert recorded(recorder, "ex21") == [
        {"siren": "siren.dinkes_lobi"},
        {"siren": "siren.dinkes_halaman"},
    ]


async def test_ex22_if_then_else(examples, recorder):
    hub = await examples()
    await fire(hub, "ex22")
    hub.states.set("input_select.mode_gedung", "libur")
    await fire(hub, "ex22")
    assert recorded(recorder, "ex22") == [{"branch": "else"}, {"branch": "then"}]


async def test_ex23_parallel(examples):
    hub = await examples()
    delivered = EventWaiter(hub, "notify.delivered")  # notify.send goes through the outbox
    await fire(hub, "ex23")
    await wait_for_state(hub, "siren.dinkes_lobi", "on")
    await delivered.wait()
    assert [n.message for n in hub.devices.get("notify.pusat_komando").sent] == [
        "Sirene dinyalakan"
    ]


async def test_ex24_variables(examples, recorder):
    hub = await examples()
    await fire(hub, "ex24")
    assert recorded(recorder, "ex24") == [{"message": "Gerakan di Dinas Kesehatan"}]


async def test_ex25_stop(examples, recorder):
    hub = await examples()
    await fire(hub, "ex25")
    hub.states.set("input_select.mode_gedung", "perawatan")
    await fire(hub, "ex25")
    assert recorded(recorder, "ex25") == [{}]


async def test_ex26_fire_event(examples):
    hub = await examples()
    hub.bus.fire("ex26", {"name": "Pintu dibobol"})
    event = await wait_for_event(hub, "alarm.raise_request")
    assert dict(event.data) == {"site": "dinkes", "name": "Pintu dibobol"}


async def test_ex27_motion_light_restarts(examples):
    hub = await examples()
    clock = hub.data[CLOCK]
    camera = hub.devices.get("camera.dinkes_halaman")
    camera.set_state("idle")
    camera.detect("motion")
    await wait_for_state(hub, "siren.dinkes_halaman", "on")
    camera.set_state("idle")
    await clock.advance(100)
    camera.detect("motion")  # motion again: the run restarts, the siren stays on
    await settle()
    camera.set_state("idle")
    await clock.advance(100)
    assert hub.states.get("siren.dinkes_halaman").state == "on"
    await clock.advance(20)
    assert hub.states.get("siren.dinkes_halaman").state == "off"


async def test_ex28_continue_on_error(examples, recorder):
    hub = await examples()
    hub.devices.get("door.dinkes_lobi").set_available(False, "kabel putus")
    await fire(hub, "ex28")
    assert recorded(recorder, "ex28") == [{}]


async def test_ex29_automation_variables(examples, recorder):
    hub = await examples()
    await fire(hub, "ex29", {"site": "dinkes"})
    assert recorded(recorder, "ex29") == [{"greeting": "Halo Sari, dari dinkes"}]


async def test_ex30_data_template(examples, recorder):
    hub = await examples()
    await fire(hub, "ex30", {"who": "budi"})
    assert recorded(recorder, "ex30") == [{"entity_id": ["siren.dinkes_lobi"], "who": "BUDI"}]
