"""Fuzzing webhook bodies at the HTTP layer: whatever a caller sends (bytes,
text, JSON nested or not, forms, charsets real and made up, a compression it
did not apply), the answer is 200 or a 4xx and nothing is logged with a
traceback or at ERROR. Bounded: a fixed number of examples, one hub."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.core.http import HTTP
from hub.core.hub import Hub
from tests.automation.conftest import Recorder, write_config

from .conftest import PANIC, http_section

ANSWERS = {200, 400, 408, 413}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)
bodies = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda s: s.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=20).map(
        lambda pairs: urlencode(pairs).encode()
    ),
    st.integers(min_value=1, max_value=20_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(min_value=1, max_value=5000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
)
content_types = st.sampled_from(
    [
        "application/json",
        "text/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/octet-stream",
        "multipart/form-data; boundary=batas",
        "",
        "*/*",
    ]
)
charsets = st.sampled_from(
    [None, "utf-8", "UTF-8", "latin-1", "utf-16", "utf-32", "ascii", "klingon", "", "rot13"]
)
encodings = st.sampled_from([None, None, None, "gzip", "deflate", "br", "identity", "x-zip"])


class _Alarming(logging.Handler):
    """Keeps every record at ERROR or with a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[Callable[[Coroutine[Any, Any, Any]], Any], str]]:
    """A hub serving the webhook on its own loop in a thread, so that
    hypothesis (which runs plain functions) can send it one request at a time."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="hub under fuzz", daemon=True)
    thread.start()

    def run(coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

    folder = write_config(
        tmp_path / "config",
        PANIC,
        http_section(webhook_rate_limit=100000, webhook_burst=100000),
    )
    recorder = Recorder()

    async def start() -> tuple[Hub, aiohttp.ClientSession]:
        hub = Hub(folder, plugins=["hub.plugins.demo"], autoload=False)
        hub.load()
        hub.services.register("test", "record", recorder.handler)
        await hub.start()
        return hub, aiohttp.ClientSession()

    hub, session = run(start())
    url = f"http://127.0.0.1:{hub.data[HTTP].port}/api/webhook/tombol-panik"

    async def post(**kwargs: Any) -> int:
        async with session.request(url=url, **kwargs) as response:
            await response.read()
            return response.status

    try:
        yield (lambda **kwargs: run(post(**kwargs))), hub
    finally:

        async def stop() -> None:
            await session.close()
            await hub.stop()

        run(stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
    assert not hub.plugins.failures, hub.plugins.failures


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=bodies,
    content_type=content_types,
    charset=charsets,
    encoding=encodings,
    method=st.sampled_from(["POST", "PUT"]),
    query=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
)
def test_no_webhook_body_gets_a_500_or_a_traceback(
    served, body, content_type, charset, encoding, method, query
):
    post, _hub = served
    headers = {}
    if content_type or charset is not None:
        headers["Content-Type"] = content_type + (f"; charset={charset}" if charset else "")
    if encoding:
        headers["Content-Encoding"] = encoding
    alarming = _Alarming()
    root = logging.getLogger()
    root.addHandler(alarming)
    try:
        status = post(method=method, data=body, headers=headers, params=query)
    finally:
        root.removeHandler(alarming)
    assert status in ANSWERS
    assert not alarming.records, [r.getMessage() for r in alarming.records]
