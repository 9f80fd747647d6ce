"""Sunrise and sunset at the hub's latitude and longitude (night-time rules
matter in security), computed with astral."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING

from astral import Observer
from astral.sun import sunrise, sunset

if TYPE_CHECKING:
    from ..hub import Hub

# Bontang, where Sigap is first used, when the hub names no place.
DEFAULT_LATITUDE = 0.1333
DEFAULT_LONGITUDE = 117.5


def observer(hub: Hub) -> Observer:
    settings = hub.settings
    return Observer(
        latitude=float(settings.get("latitude", DEFAULT_LATITUDE)),
        longitude=float(settings.get("longitude", DEFAULT_LONGITUDE)),
        elevation=float(settings.get("elevation", 0)),
    )


@lru_cache(maxsize=256)
def _event_on(
    lat: float, lon: float, elevation: float, event: str, day: date, zone: tzinfo
) -> datetime:
    where = Observer(latitude=lat, longitude=lon, elevation=elevation)
    compute = sunrise if event == "sunrise" else sunset
    return compute(where, day, tzinfo=zone).astimezone(UTC)


def sun_event(hub: Hub, event: str, day: date) -> datetime:
    """The UTC moment of `event` ("sunrise"/"sunset") on the local `day`."""
    where = observer(hub)
    return _event_on(where.latitude, where.longitude, where.elevation, event, day, hub.time_zone)


def next_sun_event(hub: Hub, event: str, offset: timedelta, after: datetime) -> datetime:
    """The first `event` + `offset` strictly after `after`."""
    day = after.astimezone(hub.time_zone).date() - timedelta(days=1)
    for _ in range(4):
        moment = sun_event(hub, event, day) + offset
        if moment > after:
            return moment
        day += timedelta(days=1)
    raise ValueError(f"no {event} found after {after}")
