"""The recorder's tests run twice: on a SQLite file in tmp_path and on the
PostgreSQL server at 127.0.0.1:5432 (user postgres, trust auth), in a
database of a random name created for this test session and dropped at its
end; every test starts from an empty database (its tables dropped)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from hub.core.clock import FakeClock
from hub.core.hub import Hub
from hub.core.media import MEDIA
from hub.testing.required import missing_service

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


def in_thread(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine on a loop of its own, away from the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result(timeout=60)


async def _admin(sql: str, database: str = "postgres") -> None:
    connection = await asyncpg.connect(f"{POSTGRES_SERVER}/{database}", timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database for this session; its URL (dropped at the end)."""
    name = f"sigap_test_{secrets.token_hex(6)}"
    try:
        in_thread(lambda: _admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as err:
        missing_service(f"the PostgreSQL server on 127.0.0.1:5432 is needed: {err}")
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        in_thread(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def empty_postgres(url: str) -> None:
    database = url.rsplit("/", 1)[1]
    in_thread(lambda: _admin("DROP SCHEMA public CASCADE; CREATE SCHEMA public", database))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'recorder.db'}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


@pytest.fixture
def recorder_hub(hub_factory: Any, db_url: str) -> Callable[..., Awaitable[Hub]]:
    """`hub = await recorder_hub(**recorder_settings)`: a started hub on a
    FakeClock recording to the test's database."""

    async def make(clock: FakeClock | None = None, **settings: Any) -> Hub:
        config = {"recorder": {"db_url": db_url, **settings}}
        hub = await hub_factory(config=config, clock=clock or FakeClock())
        # the media room's first retention sweep reads the media index, which
        # flushes the recorder: let it pass, so a test counts only its own batches
        async with asyncio.timeout(10):
            await hub.data[MEDIA].first_retention_done.wait()
        return hub

    return make
