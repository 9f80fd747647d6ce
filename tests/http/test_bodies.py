"""A body the hub will not take gets a 4xx and one log line, never a
traceback and a 200; the automation does not run for it."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest

from hub.core.http import HTTP

from .conftest import http_lines, path


def nested(levels: int) -> bytes:
    return ("[" * levels + "1" + "]" * levels).encode()


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
REFUSED = [
    pytest.param(b"x" * (1024 * 1024 + 1), "text/plain", 413, "over 1048576", id="over-1MiB"),
    pytest.param(nested(100_000), JSON, 400, "deeper than 32 levels", id="deep-json"),
    pytest.param(nested(100_000), "text/plain", 400, "deeper than 32", id="deep-json-as-text"),
    pytest.param(nested(33), JSON, 400, "deeper than 32 levels", id="33-levels"),
    pytest.param(b"room=\xffarsip", FORM, 400, "not valid utf-8", id="bad-form-bytes"),
    pytest.param(b"room=lobi", FORM + "; charset=klingon", 400, "unknown charset klingon",
                 id="form-unknown-charset"),
    pytest.param(b'{"room": "lobi"}', JSON + "; charset=klingon", 400, "unknown charset",
                 id="json-unknown-charset"),
    pytest.param(b'{"room": ', JSON, 400, "not valid JSON", id="truncated-json"),
    pytest.param(b"&".join(b"f%d=1" % n for n in range(1001)), FORM, 400,
                 "more than 1000 fields", id="too-many-fields"),
    pytest.param(b"\xff\xfe", "text/plain; charset=utf-8", 400, "not valid utf-8",
                 id="bad-declared-charset"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), REFUSED)
async def test_a_body_the_hub_will_not_take_gets_4xx_and_one_line(
    webhook_hub, recorder, caplog, body, content_type, status, reason
):
    served = await webhook_hub()
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        response = await served.client.post(
            path(),
            data=io.BytesIO(body),
            headers={"Content-Type": content_type},
        )
    assert response.status == status
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in lines] == ["hub.core.http.webhooks"], [r.getMessage() for r in lines]
    assert reason in lines[0].getMessage()
    assert not lines[0].exc_info and not lines[0].exc_text
    assert recorder.calls == []


async def test_the_bodies_a_webhook_takes(webhook_hub, recorder):
    served = await webhook_hub()
    sent = [
        ({"json": {"room": "lobi"}}, {"json": {"room": "lobi"}}),
        ({"data": {"room": "arsip"}}, {"data": {"room": "arsip"}}),
        ({"data": "ruang server".encode("utf-16"),
          "headers": {"Content-Type": "text/plain; charset=utf-16"}}, {"data": "ruang server"}),
        ({"data": b"caf\xe9", "headers": {"Content-Type": "text/plain"}}, {"data": "caf\ufffd"}),
        ({"data": b"room=ruang%20tamu&x=",
          "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}},
         {"data": {"room": "ruang tamu", "x": ""}}),
    ]  # fmt: skip
    for kwargs, expected in sent:
        response = await served.client.post(path(), **kwargs)
        assert response.status == 200
        call = await recorder.next()
        got = {k: v for k, v in call.data.items() if v is not None}
        assert got == expected


async def test_a_body_that_does_not_arrive_in_time_gets_408(webhook_hub, recorder, caplog):
    served = await webhook_hub(body_timeout=0.3)
    # a body that stops half-way, on the hub's own listener: the slow-body limit as served
    reader, writer = await asyncio.open_connection("127.0.0.1", served.hub.data[HTTP].port)
    try:
        writer.write(
            b"POST /api/webhook/tombol-panik HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        await writer.drain()
        async with asyncio.timeout(5):
            status_line = await reader.readline()
    finally:
        writer.close()
    assert status_line.startswith(b"HTTP/1.1 408")
    assert "did not arrive within 0.3 s" in " ".join(r.getMessage() for r in http_lines(caplog))
    assert recorder.calls == []
