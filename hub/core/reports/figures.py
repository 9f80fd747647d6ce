"""The report's figures per site, from what the recorder kept.

- cameras configured: the `camera:` entries of the config with that site;
- availability of a camera: of the time its state is known in the period,
  the share it was not `unavailable` (state rows: `unavailable` against any
  other state; before its first recorded state, after it was removed, and
  while the hub was not running (recorder_runs) its state is not known and
  that time is left out);
- alarms raised / acknowledged / escalated: alarms raised in the period
  (`raised_at`), those of them acknowledged, those escalated at least once;
- time to acknowledge: `acknowledged_at - raised_at` of each acknowledged
  alarm; its median and 90th percentile (linear between the closest ranks);
- doors forced / held open, sirens unconfirmed: `door.forced`,
  `door.held_open` and `siren.unconfirmed` events fired in the period.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from ..sites import Site
from ..state import STATE_UNAVAILABLE
from . import queries
from .periods import Period

AVAILABLE = "available"
UNAVAILABLE = "unavailable"

EVENT_DOOR_FORCED = "door.forced"
EVENT_DOOR_HELD_OPEN = "door.held_open"
EVENT_SIREN_UNCONFIRMED = "siren.unconfirmed"
COUNTED_EVENTS = (EVENT_DOOR_FORCED, EVENT_DOOR_HELD_OPEN, EVENT_SIREN_UNCONFIRMED)


@dataclass(slots=True)
class CameraFigures:
    entity_id: str
    name: str
    #: (start, end, AVAILABLE | UNAVAILABLE) in time order; gaps: not known
    spans: list[tuple[float, float, str]] = field(default_factory=list)

    @property
    def known(self) -> float:
        return sum(end - start for start, end, _ in self.spans)

    @property
    def unavailable(self) -> float:
        return sum(end - start for start, end, kind in self.spans if kind == UNAVAILABLE)

    @property
    def share(self) -> float | None:
        """Available / known, 0..1; None when nothing is known."""
        known = self.known
        return (known - self.unavailable) / known if known > 0 else None


@dataclass(slots=True)
class SiteFigures:
    site: Site
    cameras: list[CameraFigures] = field(default_factory=list)
    raised: int = 0
    acknowledged: int = 0
    escalated: int = 0
    #: acknowledged_at - raised_at of each acknowledged alarm, seconds
    ack_times: list[float] = field(default_factory=list)
    doors_forced: int = 0
    doors_held_open: int = 0
    sirens_unconfirmed: int = 0

    @property
    def share(self) -> float | None:
        """All cameras' available time / their known time, 0..1."""
        known = sum(c.known for c in self.cameras)
        down = sum(c.unavailable for c in self.cameras)
        return (known - down) / known if known > 0 else None

    @property
    def ack_median(self) -> float | None:
        return percentile(self.ack_times, 0.5)

    @property
    def ack_p90(self) -> float | None:
        return percentile(self.ack_times, 0.9)


@dataclass(frozen=True, slots=True)
class Report:
    since: float
    until: float  # the period's end as asked
    end: float  # up to where it is known: the end, or now when that is sooner
    sites: list[SiteFigures]
    made_at: float


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile, linear between the closest ranks (the median at 0.5;
    numpy's default, statistics.quantiles' "inclusive")."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spans(
    initial: str | None, changes: Sequence[tuple[float, str | None]], since: float, end: float
) -> list[tuple[float, float, str]]:
    """Each stretch of [since, end) with a known state, as available or
    unavailable (neighbours of one kind merged)."""
    found: list[tuple[float, float, str]] = []
    current, start = initial, since
    for when, state in (*changes, (end, None)):
        when = min(max(when, since), end)
        if current is not None and when > start:
            kind = UNAVAILABLE if current == STATE_UNAVAILABLE else AVAILABLE
            if found and found[-1][2] == kind and found[-1][1] == start:
                found[-1] = (found[-1][0], when, kind)
            else:
                found.append((start, when, kind))
        current, start = state, when
    return found


def recording(
    runs: Sequence[tuple[float, float]] | None, since: float, end: float
) -> list[tuple[float, float]]:
    """The stretches of [since, end) the hub was recording (runs merged);
    the whole period when the database has no runs to tell."""
    if runs is None:
        return [(since, end)]
    merged: list[tuple[float, float]] = []
    for start, stop in sorted(runs):
        start, stop = max(start, since), min(stop, end)
        if stop <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def within(
    found: Sequence[tuple[float, float, str]], stretches: Sequence[tuple[float, float]]
) -> list[tuple[float, float, str]]:
    """The spans cut to the stretches the hub was recording: while it was
    stopped nobody saw the camera, so that time is not known."""
    kept = []
    for start, end, kind in found:
        for low, high in stretches:
            left, right = max(start, low), min(end, high)
            if right > left:
                kept.append((left, right, kind))
    return kept


def configured_cameras(config: Mapping[str, Any]) -> list[tuple[str, str, str | None]]:
    """(entity_id, name, site) of every configured camera."""
    return [
        (f"camera.{entry['id']}", str(entry.get("name") or entry["id"]), entry.get("site"))
        for entry in config.get("camera") or ()
        if isinstance(entry, Mapping) and entry.get("id")
    ]


def device_sites(config: Mapping[str, Any], domains: Sequence[str]) -> dict[str, str]:
    """entity_id -> site of every configured device (for an event without its site)."""
    found = {}
    for domain in domains:
        for entry in config.get(domain) or ():
            if isinstance(entry, Mapping) and entry.get("id") and entry.get("site"):
                found[f"{domain}.{entry['id']}"] = str(entry["site"])
    return found


async def report(
    engine: AsyncEngine,
    sites: Sequence[Site],
    cameras: Sequence[tuple[str, str, str | None]],
    site_of: Mapping[str, str],
    since: float,
    until: float,
    now: float,
) -> Report:
    end = max(since, min(until, now))
    figures = {site.id: SiteFigures(site) for site in sites}
    running = recording(await queries.hub_runs(engine, end, now), since, end)
    for entity_id, name, site in cameras:
        if site in figures:
            initial, changes = await queries.state_changes(engine, entity_id, since, end)
            known = within(spans(initial, changes, since, end), running)
            figures[site].cameras.append(CameraFigures(entity_id, name, known))
    period = Period(since, until)
    for alarm in await queries.alarms_raised(engine, period):
        site = figures.get(alarm.get("site"))
        if site is None:
            continue
        site.raised += 1
        if alarm.get("acknowledged_at") is not None:
            site.acknowledged += 1
            site.ack_times.append(float(alarm["acknowledged_at"]) - float(alarm["raised_at"]))
        if int(alarm.get("tier") or 0) > 0:
            site.escalated += 1
    for event in await queries.events_of_types(engine, COUNTED_EVENTS, period):
        data = event["data"]
        where = data.get("site") or site_of.get(str(data.get("entity_id")))
        site = figures.get(where)
        if site is None:
            continue
        kind = event["event_type"]
        if kind == EVENT_DOOR_FORCED:
            site.doors_forced += 1
        elif kind == EVENT_DOOR_HELD_OPEN:
            site.doors_held_open += 1
        else:
            site.sirens_unconfirmed += 1
    return Report(since, until, end, list(figures.values()), now)
