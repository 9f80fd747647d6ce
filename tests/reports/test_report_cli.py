"""`sigap report|history|alarms|audit` on what the real recorder wrote (a
hub with the recorder lived one day on a FakeClock: see feed.py), on SQLite
and on PostgreSQL, while the hub runs and after it stopped: the figures are
the ones fed, in Indonesian and English, WITA times; the CSV has its
columns; the HTML parses, has one chart per site and escapes a hostile
name; every mistake of the admin's is one line and exit code 2."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import stat
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hub.core.context import Context
from hub.core.reports.render import CSV_COLUMNS

from .feed import HOSTILE, feed, sigap, write_config

DAY_ARGS = ("--from", "2026-11-20", "--to", "2026-11-20")


@pytest.fixture
def folder(tmp_path: Path, db_url: str) -> Path:
    """The config folder: SQLite at the default place (`<config>/sigap.db`),
    PostgreSQL by the recorder tests' URL."""
    return write_config(tmp_path / "config", None if db_url.startswith("sqlite") else db_url)


@pytest.fixture
async def fed(hub_factory, folder, monkeypatch):
    return await feed(hub_factory, folder, monkeypatch)


def report(folder: Path, *args: str, lang: str = "en") -> str:
    code, out, err = sigap("report", "-c", str(folder), *DAY_ARGS, *args, lang=lang)
    assert code == 0, err
    return out


def section(text: str, title: str) -> str:
    """The lines of one site's part of the text report."""
    return text.split(title, 1)[1].split("\n\n", 1)[0]


async def test_the_text_report_gives_the_figures_fed_while_the_hub_runs(fed, folder):
    hub, done = fed["hub"], asyncio.Event()

    async def keep_writing() -> int:  # the hub goes on committing while the report reads
        commits = 0
        while not done.is_set():
            hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi", "site": "dinkes"})
            await hub.recorder.flush()
            commits += 1
            await asyncio.sleep(0)
        return commits

    writer = asyncio.create_task(keep_writing())
    try:
        out = await asyncio.to_thread(report, folder)
    finally:
        done.set()
    assert await writer > 0
    assert out.startswith("Report of Uji Laporan: 2026-11-20 00:00 WITA to 2026-11-21 00:00 WITA\n")
    dinkes = section(out, "Health Office (dinkes)")
    lobi = next(line for line in dinkes.splitlines() if "camera.dinkes_lobi" in line)
    assert lobi.split() == [
        *("Lobi", "camera.dinkes_lobi", "75.0", "%"),
        *("6", "h", "00", "min"),  # unavailable for
        *("1", "d", "00", "h"),  # recorded for: the whole day
    ]
    halaman = next(line for line in dinkes.splitlines() if "camera.dinkes_halaman" in line)
    assert "100.0 %" in halaman and " 0 s " in halaman
    assert "Cameras configured: 2; available overall: 87.5 %" in dinkes  # 42 h of 48
    assert "Alarms raised: 5; acknowledged: 5; escalated: 1" in dinkes
    assert "Time to acknowledge: median 3 min 00 s, p90 7 min 36 s" in dinkes
    assert "Doors forced: 2; held open: 1" in dinkes
    assert "Sirens unconfirmed: 1" in dinkes
    disdik = section(out, "Education Office (disdik)")
    assert "Cameras configured: 1; available overall: 100.0 %" in disdik
    assert "Alarms raised: 1; acknowledged: 1; escalated: 0" in disdik
    assert "median 30 s, p90 30 s" in disdik
    assert "Doors forced: 1; held open: 0" in disdik
    assert "Sirens unconfirmed: 0" in disdik


