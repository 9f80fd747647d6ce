"""Words people read, in Bahasa Indonesia and English, and times in the
hub's zone (WITA by default).

Each room registers its own messages once (`register({...})`), keyed by a
dotted name; `t(key, lang, **values)` renders one. A key missing in a
language falls back to English, then to the key itself, so a gap is visible
but never a crash.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DEFAULT_TIME_ZONE = "Asia/Makassar"

_CATALOG: dict[str, dict[str, str]] = {}

# Indonesian zone abbreviations people use; zoneinfo gives "+08" for WITA.
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def console_language(configured: str) -> str:
    """The language of what the admin reads on the terminal and in the log:
    SIGAP_LANG when set to id or en, else the hub's configured language."""
    lang = os.environ.get("SIGAP_LANG", "")
    return lang if lang in LANGUAGES else configured


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages: {key: {"id": "...", "en": "..."}}. Both languages are required."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGUAGES if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {', '.join(missing)}")
        if _CATALOG.get(key, texts) != texts:
            # two rooms picking one key would silently swap each other's words
            raise ValueError(f"message {key!r} is already registered with other words")
        _CATALOG[key] = dict(texts)


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    texts = _CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text


class Text(str):
    """A catalog message that is also its English text.

    Made where a mistake is found (`Text("config.unknown_key", key=..., hint=...)`),
    it passes through code that expects a str (voluptuous, logs, tests that
    assert English) and renders in any language later, where a person reads
    it: `text.render("id")`. Values that are Texts themselves render in the
    same language; other values (names, files, suggestions) go in as they are.
    Building one renders English once; nothing is translated until asked.
    """

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, /, **values: object) -> Text:
        self = super().__new__(cls, _render(key, "en", values))
        self.key, self.values = key, values
        return self

    def render(self, lang: str) -> str:
        return _render(self.key, lang, self.values)

    def __reduce__(self) -> tuple[object, ...]:
        return (_text, (self.key, self.values))

    def as_dict(self) -> dict[str, Any]:
        """The key and values as JSON data (nested Texts too), for a file a
        reader in another language renders later: `Text.from_dict(data)`."""
        return {"key": self.key, "values": {k: _plain(v) for k, v in self.values.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Text:
        values = data.get("values") or {}
        return cls(str(data["key"]), **{k: _from_plain(v) for k, v in values.items()})


def _text(key: str, values: dict[str, object]) -> Text:
    return Text(key, **values)


def _plain(value: object) -> Any:
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


def _from_plain(value: Any) -> object:
    if isinstance(value, dict) and "key" in value:
        return Text.from_dict(value)
    if isinstance(value, list):
        return [_from_plain(v) for v in value]
    return value


def text_in(data: Mapping[str, Any], name: str) -> str:
    """A text an event or state carries as plain words `name` plus
    `<name>_text` (its key and values): the Text again, for a reader who
    renders it in their own language; else the words as they are."""
    saved = data.get(f"{name}_text")
    if isinstance(saved, Mapping) and "key" in saved:
        return Text.from_dict(saved)
    return str(data.get(name, ""))


def message(err: BaseException) -> str:
    """What an exception says: its Text when it was raised with one (so it
    renders in the reader's language later), else its str."""
    if len(err.args) == 1 and isinstance(err.args[0], Text):
        return err.args[0]
    return str(err)


def render(text: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A Text in `lang`; anything else as its str (a plain message stays as written)."""
    return text.render(lang) if isinstance(text, Text) else str(text)


def _render(key: str, lang: str, values: Mapping[str, object]) -> str:
    texts = _CATALOG.get(key)
    if texts is None:
        return key
    # Always formatted (unlike t()), so `{{` means a brace with or without values.
    text = texts.get(lang) or texts["en"]
    return text.format(**{name: _value(value, lang) for name, value in values.items()})


def _value(value: object, lang: str) -> object:
    # Numbers stay numbers (a message may format `{seconds:.0f}`); a list is
    # a series of reasons, joined as the catalog's lists are: with "; ".
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, list | tuple):
        return "; ".join(render(v, lang) for v in value)
    return value


def placeholders(text: str) -> set[str]:
    """The `{names}` a message inserts, so both languages can be checked to insert the same."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def catalog() -> dict[str, dict[str, str]]:
    """Every registered message (a copy), for checks that both languages are complete."""
    return {key: dict(texts) for key, texts in _CATALOG.items()}


def has(key: str) -> bool:
    return key in _CATALOG


def format_time(
    when: float | datetime, tz: str | ZoneInfo = DEFAULT_TIME_ZONE, lang: str = DEFAULT_LANGUAGE
) -> str:
    """`27 Nov 2026 07:15:02 WITA` (id: `27 Nov 2026 07.15.02 WITA`)."""
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    moment = (
        datetime.fromtimestamp(when, zone)
        if isinstance(when, int | float)
        else when.astimezone(zone)
    )
    abbrev = zone_name(zone, moment)
    if lang == "id":
        month = _MONTHS_ID[moment.month - 1]
        return f"{moment.day} {month} {moment.year} {moment:%H.%M.%S} {abbrev}"
    return f"{moment.day} {moment:%b %Y %H:%M:%S} {abbrev}"


def zone_name(zone: ZoneInfo, moment: datetime) -> str:
    """What people call the zone: WITA, not the "+08" zoneinfo gives."""
    return _ZONE_NAMES.get(zone.key) or moment.strftime("%Z")


class ZonedLogFormatter(logging.Formatter):
    """Log times in the hub's zone, named (`2026-11-28 10:19:21 WITA`),
    whatever zone the server's clock is set to (often UTC): an operator
    matches a log line to a camera's picture and a guard's report in WITA."""

    def __init__(self, fmt: str, zone: Callable[[], ZoneInfo]) -> None:
        super().__init__(fmt)
        self.zone = zone  # asked per line

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        zone = self.zone()
        moment = datetime.fromtimestamp(record.created, zone)
        return f"{moment:%Y-%m-%d %H:%M:%S} {zone_name(zone, moment)}"
