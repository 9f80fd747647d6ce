"""Messages survive a stop and go after the restart, in order; a message
for an alarm that was acknowledged meanwhile is superseded, not sent
stale; `sigap outbox` shows what waits, what is retried, what failed and
what was superseded, with reasons, in the hub's language and in WITA. On
SQLite and on PostgreSQL."""

from __future__ import annotations

import textwrap

from hub.core.context import Context
from hub.testing import EventWaiter

from ..sigap_process import run_sigap
from .conftest import ANDI, BUDI


def _texts(tg, chat: int) -> list[str]:
    return [m["text"] for m in tg.messages(chat)]


async def test_messages_waiting_at_a_stop_go_after_the_restart_in_order(world, db_url):
    first = await world(db_url=db_url)
    first.tg.faults.throttle_next(2, retry_after=30)  # both chats told to wait
    outbox = first.outbox
    await outbox.put(
        [
            outbox.message("notify.tg", str(c), text=f"{c}-{n}")
            for n in range(20)
            for c in (ANDI, BUDI)
        ]
    )
    await first.outbox.idle()
    assert first.tg.messages(ANDI) == [] and first.tg.messages(BUDI) == []
    await first.hub.stop()  # nothing was due: all 40 stay stored

    again = await world(db_url=db_url)
    delivered = EventWaiter(again.hub, "notify.delivered")
    await again.run_until(lambda: len(delivered.events) == 40, seconds=120)
    for chat in (ANDI, BUDI):
        assert _texts(again.tg, chat) == [f"{chat}-{n}" for n in range(20)]  # none twice
    assert again.outbox.resent == 0


async def test_an_alarm_acknowledged_meanwhile_supersedes_its_waiting_message(
    world, db_url, tmp_path
):
    first = await world(db_url=db_url)
    first.tg.faults.throttle_next(1, retry_after=60)  # Andi's alarm has to wait
    answer = await first.hub.services.call(
        "alarm",
        "raise",
        {"title": "Gerakan di lobi", "site": "dinkes", "recipients": ["andi"]},
        Context(actor="automation:gerakan"),
    )
    alarm_id = answer["alarm_id"]
    await first.outbox.idle()
    await first.hub.stop()

    again = await world(db_url=db_url)
    await again.hub.services.call(
        "alarm", "acknowledge", {"alarm_id": alarm_id}, Context(user_id="budi", actor="test")
    )
    await again.run_until(lambda: again.tg.messages(ANDI), seconds=120)
    await again.clock.advance(120)
    await again.outbox.idle()
    # Andi hears that Budi took it, never the alarm itself, now answered
    (told,) = _texts(again.tg, ANDI)
    assert "Budi menerima alarm" in told
    rows = await again.hub.recorder.outbox.of_alarm(alarm_id, "andi")
    assert [(r["kind"], r["state"]) for r in rows] == [
        ("raised", "superseded"),
        ("acknowledged", "delivered"),
    ]
    assert rows[0]["reason"]["key"] == "alarm.message_superseded.acknowledged"

    # what `sigap outbox` shows of it (read only, while the hub runs)
    again.tg.block(BUDI)
    outbox = again.outbox
    await outbox.put([outbox.message("notify.tg", str(BUDI), text="diblokir")])
    await outbox.idle()
    again.tg.faults.fail_next(1)
    await outbox.put([outbox.message("notify.tg", str(ANDI), text="nanti")])
    await outbox.idle()
    folder = tmp_path / "cli"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Test, language: id, time_zone: Asia/Makassar}}
            recorder: {{db_url: "{db_url}"}}
            """
        )
    )
    shown = run_sigap("outbox", "-c", str(folder), lang="id")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "Kotak keluar: 0 menunggu, 1 dicoba lagi, 1 gagal, 1 digantikan" in out
    assert "tidak dikirim: alarm" in out and "sudah diterima sementara itu" in out, out
    assert "Forbidden: bot was blocked by the user" in out
    assert "Internal Server Error" in out and "dicoba lagi" in out
    assert "2 Des 2026 22.0" in out and "WITA" in out
    failed = run_sigap("outbox", "--failed", "-c", str(folder), lang="en")
    assert failed.returncode == 0, failed.stderr
    lines = failed.stdout.splitlines()
    assert lines[0] == "Outbox: 0 waiting, 0 being retried, 1 failed, 0 superseded"
    assert len(lines) == 4 and "blocked by the user" in lines[3] and "2 Dec 2026" in lines[3]
