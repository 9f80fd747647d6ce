"""Order and pace: each recipient's messages arrive in the order they were
put in, never faster than the service allows (FakeTelegram counts as
Telegram does: one a second per chat, thirty a second overall), and a 429
that comes anyway is waited out for as long as it says."""

from __future__ import annotations

import itertools

from hub.testing import EventWaiter

from .conftest import ANDI


def _texts(tg, chat: int) -> list[str]:
    return [m["text"] for m in tg.messages(chat)]


async def test_200_messages_to_20_chats_all_arrive_in_order_and_never_too_fast(world):
    w = await world()
    chats = [5000 + n for n in range(20)]
    for chat in chats:
        w.tg.add_user(chat, f"Petugas {chat}")
    delivered = EventWaiter(w.hub, "notify.delivered")
    outbox = w.outbox
    # put in as an alarm burst would: all within the first second, interleaved
    for n in range(10):
        await outbox.put([outbox.message("notify.tg", str(c), text=f"{c}-{n}") for c in chats])

    took = await w.run_until(lambda: len(delivered.events) == 200, seconds=60)

    for chat in chats:
        assert _texts(w.tg, chat) == [f"{chat}-{n}" for n in range(10)]
    sends = w.tg.calls("sendMessage")
    assert len(sends) == 200 and all(c.status == 200 for c in sends)  # not one 429
    for chat in chats:  # one a second per chat, as the fake counts
        times = [c.at for c in sends if c.params["chat_id"] == chat]
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    # thirty a second overall: no second of the run holds more
    times = sorted(c.at for c in sends)
    assert all(times[i + 30] - times[i] >= 1.0 for i in range(len(times) - 30))
    assert 9.0 <= took <= 12.0, took  # ten a chat at one a second: no slower than needed
    rows = await w.hub.recorder.outbox.listing(["delivered"])
    assert len(rows) == 200 and all(r["attempts"] == 1 for r in rows)


async def test_a_429_is_waited_out_as_long_as_it_says_and_order_is_kept(world):
    w = await world()
    w.tg.faults.throttle_next(2, retry_after=7)
    delivered = EventWaiter(w.hub, "notify.delivered")
    outbox = w.outbox
    await outbox.put([outbox.message("notify.tg", str(ANDI), text=f"pesan {n}") for n in range(3)])

    await w.run_until(lambda: len(delivered.events) == 3, seconds=60)

    assert _texts(w.tg, ANDI) == ["pesan 0", "pesan 1", "pesan 2"]
    tries = w.tg.calls("sendMessage")
    assert [c.status for c in tries] == [429, 429, 200, 200, 200]
    assert tries[1].at - tries[0].at >= 7 and tries[2].at - tries[1].at >= 7
    row = await w.hub.recorder.outbox.get(delivered.events[0].data["message_id"])
    assert row["attempts"] == 3 and row["failures"] == 0  # a 429 is no failure of ours


async def test_a_group_gets_at_most_20_messages_a_minute_without_a_429(world):
    w = await world()
    group = -1001234567890  # a supergroup: the Command Center's
    w.tg.add_group(group, "Command Center")
    delivered = EventWaiter(w.hub, "notify.delivered")
    outbox = w.outbox
    await outbox.put([outbox.message("notify.tg", str(group), text=f"cc-{n}") for n in range(25)])

    took = await w.run_until(lambda: len(delivered.events) == 25, seconds=200)

    assert _texts(w.tg, group) == [f"cc-{n}" for n in range(25)]
    sends = w.tg.calls("sendMessage")
    assert len(sends) == 25 and all(c.status == 200 for c in sends)  # paced, not refused
    times = [c.at for c in sends]
    assert all(times[i + 20] - times[i] >= 60.0 for i in range(len(times) - 20))
    assert 60.0 <= took <= 66.0, took  # the 21st waits for the minute, no longer
