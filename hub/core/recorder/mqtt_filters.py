"""`hub.recorder.mqtt_filters`: the topic filters the hub's persistent MQTT
session holds at the broker, per client id. The next start unsubscribes
those nothing subscribes to any more (an automation removed), or the broker
would queue their messages for nobody, for ever."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .rows import text
from .tables import mqtt_filters
from .writes import Write, upsert


class SaveFilters:
    """The session's filters now. `replace`: these are all of them (the
    others are forgotten); otherwise they are added to what is saved (the
    filters of the last run were not known: none is forgotten unseen)."""

    __slots__ = ("client_id", "filters", "key", "replace", "saved_at")

    def __init__(self, client_id: str, filters: Iterable[str], *, replace: bool) -> None:
        self.client_id = client_id
        self.filters = sorted(set(filters))
        self.replace = replace
        self.saved_at = time.time()
        self.key = ("mqtt_filters", client_id)

    async def apply(self, connection: AsyncConnection) -> None:
        session = mqtt_filters.c.client_id == self.client_id
        if self.replace:
            await connection.execute(
                mqtt_filters.delete().where(session, mqtt_filters.c.filter.not_in(self.filters))
            )
        rows = [
            {"client_id": text(self.client_id), "filter": text(f), "saved_at": self.saved_at}
            for f in self.filters
        ]
        await upsert(connection, mqtt_filters, rows)


class MqttFilters:
    def __init__(self, engine: Callable[[], AsyncEngine], store: Callable[[Write], None]) -> None:
        self._engine = engine
        self._store = store

    def save(self, client_id: str, filters: Iterable[str], *, replace: bool = True) -> None:
        """Queue the session's filters for the next batch."""
        self._store(SaveFilters(client_id, filters, replace=replace))

    async def save_now(self, client_id: str, filters: Iterable[str]) -> None:
        """Add filters at once (the import of the old file)."""
        async with self._engine().begin() as connection:
            await SaveFilters(client_id, filters, replace=False).apply(connection)

    async def of(self, client_id: str) -> set[str]:
        """The filters the session of `client_id` held when it was last saved."""
        statement: Any = sa.select(mqtt_filters.c.filter).where(
            mqtt_filters.c.client_id == client_id
        )
        async with self._engine().connect() as connection:
            return set((await connection.execute(statement)).scalars())
