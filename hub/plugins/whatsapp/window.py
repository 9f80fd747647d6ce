"""Each person's 24-hour customer service window: the time of their last
inbound message, per number, kept in `<config>/.storage/whatsapp.<id>.json`
so a restarted hub still knows whose window is open. Times are hub.clock's."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from hub import i18n, storage_dir, write_atomic

WINDOW_SECONDS = 24 * 3600
# a safety margin: a message that leaves at 23:59:59 may arrive after the window
MARGIN = 60.0
_LOGGER = logging.getLogger("hub.notify.whatsapp")


class Windows:
    def __init__(self, hub: Any, notifier_id: str) -> None:
        self._hub = hub
        self._path = storage_dir(hub.config_dir) / f"whatsapp.{notifier_id}.json"
        self._last: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        try:
            raw = json.loads(await asyncio.to_thread(self._path.read_text, encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            _LOGGER.warning("%s", i18n.Text("whatsapp.windows_unreadable", file=self._path.name))
            return
        now = self._hub.clock.timestamp()
        for number, at in (raw.get("last_inbound") or {}).items():
            if isinstance(at, int | float) and now - at < WINDOW_SECONDS:
                self._last[str(number)] = float(at)

    def is_open(self, wa_id: str) -> bool:
        at = self._last.get(wa_id)
        return at is not None and self._hub.clock.timestamp() - at < WINDOW_SECONDS - MARGIN

    async def opened(self, wa_id: str, at: float) -> None:
        if at <= self._last.get(wa_id, 0.0):
            return
        self._last[wa_id] = at
        await self._save()

    async def closed(self, wa_id: str) -> None:
        """Graph said 131047: the window is shut whatever we thought."""
        if self._last.pop(wa_id, None) is not None:
            await self._save()

    async def _save(self) -> None:
        now = self._hub.clock.timestamp()
        # only open windows are kept: the file stays as small as the staff list
        self._last = {n: at for n, at in self._last.items() if now - at < WINDOW_SECONDS}
        data = json.dumps({"last_inbound": self._last}, sort_keys=True)
        async with self._lock:
            await asyncio.to_thread(write_atomic, self._path, data)