async def test_the_report_in_indonesian_with_wita_times(fed, folder):
    out = report(folder, "--site", "dinkes", lang="id")
    assert out.startswith("Laporan Uji Laporan: 2026-11-20 00:00 WITA sampai 2026-11-21 00:00 WITA")
    assert "Dinas Kesehatan (dinkes)" in out and "Dinas Pendidikan" not in out  # --site
    assert "Kamera terkonfigurasi: 2; tersedia secara keseluruhan: 87,5 %" in out
    assert "75,0 %" in out and "6 j 00 mnt" in out
    assert "Alarm dibunyikan: 5; diterima: 5; dieskalasi: 1" in out
    assert "Waktu sampai diterima: median 3 mnt 00 dtk, p90 7 mnt 36 dtk" in out
    assert "Pintu dibobol: 2; terbuka terlalu lama: 1" in out
    assert "Sirene tanpa konfirmasi: 1" in out


async def test_a_period_given_as_iso_moments(fed, folder):
    code, out, err = sigap(
        "report",
        "-c",
        str(folder),
        "--from",
        "2026-11-20T09:00",  # WITA: the camera was down 06:00-12:00
        "--to",
        "2026-11-20T13:00:00+08:00",
        "--site",
        "dinkes",
    )
    assert code == 0, err
    lobi = next(line for line in out.splitlines() if "camera.dinkes_lobi" in line)
    assert "25.0 %" in lobi and "3 h 00 min" in lobi  # down 3 h of the 4
    assert "Alarms raised: 0;" in out  # all five were raised 01:00-06:00


async def test_a_report_without_dates_covers_the_week_up_to_today(fed, folder):
    # today is 21 Nov 2026 (the hub's clock, which time.time() follows here)
    code, out, err = sigap("report", "-c", str(folder), "--site", "dinkes")
    assert code == 0, err
    assert "2026-11-15 00:00 WITA to 2026-11-22 00:00 WITA" in out.splitlines()[0]
    assert "The period has not ended: recorded up to 2026-11-21 01:00 WITA." in out
    assert "Alarms raised: 6;" in out  # the evening before's one too
    assert "Doors forced: 3;" in out  # and the next morning's


async def test_csv_has_its_columns_and_the_figures(fed, folder):
    rows = list(csv.DictReader(io.StringIO(report(folder, "--format", "csv"))))
    assert list(rows[0].keys()) == list(CSV_COLUMNS)
    assert list(CSV_COLUMNS) == [
        "kind",
        "site",
        "site_name",
        "entity_id",
        "name",
        "period_from",
        "period_to",
        "cameras",
        "availability_percent",
        "known_seconds",
        "unavailable_seconds",
        "alarms_raised",
        "alarms_acknowledged",
        "alarms_escalated",
        "ack_median_seconds",
        "ack_p90_seconds",
        "doors_forced",
        "doors_held_open",
        "sirens_unconfirmed",
    ]
    site = next(r for r in rows if r["kind"] == "site" and r["site"] == "dinkes")
    assert site["site_name"] == "Health Office"
    assert (site["period_from"], site["period_to"]) == (
        "2026-11-20T00:00:00+08:00",
        "2026-11-21T00:00:00+08:00",
    )
    assert site["cameras"] == "2" and site["availability_percent"] == "87.50"
    assert (site["alarms_raised"], site["alarms_acknowledged"], site["alarms_escalated"]) == (
        "5",
        "5",
        "1",
    )
    assert (site["ack_median_seconds"], site["ack_p90_seconds"]) == ("180", "456")
    assert (site["doors_forced"], site["doors_held_open"], site["sirens_unconfirmed"]) == (
        "2",
        "1",
        "1",
    )
    lobi = next(r for r in rows if r["entity_id"] == "camera.dinkes_lobi")
    assert (lobi["kind"], lobi["availability_percent"]) == ("camera", "75.00")
    assert (lobi["known_seconds"], lobi["unavailable_seconds"]) == ("86400", "21600")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


