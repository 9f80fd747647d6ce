"""How figures and recorded values are shown to a person: durations,
shares, numbers in the reader's language, and tables for a terminal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from babel.numbers import format_decimal

from .. import i18n

# what a terminal would act on (escape sequences, carriage returns, ...):
# recorded values come from devices and people, and are shown, never obeyed
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean(value: object) -> str:
    """A recorded value for a terminal: control characters as \\x.. escapes."""
    text = "-" if value is None else str(value)
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def number(value: float, lang: str, digits: int = 1) -> str:
    """`75.0` / `75,0`: a decimal in the reader's language."""
    return format_decimal(value, format="0." + "0" * digits if digits else "0", locale=lang)


def share(value: float | None, lang: str) -> str:
    """`75.0 %` (id: `75,0 %`); `-` when nothing is known."""
    return "-" if value is None else f"{number(value * 100, lang)} %"


def duration(seconds: float | None, lang: str) -> str:
    """`45 s`, `2 min 05 s`, `6 h 00 min`, `3 d 04 h` (in `lang`); `-` for None."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return i18n.t("report.duration.days", lang, days=days, hours=f"{hours:02d}")
    if hours:
        return i18n.t("report.duration.hours", lang, hours=hours, minutes=f"{minutes:02d}")
    if minutes:
        return i18n.t("report.duration.minutes", lang, minutes=minutes, seconds=f"{secs:02d}")
    return i18n.t("report.duration.seconds", lang, seconds=secs)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], widest: int = 48) -> list[str]:
    """Columns aligned for a terminal, each at most `widest` characters
    (a longer value is cut, ending in `…`)."""
    cells = [[clean(value) for value in row] for row in rows]
    for row in cells:
        for i, value in enumerate(row):
            if len(value) > widest:
                row[i] = value[: widest - 1] + "…"
    widths = [
        max([len(header), *(len(row[i]) for row in cells)]) for i, header in enumerate(headers)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(row) for row in cells)]
