"""The recorder's reads (history, events, audit trail, last states) and
its retention purge, as plain functions of the engine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .rows import loads
from .tables import alarm_history, alarms, audit, events, recorder_runs, states


async def _rows(engine: AsyncEngine, statement: Any) -> list[Mapping[str, Any]]:
    async with engine.connect() as connection:
        return list((await connection.execute(statement)).mappings().all())


def _between(column: Any, since: float | None, until: float | None) -> list[Any]:
    where = []
    if since is not None:
        where.append(column >= since)
    if until is not None:
        where.append(column < until)
    return where


def _limited(statement: Any, limit: int | None) -> Any:
    return statement.limit(limit) if limit is not None else statement


async def last_states(engine: AsyncEngine) -> dict[str, dict[str, Any]]:
    latest = sa.select(sa.func.max(states.c.id)).group_by(states.c.entity_id).scalar_subquery()
    statement = sa.select(
        states.c.entity_id, states.c.state, states.c.attributes, states.c.last_changed
    ).where(states.c.id.in_(latest), states.c.state.is_not(None))
    return {
        row["entity_id"]: {
            "state": row["state"],
            "attributes": loads(row["attributes"]) or {},
            "last_changed": row["last_changed"],
        }
        for row in await _rows(engine, statement)
    }


async def history(
    engine: AsyncEngine,
    entity_id: str,
    since: float | None,
    until: float | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    statement = (
        sa.select(states)
        .where(states.c.entity_id == entity_id, *_between(states.c.last_updated, since, until))
        .order_by(states.c.last_updated, states.c.id)
    )
    return [
        {
            "entity_id": row["entity_id"],
            "state": row["state"],
            "attributes": loads(row["attributes"]) or {},
            "last_changed": row["last_changed"],
            "last_updated": row["last_updated"],
            "context_id": row["context_id"],
            "user_id": row["context_user_id"],
            "actor": row["context_actor"],
        }
        for row in await _rows(engine, _limited(statement, limit))
    ]


async def events_of(
    engine: AsyncEngine,
    event_type: str | None,
    context_id: str | None,
    since: float | None,
    until: float | None,
    limit: int | None,
    newest: bool = False,
) -> list[dict[str, Any]]:
    """Oldest first; with `newest` and a limit, the newest `limit` of them
    (still oldest first: a timeline's last page)."""
    where = _between(events.c.time_fired, since, until)
    if event_type is not None:
        where.append(events.c.event_type == event_type)
    if context_id is not None:
        where.append(events.c.context_id == context_id)
    order = (events.c.time_fired, events.c.id)
    if newest:
        order = (events.c.time_fired.desc(), events.c.id.desc())
    statement = sa.select(events).where(*where).order_by(*order)
    rows = await _rows(engine, _limited(statement, limit))
    if newest:
        rows.reverse()
    return [
        {
            "event_type": row["event_type"],
            "time_fired": row["time_fired"],
            "origin": row["origin"],
            "data": loads(row["data"]) or {},
            "context": {
                "id": row["context_id"],
                "user_id": row["context_user_id"],
                "parent_id": row["context_parent_id"],
                "actor": row["context_actor"],
            },
        }
        for row in rows
    ]


async def audit_trail(
    engine: AsyncEngine,
    *,
    alarm_id: str | None,
    entity_id: str | None,
    person: str | None,
    site: str | None,
    since: float | None,
    until: float | None,
    limit: int | None,
) -> list[dict[str, Any]]:
    where = _between(audit.c.time, since, until)
    for column, value in (
        (audit.c.alarm_id, alarm_id),
        (audit.c.entity_id, entity_id),
        (audit.c.who, person),
        (audit.c.site, site),
    ):
        if value is not None:
            where.append(column == value)
    statement = sa.select(audit).where(*where).order_by(audit.c.time, audit.c.id)
    return [
        {
            "time": row["time"],
            "who": row["who"],
            "action": row["action"],
            "entity_id": row["entity_id"],
            "site": row["site"],
            "alarm_id": row["alarm_id"],
            "reason": row["reason"],
            "data": loads(row["data"]),
            "context_id": row["context_id"],
        }
        for row in await _rows(engine, _limited(statement, limit))
    ]


async def purge(engine: AsyncEngine, cutoff: Mapping[str, float]) -> dict[str, int]:
    """Delete rows older than their kind's cutoff. Each entity keeps its
    latest state whatever its age (a restart restores it); an alarm goes
    only once closed, with its history."""
    latest = sa.select(sa.func.max(states.c.id)).group_by(states.c.entity_id).scalar_subquery()
    old_alarms = sa.select(alarms.c.id).where(
        alarms.c.state == "closed", alarms.c.closed_at < cutoff["alarms"]
    )
    async with engine.begin() as connection:

        async def delete(statement: Any) -> int:
            return int((await connection.execute(statement)).rowcount or 0)

        counts = {
            "events": await delete(events.delete().where(events.c.time_fired < cutoff["events"])),
            "states": await delete(
                states.delete().where(
                    states.c.last_updated < cutoff["states"], states.c.id.not_in(latest)
                )
            ),
            "audit": await delete(audit.delete().where(audit.c.time < cutoff["audit"])),
        }
        await delete(alarm_history.delete().where(alarm_history.c.alarm_id.in_(old_alarms)))
        counts["alarms"] = await delete(alarms.delete().where(alarms.c.id.in_(old_alarms)))
    return counts


async def begin_run(engine: AsyncEngine, now: float) -> tuple[int, dict[str, Any] | None]:
    """Record a new run; returns its id and, when the run before it never
    stopped, {started, last_row}: when it started and its last committed row."""
    async with engine.begin() as connection:
        last = (
            (
                await connection.execute(
                    sa.select(recorder_runs).order_by(recorder_runs.c.id.desc()).limit(1)
                )
            )
            .mappings()
            .first()
        )
        cut_off = None
        if last is not None and last["ended"] is None:
            newest = sa.select(sa.func.max(events.c.time_fired)).where(
                events.c.time_fired >= last["started"]
            )
            last_row = (await connection.execute(newest)).scalar()
            cut_off = {"started": last["started"], "last_row": last_row}
        result = await connection.execute(
            recorder_runs.insert().values(started=now).returning(recorder_runs.c.id)
        )
        return int(result.scalar_one()), cut_off


async def end_run(engine: AsyncEngine, run_id: int, now: float) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            recorder_runs.update().where(recorder_runs.c.id == run_id).values(ended=now)
        )
