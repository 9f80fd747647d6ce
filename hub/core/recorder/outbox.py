"""`hub.recorder.outbox`: the outgoing messages in the database. Rows are
inserted and changed in batches (one transaction for what many senders
asked meanwhile, see hub/core/outbox.py), read at start and by
`sigap outbox`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .rows import dumps, loads, text
from .tables import outbox

PENDING, SENDING, DELIVERED, FAILED, SUPERSEDED = (
    "pending",
    "sending",
    "delivered",
    "failed",
    "superseded",
)
UNFINISHED = (PENDING, SENDING)
FINISHED = (DELIVERED, FAILED, SUPERSEDED)
#: the columns a change writes (every change writes all of them, so one
#: executemany takes a batch of them)
CHANGED = ("state", "attempts", "failures", "not_before", "updated_at", "provider_id", "reason")

_update = (
    outbox.update()
    .where(outbox.c.id == sa.bindparam("_id"))
    .values({name: sa.bindparam(f"_{name}") for name in CHANGED})
)


class OutboxRecords:
    def __init__(self, engine: Callable[[], AsyncEngine]) -> None:
        self._engine = engine

    async def write(
        self, inserts: Sequence[Mapping[str, Any]], changes: Sequence[Mapping[str, Any]]
    ) -> None:
        """New rows, then changes of rows (each with every CHANGED key), in
        one transaction."""
        async with self._engine().begin() as connection:
            if inserts:
                await connection.execute(outbox.insert(), [insert_row(r) for r in inserts])
            if changes:
                await connection.execute(_update, [change_row(c) for c in changes])

    async def unfinished(self) -> list[dict[str, Any]]:
        """Every message not yet delivered, failed or superseded, in order."""
        return await self._select(outbox.c.state.in_(UNFINISHED))

    async def get(self, message_id: str) -> dict[str, Any] | None:
        found = await self._select(outbox.c.id == message_id)
        return found[0] if found else None

    async def listing(
        self, states: Iterable[str], *, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Messages in `states`, oldest first (`limit`: the newest that many)."""
        return await self._select(outbox.c.state.in_(list(states)), limit=limit)

    async def of_alarm(self, alarm_id: str, person_id: str | None) -> list[dict[str, Any]]:
        where = outbox.c.alarm_id == alarm_id
        if person_id is not None:
            where = sa.and_(where, outbox.c.person_id == person_id)
        return await self._select(where)

    async def purge(self, before: float) -> int:
        """Delete finished messages last changed before `before`."""
        statement = outbox.delete().where(
            outbox.c.state.in_(FINISHED), outbox.c.updated_at < before
        )
        async with self._engine().begin() as connection:
            return int((await connection.execute(statement)).rowcount or 0)

    async def _select(self, where: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
        statement = sa.select(outbox).where(where)
        if limit is not None:
            statement = statement.order_by(outbox.c.seq.desc()).limit(limit)
        else:
            statement = statement.order_by(outbox.c.seq)
        async with self._engine().connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        found = [message_of(row) for row in rows]
        return sorted(found, key=lambda m: m["seq"]) if limit is not None else found


def insert_row(message: Mapping[str, Any]) -> dict[str, Any]:
    row = {name: message.get(name) for name in outbox.c.keys() if name != "seq"}
    for name in ("id", "notifier", "recipient", "person_id", "alarm_id", "kind", "state"):
        row[name] = text(row[name])
    row["recipient"] = row["recipient"] or ""
    row["provider_id"] = text(row["provider_id"])
    row["context_id"] = text(row["context_id"])
    row["reason"] = dumps(row["reason"])
    row["body"] = dumps(message.get("body") or {})
    row["attempts"] = int(row["attempts"] or 0)
    row["failures"] = int(row["failures"] or 0)
    return row


def change_row(message: Mapping[str, Any]) -> dict[str, Any]:
    row = {f"_{name}": message.get(name) for name in CHANGED}
    row["_id"] = message["id"]
    row["_provider_id"] = text(row["_provider_id"])
    row["_reason"] = dumps(row["_reason"])
    return row


def message_of(row: Mapping[str, Any]) -> dict[str, Any]:
    found = dict(row)
    found["body"] = loads(row["body"]) or {}
    found["reason"] = loads(row["reason"])
    return found
