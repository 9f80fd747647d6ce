"""Fuzzing webhook bodies at the HTTP layer: whatever a caller sends (bytes,
text, JSON nested or not, forms, charsets real and made up, a compression it
did not apply), the answer is 200 or a 4xx and nothing is logged with a
traceback or at ERROR. Bounded: a fixed number of examples, one hub."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import path

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
def fuzzed() -> SimpleNamespace:
    """What the examples of one run share (hypothesis calls the test once per
    example, with the same fixtures): the hub and its client, made by the first."""
    return SimpleNamespace(served=None)


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
async def test_no_webhook_body_gets_a_500_or_a_traceback(
    webhook_hub, fuzzed, body, content_type, charset, encoding, method, query
):
    if fuzzed.served is None:
        fuzzed.served = await webhook_hub(webhook_rate_limit=100000, webhook_burst=100000)
    headers = {}
    if content_type or charset is not None:
        headers["Content-Type"] = content_type + (f"; charset={charset}" if charset else "")
    if encoding:
        headers["Content-Encoding"] = encoding
    alarming = _Alarming()
    root = logging.getLogger()
    root.addHandler(alarming)
    try:
        async with fuzzed.served.client.request(
            method, path(), data=body, headers=headers, params=query
        ) as response:
            await response.read()
            status = response.status
    finally:
        root.removeHandler(alarming)
    assert status in ANSWERS
    assert not alarming.records, [r.getMessage() for r in alarming.records]
