"""A config folder and a hub recording into it (SQLite `<config>/sigap.db`,
the default, or PostgreSQL by URL), fed a known day on a FakeClock through
the real recorder; then `sigap` run in-process on that folder.

The day: 20 Nov 2026 (WITA). camera.dinkes_lobi is unavailable 06:00-12:00
(6 h of 24), the other cameras never; dinkes raises five alarms in the day,
acknowledged after 60, 120, 180, 240 and 600 s, the last one escalated
first, the first one closed; one more raised the evening before is not counted; disdik has one
alarm (13:00) acknowledged after 30 s. dinkes has two doors forced, one held open
and a siren unconfirmed; a door forced the next morning is not counted.
"""

from __future__ import annotations

import asyncio
import io
import time
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from hub.cli import main
from hub.core.clock import FakeClock
from hub.core.context import Context

WITA = ZoneInfo("Asia/Makassar")
DAY = datetime(2026, 11, 20, tzinfo=WITA).timestamp()
HOUR = 3600.0
ACK_AFTER = (60, 120, 180, 240, 600)  # median 180 s; p90 240 + 0.6 * 360 = 456 s
HOSTILE = '<script>alert("x")</script> & Pasar "Baru"'

CONFIG: dict[str, Any] = {
    "hub": {"name": "Uji Laporan", "language": "id", "time_zone": "Asia/Makassar"},
    "sites": [
        {"id": "dinkes", "name": {"id": "Dinas Kesehatan", "en": "Health Office"}},
        {"id": "disdik", "name": {"id": "Dinas Pendidikan", "en": "Education Office"}},
        {"id": "pasar", "name": HOSTILE},
    ],
    "camera": [
        {"platform": "demo", "id": "dinkes_lobi", "name": "Lobi", "site": "dinkes"},
        {"platform": "demo", "id": "dinkes_halaman", "name": "Halaman", "site": "dinkes"},
        {"platform": "demo", "id": "disdik_lobi", "name": "Lobi Disdik", "site": "disdik"},
        {"platform": "demo", "id": "pasar_gerbang", "name": "<b>Gerbang</b>", "site": "pasar"},
    ],
    "notify": [{"platform": "console", "id": "pusat_komando"}],
    "people": [
        {"id": "andi", "name": "Andi Pratama", "role": "staff", "sites": ["dinkes"]},
        {"id": "dewi", "name": "Dewi Lestari", "role": "staff", "sites": ["disdik"]},
        {"id": "citra", "name": "Citra Dewi", "role": "operator", "sites": ["dinkes", "disdik"]},
    ],
}
for _camera in CONFIG["camera"]:
    _camera["simulate"] = False


def write_config(folder: Path, db_url: str | None) -> Path:
    """`folder/configuration.yaml`; the recorder's default database unless `db_url`."""
    folder.mkdir(parents=True, exist_ok=True)
    config = dict(CONFIG)
    if db_url is not None:
        config["recorder"] = {"db_url": db_url}
    (folder / "configuration.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    return folder


def sigap(*argv: str, lang: str = "en") -> tuple[int, str, str]:
    """`sigap ARGV` in-process (in a thread: it runs its own loop), with
    SIGAP_LANG=`lang`; returns (exit code, stdout, stderr)."""
    import os

    def run() -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        before = os.environ.get("SIGAP_LANG")
        os.environ["SIGAP_LANG"] = lang
        try:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = main(list(argv))
                except SystemExit as exit_:  # argparse's own errors
                    code = int(exit_.code or 0)
        finally:
            if before is None:
                os.environ.pop("SIGAP_LANG", None)
            else:
                os.environ["SIGAP_LANG"] = before
        return code, out.getvalue(), err.getvalue()

    return _in_thread(run)


def _in_thread(run: Any) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=60)


async def feed(hub_factory: Any, folder: Path, monkeypatch: Any) -> dict[str, Any]:
    """Start a hub on `folder` and live the day; returns the hub and the
    alarm ids (`dinkes`: in order of raising, `escalated`, `before`)."""
    clock = FakeClock(DAY - 2 * HOUR)
    # states and events are stamped with time.time(), alarms with the hub's
    # clock: the day is lived on one time line
    monkeypatch.setattr(time, "time", clock.timestamp)
    hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], clock=clock)
    await clock.advance(0)
    who = Context(actor="automation:uji")
    ids: dict[str, Any] = {"dinkes": []}

    async def raise_alarm(site: str, **data: Any) -> str:
        answer = await hub.services.call(
            "alarm", "raise", {"title": {"id": "Uji", "en": "Test"}, "site": site, **data}, who
        )
        return answer["alarm_id"]

    async def acknowledge(alarm_id: str, person: str) -> None:
        await hub.services.call(
            "alarm", "acknowledge", {"alarm_id": alarm_id}, Context(user_id=person)
        )

    ids["before"] = await raise_alarm("dinkes")  # 22:00 the evening before, left open
    await clock.set_time(DAY + 1 * HOUR)
    for n, after in enumerate(ACK_AFTER):
        chain = [{"after": 300, "recipients": ["citra"]}] if n == len(ACK_AFTER) - 1 else []
        alarm_id = await raise_alarm("dinkes", escalation=chain, recipients=["andi"])
        ids["dinkes"].append(alarm_id)
        await clock.advance(after)
        await acknowledge(alarm_id, "andi")
        await clock.advance(HOUR - after)
    ids["escalated"] = ids["dinkes"][-1]
    await hub.services.call(
        "alarm", "close", {"alarm_id": ids["dinkes"][0], "note": "aman"}, Context(user_id="andi")
    )

    lobi = hub.devices.get("camera.dinkes_lobi")
    await clock.set_time(DAY + 6 * HOUR)
    lobi.set_available(False, "kabel putus")
    await clock.set_time(DAY + 12 * HOUR)
    lobi.set_available(True)

    await clock.set_time(DAY + 13 * HOUR)
    disdik = await raise_alarm("disdik", recipients=["dewi"])
    await clock.advance(30)
    await acknowledge(disdik, "dewi")
    ids["disdik"] = disdik
    door = {"entity_id": "door.dinkes_depan", "site": "dinkes", "area": None}
    for event_type, data in (
        ("door.forced", door),
        ("door.forced", door),
        ("door.held_open", {**door, "seconds": 30}),
        ("siren.unconfirmed", {"entity_id": "siren.dinkes", "site": "dinkes", "area": None}),
        ("door.forced", {"entity_id": "door.disdik", "site": "disdik", "area": None}),
    ):
        hub.bus.fire(event_type, data, who)
        await clock.advance(60)
    await clock.set_time(DAY + 25 * HOUR)  # the next morning
    hub.bus.fire("door.forced", door, who)
    await clock.advance(1)
    await hub.recorder.flush()
    await asyncio.sleep(0)
    return {"hub": hub, "clock": clock, **ids}
