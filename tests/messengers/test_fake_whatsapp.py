"""The fake WhatsApp Cloud API keeps the rules of PROTOCOLS.md: each test
makes the Graph call a business makes (aiohttp on loopback) and checks the
answer, errors in Graph's envelope; the webhook tests run a small receiver
that checks the signature on the raw body as a hub must. Time is a
FakeClock: the 24-hour window and the pair rate move when a test says so."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from hub.core.clock import FakeClock
from hub.testing.cameras import SAMPLE_JPEG
from hub.testing.messengers import FakeWhatsApp, WebhookRefused, WhatsAppLimits, Window
from hub.testing.messengers.whatsapp_api import RE_ENGAGEMENT_DETAILS

ANDI, BUDI, CITRA = "+6281234567890", "+6281298765432", "+6285700000001"
ANDI_ID = "6281234567890"
ALARM_TEMPLATE = "sigap_alarm"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def wa(clock: FakeClock) -> AsyncIterator[FakeWhatsApp]:
    async with FakeWhatsApp(clock=clock) as fake:
        fake.add_contact(ANDI, "Andi")
        fake.add_contact(BUDI, "Budi")
        fake.add_template(ALARM_TEMPLATE, "id", body_params=3, header="image", buttons=("Terima",))
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class Business:
    """What a business does: POST to the Graph API with its bearer token."""

    def __init__(self, http: aiohttp.ClientSession, wa: FakeWhatsApp) -> None:
        self.http, self.wa = http, wa

    async def send(self, token: str | None = None, **body: Any) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token or self.wa.token}"}
        message = {"messaging_product": "whatsapp", **body}
        async with self.http.post(self.wa.messages_url, json=message, headers=headers) as r:
            return r.status, await r.json()

    async def text(self, to: str, text: str, token: str | None = None) -> tuple[int, Any]:
        return await self.send(token, to=to, type="text", text={"body": text})

    async def upload(self, data: bytes = SAMPLE_JPEG, mime: str = "image/jpeg") -> Any:
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime)
        form.add_field("file", data, filename="snapshot.jpg", content_type=mime)
        headers = {"Authorization": f"Bearer {self.wa.token}"}
        async with self.http.post(self.wa.media_url, data=form, headers=headers) as r:
            return r.status, await r.json()

    async def alarm_template(self, to: str, media_id: str, **changes: Any) -> Any:
        template = {
            "name": ALARM_TEMPLATE,
            "language": {"code": "id"},
            "components": [
                {"type": "header", "parameters": [{"type": "image", "image": {"id": media_id}}]},
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": t} for t in ("Dinkes", "Gerbang", "08:15 WITA")
                    ],
                },
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": "ack:a1"}],
                },
            ],
            **changes,
        }
        return await self.send(to=to, type="template", template=template)


@pytest.fixture
def business(http: aiohttp.ClientSession, wa: FakeWhatsApp) -> Business:
    return Business(http, wa)


def graph_error(body: dict[str, Any]) -> tuple[int, str, str | None]:
    error = body["error"]
    assert set(error) <= {"message", "type", "code", "error_data", "error_subcode", "fbtrace_id"}
    assert error["fbtrace_id"]
    return error["code"], error["message"], error.get("error_data", {}).get("details")


# -- a hub's webhook endpoint, the way the plugin must build one ---------------


def hub_url(hub: Hub) -> str:
    assert hub.url is not None
    return hub.url


class Hub:
    """Verifies the subscription with its verify token and every POST's
    X-Hub-Signature-256 on the raw bytes, in constant time."""

    def __init__(self, app_secret: str, verify_token: str) -> None:
        self.app_secret, self.verify_token = app_secret, verify_token
        self.bodies: list[bytes] = []
        self.refused = 0
        self.url: str | None = None

    async def get(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("hub.mode") == "subscribe" and q.get("hub.verify_token") == self.verify_token:
            return web.Response(text=q.get("hub.challenge", ""))
        return web.Response(status=403)

    async def post(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(self.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            self.refused += 1
            return web.Response(status=403)
        self.bodies.append(raw)
        return web.Response(text="OK")

    def values(self) -> list[dict[str, Any]]:
        return [json.loads(b)["entry"][0]["changes"][0]["value"] for b in self.bodies]


@pytest.fixture
async def hub(wa: FakeWhatsApp) -> AsyncIterator[Hub]:
    receiver = Hub(wa.app_secret, wa.verify_token)
    app = web.Application()
    app.router.add_get("/whatsapp", receiver.get)
    app.router.add_post("/whatsapp", receiver.post)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/whatsapp"
    await wa.subscribe(receiver.url)
    yield receiver
    await runner.cleanup()


# -- tokens and ids ------------------------------------------------------------


async def test_a_bad_token_is_error_190(business: Business, wa: FakeWhatsApp) -> None:
    status, body = await business.text(ANDI, "halo", token="EAAGwrong")
    assert status == 401
    assert graph_error(body) == (
        190,
        "Invalid OAuth access token - Cannot parse access token",
        None,
    )
    assert body["error"]["type"] == "OAuthException"
    wa.token_expired = True
    status, body = await business.text(ANDI, "halo")
    assert (status, body["error"]["code"], body["error"]["error_subcode"]) == (401, 190, 463)
    assert wa.sent == []


async def test_a_missing_token_or_an_unknown_phone_number_id(
    http: aiohttp.ClientSession, wa: FakeWhatsApp
) -> None:
    async with http.post(wa.messages_url, json={"messaging_product": "whatsapp"}) as r:
        assert r.status == 400 and (await r.json())["error"]["code"] == 2500
    url = f"{wa.graph_url}/999/messages"
    headers = {"Authorization": f"Bearer {wa.token}"}
    async with http.post(url, json={}, headers=headers) as r:
        error = (await r.json())["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (
        100,
        33,
        "GraphMethodException",
    )
    assert error["message"].startswith("Unsupported post request. Object with ID '999'")


# -- media and messages --------------------------------------------------------


async def test_an_uploaded_image_is_sent_by_its_media_id(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    await wa.user_sends_text(ANDI, "halo")  # the window is open
    status, uploaded = await business.upload()
    assert status == 200 and set(uploaded) == {"id"}
    assert wa.media[uploaded["id"]].data == SAMPLE_JPEG
    status, body = await business.send(
        to=ANDI, type="image", image={"id": uploaded["id"], "caption": "Gerak di Gerbang"}
    )
    assert status == 200
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": ANDI, "wa_id": ANDI_ID}]
    (message,) = body["messages"]
    assert message["id"].startswith("wamid.")
    (sent,) = wa.sent_to(ANDI)
    assert sent.id == message["id"] and sent.body["image"]["id"] == uploaded["id"]


async def test_an_upload_that_is_no_image_or_an_unknown_media_id_is_refused(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    status, body = await business.upload(b"%PDF-1.4", mime="application/pdf")
    assert status == 400 and graph_error(body)[:2] == (131053, "(#131053) Media upload error")
    status, body = await business.upload(b"not a jpeg", mime="image/jpeg")
    assert graph_error(body)[0] == 131053
    await wa.user_sends_text(ANDI, "halo")
    status, body = await business.send(to=ANDI, type="image", image={"id": "404"})
    assert graph_error(body) == (
        100,
        "(#100) Invalid parameter",
        "Param image['id'] is not a valid whatsapp business account media attachment ID",
    )


async def test_messaging_product_is_required(business: Business, wa: FakeWhatsApp) -> None:
    status, body = await business.send(messaging_product="sms", to=ANDI, type="text")
    assert status == 400 and graph_error(body)[0] == 100
    assert 'got "sms"' in body["error"]["message"]


# -- the 24-hour customer service window -------------------------------------------


async def test_free_form_outside_the_24_hour_window_is_error_131047(
    business: Business, wa: FakeWhatsApp, hub: Hub, clock: FakeClock
) -> None:
    status, body = await business.text(ANDI, "Alarm di Gerbang")
    assert status == 400
    assert body["error"]["message"] == "(#131047) Re-engagement message"
    assert body["error"]["code"] == 131047 and body["error"]["type"] == "OAuthException"
    assert body["error"]["error_data"] == {
        "messaging_product": "whatsapp",
        "details": RE_ENGAGEMENT_DETAILS,
    }
    await wa.user_sends_text(ANDI, "siap")
    assert wa.window_open(ANDI)
    assert (await business.text(ANDI, "Alarm di Gerbang"))[0] == 200
    await clock.advance(24 * 3600 - 1)
    assert wa.window_open(ANDI)
    await clock.advance(1)
    assert not wa.window_open(ANDI)
    await clock.advance(6)  # past the pair limit too
    status, body = await business.text(ANDI, "Alarm lagi")
    assert status == 400 and body["error"]["code"] == 131047


async def test_an_approved_template_goes_out_when_the_window_is_closed(
    business: Business, wa: FakeWhatsApp
) -> None:
    _, uploaded = await business.upload()
    status, body = await business.alarm_template(ANDI, uploaded["id"])
    assert status == 200
    assert body["messages"][0]["message_status"] == "accepted"
    (sent,) = wa.sent_to(ANDI)
    assert sent.type == "template" and sent.category == "utility"


async def test_the_window_error_can_come_as_a_failed_status_instead(clock: FakeClock) -> None:
    async with (
        FakeWhatsApp(clock=clock, closed_window="status") as wa,
        aiohttp.ClientSession() as http,
    ):
        wa.add_contact(ANDI, "Andi")
        receiver = Hub(wa.app_secret, wa.verify_token)
        app = web.Application()
        app.router.add_get("/wa", receiver.get)
        app.router.add_post("/wa", receiver.post)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            await wa.subscribe(f"http://127.0.0.1:{runner.addresses[0][1]}/wa")
            status, body = await Business(http, wa).text(ANDI, "Alarm")
            assert status == 200
            message_id = body["messages"][0]["id"]
            await wa.wait_for(lambda: receiver.bodies)
            (status_,) = receiver.values()[0]["statuses"]
            assert (status_["id"], status_["status"]) == (message_id, "failed")
            assert status_["errors"][0]["code"] == 131047
            assert status_["errors"][0]["title"] == "Re-engagement message"
        finally:
            await runner.cleanup()


# -- interactive reply buttons -------------------------------------------------------


def buttons(*titles: str, ids: list[str] | None = None) -> dict[str, Any]:
    ids = ids or [f"ack:{n}" for n in range(len(titles))]
    return {
        "type": "button",
        "body": {"text": "Alarm: gerak di Gerbang"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": i, "title": t}}
                for i, t in zip(ids, titles, strict=True)
            ]
        },
    }


@pytest.mark.parametrize(
    ("interactive", "details"),
    [
        (buttons("A", "B", "C", "D"), "Buttons count invalid. Min count: 1, Max count: 3"),
        (
            buttons("Terima / Acknowledge!"),
            "Button title length invalid. Min length: 1, Max length: 20",
        ),
        (
            buttons("Terima", ids=["x" * 257]),
            "Button id length invalid. Min length: 1, Max length: 256",
        ),
        (buttons("A", "B", ids=["same", "same"]), "Duplicate button id"),
    ],
)
async def test_reply_buttons_keep_their_limits(
    business: Business, wa: FakeWhatsApp, hub: Hub, interactive: dict[str, Any], details: str
) -> None:
    await wa.user_sends_text(ANDI, "halo")
    status, body = await business.send(to=ANDI, type="interactive", interactive=interactive)
    assert status == 400
    assert graph_error(body) == (131009, "(#131009) Parameter value is not valid", details)


async def test_a_reply_button_tap_arrives_signed_with_its_id_and_title(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    await wa.user_sends_text(ANDI, "halo")
    _, uploaded = await business.upload()
    interactive = buttons("Terima", "Tolak", ids=["ack:a1", "no:a1"])
    interactive["header"] = {"type": "image", "image": {"id": uploaded["id"]}}
    status, body = await business.send(to=ANDI, type="interactive", interactive=interactive)
    assert status == 200
    message_id = body["messages"][0]["id"]
    assert await wa.user_taps_button(ANDI, message_id, "ack:a1") == 200
    (message,) = hub.values()[-1]["messages"]
    assert message["from"] == ANDI_ID and message["context"]["id"] == message_id
    assert message["type"] == "interactive"
    assert message["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "ack:a1", "title": "Terima"},
    }
    assert hub.values()[-1]["contacts"] == [{"profile": {"name": "Andi"}, "wa_id": ANDI_ID}]
    with pytest.raises(ValueError, match="has no button"):
        await wa.user_taps_button(ANDI, message_id, "ack:other")
    assert await wa.user_taps_button(ANDI, message_id, "ack:other", forged=True) == 200


# -- templates -------------------------------------------------------------------------


async def test_template_errors(business: Business, wa: FakeWhatsApp) -> None:
    _, uploaded = await business.upload()
    media = uploaded["id"]
    _, body = await business.alarm_template(ANDI, media, name="sigap_unknown")
    assert graph_error(body) == (
        132001,
        "(#132001) Template name does not exist in the translation",
        "template name (sigap_unknown) does not exist in id",
    )
    _, body = await business.alarm_template(ANDI, media, language={"code": "en"})
    assert graph_error(body)[0] == 132001  # registered only in Indonesian
    _, body = await business.alarm_template(
        ANDI, media, components=[{"type": "body", "parameters": [{"type": "text", "text": "x"}]}]
    )
    assert graph_error(body)[:2] == (
        132000,
        "(#132000) Number of parameters does not match the expected number of params",
    )
    body_params = [{"type": "text", "text": t} for t in "abc"]
    _, body = await business.alarm_template(
        ANDI, media, components=[{"type": "body", "parameters": body_params}]
    )
    assert graph_error(body) == (
        132012,
        "(#132012) Parameter format does not match format in the created template",
        "header: Format mismatch, expected IMAGE, received UNKNOWN",
    )
    header = {"type": "header", "parameters": [{"type": "image", "image": {"id": media}}]}
    no_payload = {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": []}
    _, body = await business.alarm_template(
        ANDI,
        media,
        components=[header, {"type": "body", "parameters": body_params}, no_payload],
    )
    assert graph_error(body)[0] == 131008
    wa.add_template("sigap_new", body_params=0, status="PENDING")
    _, body = await business.send(
        to=ANDI, type="template", template={"name": "sigap_new", "language": {"code": "id"}}
    )
    assert graph_error(body)[0] == 132001  # not approved yet: as if it did not exist
    assert wa.sent == []


async def test_a_quick_reply_tap_arrives_as_button_payload_and_text(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    _, uploaded = await business.upload()
    _, body = await business.alarm_template(ANDI, uploaded["id"])
    message_id = body["messages"][0]["id"]
    assert not wa.window_open(ANDI)
    assert await wa.user_taps_quick_reply(ANDI, message_id) == 200
    (message,) = hub.values()[-1]["messages"]
    assert message["type"] == "button"
    assert message["button"] == {"payload": "ack:a1", "text": "Terima"}
    assert message["context"] == {"from": wa.display_phone_number, "id": message_id}
    assert wa.window_open(ANDI)  # a tap is an inbound message: the window opens


# -- rate limits -------------------------------------------------------------------------


async def test_a_second_message_to_one_person_within_6_s_is_error_131056(
    business: Business, wa: FakeWhatsApp, hub: Hub, clock: FakeClock
) -> None:
    for person in (ANDI, BUDI):
        await wa.user_sends_text(person, "halo")
    assert (await business.text(ANDI, "1"))[0] == 200
    await clock.advance(5)
    status, body = await business.text(ANDI, "2")
    assert status == 400
    assert graph_error(body)[:2] == (
        131056,
        "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    )
    assert (await business.text(BUDI, "other person"))[0] == 200
    await clock.advance(1)
    assert (await business.text(ANDI, "2"))[0] == 200
    assert [s.body["text"]["body"] for s in wa.sent_to(ANDI)] == ["1", "2"]


async def test_the_numbers_throughput_is_error_130429(
    business: Business, wa: FakeWhatsApp, hub: Hub, clock: FakeClock
) -> None:
    wa.set_limits(WhatsAppLimits(throughput=Window(3, 1.0), pair=None))
    await wa.user_sends_text(ANDI, "halo")
    answers = [await business.text(ANDI, str(n)) for n in range(4)]
    assert [status for status, _ in answers] == [200, 200, 200, 400]
    assert graph_error(answers[3][1]) == (
        130429,
        "(#130429) Rate limit hit",
        "Cloud API message throughput has been reached.",
    )
    await clock.advance(1)
    assert (await business.text(ANDI, "4"))[0] == 200
    wa.lift_limits()
    assert all([(await business.text(ANDI, str(n)))[0] == 200 for n in range(100)])


# -- the webhook: verification, signatures, statuses --------------------------------------


async def test_the_subscription_is_verified_with_the_challenge(wa: FakeWhatsApp, hub: Hub):
    url = wa.webhook_url
    assert url is not None
    status, text = await wa.verify(url, challenge="1158201444")
    assert (status, text) == (200, "1158201444")
    assert (await wa.verify(url, verify_token="tebakan"))[0] == 403
    other = FakeWhatsApp(verify_token="lain")
    try:
        with pytest.raises(WebhookRefused, match="403"):
            await other.subscribe(url)
    finally:
        await other.stop()


async def test_webhook_posts_are_signed_over_the_raw_body(wa: FakeWhatsApp, hub: Hub) -> None:
    # non-ASCII and "/" are escaped as Meta escapes them: a receiver that
    # re-serialises the parsed JSON signs other bytes
    assert await wa.user_sends_text(ANDI, "Pintu 2/B dibuka — tolong cek") == 200
    (raw,) = hub.bodies
    assert b"\\/" in raw and b"\\u2014" in raw
    notification = wa.notifications[-1]
    expected = hmac.new(wa.app_secret.encode(), raw, hashlib.sha256).hexdigest()
    assert notification.signature == f"sha256={expected}"
    reserialised = json.dumps(json.loads(raw)).encode()
    assert hmac.new(wa.app_secret.encode(), reserialised, hashlib.sha256).hexdigest() != expected
    value = hub.values()[0]
    assert value["metadata"] == {
        "display_phone_number": wa.display_phone_number,
        "phone_number_id": wa.phone_number_id,
    }
    (message,) = value["messages"]
    assert message["text"] == {"body": "Pintu 2/B dibuka — tolong cek"}
    assert json.loads(raw)["object"] == "whatsapp_business_account"


async def test_a_wrong_signature_is_what_a_receiver_must_refuse(wa: FakeWhatsApp, hub: Hub):
    payload = {"object": "whatsapp_business_account", "entry": []}
    assert await wa.post_webhook(payload, signature="sha256=" + "0" * 64) == 403
    assert hub.refused == 1 and hub.bodies == []


async def test_statuses_come_out_of_order_and_repeated(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    _, uploaded = await business.upload()
    _, body = await business.alarm_template(ANDI, uploaded["id"])
    message_id = body["messages"][0]["id"]
    codes = await wa.send_statuses(message_id, "read", "sent", "delivered", "delivered")
    assert codes == [200, 200, 200, 200]
    statuses = [v["statuses"][0] for v in hub.values()]
    assert [s["status"] for s in statuses] == ["read", "sent", "delivered", "delivered"]
    assert {s["id"] for s in statuses} == {message_id}
    assert {s["recipient_id"] for s in statuses} == {ANDI_ID}
    sent = next(s for s in statuses if s["status"] == "sent")
    assert sent["pricing"]["category"] == "utility"
    assert sent["conversation"]["origin"] == {"type": "utility"}
    (together,) = await wa.send_statuses(message_id, "delivered", "sent", together=True)
    assert together == 200
    assert [s["status"] for s in hub.values()[-1]["statuses"]] == ["delivered", "sent"]


async def test_a_person_not_on_whatsapp_gets_a_failed_status_131026(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    wa.add_contact(CITRA, "Citra", on_whatsapp=False)
    _, uploaded = await business.upload()
    status, body = await business.alarm_template(CITRA, uploaded["id"])
    assert status == 200  # accepted; the failure comes on the webhook
    await wa.wait_for(lambda: any("statuses" in v for v in hub.values()))
    (failed,) = hub.values()[-1]["statuses"]
    assert (failed["id"], failed["status"]) == (body["messages"][0]["id"], "failed")
    assert failed["errors"][0]["code"] == 131026


async def test_an_inbound_message_can_be_marked_read(
    business: Business, wa: FakeWhatsApp, hub: Hub
) -> None:
    await wa.user_sends_text(ANDI, "halo")
    (inbound,) = hub.values()[0]["messages"]
    assert await business.send(status="read", message_id=inbound["id"]) == (200, {"success": True})
    assert wa.read_marks == [inbound["id"]]
    status, body = await business.send(status="read", message_id="wamid.unknown")
    assert status == 400 and graph_error(body)[0] == 100


async def test_statuses_can_follow_each_send_by_themselves(clock: FakeClock, hub: Hub) -> None:
    async with FakeWhatsApp(clock=clock, auto_statuses=("sent", "delivered")) as wa:
        wa.add_contact(ANDI, "Andi")
        wa.add_template(ALARM_TEMPLATE, "id", body_params=0, buttons=())
        await wa.subscribe(hub_url(hub))
        async with aiohttp.ClientSession() as http:
            status, _ = await Business(http, wa).send(
                to=ANDI,
                type="template",
                template={"name": ALARM_TEMPLATE, "language": {"code": "id"}},
            )
        assert status == 200
        await wa.wait_for(lambda: len([n for n in wa.notifications if n.kind == "status"]) == 2)
        statuses = [v["statuses"][0]["status"] for v in hub.values() if "statuses" in v]
        assert statuses == ["sent", "delivered"]


# -- faults a test injects -----------------------------------------------------------


async def test_faults_500_throttle_and_hang(
    business: Business, wa: FakeWhatsApp, hub: Hub, http: aiohttp.ClientSession
) -> None:
    await wa.user_sends_text(ANDI, "halo")
    wa.faults.fail_next(1)
    status, body = await business.text(ANDI, "x")
    assert status == 500 and graph_error(body)[:2] == (131000, "(#131000) Something went wrong")
    wa.faults.throttle_next(1)
    status, body = await business.text(ANDI, "x")
    assert status == 400 and graph_error(body)[0] == 130429
    wa.faults.hang_next(1, after_effect=True)
    with pytest.raises(TimeoutError):
        async with http.post(
            wa.messages_url,
            json={
                "messaging_product": "whatsapp",
                "to": ANDI,
                "type": "text",
                "text": {"body": "x"},
            },
            headers={"Authorization": f"Bearer {wa.token}"},
            timeout=aiohttp.ClientTimeout(total=0.3),
        ) as response:
            await response.read()
    assert len(wa.sent_to(ANDI)) == 1  # sent, though its answer never came
