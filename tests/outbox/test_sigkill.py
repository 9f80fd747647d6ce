"""A real `sigap run` delivering 500 stored messages over WhatsApp (to
FakeWhatsApp, with its limits: 80 a second, one per 6 s to a person) is
SIGKILLed in the middle; after the restart every message has arrived.
At-least-once: a message in flight at the kill may arrive twice; the test
counts and reports duplicates, and bounds them by what can be in flight."""

from __future__ import annotations

import collections
import re
import textwrap
from pathlib import Path

from hub.core.outbox import MAX_IN_FLIGHT, Message
from hub.core.recorder import database
from hub.core.recorder.outbox import OutboxRecords
from hub.core.recorder.settings import RecorderSettings, resolve_url
from hub.testing.messengers import FakeWhatsApp

from ..sigap_process import sigap_run

MESSAGES = 500
PEOPLE = 250  # two messages each: the pair limit spaces them 6 s apart
KILL_AT = 150  # messages the fake has taken


def _number(n: int) -> str:
    return f"+628130000{n:04d}"


def _config(folder: Path, db_url: str, wa: FakeWhatsApp) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji, language: en}}
            recorder: {{db_url: "{db_url}"}}
            notify:
              - platform: whatsapp
                id: wa
                graph_url: {wa.graph_url}
                phone_number_id: "{wa.phone_number_id}"
                access_token: {wa.token}
                app_secret: {wa.app_secret}
                verify_token: {wa.verify_token}
                template: {{name: sigap_pesan, language: id, image_header: false}}
            """
        )
    )
    return folder


async def _store(db_url: str, folder: Path) -> None:
    """500 messages written as the outbox writes them, before the hub runs."""
    engine = database.create_engine(RecorderSettings(url=resolve_url(db_url, folder)))
    try:
        async with engine.begin() as connection:
            await connection.run_sync(database.upgrade)
        rows = []
        for n in range(MESSAGES):
            msg = Message(
                id=f"m{n:04d}",
                notifier="notify.wa",
                recipient=_number(n % PEOPLE),
                body={"title": "Uji", "message": f"pesan-{n}", "data": {}, "language": "id"},
                created_at=1.0 + n,
                updated_at=1.0 + n,
            )
            rows.append(msg.row())
        await OutboxRecords(lambda: engine).write(rows, [])
    finally:
        await engine.dispose()


def _received(wa: FakeWhatsApp) -> list[str]:
    return [
        s.body["template"]["components"][0]["parameters"][1]["text"]
        for s in wa.sent
        if s.type == "template"
    ]


async def test_500_messages_pending_at_a_sigkill_are_all_delivered_after_the_restart(
    db_url: str, tmp_path: Path
) -> None:
    async with FakeWhatsApp() as wa:
        wa.add_template("sigap_pesan", "id", body_params=3, buttons=())
        for n in range(PEOPLE):
            wa.add_contact(_number(n))
        folder = _config(tmp_path / "config", db_url, wa)
        await _store(db_url, folder)

        async with sigap_run(folder) as first:
            await first.until(r"Uji started")
            await wa.wait_for(lambda: len(wa.sent) >= KILL_AT, within=60)
            first.proc.kill()  # SIGKILL: no drain, no last write
            await first.proc.wait()
        before = len(_received(wa))
        assert before < MESSAGES, "all went before the kill: the test proves nothing"

        async with sigap_run(folder) as second:
            await second.until(r"Uji started")
            await wa.wait_for(lambda: len(set(_received(wa))) == MESSAGES, within=90)
            assert await second.interrupt() == 0
        left = re.search(r"outbox: (\d+) messages from the last run", second.output)
        assert left is not None and 0 < int(left[1]) <= MESSAGES - before + MAX_IN_FLIGHT, (
            second.output
        )

    received = _received(wa)
    counts = collections.Counter(received)
    duplicates = sum(c - 1 for c in counts.values())
    print(
        f"\nSIGKILL after {before} of {MESSAGES} messages; after the restart all "
        f"{len(counts)} arrived, {duplicates} twice (sent, then killed before it was marked)"
    )
    assert set(counts) == {f"pesan-{n}" for n in range(MESSAGES)}
    # only what was in flight (sent, not yet marked) at the kill can come twice
    assert duplicates <= MAX_IN_FLIGHT, counts.most_common(5)
    # each person's two messages in order
    for n in range(PEOPLE):
        mine = [t for s, t in zip(wa.sent, received, strict=False) if s.to == _number(n)[1:]]
        assert mine == sorted(mine, key=lambda t: int(t.split("-")[1])), mine
    # and the database knows it: every row delivered, none left waiting
    engine = database.create_engine(RecorderSettings(url=resolve_url(db_url, folder)))
    try:
        rows = await OutboxRecords(lambda: engine).listing(["delivered"])
        assert len(rows) == MESSAGES
        assert await OutboxRecords(lambda: engine).unfinished() == []
    finally:
        await engine.dispose()
