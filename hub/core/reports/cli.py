"""`sigap report`, `sigap history`, `sigap alarms`, `sigap audit`: what the
recorder kept, read by an admin on the server (docs/reports.md).

    sigap report --from 2026-12-01 --to 2026-12-31 [--site dinkes] [--format text|csv|html]
                 [-o FILE]
    sigap history camera.dinkes_lobi [--from DATE] [--to DATE] [--limit 50]
    sigap alarms [--site dinkes] [--open] [--limit 50]
    sigap audit [--entity E | --alarm ID | --person P] [--from DATE] [--to DATE] [--limit 50]
    sigap outbox [--failed] [--limit 50]

They read the database the config names, as the hub would find it, and
never write it: with the hub stopped, or while it runs. What they print is
in the hub's language (SIGAP_LANG, else `hub.language`), times in its zone
(WITA). A mistake of the admin's (a date, a site, an entity, a database
that is not there) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import i18n
from ..i18n import Text
from ..storage import write_atomic
from . import figures, queries, render
from .periods import BadPeriod, Period, period
from .show import duration, table
from .source import SourceMissing, one_line, opened, settings_of, shown

if TYPE_CHECKING:
    from ..hub import Hub

COMMANDS = ("report", "history", "alarms", "audit", "outbox")
FORMATS = ("text", "csv", "html")
DEFAULT_LIMIT = 50


class Refused(Exception):
    """The admin asked for something that is not there; args[0] is a Text."""


def add_parsers(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
    lang: str,
) -> None:
    """The four commands, in `lang`."""

    def h(key: str) -> str:
        return i18n.t(f"report.help.{key}", lang)

    def bounds(p: argparse.ArgumentParser) -> None:
        p.add_argument("--from", dest="since", metavar="DATE", help=h("from"))
        p.add_argument("--to", dest="until", metavar="DATE", help=h("to"))

    def limit(p: argparse.ArgumentParser) -> None:
        p.add_argument("--limit", type=number, default=DEFAULT_LIMIT, metavar="N", help=h("limit"))

    report = sub.add_parser("report", help=h("report"))
    common(report)
    bounds(report)
    report.add_argument("--site", metavar="SITE", help=h("site"))
    report.add_argument("--format", choices=FORMATS, default="text", help=h("format"))
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help=h("output"))
    history = sub.add_parser("history", help=h("history"))
    common(history)
    history.add_argument("entity", metavar="ENTITY", help=h("entity"))
    bounds(history)
    limit(history)
    alarms = sub.add_parser("alarms", help=h("alarms"))
    common(alarms)
    alarms.add_argument("--site", metavar="SITE", help=h("site"))
    alarms.add_argument("--open", action="store_true", dest="open_only", help=h("open"))
    limit(alarms)
    audit = sub.add_parser("audit", help=h("audit"))
    common(audit)
    which = audit.add_mutually_exclusive_group()
    which.add_argument("--entity", metavar="ENTITY", help=h("audit_entity"))
    which.add_argument("--alarm", metavar="ID", help=h("audit_alarm"))
    which.add_argument("--person", metavar="PERSON", help=h("audit_person"))
    bounds(audit)
    limit(audit)
    outbox = sub.add_parser("outbox", help=h("outbox"))
    common(outbox)
    outbox.add_argument("--failed", action="store_true", dest="failed_only", help=h("failed"))
    limit(outbox)


def number(value: str) -> int:
    """A count of rows, 1 or more (argparse names it in its error: `invalid number value`)."""
    given = int(value)
    if given < 1:
        raise ValueError(value)
    return given


def command(args: argparse.Namespace, hub: Hub, lang: str) -> int:
    """Run one of the commands on a loaded hub (its config, sites, people)."""
    try:
        return asyncio.run(_command(args, hub, lang))
    except (SourceMissing, BadPeriod, Refused) as err:
        print(i18n.render(err.args[0], lang), file=sys.stderr)
        return 2


async def _command(args: argparse.Namespace, hub: Hub, lang: str) -> int:
    settings = settings_of(hub.config.get("recorder"), hub.config_dir)
    zone = hub.time_zone
    # a mistake in the dates is said before any database is opened
    wanted = period(
        getattr(args, "since", None),
        getattr(args, "until", None),
        zone,
        default_week=args.command == "report",
    )
    _check_site(hub, getattr(args, "site", None))
    async with opened(settings) as engine:
        try:
            if args.command == "report":
                return await _report(args, hub, engine, wanted, lang, shown(settings))
            if args.command == "history":
                return await _history(args, hub, engine, wanted, lang)
            if args.command == "alarms":
                return await _alarms(args, hub, engine, lang)
            if args.command == "outbox":
                return await _outbox(args, hub, engine, lang)
            return await _audit(args, hub, engine, wanted, lang)
        except (SQLAlchemyError, OSError) as err:  # the database went away meanwhile
            raise SourceMissing(
                Text("report.cannot_read", url=shown(settings), error=one_line(err))
            ) from err


def _known(names: Sequence[str], given: str) -> dict[str, object]:
    """What the refusal lists: the known names (the first 20) and the closest one."""
    close = difflib.get_close_matches(given, names, n=1)
    listed = ", ".join(names[:20]) + (", ..." if len(names) > 20 else "")
    hint: object = Text("report.did_you_mean", name=close[0]) if close else ""
    return {"known": listed or "-", "hint": hint}


def _check_site(hub: Hub, site: str | None) -> None:
    if site is not None and site not in hub.sites:
        raise Refused(
            Text("report.unknown_site", site=site, **_known([s.id for s in hub.sites], site))
        )


def _configured_entities(hub: Hub) -> list[str]:
    return sorted(
        f"{domain}.{entry['id']}"
        for domain in hub.platforms
        for entry in hub.config.get(domain) or ()
        if isinstance(entry, dict) and entry.get("id")
    )


async def _check_entity(hub: Hub, engine: AsyncEngine, entity_id: str) -> None:
    configured = _configured_entities(hub)
    if entity_id in configured or await queries.entity_recorded(engine, entity_id):
        return
    names = sorted({*configured, *await queries.recorded_entities(engine)})
    raise Refused(Text("report.unknown_entity", entity_id=entity_id, **_known(names, entity_id)))


# -- report ---------------------------------------------------------------------------


async def _report(
    args: argparse.Namespace,
    hub: Hub,
    engine: AsyncEngine,
    wanted: Period,
    lang: str,
    source: str,
) -> int:
    assert wanted.since is not None and wanted.until is not None
    sites = [s for s in hub.sites if args.site is None or s.id == args.site]
    found = await figures.report(
        engine,
        sites,
        figures.configured_cameras(hub.config),
        figures.device_sites(hub.config, list(hub.platforms)),
        wanted.since,
        wanted.until,
        time.time(),
    )
    zone = hub.time_zone
    if args.format == "csv":
        out = render.csv_text(found, zone, lang)
    elif args.format == "html":
        from .html import html

        out = html(found, zone, lang, hub.name, source)
    else:
        out = render.text(found, zone, lang, hub.name, source)
    if args.output is None:
        sys.stdout.write(out)
        return 0
    try:
        # whole or not at all: a full disk keeps last month's report, never half
        # of this one (csv keeps its \r\n: the bytes are written as they are)
        write_atomic(args.output, out, mode=_file_mode(), durable=False)
    except OSError as err:
        raise Refused(Text("report.cannot_write", path=str(args.output), error=str(err))) from err
    print(i18n.t("report.written", lang, path=str(args.output)), file=sys.stderr)
    return 0


def _file_mode() -> int:
    """The mode open() would have given the report: the admin's umask applies
    (write_atomic makes its files 0600 unless told)."""
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


# -- history, alarms, audit -------------------------------------------------------------


def _time(when: float | None, hub: Hub, lang: str) -> str:
    return "-" if when is None else i18n.format_time(when, hub.time_zone, lang)


def _word(prefix: str, value: str | None, lang: str) -> str:
    """A recorded word (a state, an action) in `lang` where the catalog has it."""
    if value is None:
        return "-"
    key = f"{prefix}.{value}"
    return i18n.t(key, lang) if i18n.has(key) else value


def _print(lines: Sequence[str]) -> None:
    sys.stdout.write("\n".join(lines) + "\n")


def _headers(lang: str, *names: str) -> list[str]:
    return [i18n.t(f"report.col.{name}", lang) for name in names]


async def _history(
    args: argparse.Namespace, hub: Hub, engine: AsyncEngine, wanted: Period, lang: str
) -> int:
    await _check_entity(hub, engine, args.entity)
    rows = await queries.newest_states(engine, args.entity, wanted, args.limit)
    if not rows:
        _print([i18n.t("report.history.none", lang, entity_id=args.entity)])
        return 0
    lines = [i18n.t("report.history.heading", lang, entity_id=args.entity, count=len(rows))]
    lines += table(
        _headers(lang, "time", "state", "by"),
        [
            [_time(row["last_updated"], hub, lang), _state(row["state"], lang), row["who"]]
            for row in rows
        ],
    )
    _print(lines)
    return 0


def _state(value: str | None, lang: str) -> str:
    if value is None:
        return i18n.t("report.state.removed", lang)
    return value


async def _outbox(args: argparse.Namespace, hub: Hub, engine: AsyncEngine, lang: str) -> int:
    from .outbox import lines

    found = await lines(
        engine, failed_only=args.failed_only, limit=args.limit, zone=hub.time_zone, lang=lang
    )
    _print(found)
    return 0


async def _alarms(args: argparse.Namespace, hub: Hub, engine: AsyncEngine, lang: str) -> int:
    rows = await queries.newest_alarms(
        engine, args.site, open_only=args.open_only, limit=args.limit
    )
    if not rows:
        key = "report.alarms.none_open" if args.open_only else "report.alarms.none"
        _print([i18n.t(key, lang)])
        return 0
    lines = [i18n.t("report.alarms.heading", lang, count=len(rows))]
    lines += table(
        _headers(lang, "raised", "alarm", "site", "priority", "state", "title", "acknowledged"),
        [_alarm_row(alarm, hub, lang) for alarm in rows],
    )
    _print(lines)
    return 0


def _alarm_row(alarm: dict[str, Any], hub: Hub, lang: str) -> list[str]:
    title = alarm.get("title")
    if isinstance(title, dict):
        title = title.get(lang) or title.get("en") or next(iter(title.values()), "")
    acknowledged = "-"
    if alarm.get("acknowledged_at") is not None:
        acknowledged = i18n.t(
            "report.alarms.acknowledged",
            lang,
            who=alarm.get("acknowledged_by") or "-",
            after=duration(alarm["acknowledged_at"] - alarm["raised_at"], lang),
        )
    return [
        _time(alarm["raised_at"], hub, lang),
        alarm["id"],
        alarm.get("site") or "-",
        _word("alarm.priority", alarm.get("priority"), lang),
        _word("report.alarm_state", alarm.get("state"), lang),
        str(title or ""),
        acknowledged,
    ]


async def _audit(
    args: argparse.Namespace, hub: Hub, engine: AsyncEngine, wanted: Period, lang: str
) -> int:
    if args.entity is not None:
        await _check_entity(hub, engine, args.entity)
    if args.alarm is not None and not await queries.alarm_exists(engine, args.alarm):
        raise Refused(Text("report.unknown_alarm", alarm_id=args.alarm))
    if args.person is not None and hub.people.get(args.person) is None:
        if not await queries.person_recorded(engine, args.person):
            known = [p.id for p in hub.people]
            raise Refused(
                Text("report.unknown_person", person=args.person, **_known(known, args.person))
            )
    records = await queries.newest_audit(
        engine,
        entity_id=args.entity,
        alarm_id=args.alarm,
        person=args.person,
        period=wanted,
        limit=args.limit,
    )
    rows = [
        (
            record["time"],
            record["who"],
            _action(record, lang),
            record["entity_id"],
            record["site"],
            record["alarm_id"],
            record["reason"],
        )
        for record in records
    ]
    if args.alarm is not None:  # the alarm's own story beside what was done about it
        for step in await queries.alarm_steps(engine, args.alarm, wanted):
            step_word = _word("report.step", step["kind"], lang)
            what = i18n.t("report.action.alarm_step", lang, step=step_word)
            rows.append((step["at"], step["who"], what, None, None, args.alarm, _note(step, lang)))
        rows.sort(key=lambda row: row[0])
        rows = rows[-args.limit :]
    if not rows:
        _print([i18n.t("report.audit.none", lang)])
        return 0
    lines = [i18n.t("report.audit.heading", lang, count=len(rows))]
    lines += table(
        _headers(lang, "time", "who", "action", "entity", "site", "alarm", "reason"),
        [[_time(row[0], hub, lang), *row[1:]] for row in rows],
    )
    _print(lines)
    return 0


def _action(record: dict[str, Any], lang: str) -> str:
    said = _word("report.action", record["action"], lang)
    data = record.get("data")
    service = data.get("service") if isinstance(data, dict) else None
    return f"{said} {service}" if service else said


def _note(step: dict[str, Any], lang: str) -> str | None:
    note = step["data"].get("note")
    if isinstance(note, dict) and "key" in note:  # the hub's own words (an auto-close)
        return Text.from_dict(note).render(lang)
    return str(note) if note else None
