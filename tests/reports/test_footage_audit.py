"""Every snapshot taken and clip saved is an audit record: who asked, why
(the alarm, or a reason given with the call) and when (Perwali 25/2019)."""

from __future__ import annotations

import time

import pytest

from hub.core.context import Context
from hub.core.services import ServiceValidationError

from ..alarms.conftest import background_done, raise_alarm, staff
from ..test_media import cam, rtsp, start_hub  # noqa: F401 (rtsp: a fixture)


async def footage(hub, **query):
    return [
        r for r in await hub.recorder.audit_trail(**query) if r["action"] in ("snapshot", "clip")
    ]


async def test_a_snapshot_someone_asks_for_is_audited_with_their_reason(alarm_hub, clock):
    hub = await alarm_hub()
    before = time.time()
    await hub.services.call(
        "camera",
        "snapshot",
        {"entity_id": "camera.dinkes_lobi", "reason": "laporan kehilangan"},
        staff("andi"),
    )
    [record] = await footage(hub, entity_id="camera.dinkes_lobi", person="andi")
    assert record["action"] == "snapshot"
    assert record["reason"] == "laporan kehilangan"
    assert record["site"] == "dinkes"
    assert record["alarm_id"] is None
    assert record["data"]["path"].endswith(".jpg")
    assert before <= record["time"] <= time.time()  # when the file was made


async def test_an_alarms_snapshots_are_audited_with_the_alarm(alarm_hub):
    hub = await alarm_hub()
    alarm_id = await raise_alarm(hub, cameras=["camera.dinkes_lobi"], recipients=["andi"])
    await background_done(hub)
    [record] = await footage(hub, alarm_id=alarm_id)
    assert record["action"] == "snapshot"
    assert record["entity_id"] == "camera.dinkes_lobi"
    assert record["who"] == "system"


async def test_a_reason_longer_than_500_characters_is_refused(alarm_hub):
    hub = await alarm_hub()
    with pytest.raises(ServiceValidationError, match="reason"):
        await hub.services.call(
            "camera", "snapshot", {"entity_id": "camera.dinkes_lobi", "reason": "x" * 501}
        )
    assert await footage(hub) == []


async def test_a_clip_is_audited_with_who_and_why(hub_factory, tmp_path, rtsp):  # noqa: F811
    hub = await start_hub(hub_factory, tmp_path, [cam("lobi", stream_url=rtsp.url(1))])
    who = Context(actor="automation:pintu_dibobol")
    await hub.services.call(
        "camera",
        "record_clip",
        {
            "entity_id": "camera.lobi",
            "duration": 1,
            "pre_roll": False,
            "reason": "permintaan polisi",
        },
        who,
    )
    [record] = await footage(hub, entity_id="camera.lobi")
    assert (record["action"], record["who"], record["reason"]) == (
        "clip",
        "automation:pintu_dibobol",
        "permintaan polisi",
    )
    assert record["data"]["path"].endswith(".mp4") and record["data"]["seconds"] == 1
    assert record["context_id"] == who.id
