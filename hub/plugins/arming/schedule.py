"""A panel's schedule: armed at night, disarmed in office hours.

`arm_at` arms every day (at night nobody works); `disarm_at` disarms only on
office days (weekdays by default) that are not holidays, so a building stays
armed through weekends and holidays. Times are the hub's local time (WITA).

The schedule works in moments, not in a level: when a timer fires, the
panel asks which moment is the latest one the wall clock has passed and acts
on that one, so a wall clock NTP moved meanwhile, or a hub that was off at
22:00, still ends up where the schedule says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import voluptuous as vol

from hub import i18n

ARM, DISARM = "arm", "disarm"
# How far a search for the next or last moment looks (a year of holidays).
_HORIZON_DAYS = 370

DAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "sabtu": 5,
    "minggu": 6,
}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def time_of_day(value: Any) -> time:
    """`"22:00"` (24-hour, local time); YAML may read 22:00 unquoted as minutes."""
    if isinstance(value, str) and (match := _TIME.fullmatch(value.strip())):
        return time(int(match[1]), int(match[2]))
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)  # YAML 1.1 reads 22:00 as 1320
    raise vol.Invalid(i18n.Text("arming.expected_time"))


def day_name(value: Any) -> int:
    if isinstance(value, str) and value.strip().lower() in DAYS:
        return DAYS[value.strip().lower()]
    raise vol.Invalid(i18n.Text("arming.expected_day", days="mon, tue, ... sun"))


def a_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise vol.Invalid(i18n.Text("arming.expected_date"))


def _distinct_times(config: dict[str, Any]) -> dict[str, Any]:
    if config.get("arm_at") is not None and config.get("arm_at") == config.get("disarm_at"):
        raise vol.Invalid(i18n.Text("arming.same_times"), path=["disarm_at"])
    return config


SCHEDULE_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional("arm_at"): time_of_day,
            vol.Optional("arm_mode", default="armed_night"): vol.In(
                ["armed_home", "armed_night", "armed_away"]
            ),
            vol.Optional("disarm_at"): time_of_day,
            vol.Optional("days", default=["mon", "tue", "wed", "thu", "fri"]): [day_name],
            vol.Optional("holidays", default=list): [a_date],
        }
    ),
    _distinct_times,
)


@dataclass(frozen=True)
class Schedule:
    arm_at: time | None
    arm_mode: str
    disarm_at: time | None
    days: frozenset[int]
    holidays: frozenset[date]
    zone: ZoneInfo

    @classmethod
    def from_config(cls, config: dict[str, Any], zone: ZoneInfo) -> Schedule:
        return cls(
            config.get("arm_at"),
            config["arm_mode"],
            config.get("disarm_at"),
            frozenset(config["days"]),
            frozenset(config["holidays"]),
            zone,
        )

    def office_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _moments(self, day: date) -> Iterator[tuple[datetime, str]]:
        """The day's moments, in order of the clock."""
        found = []
        if self.arm_at is not None:
            found.append((datetime.combine(day, self.arm_at, self.zone), ARM))
        if self.disarm_at is not None and self.office_day(day):
            found.append((datetime.combine(day, self.disarm_at, self.zone), DISARM))
        return iter(sorted(found))

    def next_after(self, now: datetime) -> tuple[datetime, str] | None:
        """The first moment strictly after `now`, and what it does."""
        today = now.astimezone(self.zone).date()
        for offset in range(_HORIZON_DAYS):
            for moment, what in self._moments(today + timedelta(days=offset)):
                if moment > now:
                    return moment, what
        return None

    def last_until(self, now: datetime) -> tuple[datetime, str] | None:
        """The latest moment at or before `now`, and what it does."""
        today = now.astimezone(self.zone).date()
        for offset in range(_HORIZON_DAYS):
            for moment, what in reversed(list(self._moments(today - timedelta(days=offset)))):
                if moment <= now:
                    return moment, what
        return None
