"""What moved from .storage's JSON files and the media sidecars into the
recorder, on SQLite and on PostgreSQL alike: the automations' traces (and
`sigap trace` reading them), a run left running marked cut_off at the next
start, the MQTT session's filters, the media index and its retention, and
the one-time import of the old files."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.cli import main
from hub.core.automation import ENGINE
from hub.core.media import MEDIA
from hub.core.mqtt.session_filters import last_filters
from hub.core.recorder.traces import trace_row
from hub.testing import EventWaiter
from hub.testing.mosquitto import Mosquitto, running_broker
from hub.testing.recorded import saved_traces

AUTOMATIONS = """\
- id: pintu_dibobol
  alias: Pintu dibobol
  triggers:
    - trigger: event
      event_type: door.forced
  actions:
    - event: uji.sirene
      event_data: {pintu: "{{ trigger.event.data.pintu }}"}
"""


def config_folder(folder: Path, db_url: str, extra: str = "", automations: str = "") -> Path:
    """A config folder whose recorder is the test's database (so `sigap
    trace -c folder` reads the same one)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji, language: en, media_dir: {folder / "media"}}}
            recorder: {{db_url: "{db_url}"}}
            automation: !include automations.yaml
            """
        )
        + extra
    )
    (folder / "automations.yaml").write_text(automations or "[]\n")
    return folder


def running_trace(context_id: str, started: float) -> dict:
    return {
        "item_id": "pintu_dibobol",
        "run_id": 7,
        "state": "running",
        "script_execution": None,
        "error": None,
        "timestamp": {"start": started, "finish": None},
        "trigger": {"description": "event door.forced"},
        "context": {"id": context_id, "parent_id": "ctx_event", "user_id": None},
        "trace": {"action/0": [{"path": "action/0", "timestamp": started + 0.01}]},
    }


# -- traces --------------------------------------------------------------------------


async def test_a_run_is_saved_in_the_recorder_and_sigap_trace_prints_it(
    hub_factory, db_url, tmp_path, capsys
):
    folder = config_folder(tmp_path / "config", db_url, automations=AUTOMATIONS)
    hub = await hub_factory(config_dir=folder)
    with EventWaiter(hub, "uji.sirene") as rang:
        hub.bus.fire("door.forced", {"pintu": "server"})
        event = await rang.wait(5)
    await hub.stop()  # the last save: the finished run is written with the queue

    (document,) = await saved_traces(folder, recorder={"db_url": db_url})
    assert (document["id"], document["alias"]) == ("pintu_dibobol", "Pintu dibobol")
    assert document["entity_id"] == "automation.pintu_dibobol"
    (trace,) = document["traces"]
    assert trace["state"] == "stopped" and trace["script_execution"] == "finished"
    assert trace["context"]["id"] in (event.context.id, event.context.parent_id)
    assert not (folder / ".storage" / "traces").exists()  # no file any more

    assert await asyncio.to_thread(main, ["trace", "Pintu dibobol", "-c", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Automation Pintu dibobol (pintu_dibobol, automation.pintu_dibobol)" in out
    assert "finished" in out and "triggered by: event 'door.forced'" in out
    args = ["trace", "automation.pintu_dibobol", "--json", "-c", str(folder)]
    assert await asyncio.to_thread(main, args) == 0
    assert json.loads(capsys.readouterr().out)["traces"][0]["script_execution"] == "finished"
    assert await asyncio.to_thread(main, ["trace", "tidak_ada", "-c", str(folder)]) == 1
    assert "(known: pintu_dibobol)" in capsys.readouterr().err


async def test_only_the_last_stored_traces_runs_are_kept(hub_factory, db_url, tmp_path):
    folder = config_folder(
        tmp_path / "config",
        db_url,
        automations=AUTOMATIONS + "  mode: queued\n  trace: {stored_traces: 3}\n",
    )
    hub = await hub_factory(config_dir=folder)
    for n in range(5):
        with EventWaiter(hub, "uji.sirene") as rang:
            hub.bus.fire("door.forced", {"pintu": str(n)})
            await rang.wait(5)
    await hub.stop()
    (document,) = await saved_traces(folder, recorder={"db_url": db_url})
    shown = [t["trigger"]["event"]["data"]["pintu"] for t in document["traces"]]
    assert shown == ["2", "3", "4"]  # oldest first, the two before gone


async def test_a_run_left_running_is_marked_cut_off_at_the_next_start(
    hub_factory, db_url, tmp_path, caplog, capsys
):
    folder = config_folder(tmp_path / "config", db_url, automations=AUTOMATIONS)
    first = await hub_factory(config_dir=folder)
    # what a hub killed in a run's 60 s delay leaves: its trace saved `running`
    row = trace_row(
        "pintu_dibobol",
        "Pintu dibobol",
        "automation.pintu_dibobol",
        running_trace("ctx_run", time.time()),
    )
    await first.recorder.traces.save_now([row], 10)
    await first.stop()

    caplog.set_level(logging.WARNING, logger="hub.automation")
    await hub_factory(config_dir=folder)
    said = [r.getMessage() for r in caplog.records if r.name == "hub.automation"]
    assert "1 automation run(s) the last hub left running were cut off" in " ".join(said), said
    (document,) = await saved_traces(folder, recorder={"db_url": db_url})
    (trace,) = document["traces"]
    assert (trace["state"], trace["script_execution"]) == ("stopped", "cut_off")
    assert await asyncio.to_thread(main, ["trace", "pintu_dibobol", "-c", str(folder)]) == 0
    assert "cut off (the hub stopped before the run ended" in capsys.readouterr().out


async def test_sigap_trace_says_so_when_the_database_does_not_answer(tmp_path, capsys):
    folder = config_folder(
        tmp_path / "config", "postgresql://sigap@127.0.0.1:1/sigap", automations=AUTOMATIONS
    )
    assert await asyncio.to_thread(main, ["trace", "pintu_dibobol", "-c", str(folder)]) == 1
    err = capsys.readouterr().err
    assert (
        "Cannot read the traces in the recorder's database postgresql+asyncpg://sigap@127.0.0.1:1/sigap"
        in err
    )


# -- the MQTT session's filters --------------------------------------------------------


async def test_the_session_filters_are_replaced_or_only_added_to(hub_factory, db_url, tmp_path):
    folder = config_folder(tmp_path / "config", db_url)
    hub = await hub_factory(config_dir=folder)
    filters = hub.recorder.mqtt_filters
    filters.save("sigap-uji", {"gedung/lama/#", "gedung/pintu/+"})
    filters.save("sigap-lain", {"lain/#"})
    await hub.recorder.flush()
    assert await filters.of("sigap-uji") == {"gedung/lama/#", "gedung/pintu/+"}
    # the last run's filters known: these are all of them now
    filters.save("sigap-uji", {"gedung/baru/#"}, replace=True)
    await hub.recorder.flush()
    assert await filters.of("sigap-uji") == {"gedung/baru/#"}
    # not known (the read failed at start): nothing is forgotten unseen
    filters.save("sigap-uji", {"gedung/pintu/+"}, replace=False)
    await hub.recorder.flush()
    assert await filters.of("sigap-uji") == {"gedung/baru/#", "gedung/pintu/+"}
    assert await filters.of("sigap-lain") == {"lain/#"}  # another session's are its own


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    yield from running_broker(tmp_path / "mosquitto")


async def test_a_removed_automation_s_filter_is_unsubscribed_at_the_next_start(
    mosquitto, hub_factory, db_url, tmp_path
):
    from hub.core.mqtt import MQTT

    mqtt = f"mqtt: {{host: {mosquitto.host}, port: {mosquitto.port}}}\n"

    def automation(topic: str) -> str:
        return (
            f"- id: pintu\n  triggers: [{{trigger: mqtt, topic: '{topic}'}}]\n"
            "  actions: [{event: pintu_bergerak}]\n"
        )

    folder = config_folder(tmp_path / "config", db_url, mqtt, automation("gedung/lama/#"))
    before = await hub_factory(config_dir=folder)
    await before.stop()  # the broker keeps gedung/lama/# in the hub's session
    config_folder(folder, db_url, mqtt, automation("gedung/baru/#"))
    hub = await hub_factory(config_dir=folder)
    connection = hub.data[MQTT]
    assert connection._last_filters == {"gedung/lama/#"}  # read from the recorder
    async with asyncio.timeout(5):
        while connection.stale_filters:  # noqa: ASYNC110 - the unsubscribe has no event
            await asyncio.sleep(0.02)
    await hub.recorder.flush()
    assert await hub.recorder.mqtt_filters.of("sigap-uji") == {"gedung/baru/#"}


# -- the media index -------------------------------------------------------------------


def add(hub, path: str, camera: str, taken_at: float, size: int = 1000, **more) -> None:
    hub.recorder.media.add(
        {
            "path": path,
            "kind": "snapshot",
            "entity_id": camera,
            "size": size,
            "taken_at": taken_at,
            **more,
        }
    )


async def test_the_media_index_answers_by_context_alarm_and_camera(hub_factory, db_url, tmp_path):
    hub = await hub_factory(config_dir=config_folder(tmp_path / "config", db_url))
    await hub.data[MEDIA].first_retention_done.wait()
    t = time.time() - 1000.0
    add(hub, "/m/lobi/a.jpg", "camera.lobi", t + 100, context_id="ctx1", alarm_id="al_1")
    add(hub, "/m/lobi/b.jpg", "camera.lobi", t + 200, context_id="ctx2", parent_id="ctx1")
    add(
        hub,
        "/m/gudang/c.mp4",
        "camera.gudang",
        150.0,
        kind="clip",
        reason="periksa",
        extra={"seconds": 10},
    )
    media = hub.recorder.media
    assert [r["path"] for r in await media.for_context("ctx1")] == [
        "/m/lobi/a.jpg",
        "/m/lobi/b.jpg",
    ]
    assert [r["path"] for r in await media.for_alarm("al_1")] == ["/m/lobi/a.jpg"]
    assert [r["path"] for r in await media.of_camera("camera.lobi", since=t + 150)] == [
        "/m/lobi/b.jpg"
    ]
    clip = await media.get("/m/gudang/c.mp4")
    assert (
        clip["kind"] == "clip" and clip["reason"] == "periksa" and clip["extra"] == {"seconds": 10}
    )
    # the room answers from the index
    (found,) = await hub.data[MEDIA].for_context("ctx2")
    assert found.path == "/m/lobi/b.jpg" and found.entity_id == "camera.lobi"


async def test_media_retention_goes_by_the_index_oldest_first(hub_factory, db_url, tmp_path):
    folder = config_folder(
        tmp_path / "config", db_url, "media: {max_age_days: 1, max_size_mb: 1}\n"
    )
    hub = await hub_factory(config_dir=folder)
    room = hub.data[MEDIA]
    await room.first_retention_done.wait()
    now = time.time()
    made = []
    for n, age in enumerate([2 * 86400, 5000, 4000, 3000, 60]):
        path = room.root / "lobi" / f"f{n}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\xff\xd8" + b"x" * 399_998)
        add(hub, str(path), "camera.lobi", now - age, size=400_000)
        made.append(path)
    await hub.recorder.flush()  # the rows queued above, written
    deleted = await room.enforce_retention()
    # f0 is past 1 day; then 4 x 400 kB is over 1 MiB: f1 and f2 go too
    assert deleted == [str(p) for p in made[:3]]
    assert [p.exists() for p in made] == [False, False, False, True, True]
    assert await hub.recorder.media.paths() == {str(p) for p in made[3:]}
    assert await room.enforce_retention() == []


# -- the one-time import of the old files ------------------------------------------------

TAKEN = time.time() - 3600.0  # within the media's 30 days: retention keeps it


async def test_the_old_json_files_are_imported_once_and_renamed(
    hub_factory, db_url, tmp_path, caplog
):
    folder = config_folder(tmp_path / "config", db_url, automations=AUTOMATIONS)
    storage = folder / ".storage"
    (storage / "traces").mkdir(parents=True)
    finished = {**running_trace("ctx_old", 1764000000.0), "state": "stopped",
                "script_execution": "finished", "run_id": 3}  # fmt: skip
    document = {
        "id": "pintu_dibobol",
        "alias": "Pintu dibobol",
        "entity_id": "automation.pintu_dibobol",
        "traces": [finished, running_trace("ctx_cut", 1764000100.0)],
    }
    (storage / "traces" / "pintu_dibobol.json").write_text(json.dumps(document))
    (storage / "traces" / "rusak.json").write_text("{not json")
    subscriptions = {"client_id": "sigap-uji", "filters": ["gedung/lama/#", "sensor/+/state"]}
    (storage / "mqtt_subscriptions.json").write_text(json.dumps(subscriptions))
    day = folder / "media" / "lobi" / "2026-11-27"
    day.mkdir(parents=True)
    picture = day / "lobi_20261127-101500-000.jpg"
    picture.write_bytes(b"\xff\xd8old")
    sidecar = {"kind": "snapshot", "entity_id": "camera.lobi", "path": str(picture),
               "created_at": TAKEN, "source": "http", "size": 5, "context_id": "ctx_pic",
               "parent_id": None, "user_id": "rina", "site": "dinkes", "area": "lobi",
               "extra": {}}  # fmt: skip
    picture.with_suffix(".json").write_text(json.dumps(sidecar))
    loose = day / "lobi_20261127-101600-000.jpg"  # no sidecar, no row: found on the disk
    loose.write_bytes(b"\xff\xd8loose")

    caplog.set_level(logging.INFO)
    hub = await hub_factory(config_dir=folder)
    await hub.data[MEDIA].first_retention_done.wait()
    assert await last_filters(hub, "sigap-uji") == {"gedung/lama/#", "sensor/+/state"}
    said = [r.getMessage() for r in caplog.records]

    # traces: both runs, the one left running cut off, the file renamed
    (saved,) = await saved_traces(folder, recorder={"db_url": db_url})
    assert [(t["run_id"], t["script_execution"]) for t in saved["traces"]] == [
        (3, "finished"),
        (7, "cut_off"),
    ]
    assert not (storage / "traces" / "pintu_dibobol.json").exists()
    assert (storage / "traces" / "pintu_dibobol.json.imported").exists()
    assert (storage / "traces" / "rusak.json").exists()  # not ours to rename
    assert any("imported 2 trace(s) of 1 automation(s)" in line for line in said), said
    # the MQTT session's filters
    assert (storage / "mqtt_subscriptions.json.imported").exists()
    assert any("the 2 topic filter(s) of the persistent session" in line for line in said), said
    # the media index: the sidecar's record, and the file found without one
    row = await hub.recorder.media.get(str(picture))
    assert (row["context_id"], row["user_id"], row["taken_at"]) == ("ctx_pic", "rina", TAKEN)
    assert picture.with_name(picture.stem + ".json.imported").exists()
    found = await hub.recorder.media.get(str(loose))
    assert (found["entity_id"], found["kind"], found["size"]) == ("camera.lobi", "snapshot", 7)
    assert any(
        "media index: 1 sidecar(s) imported" in line and "1 file(s) without a row" in line
        for line in said
    ), said

    # a second start imports nothing again and says nothing about it
    await hub.stop()
    caplog.clear()
    again = await hub_factory(config_dir=folder)
    await again.data[MEDIA].first_retention_done.wait()
    said = [r.getMessage() for r in caplog.records]
    assert not any("imported" in line for line in said), said
    (saved,) = await saved_traces(folder, recorder={"db_url": db_url})
    assert len(saved["traces"]) == 2


# -- the database away -------------------------------------------------------------------


async def test_while_postgres_is_away_traces_and_media_rows_wait_and_the_room_falls_back(
    hub_factory, postgres_database, tmp_path, caplog
):
    from .conftest import empty_postgres
    from .test_database_away import set_reachable

    empty_postgres(postgres_database)
    folder = config_folder(
        tmp_path / "config",
        postgres_database,
        "media: {max_age_days: 1, max_size_mb: 1}\n",
        AUTOMATIONS,
    )
    hub = await hub_factory(config_dir=folder)
    room = hub.data[MEDIA]
    await room.first_retention_done.wait()
    await hub.recorder.flush()
    old = room.root / "lobi" / "lama.jpg"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"\xff\xd8" + b"x" * 100)
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    set_reachable(postgres_database, False)
    try:
        with EventWaiter(hub, "uji.sirene") as rang:
            hub.bus.fire("door.forced", {"pintu": "server"})
            await rang.wait(5)  # the automation runs: the hub does not wait for the database
        engine = hub.data[ENGINE]
        await engine._store_traces(engine._changed_traces())
        add(hub, "/m/x.jpg", "camera.lobi", time.time(), context_id="ctx_x")
        with caplog.at_level(logging.WARNING, logger="hub.core.media"):
            assert await room.for_context("ctx_x") == []  # this run's files only
            # retention walks the folder instead: the file from two days ago goes
            assert await room.enforce_retention() == [str(old)]
        assert any(
            "the media index in the recorder does not answer" in r.getMessage()
            for r in caplog.records
        )
        assert hub.recorder.queued >= 2  # the trace and the media row wait
    finally:
        set_reachable(postgres_database, True)
    assert await hub.recorder.flush() is True
    assert [r["path"] for r in await hub.recorder.media.for_context("ctx_x")] == ["/m/x.jpg"]
    (document,) = await hub.recorder.traces.documents("pintu_dibobol")
    assert document["traces"][0]["script_execution"] == "finished"


# -- the schema ------------------------------------------------------------------------


async def test_a_database_at_the_schema_before_the_stores_is_upgraded_and_keeps_its_data(
    hub_factory, db_url, tmp_path
):
    import sqlalchemy as sa

    from hub.core.recorder import RecorderSettings, database

    settings = RecorderSettings.from_config({"db_url": db_url}, tmp_path)
    engine = database.create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(database.upgrade, "0002")
            await connection.execute(
                sa.text(
                    "INSERT INTO states (entity_id, state, attributes, last_changed, last_updated)"
                    " VALUES ('alarm_control_panel.dinkes', 'armed_night', '{}', 10, 10)"
                )
            )
    finally:
        await engine.dispose()
    folder = config_folder(tmp_path / "config", db_url, automations=AUTOMATIONS)
    hub = await hub_factory(config_dir=folder)
    assert hub.recorder.last_state("alarm_control_panel.dinkes")["state"] == "armed_night"
    with EventWaiter(hub, "uji.sirene") as rang:
        hub.bus.fire("door.forced", {"pintu": "server"})
        await rang.wait(5)
    add(hub, "/m/a.jpg", "camera.lobi", 100.0, context_id="ctx1")
    hub.recorder.mqtt_filters.save("sigap-uji", {"a/#"})
    await hub.stop()
    (document,) = await saved_traces(folder, recorder={"db_url": db_url})
    assert document["traces"][0]["script_execution"] == "finished"