async def test_the_html_report_has_one_chart_per_site_and_escapes_names(fed, folder, tmp_path):
    target = tmp_path / "laporan.html"
    code, _, err = sigap(
        "report", "-c", str(folder), *DAY_ARGS, "--format", "html", "-o", str(target), lang="id"
    )
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    assert parsed.tags.count("svg") == 3  # dinkes, disdik, pasar
    assert "script" not in parsed.tags and "b" not in parsed.tags  # the names stayed text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Pasar &#34;Baru&#34;" in page
    assert HOSTILE in "".join(parsed.text)  # and read back as they were written
    assert "&lt;b&gt;Gerbang&lt;/b&gt;" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/", "")
    assert "@media print" in page
    assert '<html lang="id">' in page and "Ketersediaan kamera di Dinas Kesehatan" in page
    assert "75,0 %" in page


def fill(path: Path) -> None:
    """Take every byte left on the file system of `path`."""
    with open(path, "wb", buffering=0) as filler, contextlib.suppress(OSError):
        while filler.write(b"\0" * 4096):
            pass


async def test_a_report_is_written_whole_or_the_old_one_stays(fed, folder, full_disk, tmp_path):
    # issue #9: every file written atomically; a full disk keeps last month's report
    target = tmp_path / "laporan.csv"
    old_umask = os.umask(0o022)
    try:
        code, _, err = sigap(
            "report", "-c", str(folder), *DAY_ARGS, "--format", "csv", "-o", str(target)
        )
    finally:
        os.umask(old_umask)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # as open() made it: the umask applies
    (full_disk / "filler").unlink()
    kept = full_disk / "laporan.html"
    kept.write_text("laporan bulan lalu")
    fill(full_disk / "filler")
    code, _, err = sigap(
        "report", "-c", str(folder), *DAY_ARGS, "--format", "html", "-o", str(kept)
    )
    assert code != 0
    assert f"cannot write {kept}:" in err and "No space left on device" in err, err
    assert kept.read_text() == "laporan bulan lalu"
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "laporan.html", "media"]


async def test_history_alarms_and_audit_after_the_hub_stopped(fed, folder):
    hub = fed["hub"]
    await hub.stop()
    code, out, err = sigap("history", "-c", str(folder), "camera.dinkes_lobi", lang="id")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "4 status camera.dinkes_lobi, yang terlama di atas:"
    assert lines[1].split() == ["Waktu", "Status", "Oleh"]
    assert [line.split("WITA")[1].split() for line in lines[3:]] == [
        ["unknown", "-"],  # the hub's start, 22:00 the evening before; by nobody
        ["idle", "-"],
        ["unavailable", "-"],
        ["idle", "-"],
    ]
    assert lines[3].startswith("19 Nov 2026 22.00.00 WITA")
    assert lines[5].startswith("20 Nov 2026 06.00.00 WITA")
    assert lines[6].startswith("20 Nov 2026 12.00.00 WITA")

    code, out, err = sigap("alarms", "-c", str(folder), "--site", "dinkes", "--open")
    assert code == 0, err
    assert out.startswith("5 alarms, oldest first:")  # acknowledged is open too
    assert fed["before"] in out and fed["dinkes"][0] not in out  # closed
    assert fed["disdik"] not in out  # --site
    before = next(line for line in out.splitlines() if fed["before"] in line)
    assert before.split() == [
        *("19", "Nov", "2026", "22:00:00", "WITA", fed["before"]),
        *("dinkes", "medium", "notified", "Test", "-"),  # told: the console reaches everyone
    ]

    code, out, err = sigap("alarms", "-c", str(folder), "--limit", "2")
    assert code == 0, err
    assert out.startswith("2 alarms, oldest first:")
    assert fed["disdik"] in out and fed["escalated"] in out
    assert "andi after 10 min 00 s" in out and "dewi after 30 s" in out

    code, out, err = sigap("audit", "-c", str(folder), "--alarm", fed["escalated"])
    assert code == 0, err
    raised = next(line for line in out.splitlines() if "alarm raised" in line)
    assert "20 Nov 2026 05:00:00 WITA  automation:uji" in raised
    for step in ("alarm raised", "alarm escalated", "alarm acknowledged"):
        assert step in out, out
    assert (
        out.index("alarm raised") < out.index("alarm escalated") < out.index("alarm acknowledged")
    )
    assert "service alarm.acknowledge" in out  # the audit row of andi's call

    code, out, err = sigap("audit", "-c", str(folder), "--person", "dewi", lang="id")
    assert code == 0, err
    assert "layanan alarm.acknowledge" in out and fed["disdik"] in out
    assert "andi" not in out


