"""The period a command reads: `--from` and `--to` as an admin writes them.

A date (`2026-12-01`) is a whole day in the hub's zone (WITA): `--from` a
day starts at its midnight, `--to` a day ends at the next midnight, so
`--from 2026-12-01 --to 2026-12-01` is that one day; a report without them
covers the 7 days up to the end of today. An ISO date and time
(`2026-12-01T08:00`, `2026-12-01 08:00:00+08:00`, `...Z`) is that moment; one
without an offset is in the hub's zone. The end is excluded.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from ..i18n import Text, zone_name

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DEFAULT_DAYS = 7  # a report without --from: the week up to its end


class BadPeriod(ValueError):
    """args[0] is a Text saying what was wrong and what would be right."""


@dataclass(frozen=True, slots=True)
class Period:
    since: float | None  # seconds since the epoch (UTC); None: from the first record
    until: float | None  # excluded; None: up to now

    def __contains__(self, when: float) -> bool:
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )


def moment(value: str, zone: ZoneInfo, *, end: bool, option: str) -> float:
    """`value` as seconds since the epoch; a bare date is its day's start,
    or with `end` its day's end (the next midnight)."""
    given = value.strip()
    try:
        if _DAY.fullmatch(given):
            day = date.fromisoformat(given)
            if end:
                day += timedelta(days=1)
            return datetime.combine(day, clock_time(0), zone).timestamp()
        when = datetime.fromisoformat(given)
    except ValueError:
        raise BadPeriod(Text("report.bad_date", option=option, value=value)) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.timestamp()


def period(
    since: str | None,
    until: str | None,
    zone: ZoneInfo,
    *,
    default_week: bool = False,
    now: float | None = None,
) -> Period:
    """The period of `--from`/`--to`; raises BadPeriod for a date that is not
    one or an end not after the start. With `default_week` (the report) a
    missing `--to` is the end of today and a missing `--from` the 7 days
    before the end."""
    start = moment(since, zone, end=False, option="--from") if since is not None else None
    stop = moment(until, zone, end=True, option="--to") if until is not None else None
    if default_week:
        if stop is None:
            today = datetime.fromtimestamp(time.time() if now is None else now, zone).date()
            stop = moment(today.isoformat(), zone, end=True, option="--to")
        if start is None:
            start = stop - DEFAULT_DAYS * 86400.0
    if start is not None and stop is not None and stop <= start:
        raise BadPeriod(
            Text(
                "report.empty_period",
                since=format_moment(start, zone),
                until=format_moment(stop, zone),
            )
        )
    return Period(start, stop)


def format_moment(when: float, zone: ZoneInfo) -> str:
    """`2026-12-01 00:00 WITA`: a bound of a period, the same in both languages."""
    moment = datetime.fromtimestamp(when, zone)
    return f"{moment:%Y-%m-%d %H:%M} {zone_name(zone, moment)}"


def iso(when: float, zone: ZoneInfo) -> str:
    """`2026-12-01T00:00:00+08:00`: a time for a CSV file (machines read it)."""
    return datetime.fromtimestamp(when, zone).isoformat(timespec="seconds")
