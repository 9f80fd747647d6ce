"""Words people read, in Bahasa Indonesia and English, and times in the
hub's zone (WITA by default).

Each room registers its own messages once (`register({...})`), keyed by a
dotted name; `t(key, lang, **values)` renders one. A key missing in a
language falls back to English, then to the key itself, so a gap is visible
but never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DEFAULT_TIME_ZONE = "Asia/Makassar"

_CATALOG: dict[str, dict[str, str]] = {}

# Indonesian zone abbreviations people use; zoneinfo gives "+08" for WITA.
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages: {key: {"id": "...", "en": "..."}}. Both languages are required."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGUAGES if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {', '.join(missing)}")
        _CATALOG[key] = dict(texts)


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    texts = _CATALOG.get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts["en"]
    return text.format(**values) if values else text


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
    abbrev = _ZONE_NAMES.get(zone.key) or moment.strftime("%Z")
    if lang == "id":
        month = _MONTHS_ID[moment.month - 1]
        return f"{moment.day} {month} {moment.year} {moment:%H.%M.%S} {abbrev}"
    return f"{moment.day} {moment:%b %Y %H:%M:%S} {abbrev}"
