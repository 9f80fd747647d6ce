"""A request body, read and decoded the one way the hub does it.

The body is read whole before any handler sees it, within `body_timeout`
and up to `MAX_BODY` bytes; then it is decoded as JSON, a form or text.
Whatever a caller sends, the answer is the result or a `BodyRefused` with
the HTTP status and the reason in words: never a traceback, never a 200 for
a body the hub did not read.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from ..i18n import Text
from ..lograte import shown

MAX_BODY = 1024 * 1024  # aiohttp's client_max_size, said once here
MAX_JSON_DEPTH = 32
MAX_FORM_FIELDS = 1000
FORM = "application/x-www-form-urlencoded"
JSON_TYPES = ("application/json", "text/json")


class BodyRefused(Exception):
    """A body the hub will not take: `status` is the HTTP answer, `reason` a Text."""

    def __init__(self, status: int, reason: Text) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(request: web.BaseRequest, within: float) -> bytes:
    """The whole body (b"" when there is none); aiohttp keeps it, so a
    handler's own `request.read()`, `.json()` or `.post()` gets the same bytes."""
    try:
        async with asyncio.timeout(within):
            return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BodyRefused(413, Text("http.body.too_large", limit=MAX_BODY)) from None
    except TimeoutError:
        raise BodyRefused(408, Text("http.body.too_slow", seconds=f"{within:g}")) from None
    except (ValueError, OSError, web.HTTPException, web.RequestPayloadError) as err:
        # a broken chunked encoding, a bad gzip stream, a caller that hung up
        why = shown(err or type(err).__name__)
        raise BodyRefused(400, Text("http.body.broken", error=why)) from None


def _codec(request: web.BaseRequest) -> str | None:
    charset = request.charset
    if charset is None:
        return None
    try:
        name = codecs.lookup(charset).name
        # a codec that is not a text encoding (rot13, zlib) refuses to decode
        with contextlib.suppress(UnicodeError):
            b"a".decode(name)
        return name
    except LookupError:
        raise BodyRefused(400, Text("http.body.charset", charset=shown(charset, 40))) from None


def _text(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except UnicodeDecodeError:
        raise BodyRefused(400, Text("http.body.encoding", charset=charset)) from None


def _depth(value: Any) -> int:
    """How deep lists and objects nest, without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _json(text: str | bytes) -> Any:
    try:
        value = json.loads(text)
    except RecursionError:
        raise BodyRefused(400, Text("http.body.too_deep", depth=MAX_JSON_DEPTH)) from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise BodyRefused(400, Text("http.body.too_deep", depth=MAX_JSON_DEPTH))
    return value


def decode_body(request: web.BaseRequest, body: bytes) -> dict[str, Any]:
    """What a webhook was sent: `{"json": value}`, `{"data": form fields}`,
    `{"data": text}`, or `{}` for no body. A form must be exact; a body
    declared as JSON must parse; any other body that parses as JSON is JSON,
    else it is text (UTF-8 with replacement characters unless a charset was
    declared, which it must then be valid in)."""
    if not body:
        return {}
    charset = _codec(request)
    if request.content_type == FORM:
        text = _text(body, charset or "utf-8")
        try:
            fields = parse_qsl(
                text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS
            )
        except ValueError:
            raise BodyRefused(
                400, Text("http.body.too_many_fields", count=MAX_FORM_FIELDS)
            ) from None
        return {"data": dict(fields)}
    declared_json = request.content_type in JSON_TYPES
    source: str | bytes = _text(body, charset) if charset else body
    try:
        return {"json": _json(source)}
    except ValueError as err:
        if declared_json:
            raise BodyRefused(400, Text("http.body.json", error=shown(err, 80))) from None
    return {"data": source if isinstance(source, str) else body.decode("utf-8", "replace")}
