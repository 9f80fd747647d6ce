"""The report as one self-contained HTML page: per site its figures, its
cameras' table and an availability chart drawn as inline SVG (no script,
no file beside it), laid out to read well printed on A4.

Every value goes through jinja2 with autoescape on: a site or camera name
is the config's, a title may be a device's; none is trusted as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import jinja2

from .. import i18n
from .figures import UNAVAILABLE, Report, SiteFigures
from .render import camera_headers, camera_rows, heading, site_lines
from .show import share

# the chart's geometry, in SVG user units (the page scales it to its width)
WIDTH = 760
LABEL = 190  # the camera names on the left
RIGHT = 60  # the share on the right
ROW = 22
TOP = 8
AXIS = 30

_STEPS = (3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400)
_MAX_TICKS = 8


@dataclass(slots=True)
class Row:
    label: str
    title: str
    y: float
    share: str
    spans: list[tuple[float, float, str]] = field(default_factory=list)  # x, width, class


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    left: int
    plot_width: int
    rows: list[Row]
    ticks: list[tuple[float, str]]  # x, label
    axis_y: float
    empty: str | None


def _ticks(since: float, until: float, zone: ZoneInfo) -> tuple[int, list[float]]:
    """Round moments (local hours or midnights) across the period, at most _MAX_TICKS."""
    length = until - since
    step = next((s for s in _STEPS if length / s <= _MAX_TICKS), None)
    if step is None:  # longer than 16 weeks: the start, the end and a few between
        return 0, [since + length * i / 4 for i in range(5)]
    start = datetime.fromtimestamp(since, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    moments, moment = [], start
    while moment.timestamp() <= until:
        if moment.timestamp() >= since:
            moments.append(moment.timestamp())
        moment = (moment.replace(tzinfo=None) + timedelta(seconds=step)).replace(tzinfo=zone)
    return step, moments


def chart(site: SiteFigures, report: Report, zone: ZoneInfo, lang: str) -> Chart:
    plot = WIDTH - LABEL - RIGHT
    length = max(report.until - report.since, 1.0)

    def x(when: float) -> float:
        return LABEL + (when - report.since) / length * plot

    rows = []
    for i, camera in enumerate(site.cameras):
        row = Row(
            label=camera.name if len(camera.name) <= 26 else camera.name[:25] + "…",
            title=f"{camera.name} ({camera.entity_id})",
            y=TOP + i * ROW,
            share=share(camera.share, lang),
        )
        for start, end, kind in camera.spans:
            left = x(start)
            # at least a hair wide: a minute's outage in a month still shows
            width = max(x(end) - left, 0.6)
            row.spans.append((round(left, 2), round(width, 2), kind))
        rows.append(row)
    axis_y = TOP + max(len(rows), 1) * ROW + 4
    step, moments = _ticks(report.since, report.until, zone)
    ticks = []
    for moment in moments:
        when = datetime.fromtimestamp(moment, zone)
        short = step and step < 86400 and (when.hour or when.minute)
        ticks.append((round(x(moment), 2), f"{when:%H:%M}" if short else f"{when:%d/%m}"))
    return Chart(
        width=WIDTH,
        height=int(axis_y + AXIS),
        left=LABEL,
        plot_width=plot,
        rows=rows,
        ticks=ticks,
        axis_y=axis_y,
        empty=None if rows else i18n.t("report.no_cameras", lang),
    )


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("hub.core.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def html(report: Report, zone: ZoneInfo, lang: str, hub_name: str, source: str) -> str:
    def t(key: str, **values: object) -> str:
        return i18n.t(key, lang, **values)

    sites = [
        {
            "id": site.site.id,
            "name": site.site.name(lang),
            "lines": site_lines(site, lang),
            "headers": camera_headers(lang),
            "cameras": camera_rows(site, lang),
            "chart": chart(site, report, zone, lang),
        }
        for site in report.sites
    ]
    return _ENVIRONMENT.get_template("report.html").render(
        lang=lang,
        t=t,
        heading=heading(report, zone, lang, hub_name, source),
        sites=sites,
        unavailable=UNAVAILABLE,
    )