async def test_the_audit_of_a_camera_says_who_took_its_footage_and_why(fed, folder):
    """`sigap audit --entity CAMERA`: the trail of one camera (Perwali 25/2019),
    each snapshot with who asked, why and when; another camera's stays out."""
    hub = fed["hub"]
    for camera, person, reason in (
        ("camera.dinkes_lobi", "andi", "laporan kehilangan"),
        ("camera.dinkes_halaman", "citra", "cek halaman"),
    ):
        await hub.services.call(
            "camera", "snapshot", {"entity_id": camera, "reason": reason}, Context(user_id=person)
        )
    await hub.stop()
    code, out, err = sigap("audit", "-c", str(folder), "--entity", "camera.dinkes_lobi")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "2 audit records, oldest first:"
    taken = next(line for line in lines[3:] if "  snapshot  " in line)
    assert taken.split("  ")[0] == "21 Nov 2026 01:00:01 WITA"  # when: the hub's clock, WITA
    who, action, entity, site, alarm, *reason = taken.split()[5:]
    assert (who, action, entity, site, alarm) == (
        "andi",
        "snapshot",
        "camera.dinkes_lobi",
        "dinkes",
        "-",
    )
    assert reason == ["laporan", "kehilangan"]
    assert any("service camera.snapshot" in line for line in lines[3:])  # the call itself
    assert "citra" not in out and "halaman" not in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("report", "--from", "kemarin", "--to", "2026-11-20"), "--from 'kemarin' is not a date"),
        (("report", "--from", "2026-11-21", "--to", "2026-11-20"), "the period is empty"),
        (("report", *DAY_ARGS, "--site", "dinkez"), "unknown site dinkez"),
        (("alarms", "--site", "dinkez"), "Did you mean dinkes?"),
        (("history", "camera.dinkes_lobbi"), "nothing is known of camera.dinkes_lobbi"),
        (("audit", "--alarm", "al_nope"), "no alarm al_nope"),
        (("audit", "--person", "zaki"), "nobody named zaki"),
        (("history", "camera.dinkes_lobi", "--to", "2026-13-01"), "--to '2026-13-01'"),
    ],
)
async def test_a_mistake_is_one_line_and_exit_code_2(fed, folder, args, said):
    code, out, err = sigap(args[0], "-c", str(folder), *args[1:])
    assert code == 2
    assert said in err, err
    assert "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1


def test_a_missing_database_is_exit_code_2(tmp_path):
    folder = write_config(tmp_path / "config", None)
    for command in (("report", *DAY_ARGS), ("history", "camera.dinkes_lobi"), ("alarms",)):
        code, out, err = sigap(command[0], "-c", str(folder), *command[1:])
        assert code == 2 and out == "", err
        assert f"no recorder database at {folder.resolve() / 'sigap.db'}" in err
        assert "Traceback" not in err
    assert not (folder / "sigap.db").exists()  # and it was not created by reading


