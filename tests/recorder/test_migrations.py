"""The schema is Alembic's: a hub starts on an empty database (every
revision runs) and on one left at any earlier revision (the newer ones
run, the data stays)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from hub.core.recorder import database
from hub.core.recorder.settings import resolve_url
from hub.core.recorder.tables import METADATA


async def _engine(db_url, tmp_path):
    from hub.core.recorder.settings import RecorderSettings

    return database.create_engine(RecorderSettings(url=resolve_url(db_url, tmp_path)))


async def _revision(engine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(database.current_revision)


async def test_a_hub_starts_on_an_empty_database_at_the_newest_schema(recorder_hub):
    hub = await recorder_hub()
    assert await _revision(hub.recorder.engine) == database.head_revision()
    # revisions made side by side are chained: exactly one head
    heads = ScriptDirectory(str(database.MIGRATIONS)).get_heads()
    assert heads == [database.head_revision()]
    async with hub.recorder.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
    assert tables >= set(METADATA.tables) | {"alembic_version"}


async def test_a_database_of_the_previous_revision_is_upgraded_with_its_data(
    recorder_hub, db_url, tmp_path
):
    engine = await _engine(db_url, tmp_path)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(database.upgrade, "0001")
        assert await _revision(engine) == "0001"
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO states (entity_id, state, attributes, last_changed, last_updated)"
                    " VALUES ('door.server', 'locked', '{\"site\": \"diskominfo\"}', 10, 10)"
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO alarms (id, site, priority, state, raised_at, body)"
                    " VALUES ('al_1', 'dinkes', 'high', 'notified', 5, '{\"title\": \"Pintu\"}')"
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO alarm_history (alarm_id, at, kind, data)"
                    " VALUES ('al_1', 5, 'raised', '{}')"
                )
            )
    finally:
        await engine.dispose()

    hub = await recorder_hub()
    assert await _revision(hub.recorder.engine) == database.head_revision()
    assert hub.recorder.last_state("door.server") == {
        "state": "locked",
        "attributes": {"site": "diskominfo"},
        "last_changed": 10.0,
    }
    alarm = await hub.recorder.alarms.get("al_1")
    assert alarm["title"] == "Pintu" and alarm["state"] == "notified"
    assert [h["kind"] for h in await hub.recorder.alarms.history("al_1")] == ["raised"]
    # the new revision's table works: this run is recorded
    async with hub.recorder.engine.connect() as connection:
        runs = (await connection.execute(sa.text("SELECT count(*) FROM recorder_runs"))).scalar()
    assert runs == 1


async def test_every_revision_goes_down_and_up_again(db_url, tmp_path):
    engine = await _engine(db_url, tmp_path)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(database.upgrade)
            await connection.run_sync(database.downgrade, "base")
            await connection.run_sync(database.upgrade)
        assert await _revision(engine) == database.head_revision()
    finally:
        await engine.dispose()


async def test_the_revisions_build_exactly_the_tables_the_code_uses(recorder_hub):
    """tables.py and the migrations agree (a column added to one only fails here)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    hub = await recorder_hub()
    async with hub.recorder.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), METADATA)
        )
    assert diff == []


def _earlier_revisions() -> list[str]:
    """Every revision before the newest, oldest first."""
    script = ScriptDirectory(str(database.MIGRATIONS))
    walked = [r.revision for r in script.walk_revisions()]  # newest first
    return list(reversed(walked[1:]))


@pytest.mark.parametrize("revision", _earlier_revisions())
async def test_a_database_left_at_any_earlier_revision_is_upgraded_with_its_data(
    recorder_hub, db_url, tmp_path, revision
):
    """Not only the revision before the newest: a hub that skipped several
    Sigap versions upgrades from wherever its database was left."""
    engine = await _engine(db_url, tmp_path)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(database.upgrade, revision)
        assert await _revision(engine) == revision
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO states (entity_id, state, attributes, last_changed, last_updated)"
                    " VALUES ('alarm_control_panel.dinkes', 'armed_night', '{}', 10, 10)"
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO alarms (id, site, priority, state, raised_at, next_deadline, body)"
                    " VALUES ('al_1', 'dinkes', 'high', 'notified', 5, 305,"
                    ' \'{"title": "Pintu"}\')'
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO alarm_history (alarm_id, at, kind, data)"
                    " VALUES ('al_1', 5, 'raised', '{}')"
                )
            )
            await connection.execute(
                sa.text(
                    "INSERT INTO audit (time, who, action, entity_id, site)"
                    " VALUES (7, 'andi', 'lock.unlock', 'lock.pintu_server', 'dinkes')"
                )
            )
            if revision >= "0003":  # the stores that moved in from JSON files
                await connection.execute(
                    sa.text(
                        "INSERT INTO mqtt_filters (client_id, filter, saved_at)"
                        " VALUES ('sigap-uji', 'tasmota/#', 8)"
                    )
                )
    finally:
        await engine.dispose()

    hub = await recorder_hub()
    assert await _revision(hub.recorder.engine) == database.head_revision()
    assert hub.recorder.last_state("alarm_control_panel.dinkes")["state"] == "armed_night"
    alarm = await hub.recorder.alarms.get("al_1")
    assert alarm["title"] == "Pintu" and alarm["state"] == "notified"
    assert alarm["next_deadline"] == 305
    assert [h["kind"] for h in await hub.recorder.alarms.history("al_1")] == ["raised"]
    (trail,) = await hub.recorder.audit_trail(entity_id="lock.pintu_server")
    assert trail["who"] == "andi" and trail["action"] == "lock.unlock"
    if revision >= "0003":
        assert await hub.recorder.mqtt_filters.of("sigap-uji") == {"tasmota/#"}
    # every table of the newest schema takes rows
    async with hub.recorder.engine.connect() as connection:
        for table in METADATA.tables:
            await connection.execute(sa.text(f"SELECT count(*) FROM {table}"))
