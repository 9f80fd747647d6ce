"""Where arming states survive a restart: `<config>/.storage/arming.json`.

One small file for every panel of the hub, written whole (write_atomic, off
the loop) after each change; a later change while a write runs is written
next, so the file always ends with the latest states. It holds states and
times, never a code.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from hub import HubKey, i18n, storage_dir, write_atomic

_LOGGER = logging.getLogger(__name__)
FILE = "arming.json"


class PanelStore:
    def __init__(self, hub: Any) -> None:
        self._hub = hub
        self._path = storage_dir(hub.config_dir) / FILE
        self._records: dict[str, dict[str, Any]] = self._read()
        self._dirty = False
        self._writing: asyncio.Task[None] | None = None

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:  # a broken file costs the saved states only
            _LOGGER.warning(i18n.Text("arming.store_unreadable", path=str(self._path), error=err))
            return {}
        return (
            {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}
        )

    def get(self, entity_id: str) -> dict[str, Any] | None:
        return self._records.get(entity_id)

    def save(self, entity_id: str, record: dict[str, Any]) -> None:
        self._records[entity_id] = record
        self._dirty = True
        if self._writing is None or self._writing.done():
            self._writing = self._hub.create_task(self._write(), "arming store", owner="arming")

    async def _write(self) -> None:
        while self._dirty:
            self._dirty = False
            data = json.dumps(self._records, sort_keys=True)
            try:
                await asyncio.to_thread(write_atomic, self._path, data)
            except OSError as err:  # a full disk: the states live on in memory
                _LOGGER.warning(i18n.Text("arming.store_failed", path=str(self._path), error=err))

    async def flush(self) -> None:
        """Wait until what was saved is on disk (at stop)."""
        if self._writing is not None and not self._writing.done():
            await asyncio.shield(self._writing)


STORE: HubKey[PanelStore] = HubKey("arming.store")


def store_of(hub: Any) -> PanelStore:
    store = hub.data.get(STORE)
    if store is None:
        store = hub.data.setdefault(STORE, PanelStore(hub))
    return store