def test_a_file_that_is_no_recorder_database_is_exit_code_2(tmp_path):
    import sqlite3

    folder = write_config(tmp_path / "config", None)
    (folder / "sigap.db").write_bytes(b"bukan basis data" * 100)
    code, out, err = sigap("alarms", "-c", str(folder))
    assert code == 2 and out == ""
    assert err.startswith("cannot read the recorder database ") and "not a database" in err
    # an SQLite file of something else: no recorder tables
    (folder / "sigap.db").unlink()
    with contextlib.closing(sqlite3.connect(folder / "sigap.db")) as other:
        other.execute("CREATE TABLE catatan (isi TEXT)")
    code, out, err = sigap("history", "-c", str(folder), "camera.dinkes_lobi", lang="id")
    assert code == 2 and out == ""
    assert "tidak berisi tabel perekam: jalankan hub sekali dengan `sigap run`" in err


def test_a_database_server_that_does_not_answer_is_exit_code_2(tmp_path):
    # nothing listens on port 1
    folder = write_config(tmp_path / "config", "postgresql://sigap:Rahasia@127.0.0.1:1/sigap")
    code, out, err = sigap("alarms", "-c", str(folder), lang="id")
    assert code == 2 and out == ""
    assert "basis data perekam postgresql://sigap:***@127.0.0.1:1/sigap tidak dapat dibaca" in err
    assert "Rahasia" not in err and "Traceback" not in err


async def test_the_commands_cannot_write_the_database(fed, folder):
    """What they open is read-only: SQLite `mode=ro`, PostgreSQL a read-only
    session; the running hub's rows stay as they were."""
    import sqlalchemy as sa

    from hub.core.recorder.tables import alarms
    from hub.core.reports.source import opened, settings_of

    hub = fed["hub"]
    settings = settings_of(hub.config.get("recorder"), hub.config_dir)
    async with opened(settings) as engine:
        async with engine.connect() as connection:
            with pytest.raises(sa.exc.DBAPIError, match=r"(?i)read.?only"):
                await connection.execute(alarms.delete())
    assert len(await hub.recorder.alarms.of_site(None)) == 7


@pytest.mark.parametrize(("how", "known"), [("stopped", "12"), ("killed", "9")])
async def test_while_the_hub_was_not_running_no_camera_is_known(
    hub_factory, folder, monkeypatch, how, known
):
    """The hub runs 23:00-06:00 (an event at 03:00), then from 18:00: of the
    day 12 h are known (00:00-06:00, 18:00-24:00), all of it available. A
    hub killed just after 03:00 left its run open: it is known up to its
    last recorded row (03:00): 9 h are known."""
    import sqlalchemy as sa

    from hub.core.clock import FakeClock
    from hub.core.recorder.tables import recorder_runs

    from .feed import DAY, HOUR

    for start, stop in ((DAY - HOUR, DAY + 6 * HOUR), (DAY + 18 * HOUR, DAY + 25 * HOUR)):
        clock = FakeClock(start)
        monkeypatch.setattr(time, "time", clock.timestamp)
        hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], clock=clock)
        if start < DAY:
            await clock.set_time(DAY + 3 * HOUR)
            hub.bus.fire("camera.motion", {"entity_id": "camera.disdik_lobi", "site": "disdik"})
            await hub.recorder.flush()
            if how == "stopped":
                await clock.set_time(stop)
                await hub.stop()
            # killed: its time stops here, it writes nothing more and its run
            # never ends (as after a SIGKILL); the fixture stops it after the test
        else:
            await clock.set_time(stop)
    async with hub.recorder.engine.connect() as connection:
        runs = sa.select(recorder_runs.c.ended).order_by(recorder_runs.c.id)
        ended = (await connection.execute(runs)).scalars().all()
    assert (ended[0] is None) == (how == "killed") and ended[1] is None
    await hub.recorder.flush()
    out = await asyncio.to_thread(report, folder, "--site", "disdik")
    lobi = next(line for line in out.splitlines() if "camera.disdik_lobi" in line)
    assert lobi.split() == [
        *("Lobi", "Disdik", "camera.disdik_lobi", "100.0", "%", "0", "s"),
        *(known, "h", "00", "min"),  # recorded for: while the hub ran
    ]
