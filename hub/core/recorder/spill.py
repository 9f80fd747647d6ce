"""Audit rows that wait for the database on disk, not in memory.

The audit (who did what, who watched which footage) is never dropped, but
a database away for a night must not grow the hub's memory with it either:
past `SPILL_AT` waiting records, the oldest are appended to
`<config>/.storage/audit_spill.jsonl` (one JSON row per line, fsynced), and
the first batch the database takes again is followed by the file's rows,
then the file goes. A crash while it is being written back may write some
of its rows twice (at least once: an audit trail with a repeated line is
still true; one with a missing line is not).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from ..storage import FILE_MODE, storage_dir

SPILL_FILE = "audit_spill.jsonl"
#: audit records kept in memory while the database is away; beyond, to disk
SPILL_AT = 2_000
#: rows written back per transaction
PAGE = 1_000


class AuditSpill:
    def __init__(self, config_dir: Path) -> None:
        self._config_dir = config_dir
        self.spilled = 0  # rows written to the file since start

    @property
    def path(self) -> Path:
        return Path(self._config_dir, ".storage", SPILL_FILE)

    def waiting(self) -> bool:
        return self.path.exists()

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Add rows to the file (raises OSError when the disk will not take them)."""
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        await asyncio.to_thread(self._append, lines.encode())
        self.spilled += len(rows)

    def _append(self, data: bytes) -> None:
        storage_dir(self._config_dir)  # 0700, as everything in .storage
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)

    async def write_back(
        self, insert: Callable[[list[dict[str, Any]]], Awaitable[bool]]
    ) -> int | None:
        """Hand the file's rows to `insert` a page at a time; the file goes
        once every page was taken. Returns how many rows it held, or None
        when the database refused meanwhile (the file stays, for next time)."""
        pages = await asyncio.to_thread(lambda: list(_pages(self.path)))
        for page in pages:
            if not await insert(page):
                return None
        await asyncio.to_thread(self.path.unlink, missing_ok=True)
        return sum(len(page) for page in pages)


def _pages(path: Path) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as file:
        for line in file:
            try:
                page.append(json.loads(line))
            except ValueError:
                continue  # a line the crash cut short: the rest are whole
            if len(page) >= PAGE:
                yield page
                page = []
    if page:
        yield page
