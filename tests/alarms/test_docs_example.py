"""The automation docs/alarms.md shows admins runs as it says: motion at
night raises one alarm (more motion counts on it), the staff on duty are
told with snapshots, then the Command Center after 5 minutes, then the
head of the office 10 minutes later."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from hub.core.clock import FakeClock
from hub.testing import EventWaiter

from .conftest import CONFIG, START, manager, sent

DOCS = Path(__file__).resolve().parents[2] / "docs" / "alarms.md"


def _example() -> str:
    text = DOCS.read_text(encoding="utf-8")
    return re.search(r"```yaml\n# automations.yaml\n(.*?)```", text, re.DOTALL).group(1)


def _write_config(folder: Path) -> Path:
    config = {
        **CONFIG,
        "camera": [
            *CONFIG["camera"],
            {"platform": "demo", "id": "dinkes_halaman", "site": "dinkes", "simulate": False},
        ],
        "people": [
            *CONFIG["people"],
            {"id": "kepala", "name": "Kepala Dinkes", "role": "staff", "sites": ["dinkes"]},
        ],
        "groups": [*CONFIG["groups"], {"id": "kepala_dinkes", "members": ["kepala"]}],
    }
    folder.mkdir()
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (folder / "configuration.yaml").write_text(f"{text}automation: !include automations.yaml\n")
    (folder / "automations.yaml").write_text(_example())
    return folder


async def test_the_documented_night_motion_alarm_escalates_as_written(hub_factory, tmp_path):
    clock = FakeClock(START + 60)  # 22:01 WITA
    folder = _write_config(tmp_path / "config")
    hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], clock=clock)
    lobby = hub.devices.get("camera.dinkes_lobi")
    with (
        EventWaiter(hub, "alarm.notified", lambda e: e.data["reason"] == "raised") as notified,
        EventWaiter(hub, "alarm.escalated") as escalated,
        EventWaiter(
            hub, "alarm.notified", lambda e: e.data["reason"] == "escalated" and e.data["tier"] == 2
        ) as told_tier_2,
    ):
        lobby.detect("motion")
        raised = await notified.wait()
        alarm = manager(hub).open[raised.data["alarm_id"]]
        assert raised.data["recipients"] == ["andi", "budi"]
        assert alarm.record["priority"] == "high" and alarm.record["site"] == "dinkes"
        assert set(alarm.record["snapshots"]) == {"camera.dinkes_lobi", "camera.dinkes_halaman"}
        assert alarm.record["message"]["en"] == (
            "Camera camera.dinkes_lobi saw motion outside office hours."
        )
        assert alarm.record["source_event"] == "camera.motion"

        await clock.advance(30)
        lobby.detect("motion")  # more motion: counted on the open alarm
        await clock.advance(0)
        assert len(manager(hub).open) == 1

        await clock.advance(269)  # 299 s after the raise
        assert alarm.record["tier"] == 0
        await clock.advance(1)
        assert (await escalated.wait()).data["recipients"] == ["pusat_komando"]
        await clock.advance(600)
        assert (await escalated.wait()).data["recipients"] == ["kepala_dinkes"]
        assert (await told_tier_2.wait()).data["recipients"] == ["kepala"]
    assert alarm.record["count"] == 2
    kepala = [n for n in sent(hub) if n.targets == ["kepala"]]
    assert kepala[0].title == "Eskalasi 2: ALARM, prioritas tinggi"
    assert "Terjadi 2 kali" in kepala[0].message
    # reminders every 2 minutes (120 s ... 840 s) to everyone told so far
    assert alarm.record["reminders"] == 7
    assert alarm.deadlines["remind"] == START + 60 + 960
