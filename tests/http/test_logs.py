"""What a caller puts in a request reaches the log escaped, capped and
rate-limited: a newline cannot forge a line, a long path cannot cost kilobytes
per request, and a flood of refused requests writes a line, not a flood."""

from __future__ import annotations

import asyncio
import logging

from hub.core.http import HTTP

from .conftest import http_lines, path

FORGED = "x%0A2026-11-28 10:50:45 WITA WARNING hub.notify.console: PERINGATAN: palsu%0D%1B[2J"


async def test_a_newline_in_the_url_cannot_forge_a_log_line(webhook_hub, caplog):
    served = await webhook_hub()
    async with served.client.post(path(FORGED), json={}) as response:
        assert response.status == 200
    lines = [r.getMessage() for r in http_lines(caplog)]
    assert lines, "the unknown webhook id is logged"
    for line in lines:
        assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert any("\\nPERINGATAN" in line or "\\n2026-11-28" in line for line in lines)


async def test_a_long_path_is_capped_in_the_log(webhook_hub, caplog):
    served = await webhook_hub()
    async with served.client.post(path("a" * 8000), json={}) as response:
        assert response.status == 200
    lines = [r.getMessage() for r in http_lines(caplog)]
    assert lines and all(len(line) < 600 for line in lines)
    assert any("8000" in line for line in lines)  # the cut says how long it was


async def test_a_flood_of_unknown_ids_writes_one_line(webhook_hub, caplog):
    served = await webhook_hub()
    for n in range(50):
        async with served.client.post(path(f"probe-{n}"), json={}) as response:
            assert response.status == 200
    warnings = [r for r in http_lines(caplog) if r.levelno == logging.WARNING]
    assert len(warnings) == 1


async def test_a_malformed_request_is_one_line_without_a_traceback(webhook_hub, caplog):
    served = await webhook_hub()
    # raw bytes on the hub's own listener (no client sends this head): what `sigap run` logs
    for _ in range(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", served.hub.data[HTTP].port)
        writer.write(
            b"POST /api/webhook/tombol-panik HTTP/1.1\r\nHost: hub\r\nNo colon\x1b[2J\r\n\r\n"
        )
        async with asyncio.timeout(5):
            assert (await reader.read()).split(b" ")[1] == b"400"
        writer.close()
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].getMessage().startswith("HTTP: refused a malformed request from 127.0.0.1")
    assert "\x1b" not in lines[0].getMessage()
    assert not lines[0].exc_info
