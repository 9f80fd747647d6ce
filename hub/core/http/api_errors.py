"""The API's answers when something is refused or wrong: JSON
`{"error": {"code": ..., "message": ...}}`, the message in the reader's
language: Accept-Language when it names Indonesian or English, else the
person's language, else the hub's."""

from __future__ import annotations

from typing import Any

from aiohttp import hdrs, web

from ..i18n import LANGUAGES, render


def language_of(request: web.BaseRequest, person_language: str | None, hub_language: str) -> str:
    for part in request.headers.get(hdrs.ACCEPT_LANGUAGE, "").split(",")[:10]:
        tag = part.split(";", 1)[0].strip().lower()
        primary = tag.split("-", 1)[0]
        if primary in LANGUAGES:
            return primary
    if person_language in LANGUAGES:
        return str(person_language)
    return hub_language if hub_language in LANGUAGES else "en"


def json_error(
    status: int,
    code: str,
    message: object,
    lang: str,
    headers: dict[str, str] | None = None,
    **more: Any,
) -> web.Response:
    """`more` adds fields to the error (`keys` the schema refused)."""
    body: dict[str, Any] = {"error": {"code": code, "message": render(message, lang), **more}}
    return web.json_response(body, status=status, headers=headers)
