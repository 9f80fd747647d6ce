"""`hub.recorder.alarms`: the alarms and their whole history, written and
read at once (committed before a call returns, never batched): an alarm's
deadlines must be in the database before anyone is told about it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from .rows import dumps, loads, text
from .tables import ALARM_COLUMNS, alarm_history, alarms

_UPSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
_FLOATS = ("raised_at", "acknowledged_at", "closed_at", "next_deadline")


class AlarmRecords:
    """Alarms by id (upserted whole), and each alarm's history entries."""

    def __init__(self, engine: Callable[[], AsyncEngine]) -> None:
        self._engine = engine

    async def save(self, alarm: Mapping[str, Any], step: Mapping[str, Any] | None = None) -> None:
        """Insert or replace the alarm `alarm["id"]`: the queried columns
        (see tables.ALARM_COLUMNS) as columns, every other key in its body;
        with `step`, its history entry in the same transaction (a crash
        leaves both or neither: never a raised alarm without its "raised")."""
        row = _row(alarm)
        engine = self._engine()
        insert = _UPSERT[engine.dialect.name](alarms).values(**row)
        statement = insert.on_conflict_do_update(
            index_elements=[alarms.c.id],
            set_={key: insert.excluded[key] for key in row if key != "id"},
        )
        async with engine.begin() as connection:
            await connection.execute(statement)
            if step is not None:
                history_row = _history_row(str(alarm["id"]), step)
                await connection.execute(alarm_history.insert().values(**history_row))

    async def get(self, alarm_id: str) -> dict[str, Any] | None:
        found = await self._select(alarms.c.id == alarm_id)
        return found[0] if found else None

    async def open(self) -> list[dict[str, Any]]:
        """Every alarm not closed, oldest first (what a restart resumes)."""
        return await self._select(alarms.c.state != "closed")

    async def find_open_by_dedupe(self, key: str) -> dict[str, Any] | None:
        """The newest open alarm with this dedupe key, if any."""
        found = await self._select(
            sa.and_(alarms.c.dedupe_key == key, alarms.c.state != "closed"), newest_first=True
        )
        return found[0] if found else None

    async def of_site(
        self,
        site: str | None,
        *,
        open_only: bool = False,
        since: float | None = None,
        until: float | None = None,
    ) -> list[dict[str, Any]]:
        """A site's alarms by raised_at (`site` None: every site's);
        `since`/`until` bound raised_at (until excluded)."""
        where = []
        if site is not None:
            where.append(alarms.c.site == site)
        if open_only:
            where.append(alarms.c.state != "closed")
        if since is not None:
            where.append(alarms.c.raised_at >= since)
        if until is not None:
            where.append(alarms.c.raised_at < until)
        return await self._select(sa.and_(sa.true(), *where))

    async def find(
        self,
        *,
        sites: Iterable[str | None] | None = None,
        states: Iterable[str] = (),
        priorities: Iterable[str] = (),
        since: float | None = None,
        until: float | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """The newest alarms first, at most `limit`: of these `sites` (None
        among them: alarms without a site; `sites` None: every one), states
        and priorities (empty: any), raised in [since, until)."""
        where: list[Any] = []
        if sites is not None:
            named = [s for s in sites if s is not None]
            either = [alarms.c.site.in_(named)] if named else []
            if None in set(sites):
                either.append(alarms.c.site.is_(None))
            where.append(sa.or_(*either) if either else sa.false())
        if states := list(states):
            where.append(alarms.c.state.in_(states))
        if priorities := list(priorities):
            where.append(alarms.c.priority.in_(priorities))
        if since is not None:
            where.append(alarms.c.raised_at >= since)
        if until is not None:
            where.append(alarms.c.raised_at < until)
        statement = (
            sa.select(alarms)
            .where(sa.and_(sa.true(), *where))
            .order_by(alarms.c.raised_at.desc(), alarms.c.id.desc())
            .limit(limit)
        )
        async with self._engine().connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [_alarm(row) for row in rows]

    async def add_history(self, alarm_id: str, entry: Mapping[str, Any]) -> None:
        """One step of an alarm's story: at, kind, who, context_id, data."""
        row = _history_row(alarm_id, entry)
        async with self._engine().begin() as connection:
            await connection.execute(alarm_history.insert().values(**row))

    async def history(self, alarm_id: str) -> list[dict[str, Any]]:
        statement = (
            sa.select(alarm_history)
            .where(alarm_history.c.alarm_id == alarm_id)
            .order_by(alarm_history.c.at, alarm_history.c.id)
        )
        async with self._engine().connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [
            {
                "alarm_id": row["alarm_id"],
                "at": row["at"],
                "kind": row["kind"],
                "who": row["who"],
                "context_id": row["context_id"],
                "data": loads(row["data"]) or {},
            }
            for row in rows
        ]

    async def _select(self, where: Any, *, newest_first: bool = False) -> list[dict[str, Any]]:
        order = alarms.c.raised_at.desc() if newest_first else alarms.c.raised_at
        statement = sa.select(alarms).where(where).order_by(order, alarms.c.id)
        async with self._engine().connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [_alarm(row) for row in rows]


def _row(alarm: Mapping[str, Any]) -> dict[str, Any]:
    if not alarm.get("id"):
        raise ValueError("an alarm needs an id")
    row: dict[str, Any] = {key: alarm.get(key) for key in ALARM_COLUMNS}
    for key in _FLOATS:
        if row[key] is not None:
            row[key] = float(row[key])
    for key in ("id", "dedupe_key", "site", "priority", "state"):
        row[key] = text(row[key])
    row["body"] = dumps({k: v for k, v in alarm.items() if k not in ALARM_COLUMNS})
    return row


def _alarm(row: Mapping[str, Any]) -> dict[str, Any]:
    body = loads(row["body"]) or {}
    return {**body, **{key: row[key] for key in ALARM_COLUMNS}}


def _history_row(alarm_id: str, entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "alarm_id": alarm_id,
        "at": float(entry["at"]),
        "kind": text(entry["kind"]),
        "who": text(entry.get("who")),
        "context_id": text(entry.get("context_id")),
        "data": dumps(entry.get("data") or {}),
    }
