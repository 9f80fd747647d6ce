"""The dashboard in a real browser against a real hub: an operator sees an
alarm arrive live and acknowledges it; staff of one site see nothing of
another; the language switch changes the words. They also take the
screenshots in docs/screenshots/ (docs/dashboard.md shows them)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect

from hub.core.alarms import ALARMS
from hub.testing import EventWaiter
from tests.alarms.conftest import background_done

from .conftest import PASSWORD, PHONE, screenshot

LOBBY = {"id": "Pintu lobi dibobol", "en": "Lobby door forced"}
SERVER = {"id": "Pintu ruang server dibobol", "en": "Server room door forced"}
SECOND = {"id": "Gerakan di lobi", "en": "Motion in the lobby"}


async def test_an_operator_sees_an_alarm_arrive_live_and_acknowledges_it(dashboard):
    page = await dashboard.signed_in("sari")
    await page.goto(dashboard.url + "#/alarms")
    await expect(page.locator("#alarm-list")).to_contain_text("Tidak ada alarm terbuka")

    # raised through the alarm service while the page stays open: no reload
    alarm_id = await dashboard.raise_alarm(
        "dinkes", LOBBY, priority="critical", cameras=["camera.dinkes_lobi"]
    )
    row = page.locator(f'#alarm-list li[data-alarm="{alarm_id}"]')
    await expect(row).to_be_visible(timeout=5_000)
    await expect(row).to_contain_text("Pintu lobi dibobol")
    await expect(row).to_contain_text("KRITIS")  # the words, not only a colour
    await expect(row.locator(".badge.priority-critical .shape")).to_have_text("◆")
    await expect(page.locator("#announce")).to_contain_text("Pintu lobi dibobol")

    # the picture taken at the raise, then a newer one of the same camera:
    # the alarm shows the raise's (what its messages carried)
    await background_done(dashboard.hub)
    hub = dashboard.hub
    at_raise = Path(hub.data[ALARMS].open[alarm_id].record["snapshots"]["camera.dinkes_lobi"])
    await hub.services.call("camera", "snapshot", {"entity_id": "camera.dinkes_lobi"}, hub.context)
    await row.locator("a").click()
    await expect(page.locator("#alarm-title")).to_have_text("Pintu lobi dibobol")
    snapshot = page.locator(".alarm-detail figure img")
    await expect(snapshot).to_have_js_property("complete", True, timeout=10_000)
    assert await snapshot.evaluate("img => img.naturalWidth") > 0
    await expect(page.locator(".alarm-detail figure .snapshot-kind")).to_have_text(
        "Foto saat alarm muncul"
    )
    await hub.recorder.flush()
    viewed = await hub.recorder.audit_trail(entity_id="camera.dinkes_lobi")
    files = [r["data"]["file"] for r in viewed if r["action"] == "snapshot_viewed"]
    assert files == [at_raise.name]
    await screenshot(page, "alarm-queue")

    await page.locator("#acknowledge").click()
    # the state changes on the page, from the hub's own alarm.acknowledged
    await expect(row).to_have_attribute("data-state", "acknowledged", timeout=5_000)
    await expect(page.locator("#alarm-detail .badge.state-acknowledged")).to_have_text(
        re.compile("Diterima")
    )
    await expect(page.locator("#alarm-history")).to_contain_text("sari")
    alarm = await dashboard.hub.recorder.alarms.get(alarm_id)
    assert alarm["state"] == "acknowledged"
    history = await dashboard.hub.recorder.alarms.history(alarm_id)
    assert [step["who"] for step in history if step["kind"] == "acknowledged"] == ["sari"]
    await page.locator("#close").click()  # without a note: asked for one, nothing closed
    await expect(page.locator("#alarm-said")).to_contain_text("Tulis catatan penutupan dulu")
    await expect(page.locator("#close-note")).to_be_focused()
    await expect(row).to_have_attribute("data-state", "acknowledged")
    await page.locator("#close-note").fill("Petugas keamanan sudah memeriksa, pintu aman.")
    await page.locator("#close").click()
    # closed: out of the open queue, its story kept with the note
    await expect(row).to_have_count(0, timeout=5_000)
    await expect(page.locator("#alarm-detail .badge.state-closed")).to_be_visible()
    await expect(page.locator("#alarm-history")).to_contain_text("pintu aman")


async def test_the_overview_site_page_and_trace_are_current(dashboard):
    hub = dashboard.hub
    await dashboard.raise_alarm("dinkes", LOBBY, priority="critical")
    await dashboard.raise_alarm("diskominfo", SERVER, priority="medium")
    await hub.services.call("camera", "snapshot", {"entity_id": "camera.dinkes_lobi"}, hub.context)
    with EventWaiter(hub, "test.tercatat") as waiter:
        hub.bus.fire("test.tombol", {})
        await waiter.wait(timeout=5)
    page = await dashboard.signed_in("sari")
    cards = page.locator(".site-card")
    await expect(cards).to_have_count(2)
    dinkes = page.locator('.site-card[data-site="dinkes"]')
    await expect(dinkes).to_contain_text("1 KRITIS")
    await expect(dinkes).to_contain_text("1 berbunyi")  # the automation's siren
    # a door opening shows without a reload
    await hub.services.call("door", "unlock", {"entity_id": "door.dinkes_lobi"}, hub.context)
    await expect(dinkes).to_contain_text("0 dari 1 terkunci", timeout=5_000)
    await screenshot(page, "overview")

    await dinkes.locator("h2 a").click()
    tile = page.locator('figure.tile[data-entity="camera.dinkes_lobi"] img')
    await expect(tile).to_have_js_property("complete", True, timeout=10_000)
    assert await tile.evaluate("img => img.naturalWidth") > 0
    await expect(page.locator("#doors")).to_contain_text("Kunci")  # operators may lock
    await screenshot(page, "site")
    # the door opened above is locked again, the automation's siren silenced,
    # from the page, as sari
    await page.locator('[data-key="lock:door.dinkes_lobi"]').click()
    await page.locator('[data-key="off:siren.dinkes_lobi"]').click()
    door = page.locator('#doors li[data-entity="door.dinkes_lobi"]')
    await expect(door).to_have_attribute("data-state", "locked", timeout=5_000)
    await expect(door.locator(".value")).to_have_text("terkunci")
    siren = page.locator('#sirens li[data-entity="siren.dinkes_lobi"]')
    await expect(siren).to_have_attribute("data-state", "off", timeout=5_000)
    await expect(siren.locator(".value")).to_have_text("diam")
    assert hub.states.get("door.dinkes_lobi").state == "locked"
    assert hub.states.get("siren.dinkes_lobi").state == "off"
    await hub.recorder.flush()
    calls = await hub.recorder.audit_trail(person="sari")
    done = {(r["entity_id"], r["data"]["service"]) for r in calls if r["action"] == "call_service"}
    assert {("door.dinkes_lobi", "door.lock"), ("siren.dinkes_lobi", "siren.turn_off")} <= done

    await page.goto(dashboard.url + "#/automations/tombol_panik")
    steps = page.locator("#trace-steps li")
    await expect(steps.first).to_be_visible(timeout=5_000)
    await expect(steps).to_have_count(2)  # both actions, step by step
    await expect(page.locator("#trace-steps")).to_contain_text("action/1")
    await screenshot(page, "trace")


async def test_staff_of_one_site_see_nothing_of_another(dashboard):
    ours = await dashboard.raise_alarm("dinkes", LOBBY)
    theirs = await dashboard.raise_alarm("diskominfo", SERVER)
    page = await dashboard.signed_in("andi")  # staff of dinkes
    await expect(page.locator(".site-card")).to_have_count(1)
    await expect(page.locator('.site-card[data-site="dinkes"]')).to_be_visible()
    await expect(page.locator("#nav")).not_to_contain_text("Otomasi")

    await page.goto(dashboard.url + "#/alarms")
    await expect(page.locator(f'#alarm-list li[data-alarm="{ours}"]')).to_be_visible()
    await expect(page.locator(f'#alarm-list li[data-alarm="{theirs}"]')).to_have_count(0)
    # live too: the other site's new alarm never arrives, ours after it does
    other = await dashboard.raise_alarm("diskominfo", SECOND)
    later = await dashboard.raise_alarm("dinkes", SECOND)
    await expect(page.locator(f'#alarm-list li[data-alarm="{later}"]')).to_be_visible(timeout=5_000)
    await expect(page.locator(f'#alarm-list li[data-alarm="{other}"]')).to_have_count(0)
    assert "Pintu ruang server" not in await page.locator("main").inner_text()

    await page.goto(dashboard.url + "#/site/dinkes")
    await expect(page.locator("figure.tile")).to_have_count(1)
    await expect(page.locator('figure.tile[data-entity="camera.dinkes_lobi"]')).to_be_visible()
    await expect(page.locator("#doors button")).to_have_count(0)  # staff do not control doors
    await page.goto(dashboard.url + "#/site/diskominfo")
    await expect(page.locator("main .notice")).to_be_visible()
    assert await page.locator("figure.tile").count() == 0
    # and the hub refuses the other site's snapshot to this session
    answer = await page.request.get(
        dashboard.url + "api/cameras/camera.server/snapshot?reason=test"
    )
    assert answer.status == 403


async def test_the_language_switch_changes_the_words(dashboard):
    page = await dashboard.signed_in("sari")
    nav = page.locator("#nav")
    await expect(nav).to_contain_text("Antrean alarm")
    assert await page.evaluate("document.documentElement.lang") == "id"
    await page.locator("#language").click()
    await expect(nav).to_contain_text("Alarm queue")
    await expect(page.locator("#signout")).to_have_text("Sign out")
    assert await page.evaluate("document.documentElement.lang") == "en"
    await page.reload()  # the choice is kept
    await expect(page.locator("#nav")).to_contain_text("Alarm queue", timeout=10_000)
    await page.locator("#language").click()
    await expect(page.locator("#nav")).to_contain_text("Antrean alarm")


async def test_a_phone_signs_in_and_works_with_the_keyboard(dashboard):
    page = await dashboard.page(viewport=PHONE)
    await page.goto(dashboard.url)
    await expect(page.locator("form.signin")).to_contain_text("Kata sandi")
    await page.locator("#user").fill("andi")
    await page.keyboard.press("Tab")
    await page.keyboard.type("salah-sekali-sandinya")
    await page.keyboard.press("Enter")
    await expect(page.locator("#signin-error")).not_to_be_empty(timeout=10_000)
    # the page fits the phone: nothing wider than its screen, on every page
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await dashboard.raise_alarm("dinkes", LOBBY, priority="critical")
    phone = await dashboard.signed_in("andi", viewport=PHONE)
    for where, shown in (
        ("#/", ".site-card"),
        ("#/alarms", "#alarm-list li"),
        ("#/site/dinkes", "figure.tile"),
    ):
        await phone.goto(dashboard.url + where)
        await expect(phone.locator(shown).first).to_be_visible()
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (where, width)


async def test_an_operator_works_the_queue_with_the_keyboard_alone(dashboard):
    page = await dashboard.page()
    await page.goto(dashboard.url)
    await expect(page.locator("#user")).to_be_focused()
    await page.keyboard.type("sari")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD["sari"])
    await page.keyboard.press("Enter")
    await expect(page.locator("#live.on")).to_be_visible(timeout=10_000)
    alarm_id = await dashboard.raise_alarm("dinkes", LOBBY)
    await page.goto(dashboard.url + "#/alarms")
    link = page.locator(f'#alarm-list li[data-alarm="{alarm_id}"] a')
    await expect(link).to_be_visible()
    # Tab from the page's start reaches the alarm; each stop shows a focus ring
    for _ in range(40):
        await page.keyboard.press("Tab")
        if await link.evaluate("a => a === document.activeElement"):
            break
        outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid", await page.evaluate("document.activeElement.outerHTML")
    else:
        raise AssertionError("Tab never reached the alarm")
    await page.keyboard.press("Enter")
    acknowledge = page.locator("#acknowledge")
    await expect(acknowledge).to_be_visible()
    await acknowledge.focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#alarm-detail .badge.state-acknowledged")).to_be_visible()
    await expect(page.locator("#alarm-title")).to_be_focused()  # the keyboard stays in it


async def test_the_timeline_follows_events_and_its_filters(dashboard):
    hub = dashboard.hub
    # before the page opens: the recorder has it, the timeline starts with it
    hub.bus.fire("camera.tamper", {"entity_id": "camera.dinkes_lobi", "site": "dinkes"})
    await hub.recorder.flush()
    page = await dashboard.signed_in("sari")
    await page.goto(dashboard.url + "#/timeline")
    await expect(page.locator('#timeline li[data-type="camera.tamper"]')).to_have_count(1)
    hub.bus.fire("camera.motion", {"entity_id": "camera.dinkes_lobi", "site": "dinkes"})
    hub.bus.fire("door.forced", {"entity_id": "door.server", "site": "diskominfo"})
    rows = page.locator(
        '#timeline li[data-type="camera.motion"], #timeline li[data-type="door.forced"],'
        ' #timeline li[data-type="camera.tamper"]'
    )
    await expect(rows).to_have_count(3, timeout=5_000)
    await expect(rows.first).to_contain_text("Pintu dibobol")  # the newest first
    await expect(rows.last).to_contain_text("camera.dinkes_lobi")  # the one from before
    await page.locator("#timeline-site").select_option("dinkes")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("Gerakan terdeteksi")
    await page.locator("#timeline-site").select_option("")
    await page.locator("#timeline-kind").select_option("door")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("door.server")
    # staff of the other site never see dinkes's past either
    dewi = await dashboard.signed_in("dewi")
    await dewi.goto(dashboard.url + "#/timeline")
    await expect(dewi.locator('#timeline li[data-type="door.forced"]')).to_have_count(1)
    await expect(dewi.locator('#timeline li[data-type^="camera."]')).to_have_count(0)


async def test_admins_read_the_audit_trail_and_no_one_else(dashboard):
    hub = dashboard.hub
    await hub.services.call("camera", "snapshot", {"entity_id": "camera.dinkes_lobi"}, hub.context)
    operator = await dashboard.signed_in("sari")
    await operator.goto(dashboard.url + "#/site/dinkes")  # a snapshot seen: audited
    tile = operator.locator('figure.tile[data-entity="camera.dinkes_lobi"] img')
    await expect(tile).to_have_js_property("complete", True, timeout=10_000)
    await expect(operator.locator("#nav")).not_to_contain_text("Jejak audit")
    await operator.goto(dashboard.url + "#/audit")
    await expect(operator.locator("main .notice")).to_be_visible()

    admin = await dashboard.signed_in("rina")  # her language is English
    await admin.goto(dashboard.url + "#/audit")
    rows = admin.locator("#audit-rows tr")
    await expect(rows.first).to_be_visible()
    await admin.locator("#audit-person").fill("sari")
    await admin.locator("#audit-entity").fill("camera.dinkes_lobi")
    await admin.locator(".filters button[type=submit]").click()
    await expect(rows.first).to_contain_text("sari")
    await expect(rows.first).to_contain_text("camera.dinkes_lobi")
    await expect(rows.first).to_contain_text("dasbor: halaman gedung")


async def test_signing_out_in_one_tab_signs_the_wall_screen_out_too(dashboard):
    wall = await dashboard.signed_in("sari")
    desk = await wall.context.new_page()  # the same browser: the same session
    await desk.goto(dashboard.url)
    await expect(desk.locator("#live.on")).to_be_visible(timeout=10_000)
    await desk.locator("#signout").click()
    await expect(desk.locator("form.signin")).to_be_visible()
    # the hub closes the wall's socket (signed_out): it shows the sign-in by itself
    await expect(wall.locator("form.signin")).to_be_visible(timeout=10_000)
    await expect(wall.locator("#top")).to_be_hidden()


async def test_a_dropped_socket_comes_back_and_the_page_catches_up(dashboard):
    page = await dashboard.signed_in("sari")
    await page.goto(dashboard.url + "#/alarms")
    await expect(page.locator("#alarm-list")).to_contain_text("Tidak ada alarm terbuka")
    sockets = dashboard.sockets()
    for client in list(sockets.clients):
        sockets.drop(client, "too_slow")  # as the hub drops a client that lags
    await expect(page.locator("#live.off")).to_be_visible()
    await expect(page.locator("#live")).to_contain_text("Terputus")
    # raised while the page has no socket: it shows once the page is back
    alarm_id = await dashboard.raise_alarm("dinkes", LOBBY)
    await expect(page.locator("#live.on")).to_be_visible()
    await expect(page.locator(f'#alarm-list li[data-alarm="{alarm_id}"]')).to_be_visible()
