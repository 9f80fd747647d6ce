"""`sigap outbox [--failed]`: the messages waiting, being retried, failed
and superseded in the recorder's outbox table, each with its reason, in
the hub's language and zone (WITA), read only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from .. import i18n
from ..i18n import format_time
from ..outbox import reason_text
from ..recorder.outbox import FAILED, PENDING, SENDING, SUPERSEDED, OutboxRecords
from .show import table

SHOWN_STATES = (PENDING, SENDING, FAILED, SUPERSEDED)
COLUMNS = ("created", "message", "notifier", "to", "alarm", "kind", "state", "tries", "next", "why")


def state_of(row: dict[str, Any]) -> str:
    """pending, retrying (tried before, or cut off mid-send), failed, superseded."""
    if row["state"] == SENDING or (row["state"] == PENDING and row["attempts"]):
        return "retrying"
    return str(row["state"])


async def lines(
    engine: AsyncEngine, *, failed_only: bool, limit: int, zone: Any, lang: str
) -> list[str]:
    records = OutboxRecords(lambda: engine)
    rows = await records.listing([FAILED] if failed_only else SHOWN_STATES, limit=limit)
    if not rows:
        return [i18n.t("outbox.cli.none_failed" if failed_only else "outbox.cli.none", lang)]
    counts = {name: 0 for name in ("pending", "retrying", "failed", "superseded")}
    for row in rows:
        counts[state_of(row)] += 1
    out = [i18n.t("outbox.cli.heading", lang, **counts)]
    out += table(
        [i18n.t(f"outbox.col.{name}", lang) for name in COLUMNS],
        [_row(row, zone, lang) for row in rows],
        widest=110,
    )
    return out


def _row(row: dict[str, Any], zone: Any, lang: str) -> list[str]:
    state = state_of(row)
    upcoming = row["not_before"] if state in ("pending", "retrying") else None
    return [
        format_time(row["created_at"], zone, lang),
        row["id"],
        row["notifier"],
        row["person_id"] or row["recipient"] or "-",
        row["alarm_id"] or "-",
        row["kind"] or "-",
        i18n.t(f"outbox.state.{state}", lang),
        str(row["attempts"]),
        format_time(upcoming, zone, lang) if upcoming else "-",
        reason_text(row["reason"], lang) or "-",
    ]
