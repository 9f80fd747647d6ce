"""Writes of the stores that moved from .storage into the recorder (traces,
the MQTT session's filters, the media index): each a small keyed change
that the recorder's writer applies with its next batch, off the event path.

A newer write of the same key replaces one still waiting (a trace saved
`running`, then finished, is written once), so a busy automation costs at
most one row per run and save interval.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class Write(Protocol):
    """One change, applied in the writer's transaction."""

    key: tuple[str, str]

    async def apply(self, connection: AsyncConnection) -> None: ...


async def upsert(
    connection: AsyncConnection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    update: bool = True,
) -> None:
    """Insert rows, replacing (or, update False, keeping) a row of the same
    primary key: the same statement on SQLite and PostgreSQL."""
    if not rows:
        return
    insert = _INSERT[connection.dialect.name](table)
    keys = [column.name for column in table.primary_key.columns]
    if update:
        names = [name for name in rows[0] if name not in keys]
        statement = insert.on_conflict_do_update(
            index_elements=keys, set_={name: insert.excluded[name] for name in names}
        )
    else:
        statement = insert.on_conflict_do_nothing(index_elements=keys)
    await connection.execute(statement, list(rows))
