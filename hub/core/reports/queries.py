"""The reads the report and the admin's listings need beyond the
recorder's own (hub/core/recorder/queries.py): a state at a moment, the
newest rows of a kind, and whether a name was ever recorded. Read only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ..recorder.alarms import AlarmRecords
from ..recorder.rows import loads
from ..recorder.tables import (
    ALARM_COLUMNS,
    alarm_history,
    alarms,
    audit,
    events,
    recorder_runs,
    states,
)
from .periods import Period


async def _rows(engine: AsyncEngine, statement: Any) -> list[Mapping[str, Any]]:
    async with engine.connect() as connection:
        return list((await connection.execute(statement)).mappings().all())


def _within(column: Any, period: Period) -> list[Any]:
    where = []
    if period.since is not None:
        where.append(column >= period.since)
    if period.until is not None:
        where.append(column < period.until)
    return where


async def state_changes(
    engine: AsyncEngine, entity_id: str, since: float, until: float
) -> tuple[str | None, list[tuple[float, str | None]]]:
    """The entity's state at `since` (None: nothing recorded before it, or
    it was removed) and its changes in [since, until), oldest first."""
    before = (
        sa.select(states.c.state)
        .where(states.c.entity_id == entity_id, states.c.last_updated < since)
        .order_by(states.c.last_updated.desc(), states.c.id.desc())
        .limit(1)
    )
    during = (
        sa.select(states.c.last_updated, states.c.state)
        .where(
            states.c.entity_id == entity_id,
            states.c.last_updated >= since,
            states.c.last_updated < until,
        )
        .order_by(states.c.last_updated, states.c.id)
    )
    first = await _rows(engine, before)
    rows = await _rows(engine, during)
    return (
        first[0]["state"] if first else None,
        [(float(row["last_updated"]), row["state"]) for row in rows],
    )


async def events_of_types(
    engine: AsyncEngine, types: Iterable[str], period: Period
) -> list[dict[str, Any]]:
    """Events of these types in the period: event_type, time_fired, data."""
    statement = (
        sa.select(events.c.event_type, events.c.time_fired, events.c.data)
        .where(events.c.event_type.in_(list(types)), *_within(events.c.time_fired, period))
        .order_by(events.c.time_fired, events.c.id)
    )
    return [
        {
            "event_type": row["event_type"],
            "time_fired": row["time_fired"],
            "data": loads(row["data"]) or {},
        }
        for row in await _rows(engine, statement)
    ]


async def alarms_raised(engine: AsyncEngine, period: Period) -> list[dict[str, Any]]:
    """Every site's alarms raised in the period (their whole record)."""
    return await AlarmRecords(lambda: engine).of_site(None, since=period.since, until=period.until)


async def newest_states(
    engine: AsyncEngine, entity_id: str, period: Period, limit: int
) -> list[dict[str, Any]]:
    """The entity's newest `limit` states of the period, oldest first."""
    statement = (
        sa.select(states)
        .where(states.c.entity_id == entity_id, *_within(states.c.last_updated, period))
        .order_by(states.c.last_updated.desc(), states.c.id.desc())
        .limit(limit)
    )
    rows = await _rows(engine, statement)
    return [
        {
            "state": row["state"],
            "attributes": loads(row["attributes"]) or {},
            "last_updated": row["last_updated"],
            "who": row["context_user_id"] or row["context_actor"],
        }
        for row in reversed(rows)
    ]


