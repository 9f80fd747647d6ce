"""/metrics' outbox figures (#13): the depth (messages waiting or being
sent) and what came of the rest, counted as the outbox settles them."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from hub.core.context import Context
from hub.core.http.metrics import Metrics
from hub.testing import EventWaiter

from .conftest import BUDI, CITRA


def figures(hub) -> dict[str, float]:
    metrics = Metrics(hub)
    try:
        text = metrics.render().decode()
    finally:
        metrics.close()
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("sigap_outbox_")
    }


async def test_outbox_depth_deliveries_and_failures(world):
    w = await world()
    assert figures(w.hub) == {
        "sigap_outbox_pending": 0,
        "sigap_outbox_delivered_total": 0,
        "sigap_outbox_failed_total": 0,
    }
    w.tg.block(BUDI)  # Budi blocked the bot: refused for good
    delivered = EventWaiter(w.hub, "notify.delivered")
    failed = EventWaiter(w.hub, "notify.failed")
    await w.hub.services.call(
        "notify",
        "send",
        {"entity_id": "notify.tg", "message": "Pintu arsip terbuka", "targets": "andi, budi"},
        Context(actor="automation:pintu_arsip"),
    )
    await w.run_until(lambda: delivered.events and failed.events, seconds=60)
    # Citra's message meets a 429 that asks for ten minutes: it waits, stored
    w.tg.faults.throttle_next(1, retry_after=600)
    await w.hub.services.call(
        "notify",
        "send",
        {"entity_id": "notify.tg", "message": "Sirene uji", "targets": "citra"},
        Context(actor="automation:sirene_uji"),
    )
    await w.run_until(lambda: w.tg.requests and w.tg.requests[-1].status == 429, seconds=10)
    assert figures(w.hub) == {
        "sigap_outbox_pending": 1,
        "sigap_outbox_delivered_total": 1,
        "sigap_outbox_failed_total": 1,
    }
    await w.run_until(lambda: len(delivered.events) == 2, seconds=700)
    assert [m["text"] for m in w.tg.messages(CITRA)] == ["Sirene uji"]
    assert figures(w.hub)["sigap_outbox_pending"] == 0
    assert figures(w.hub)["sigap_outbox_delivered_total"] == 2
