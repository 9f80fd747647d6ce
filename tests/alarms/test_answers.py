"""Who may answer an alarm, and how the hub answers back: only people whose
role covers the alarm's site acknowledge or close it; the first
acknowledgement wins, a later one is recorded and answered politely."""

from __future__ import annotations

import asyncio

import pytest

from hub.core.alarms import AlarmError
from hub.core.context import Context
from hub.core.permissions import PermissionDenied
from hub.testing import EventWaiter

from .conftest import START, manager, raise_alarm, staff


async def test_staff_of_another_site_cannot_acknowledge_or_close(alarm_hub):
    hub = await alarm_hub()
    alarm_id = await raise_alarm(hub, site="dinkes", recipients=["dinkes_piket"])
    with EventWaiter(hub, "alarm.acknowledged") as acknowledged:
        with pytest.raises(PermissionDenied) as refused:
            await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("dewi"))
        assert str(refused.value) == "dewi may not acknowledge or raise alarms of site dinkes"
        with pytest.raises(PermissionDenied, match="dewi may not close alarms of site dinkes"):
            await hub.services.call("alarm", "close", {"alarm_id": alarm_id}, staff("dewi"))
        # someone no configured person stands behind is refused (by the policy)
        stranger = Context(actor="telegram:999")
        with pytest.raises(PermissionDenied):
            await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, stranger)
        assert acknowledged.events == []
    alarm = manager(hub).open[alarm_id]
    assert alarm.state in ("raised", "notified") and "acknowledged_by" not in alarm.record
    trail = await hub.recorder.audit_trail(alarm_id=alarm_id)
    refusals = {(a["who"], a["reason"], a["site"]) for a in trail if a["action"] == "refused"}
    assert refusals == {
        ("dewi", "alarm.acknowledge", "dinkes"),  # refused by the alarm manager: not her site
        ("dewi", "alarm.close", "dinkes"),
        ("telegram:999", None, None),  # refused by the policy: nobody it knows
    }
    # an operator of both sites may
    answer = await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("citra"))
    assert answer["acknowledged"] is True


async def test_staff_cannot_raise_an_alarm_by_hand_but_automations_can(alarm_hub):
    hub = await alarm_hub()
    with pytest.raises(PermissionDenied):
        await hub.services.call("alarm", "raise", {"title": "x", "site": "dinkes"}, staff("andi"))
    assert await raise_alarm(hub, site="dinkes")


async def test_the_first_acknowledgement_wins_and_a_later_one_is_thanked(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.acknowledged") as acknowledged:
        alarm_id = await raise_alarm(hub, recipients=["dinkes_piket", "citra"])
        await hub.clock.advance(30)
        first = await hub.services.call(
            "alarm", "acknowledge", {"alarm_id": alarm_id}, staff("andi")
        )
        await hub.clock.advance(5)
        second = await hub.services.call(
            "alarm", "acknowledge", {"alarm_id": alarm_id}, staff("budi")
        )
        third = await hub.services.call(
            "alarm", "acknowledge", {"alarm_id": alarm_id}, staff("citra")
        )
        await acknowledged.wait()
        assert len(acknowledged.events) == 1
    assert first["acknowledged"] is True
    assert second["acknowledged"] is False and second["acknowledged_by"] == "andi"
    assert second["message"] == (
        f"Terima kasih. Alarm {alarm_id} sudah diterima oleh Andi Pratama pada"
        " 2 Des 2026 22.00.30 WITA; jawaban Anda juga dicatat."
    )
    assert third["message"] == (
        f"Thank you. Alarm {alarm_id} was already acknowledged by Andi Pratama at"
        " 2 Dec 2026 22:00:30 WITA; your answer is recorded too."
    )
    assert second["message_text"]["key"] == "alarm.ack.already"
    row = await hub.recorder.alarms.get(alarm_id)
    assert row["acknowledged_by"] == "andi" and row["acknowledged_at"] == START + 30
    late = [
        e for e in await hub.recorder.alarms.history(alarm_id) if e["kind"] == "acknowledged_late"
    ]
    assert [(e["who"], e["at"]) for e in late] == [("budi", START + 35), ("citra", START + 35)]


async def test_taps_at_the_same_moment_make_one_acknowledgement(alarm_hub):
    """Four answers in flight together (two phones, a double tap): one wins,
    the others are recorded as late, whichever await the manager is in."""
    hub = await alarm_hub()
    alarm_id = await raise_alarm(hub, recipients=["dinkes_piket", "citra"])
    who = ("andi", "budi", "citra", "andi")
    with EventWaiter(hub, "alarm.acknowledged") as acknowledged:
        answers = await asyncio.gather(
            *(
                hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff(p))
                for p in who
            )
        )
        await acknowledged.wait()
        await hub.clock.advance(1)
        assert len(acknowledged.events) == 1
    assert [a["acknowledged"] for a in answers] == [True, False, False, False]
    assert {a.get("acknowledged_by") for a in answers[1:]} == {"andi"}
    steps = [
        (e["kind"], e["who"])
        for e in await hub.recorder.alarms.history(alarm_id)
        if e["kind"].startswith("acknowledged")
    ]
    assert steps == [("acknowledged", "andi")] + [("acknowledged_late", p) for p in who[1:]]
    assert (await hub.recorder.alarms.get(alarm_id))["acknowledged_by"] == "andi"


async def test_an_answer_after_the_close_is_recorded_and_answered(alarm_hub):
    hub = await alarm_hub()
    alarm_id = await raise_alarm(hub)
    await hub.services.call("alarm", "close", {"alarm_id": alarm_id, "note": "uji"}, staff("andi"))
    answer = await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("budi"))
    assert answer["acknowledged"] is False
    assert answer["message"].startswith(f"Terima kasih. Alarm {alarm_id} sudah ditutup pada")
    again = await hub.services.call("alarm", "close", {"alarm_id": alarm_id}, staff("citra"))
    assert again["closed"] is False
    assert again["message"].startswith(f"Alarm {alarm_id} was already closed by Andi Pratama")
    late = [
        e for e in await hub.recorder.alarms.history(alarm_id) if e["kind"] == "acknowledged_late"
    ]
    assert [e["who"] for e in late] == ["budi"]


async def test_escalating_past_the_chain_says_so(alarm_hub):
    hub = await alarm_hub()
    alarm_id = await raise_alarm(hub, recipients=["andi"])
    with pytest.raises(AlarmError, match="has no further escalation tier"):
        await hub.services.call("alarm", "escalate", {"alarm_id": alarm_id}, staff("andi"))
    answer = await hub.services.call(
        "alarm", "escalate", {"alarm_id": alarm_id, "recipients": ["citra"]}, staff("andi")
    )
    assert answer["tier"] == 1
