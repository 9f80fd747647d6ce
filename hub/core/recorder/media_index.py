"""`hub.recorder.media`: the index of the media folder, one row per
snapshot or clip (which camera, when, how big, who or what asked for it).
Media retention reads it instead of walking the folder, and `for_context`
finds the pictures of an incident by its context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .rows import dumps, loads, text
from .tables import media_files
from .writes import Write, upsert

_TEXTS = (
    "path",
    "entity_id",
    "kind",
    "source",
    "site",
    "area",
    "context_id",
    "parent_id",
    "user_id",
    "alarm_id",
    "reason",
)
# rows a retention pass reads at once while it looks for the oldest
_PAGE = 1000


def media_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """A media record (MediaFile's fields, `created_at` or `taken_at`, plus
    alarm_id and reason) as its row; the rest of it goes to `data`."""
    row: dict[str, Any] = {key: text(record.get(key)) for key in _TEXTS}
    row["kind"] = row["kind"] or "snapshot"
    row["size"] = int(record.get("size") or 0)
    taken = record.get("taken_at", record.get("created_at"))
    row["taken_at"] = float(taken) if isinstance(taken, int | float) else 0.0
    extra = record.get("extra")
    row["data"] = dumps(extra) if extra else None
    return row


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    record = {key: row[key] for key in (*_TEXTS, "size", "taken_at")}
    record["extra"] = loads(row["data"]) or {}
    return record


class SaveMedia:
    __slots__ = ("key", "row")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.key = ("media", row["path"])

    async def apply(self, connection: AsyncConnection) -> None:
        await upsert(connection, media_files, [self.row])


class MediaIndex:
    def __init__(
        self,
        engine: Callable[[], AsyncEngine],
        store: Callable[[Write], None],
        flush: Callable[[], Awaitable[Any]],
    ) -> None:
        self._engine = engine
        self._store = store
        self._flush = flush  # a query sees every file indexed before it

    def add(self, record: Mapping[str, Any]) -> None:
        """Queue a file's row for the next batch."""
        self._store(SaveMedia(media_row(record)))

    async def add_now(self, records: Iterable[Mapping[str, Any]], *, update: bool = True) -> int:
        """Write rows at once (the import of sidecars, files found unindexed);
        update False keeps a row already there. Returns how many were given."""
        rows = [media_row(record) for record in records]
        async with self._engine().begin() as connection:
            for start in range(0, len(rows), _PAGE):
                await upsert(connection, media_files, rows[start : start + _PAGE], update=update)
        return len(rows)

    async def get(self, path: str) -> dict[str, Any] | None:
        found = await self._select(media_files.c.path == path)
        return found[0] if found else None

    async def for_context(self, context_id: str) -> list[dict[str, Any]]:
        """The files asked for by a Context or by anything it caused, oldest first."""
        return await self._select(
            sa.or_(media_files.c.context_id == context_id, media_files.c.parent_id == context_id)
        )

    async def for_alarm(self, alarm_id: str) -> list[dict[str, Any]]:
        return await self._select(media_files.c.alarm_id == alarm_id)

    async def of_camera(
        self, entity_id: str, *, since: float | None = None, until: float | None = None
    ) -> list[dict[str, Any]]:
        where = [media_files.c.entity_id == entity_id]
        if since is not None:
            where.append(media_files.c.taken_at >= since)
        if until is not None:
            where.append(media_files.c.taken_at < until)
        return await self._select(sa.and_(*where))

    async def paths(self) -> set[str]:
        async with self._engine().connect() as connection:
            return set((await connection.execute(sa.select(media_files.c.path))).scalars())

    async def expired(self, before: float | None, max_size: float) -> list[str]:
        """The files retention deletes, oldest first: those taken before
        `before` (None: no age limit), then the oldest of the rest until
        what stays is at most `max_size` bytes."""
        taken_at, path, size = media_files.c.taken_at, media_files.c.path, media_files.c.size
        # no flush first: a retention pass must not commit the queue early
        # (a file still queued is the newest, never the one to delete)
        gone: list[str] = []
        async with self._engine().connect() as connection:
            kept = sa.true()
            if before is not None:
                old = sa.select(path).where(taken_at < before).order_by(taken_at, path)
                gone.extend((await connection.execute(old)).scalars())
                kept = taken_at >= before
            total = (
                await connection.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(size), 0)).where(kept)
                )
            ).scalar_one()
            after: tuple[float, str] | None = None
            while total > max_size:
                page = sa.select(path, size, taken_at).where(kept)
                if after is not None:
                    page = page.where(sa.tuple_(taken_at, path) > sa.tuple_(*after))
                rows = (await connection.execute(page.order_by(taken_at, path).limit(_PAGE))).all()
                if not rows:
                    break
                for row_path, row_size, row_taken in rows:
                    if total <= max_size:
                        break
                    gone.append(row_path)
                    total -= row_size
                    after = (row_taken, row_path)
        return gone

    async def remove(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        async with self._engine().begin() as connection:
            for start in range(0, len(paths), _PAGE):
                chunk = paths[start : start + _PAGE]
                await connection.execute(media_files.delete().where(media_files.c.path.in_(chunk)))

    async def _select(self, where: Any) -> list[dict[str, Any]]:
        await self._flush()
        statement = (
            sa.select(media_files).where(where).order_by(media_files.c.taken_at, media_files.c.path)
        )
        async with self._engine().connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [_record(row) for row in rows]
