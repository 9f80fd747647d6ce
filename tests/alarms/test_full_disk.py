"""An alarm whose camera cannot give its picture (a full disk) still goes
out at once, and says so in each person's language: nobody takes a missing
picture for a camera that saw nothing (issue #9)."""

from __future__ import annotations

import logging

from .conftest import CONFIG, background_done, manager, raise_alarm, sent


async def test_an_alarm_on_a_full_disk_goes_without_its_picture_saying_so(
    alarm_hub, full_disk, caplog
):
    config = {**CONFIG, "hub": {**CONFIG["hub"], "media_dir": str(full_disk / "media")}}
    hub = await alarm_hub(config=config)
    alarm_id = await raise_alarm(
        hub, cameras=["camera.dinkes_lobi"], recipients=["dinkes_piket", "citra"]
    )
    await background_done(hub)
    by_person = {n.targets[0]: n for n in sent(hub)}
    assert set(by_person) == {"andi", "budi", "citra"}
    andi, citra = by_person["andi"], by_person["citra"]
    assert andi.data["snapshots"] == [] and andi.photo_path is None
    assert "Kamera: Lobi\nTanpa foto dari Lobi: tidak dapat diambil\n" in andi.message
    assert "Camera: Lobi\nNo picture from Lobi: it could not be taken\n" in citra.message
    assert "Foto:" not in andi.message and "Snapshot" not in citra.message
    assert manager(hub).open[alarm_id].state == "notified"
    # the admin reads why, once
    why = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [line for line in why if "camera.dinkes_lobi" in line and alarm_id in line], why


async def test_an_alarm_whose_picture_was_taken_says_nothing_is_missing(alarm_hub):
    hub = await alarm_hub()
    await raise_alarm(hub, cameras=["camera.dinkes_lobi"], recipients=["citra"])
    await background_done(hub)
    [citra] = sent(hub)
    assert "Snapshot: 1 attached" in citra.message and "No picture" not in citra.message
