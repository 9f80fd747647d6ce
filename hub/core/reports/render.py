"""The report as text for a terminal, and as CSV for a spreadsheet.

CSV columns are fixed names (docs/reports.md lists them) so a sheet or a
script that reads one month's file reads the next; numbers are plain
(a dot, seconds, percent), times ISO 8601 in the hub's zone, names in the
hub's language.
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from .. import i18n
from .figures import Report, SiteFigures
from .periods import format_moment, iso
from .show import clean, duration, share, table

CSV_COLUMNS = (
    "kind",
    "site",
    "site_name",
    "entity_id",
    "name",
    "period_from",
    "period_to",
    "cameras",
    "availability_percent",
    "known_seconds",
    "unavailable_seconds",
    "alarms_raised",
    "alarms_acknowledged",
    "alarms_escalated",
    "ack_median_seconds",
    "ack_p90_seconds",
    "doors_forced",
    "doors_held_open",
    "sirens_unconfirmed",
)


def heading(report: Report, zone: ZoneInfo, lang: str, hub_name: str, source: str) -> list[str]:
    lines = [
        i18n.t(
            "report.heading",
            lang,
            hub=hub_name,
            since=format_moment(report.since, zone),
            until=format_moment(report.until, zone),
        ),
        i18n.t(
            "report.made",
            lang,
            time=i18n.format_time(report.made_at, zone, lang),
            database=source,
        ),
    ]
    if report.end < report.until:
        lines.append(i18n.t("report.known_until", lang, time=format_moment(report.end, zone)))
    return lines


def site_lines(site: SiteFigures, lang: str) -> list[str]:
    """The figures of one site, as the text report and the HTML show them."""
    return [
        i18n.t("report.cameras", lang, count=len(site.cameras), share=share(site.share, lang)),
        i18n.t(
            "report.alarms",
            lang,
            raised=site.raised,
            acknowledged=site.acknowledged,
            escalated=site.escalated,
        ),
        i18n.t(
            "report.ack_time",
            lang,
            median=duration(site.ack_median, lang),
            p90=duration(site.ack_p90, lang),
        ),
        i18n.t("report.doors", lang, forced=site.doors_forced, held_open=site.doors_held_open),
        i18n.t("report.sirens", lang, count=site.sirens_unconfirmed),
    ]


def camera_rows(site: SiteFigures, lang: str) -> list[list[str]]:
    return [
        [
            camera.name,
            camera.entity_id,
            share(camera.share, lang),
            duration(camera.unavailable, lang),
            duration(camera.known, lang),
        ]
        for camera in site.cameras
    ]


def camera_headers(lang: str) -> list[str]:
    return [
        i18n.t(f"report.col.{name}", lang)
        for name in ("camera", "entity", "available", "unavailable", "known")
    ]


def text(report: Report, zone: ZoneInfo, lang: str, hub_name: str, source: str) -> str:
    lines = [clean(line) for line in heading(report, zone, lang, hub_name, source)]
    if not report.sites:
        lines += ["", i18n.t("report.no_sites", lang)]
    for site in report.sites:
        lines += ["", clean(f"{site.site.name(lang)} ({site.site.id})")]
        said = site_lines(site, lang)
        lines.append(f"  {said[0]}")
        if site.cameras:
            lines += [
                f"    {line}" for line in table(camera_headers(lang), camera_rows(site, lang))
            ]
        lines += [f"  {line}" for line in said[1:]]
    return "\n".join(lines) + "\n"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.2f}"


def csv_text(report: Report, zone: ZoneInfo, lang: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    period = {"period_from": iso(report.since, zone), "period_to": iso(report.until, zone)}
    for site in report.sites:
        place = {
            "site": _cell(site.site.id),
            "site_name": _cell(site.site.name(lang)),
            **period,
        }
        writer.writerow(
            {
                "kind": "site",
                **place,
                "cameras": len(site.cameras),
                "availability_percent": _percent(site.share),
                "known_seconds": _seconds(sum(c.known for c in site.cameras)),
                "unavailable_seconds": _seconds(sum(c.unavailable for c in site.cameras)),
                "alarms_raised": site.raised,
                "alarms_acknowledged": site.acknowledged,
                "alarms_escalated": site.escalated,
                "ack_median_seconds": _seconds(site.ack_median),
                "ack_p90_seconds": _seconds(site.ack_p90),
                "doors_forced": site.doors_forced,
                "doors_held_open": site.doors_held_open,
                "sirens_unconfirmed": site.sirens_unconfirmed,
            }
        )
        for camera in site.cameras:
            writer.writerow(
                {
                    "kind": "camera",
                    **place,
                    "entity_id": _cell(camera.entity_id),
                    "name": _cell(camera.name),
                    "availability_percent": _percent(camera.share),
                    "known_seconds": _seconds(camera.known),
                    "unavailable_seconds": _seconds(camera.unavailable),
                }
            )
    return out.getvalue()


def _cell(value: str) -> str:
    """A name as a spreadsheet will not run it: `=...` would be a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


__all__ = ["CSV_COLUMNS", "csv_text", "text"]
