"""Telegram's HTML parse mode, written safely: every value put into a
message is escaped (`<`, `>`, `&`: what the Bot API asks), and a text too
long for one message is cut where a reader would cut it (between
paragraphs, lines, then words), before it becomes HTML, so no cut ever
falls inside a tag or an entity. Lengths count UTF-16 code units, as
Telegram does (an emoji is two), which is never less than the characters."""

from __future__ import annotations

import html

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# kept free in an alert's first part for the line an acknowledgement adds
EDIT_ROOM = 160


def escape(value: object) -> str:
    return html.escape(str(value), quote=False)


def units(text: str) -> int:
    """Telegram's length of `text`: UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _fit(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` units."""
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


def split(text: str, limit: int, first: int | None = None) -> list[str]:
    """`text` in parts of at most `limit` units (the first of at most
    `first`), cut at a blank line, else a line break, else a space, else
    where it must; each part stripped of the blank space at the cut."""
    parts: list[str] = []
    rest = text.strip()
    room = limit if first is None else first
    while units(rest) > room:
        most = _fit(rest, room)
        window = rest[:most]
        cut = -1
        for mark in ("\n\n", "\n", " "):
            found = window.rfind(mark)
            if found > most // 3:  # a cut that leaves a part worth sending
                cut = found
                break
        if cut <= 0:
            cut = most
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
        room = limit
    if rest or not parts:
        parts.append(rest)
    return parts


def _heading(title: str | None, limit: int) -> str:
    heading = " ".join((title or "").split())
    return heading[: _fit(heading, limit // 2)]


def _render(heading: str, parts: list[str]) -> list[str]:
    rendered = [escape(part) for part in parts]
    if heading:
        rendered[0] = f"<b>{escape(heading)}</b>" + (f"\n{rendered[0]}" if rendered[0] else "")
    return rendered


def message_parts(title: str | None, body: str, limit: int, reserve: int = 0) -> list[str]:
    """The HTML of each message: the title in bold on the first, the body
    cut to fit (`reserve` units of the first kept free for a later edit)."""
    heading = _heading(title, limit)
    first = limit - reserve - (units(heading) + 1 if heading else 0)
    return _render(heading, split(body, limit, first))


def photo_parts(title: str | None, body: str, reserve: int = 0) -> tuple[str, list[str]]:
    """The HTML of a photo's caption, and of the text messages that carry
    what did not fit in it (cut to the longer limit of a message)."""
    heading = _heading(title, CAPTION_LIMIT)
    first = CAPTION_LIMIT - reserve - (units(heading) + 1 if heading else 0)
    parts = split(body, CAPTION_LIMIT, first)
    caption = _render(heading, parts[:1])[0]
    rest = "\n\n".join(parts[1:])
    return caption, ([escape(p) for p in split(rest, TEXT_LIMIT)] if rest else [])
