"""Words people read, in Bahasa Indonesia and English, and times in the
hub's zone (WITA by default).

The words live in gettext catalogs: `hub/locale/<lang>/LC_MESSAGES/sigap.po`
for the core, and one domain per plugin (`add_domain("acme", folder)`), so
a vendor's messages never clash with the core's. A message id is a dotted
key (`mqtt.not_connected`); its text is a `str.format` pattern, with plural
forms where a count decides the words. Catalogs are read with Babel the first
time a text is needed, so `import hub` stays fast. A key missing in a
language falls back to English, then to the key itself: a gap is visible,
never a crash.
"""

from __future__ import annotations

import gettext
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
DEFAULT_TIME_ZONE = "Asia/Makassar"
CORE_DOMAIN = "sigap"

# key -> {lang: text, or the plural forms}; filled from the catalogs
_CATALOG: dict[str, dict[str, str | tuple[str, ...]]] = {}
_PLURAL: dict[tuple[str, str], Callable[[int], int]] = {}  # (key, lang) -> form index
_OWNER: dict[str, str] = {}  # key -> the domain that defines it
_DOMAINS: dict[str, Path] = {CORE_DOMAIN: Path(__file__).resolve().parent.parent / "locale"}
_PENDING: list[str] = [CORE_DOMAIN]

# Indonesian zone abbreviations people use; zoneinfo gives "+08" for WITA.
_ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def add_domain(name: str, folder: str | os.PathLike[str]) -> None:
    """A plugin's own catalogs: `folder/<lang>/LC_MESSAGES/<name>.po`. Call it
    once at import; the catalogs are read when a text is first needed."""
    folder = Path(folder).resolve()
    known = _DOMAINS.get(name)
    if known == folder:
        return
    if known is not None:
        raise ValueError(f"translation domain {name!r} is already at {known}")
    _DOMAINS[name] = folder
    _PENDING.append(name)


def po_path(domain: str, lang: str) -> Path:
    """Where a domain's catalog of one language lives."""
    return _DOMAINS[domain] / lang / "LC_MESSAGES" / f"{domain}.po"


def domains() -> dict[str, Path]:
    """Every translation domain known, with its locale folder."""
    return dict(_DOMAINS)


def _load() -> None:
    from babel.messages.pofile import read_po  # only when a text is first needed

    while _PENDING:
        domain = _PENDING.pop(0)
        for lang in LANGUAGES:
            path = po_path(domain, lang)
            if not path.exists():
                continue
            with path.open("rb") as file:
                catalog = read_po(file, locale=lang, domain=domain)
            plural = gettext.c2py(catalog.plural_expr) if catalog.num_plurals > 1 else None
            for item in catalog:
                if not item.id or not item.string:
                    continue
                key = item.id[0] if isinstance(item.id, tuple | list) else item.id
                owner = _OWNER.setdefault(key, domain)
                if owner != domain:
                    # two domains picking one key would silently swap each other's words
                    raise ValueError(f"message {key!r} is defined by both {owner} and {domain}")
                if isinstance(item.string, tuple | list):
                    _CATALOG.setdefault(key, {})[lang] = tuple(item.string)
                    _PLURAL[(key, lang)] = plural or _one_form
                else:
                    _CATALOG.setdefault(key, {})[lang] = item.string


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Words given in code rather than in a catalog: only for a test's own
    messages. Every message of the hub and its plugins lives in .po files
    (tests/core/test_catalogs.py fails on a key registered this way)."""
    if _PENDING:
        _load()
    for key, texts in messages.items():
        missing = [lang for lang in LANGUAGES if lang not in texts]
        if missing:
            raise ValueError(f"message {key!r} lacks {', '.join(missing)}")
        known = _CATALOG.get(key)
        if known is not None and known != dict(texts):
            raise ValueError(f"message {key!r} is already registered with other words")
        _CATALOG[key] = dict(texts)


def _one_form(count: int) -> int:
    return 0


def _texts(key: str) -> dict[str, str | tuple[str, ...]] | None:
    if _PENDING:
        _load()
    return _CATALOG.get(key)


def _pick(key: str, lang: str, values: Mapping[str, object]) -> str | None:
    """The pattern of `key` in `lang` (English where `lang` lacks it); for a
    message with plural forms, the form `values["count"]` asks for."""
    texts = _texts(key)
    if texts is None:
        return None
    chosen = lang if texts.get(lang) else "en"
    text = texts.get(chosen)
    if isinstance(text, tuple):
        count = values.get("count", 1)
        index = _PLURAL[(key, chosen)](int(count) if isinstance(count, int | float) else 1)
        return text[min(index, len(text) - 1)]
    return text


def console_language(configured: str) -> str:
    """The language of what the admin reads on the terminal and in the log:
    SIGAP_LANG when set to id or en, else the hub's configured language."""
    lang = os.environ.get("SIGAP_LANG", "")
    return lang if lang in LANGUAGES else configured


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    text = _pick(key, lang, values)
    if text is None:
        return key
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
    text = _pick(key, lang, values)
    if text is None:
        return key
    # Always formatted (unlike t()), so `{{` means a brace with or without values.
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


def catalog() -> dict[str, dict[str, str | tuple[str, ...]]]:
    """Every message of every domain (a copy), for checks that both languages are complete."""
    if _PENDING:
        _load()
    return {key: dict(texts) for key, texts in _CATALOG.items()}


def owner(key: str) -> str | None:
    """The domain that defines `key`."""
    if _PENDING:
        _load()
    return _OWNER.get(key)


def export_json(lang: str) -> dict[str, str | list[str]]:
    """One language's words, for the dashboard: {key: text, or its plural forms}."""
    exported: dict[str, str | list[str]] = {}
    for key, texts in catalog().items():
        text = texts.get(lang) or texts.get("en")
        if text:
            exported[key] = list(text) if isinstance(text, tuple) else text
    return exported


def has(key: str) -> bool:
    return _texts(key) is not None


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