async def newest_alarms(
    engine: AsyncEngine, site: str | None, *, open_only: bool, limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` alarms (of `site`; only open ones), oldest first."""
    where = []
    if site is not None:
        where.append(alarms.c.site == site)
    if open_only:
        where.append(alarms.c.state != "closed")
    newest = (
        sa.select(alarms)
        .where(*where)
        .order_by(alarms.c.raised_at.desc(), alarms.c.id.desc())
        .limit(limit)
    )
    # as AlarmRecords reads one: its body, under the queried columns
    return [
        {**(loads(row["body"]) or {}), **{key: row[key] for key in ALARM_COLUMNS}}
        for row in reversed(await _rows(engine, newest))
    ]


async def newest_audit(
    engine: AsyncEngine,
    *,
    entity_id: str | None,
    alarm_id: str | None,
    person: str | None,
    period: Period,
    limit: int,
) -> list[dict[str, Any]]:
    """The newest `limit` audit records that match, oldest first."""
    where = _within(audit.c.time, period)
    for column, value in (
        (audit.c.entity_id, entity_id),
        (audit.c.alarm_id, alarm_id),
        (audit.c.who, person),
    ):
        if value is not None:
            where.append(column == value)
    statement = (
        sa.select(audit).where(*where).order_by(audit.c.time.desc(), audit.c.id.desc()).limit(limit)
    )
    return [{**row, "data": loads(row["data"])} for row in reversed(await _rows(engine, statement))]


async def alarm_steps(engine: AsyncEngine, alarm_id: str, period: Period) -> list[dict[str, Any]]:
    """An alarm's history in the period (raised, notified, ... closed), oldest first."""
    statement = (
        sa.select(alarm_history)
        .where(alarm_history.c.alarm_id == alarm_id, *_within(alarm_history.c.at, period))
        .order_by(alarm_history.c.at, alarm_history.c.id)
    )
    return [{**row, "data": loads(row["data"]) or {}} for row in await _rows(engine, statement)]


async def alarm_exists(engine: AsyncEngine, alarm_id: str) -> bool:
    found = sa.select(alarms.c.id).where(alarms.c.id == alarm_id).limit(1)
    return bool(await _rows(engine, found))


async def entity_recorded(engine: AsyncEngine, entity_id: str) -> bool:
    """Whether the entity has a state or an audit record, whatever their age."""
    for statement in (
        sa.select(states.c.id).where(states.c.entity_id == entity_id).limit(1),
        sa.select(audit.c.id).where(audit.c.entity_id == entity_id).limit(1),
    ):
        if await _rows(engine, statement):
            return True
    return False


async def person_recorded(engine: AsyncEngine, who: str) -> bool:
    found = sa.select(audit.c.id).where(audit.c.who == who).limit(1)
    return bool(await _rows(engine, found))


async def recorded_entities(engine: AsyncEngine) -> list[str]:
    """Every entity id with a recorded state (for a 'did you mean')."""
    statement = sa.select(states.c.entity_id).distinct()
    return sorted(row["entity_id"] for row in await _rows(engine, statement))


async def hub_runs(
    engine: AsyncEngine, until: float, now: float
) -> list[tuple[float, float]] | None:
    """When the hub was recording, as (start, end) stretches before `until`
    (recorder_runs); None when the database has no runs to tell (a schema
    before revision 0002). A run still open is recording up to `now` if it
    is the last one; an earlier one left open (the hub was killed) ended
    with its last recorded row."""
    async with engine.connect() as connection:
        has_runs = await connection.run_sync(
            lambda sync: sa.inspect(sync).has_table("recorder_runs")
        )
    if not has_runs:
        return None
    statement = sa.select(recorder_runs).where(recorder_runs.c.started < until)
    runs = await _rows(engine, statement.order_by(recorder_runs.c.started, recorder_runs.c.id))
    if not runs:
        return None
    found = []
    for i, run in enumerate(runs):
        start, end = float(run["started"]), run["ended"]
        if end is None:
            if i == len(runs) - 1:
                end = max(now, start)
            else:
                end = await _last_row(engine, start, float(runs[i + 1]["started"]))
        found.append((start, float(end)))
    return found


async def _last_row(engine: AsyncEngine, start: float, before: float) -> float:
    """The time of the newest event or state recorded in [start, before)."""
    newest = start
    for column in (events.c.time_fired, states.c.last_updated):
        statement = sa.select(sa.func.max(column)).where(column >= start, column < before)
        async with engine.connect() as connection:
            value = (await connection.execute(statement)).scalar()
        if value is not None:
            newest = max(newest, float(value))
    return newest
