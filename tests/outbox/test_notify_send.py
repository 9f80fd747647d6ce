"""notify.send (an automation's message) goes through the outbox too: one
stored message per target, addressed as the messenger reaches that
person, and a call that meets a limit returns at once while its message
waits its turn."""

from __future__ import annotations

from hub.core.context import Context
from hub.testing import EventWaiter

from .conftest import ANDI, BUDI


async def test_notify_send_stores_one_message_per_target_and_delivers_them(world):
    w = await world()
    w.tg.faults.throttle_next(1, retry_after=20)
    delivered = EventWaiter(w.hub, "notify.delivered")
    await w.hub.services.call(
        "notify",
        "send",
        {"entity_id": "notify.tg", "message": "Pintu arsip terbuka", "targets": "andi, budi"},
        Context(actor="automation:pintu_arsip"),
    )
    # the call returned: one went, one waits out its 429
    rows = await w.hub.recorder.outbox.listing(["pending", "sending", "delivered"])
    assert sorted((r["person_id"], r["recipient"]) for r in rows) == [
        ("andi", str(ANDI)),
        ("budi", str(BUDI)),
    ]
    await w.run_until(lambda: len(delivered.events) == 2, seconds=60)
    assert [m["text"] for m in w.tg.messages(ANDI)] == ["Pintu arsip terbuka"]
    assert [m["text"] for m in w.tg.messages(BUDI)] == ["Pintu arsip terbuka"]
    assert {e.data["person"] for e in delivered.events} == {"andi", "budi"}
