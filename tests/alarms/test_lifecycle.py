"""An alarm from raise to close: raised -> notified -> acknowledged -> closed,
an event for each step, the history in the recorder, each person told in
their own language with the site, the camera and the time in WITA."""

from __future__ import annotations

import asyncio
import os

from hub.core.context import Context
from hub.testing import EventWaiter

from .conftest import START, background_done, manager, raise_alarm, sent, staff


async def test_an_alarm_goes_raised_notified_acknowledged_closed(alarm_hub):
    hub = await alarm_hub()
    events = {
        name: EventWaiter(hub, f"alarm.{name}")
        for name in ("raised", "notified", "acknowledged", "closed")
    }
    alarm_id = await raise_alarm(
        hub,
        priority="high",
        message={"id": "Ada gerakan di lobi pukul 22.00", "en": "Motion in the lobby at 22:00"},
        cameras=["camera.dinkes_lobi"],
        recipients=["dinkes_piket", "citra"],
    )
    raised = await events["raised"].wait()
    assert raised.data["alarm_id"] == alarm_id
    assert raised.data["site"] == "dinkes" and raised.data["priority"] == "high"
    assert raised.data["who"] == "automation:gerakan_malam"

    notified = await events["notified"].wait()
    assert notified.data["recipients"] == ["andi", "budi", "citra"]
    assert manager(hub).open[alarm_id].state == "notified"

    # one message per person, in their language, with site, camera, time and priority
    by_person = {n.targets[0]: n for n in sent(hub)}
    assert set(by_person) == {"andi", "budi", "citra"}
    andi, citra = by_person["andi"], by_person["citra"]
    assert andi.title == "ALARM, prioritas tinggi"
    assert "Gerakan di lobi" in andi.message and "Ada gerakan di lobi" in andi.message
    assert "Lokasi: Dinas Kesehatan" in andi.message and "Kamera: Lobi" in andi.message
    assert "2 Des 2026 22.00.00 WITA" in andi.message
    assert citra.title == "ALARM, high priority"
    assert "Motion in the lobby" in citra.message and "Site: Health Office" in citra.message
    assert "2 Dec 2026 22:00:00 WITA" in citra.message
    # the camera's snapshot was taken at once and goes with the alarm by path
    snapshot = manager(hub).open[alarm_id].record["snapshots"]["camera.dinkes_lobi"]
    assert await asyncio.to_thread(os.path.isfile, snapshot)
    assert andi.data["snapshots"] == [snapshot] and andi.data["alarm_id"] == alarm_id

    await hub.clock.advance(42)
    answer = await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("andi"))
    assert answer["acknowledged"] is True
    assert answer["message"].startswith("Terima kasih: Anda menerima alarm")
    acknowledged = await events["acknowledged"].wait()
    assert acknowledged.data["who"] == "andi" and acknowledged.data["seconds"] == 42

    answer = await hub.services.call(
        "alarm", "close", {"alarm_id": alarm_id, "note": "kucing liar"}, staff("budi")
    )
    assert answer["closed"] is True
    closed = await events["closed"].wait()
    assert closed.data["who"] == "budi" and closed.data["note"] == "kucing liar"
    assert alarm_id not in manager(hub).open

    row = await hub.recorder.alarms.get(alarm_id)
    assert row["state"] == "closed" and row["acknowledged_by"] == "andi"
    assert row["acknowledged_at"] == START + 42 and row["closed_by"] == "budi"
    assert row["close_note"] == "kucing liar" and row["next_deadline"] is None
    history = await hub.recorder.alarms.history(alarm_id)
    steps = [e for e in history if e["kind"] != "notified"]
    assert [e["kind"] for e in steps] == ["raised", "snapshots", "acknowledged", "closed"]
    assert steps[0]["who"] == "automation:gerakan_malam" and steps[0]["at"] == START
    assert steps[2]["who"] == "andi" and steps[2]["at"] == START + 42
    told = [e["data"] for e in history if e["kind"] == "notified"]
    assert told[0] == {"kind": "raised", "people": ["andi", "budi", "citra"]}
    assert {"kind": "acknowledged", "people": ["budi", "citra"]} in told


async def test_the_others_hear_who_acknowledged(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.notified") as notified:
        alarm_id = await raise_alarm(hub, recipients=["dinkes_piket", "citra"])
        await notified.wait()
        await hub.services.call("alarm", "acknowledge", {"alarm_id": alarm_id}, staff("andi"))
        told = await notified.wait()
    assert told.data["reason"] == "acknowledged"
    assert told.data["recipients"] == ["budi", "citra"]
    last = {n.targets[0]: n for n in sent(hub)[-2:]}
    assert last["citra"].message.startswith("Andi Pratama acknowledged alarm")
    assert last["budi"].message.startswith("Andi Pratama menerima alarm")


async def test_an_alarm_without_recipients_still_reaches_the_command_center(alarm_hub):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.notified") as notified:
        await raise_alarm(hub, title="Pintu server dibobol", priority="critical")
        await notified.wait()
    (notice,) = sent(hub)
    assert notice.targets == [] and notice.title == "ALARM, prioritas kritis"
    assert "Pintu server dibobol" in notice.message


async def test_an_unknown_alarm_is_said_plainly(alarm_hub):
    hub = await alarm_hub()
    try:
        await hub.services.call("alarm", "acknowledge", {"alarm_id": "nope"}, Context())
    except Exception as err:
        assert str(err) == "there is no alarm nope"
        assert err.args[0].render("id") == "tidak ada alarm nope"
    else:
        raise AssertionError("acknowledging an unknown alarm succeeded")


async def test_a_message_that_cannot_go_leaves_the_alarm_raised_and_recorded(alarm_hub, caplog):
    hub = await alarm_hub()
    with EventWaiter(hub, "alarm.raised") as raised:
        alarm_id = await raise_alarm(hub, recipients=["andi"], notify=["notify.tidak_ada"])
        await raised.wait()
    await background_done(hub)  # the first notice runs in the background
    history = await hub.recorder.alarms.history(alarm_id)
    (failed,) = [e for e in history if e["kind"] == "notify_failed"]
    assert failed["data"]["failed"][0]["person"] == "andi"
    assert manager(hub).open[alarm_id].state == "raised"  # nobody was told: not "notified"
    assert "the message for andi was not handed on" in caplog.text


async def test_an_escalation_tier_without_a_wait_is_refused_plainly(alarm_hub):
    hub = await alarm_hub()
    try:
        await raise_alarm(hub, escalation=[{"recipients": ["citra"]}])
    except Exception as err:
        assert "escalation.0" in str(err) and "needs 'after'" in str(err)
    else:
        raise AssertionError("a tier without after or respond_within was taken")
