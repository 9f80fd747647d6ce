"""The fake Telegram Bot API keeps the rules of PROTOCOLS.md: each test makes
the call a bot would make (aiohttp against the fake on loopback) and checks
the answer a real bot would get, errors word for word. Time is a FakeClock:
rate limits, long polls and callback expiry move only when a test says so."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from hub.core.clock import FakeClock
from hub.testing.cameras import SAMPLE_JPEG
from hub.testing.messengers import FakeTelegram, TelegramLimits, Window
from hub.testing.messengers.telegram_api import (
    CONFLICT_POLLER,
    CONFLICT_WEBHOOK,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
)

ANDI, BUDI = 111111, 222222
GROUP = -1001234567890
ACK = {"inline_keyboard": [[{"text": "Terima / Acknowledge", "callback_data": "ack:a1"}]]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def tg(clock: FakeClock) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(clock=clock) as fake:
        fake.add_user(ANDI, "Andi", language_code="id")
        fake.add_user(BUDI, "Budi", language_code="en")
        fake.add_group(GROUP, "Piket Dinkes")
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


class Bot:
    """What a bot does: POST a method with a JSON body, read the envelope."""

    def __init__(self, http: aiohttp.ClientSession, tg: FakeTelegram) -> None:
        self.http, self.tg = http, tg

    async def __call__(self, method: str, token: str | None = None, **params: Any) -> Any:
        url = f"{self.tg.url}/bot{token or self.tg.token}/{method}"
        async with self.http.post(url, json=params) as response:
            body = await response.json()
            assert response.status == (200 if body["ok"] else body["error_code"])
            return body


@pytest.fixture
def bot(http: aiohttp.ClientSession, tg: FakeTelegram) -> Bot:
    return Bot(http, tg)


def error(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


# -- the token, the chats, the people ---------------------------------------


async def test_get_me_answers_with_the_bot(bot: Bot, tg: FakeTelegram) -> None:
    body = await bot("getMe")
    assert body["ok"] is True
    assert body["result"]["id"] == tg.bot_id and body["result"]["is_bot"] is True
    assert body["result"]["username"] == "sigap_bot"


async def test_a_wrong_token_is_unauthorized_and_an_unknown_method_not_found(bot: Bot) -> None:
    assert await bot("getMe", token="123456789:wrong") == error(401, "Unauthorized")
    assert await bot("sendFax", chat_id=ANDI) == error(404, "Not Found")


async def test_method_names_are_case_insensitive(bot: Bot) -> None:
    assert (await bot("sendmessage", chat_id=ANDI, text="halo"))["ok"] is True


async def test_a_message_to_an_unknown_chat_or_a_user_who_blocked_the_bot(
    bot: Bot, tg: FakeTelegram
) -> None:
    assert await bot("sendMessage", chat_id=999, text="halo") == error(
        400, "Bad Request: chat not found"
    )
    tg.add_user(333333, "Citra", started=False)  # never pressed Start
    assert (await bot("sendMessage", chat_id=333333, text="halo"))["description"] == (
        "Bad Request: chat not found"
    )
    tg.block(ANDI)
    assert await bot("sendMessage", chat_id=ANDI, text="halo") == error(
        403, "Forbidden: bot was blocked by the user"
    )
    assert tg.messages(ANDI) == []


async def test_a_group_the_bot_left_or_that_became_a_supergroup(bot: Bot, tg: FakeTelegram) -> None:
    tg.upgrade_group(GROUP, -1009999999999)
    assert await bot("sendMessage", chat_id=GROUP, text="Alarm") == error(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-1009999999999,
    )
    assert (await bot("sendMessage", chat_id=-1009999999999, text="Alarm"))["ok"] is True
    tg.kick(-1009999999999)
    assert await bot("sendMessage", chat_id=-1009999999999, text="Alarm") == error(
        403, "Forbidden: bot was kicked from the supergroup chat"
    )


# -- sendMessage: HTML, lengths, keyboards -----------------------------------


async def test_a_html_message_is_sent_with_its_entities_and_recorded(
    bot: Bot, tg: FakeTelegram
) -> None:
    text = "<b>Alarm</b> di Gudang &lt;B&gt; &amp; <i>Parkir</i>"
    body = await bot("sendMessage", chat_id=ANDI, text=text, parse_mode="HTML", reply_markup=ACK)
    message = body["result"]
    assert message["text"] == "Alarm di Gudang <B> & Parkir"
    assert message["entities"] == [
        {"offset": 0, "length": 5, "type": "bold"},
        {"offset": 22, "length": 6, "type": "italic"},
    ]
    assert message["chat"] == {"id": ANDI, "first_name": "Andi", "type": "private"}
    assert message["reply_markup"] == ACK
    assert tg.messages(ANDI) == [message]
    (call,) = tg.calls("sendMessage")
    assert call.params["text"] == text and call.status == 200


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<b>Alarm", 'Can\'t find end tag corresponding to start tag "b"'),
        ("suhu < 5", 'Unsupported start tag "" at byte offset 5'),
        ("<div>Alarm</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>Alarm</i>", 'Unmatched end tag at byte offset 8, expected "</b>", found "</i>"'),
        ("Gudang </b>", "Unexpected end tag at byte offset 7"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Ruang é <b", "Unclosed start tag at byte offset 9"),  # offsets count UTF-8 bytes
        ("sensor_1 & sensor_2", 'Unescaped "&" at byte offset 9: write &amp;'),
    ],
)
async def test_bad_html_cannot_be_parsed(bot: Bot, tg: FakeTelegram, text: str, description: str):
    body = await bot("sendMessage", chat_id=ANDI, text=text, parse_mode="HTML")
    assert body == error(400, f"Bad Request: can't parse entities: {description}")
    assert tg.messages(ANDI) == []


async def test_every_supported_tag_and_entity_parses(bot: Bot) -> None:
    text = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        "<strike>k</strike><del>d</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">q</span><a href="https://sigap.local/alarm?id=1&amp;x=2">a</a>'
        '<code>c</code><pre><code class="language-python">x</code></pre>'
        "<blockquote>kutipan</blockquote> &lt;&gt;&amp;&quot;&#65;&#x42;"
    )
    body = await bot("sendMessage", chat_id=ANDI, text=text, parse_mode="HTML")
    message = body["result"]
    assert message["text"].endswith(' <>&"AB')
    types = [e["type"] for e in message["entities"]]
    assert types == [
        *["bold"] * 2, *["italic"] * 2, *["underline"] * 2, *["strikethrough"] * 3,
        *["spoiler"] * 2, "text_link", "code", "pre", "blockquote",
    ]  # fmt: skip
    link = next(e for e in message["entities"] if e["type"] == "text_link")
    assert link["url"] == "https://sigap.local/alarm?id=1&x=2"
    assert next(e for e in message["entities"] if e["type"] == "pre")["language"] == "python"


async def test_without_parse_mode_tags_are_plain_text(bot: Bot) -> None:
    body = await bot("sendMessage", chat_id=ANDI, text="<b>x</b> & y")
    assert body["result"]["text"] == "<b>x</b> & y" and "entities" not in body["result"]


async def test_text_length_counts_after_entities(bot: Bot) -> None:
    ok = await bot("sendMessage", chat_id=ANDI, text=f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    assert ok["ok"] is True  # 4,103 characters sent, 4,096 after parsing
    too_long = await bot("sendMessage", chat_id=BUDI, text="x" * 4097)
    assert too_long == error(400, "Bad Request: message is too long")
    empty = await bot("sendMessage", chat_id=BUDI, text="<b> </b>", parse_mode="HTML")
    assert empty == error(400, "Bad Request: message text is empty")


async def test_callback_data_is_limited_to_64_bytes(bot: Bot) -> None:
    def keyboard(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "Terima", "callback_data": data}]]}

    assert (await bot("sendMessage", chat_id=ANDI, text="a", reply_markup=keyboard("a" * 64)))["ok"]
    # 35 characters but 66 bytes: the limit is in bytes
    body = await bot(
        "sendMessage", chat_id=BUDI, text="a", reply_markup=keyboard("ack:" + "é" * 31)
    )
    assert body == error(400, "Bad Request: BUTTON_DATA_INVALID")
    empty = await bot("sendMessage", chat_id=GROUP, text="a", reply_markup=keyboard(""))
    assert empty == error(400, "Bad Request: BUTTON_DATA_INVALID")


async def test_a_button_without_an_action_is_refused(bot: Bot) -> None:
    body = await bot(
        "sendMessage", chat_id=ANDI, text="a", reply_markup={"inline_keyboard": [[{"text": "x"}]]}
    )
    assert body == error(
        400,
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard",
    )


# -- sendPhoto: multipart upload ---------------------------------------------


async def send_photo(
    http: aiohttp.ClientSession,
    tg: FakeTelegram,
    upload: bytes | None = SAMPLE_JPEG,
    **fields: Any,
) -> dict[str, Any]:
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value if isinstance(value, str) else json.dumps(value))
    if upload is not None:
        form.add_field("photo", upload, filename="snapshot.jpg", content_type="image/jpeg")
    async with http.post(f"{tg.api_url}/sendPhoto", data=form) as response:
        return await response.json()


async def test_a_photo_is_uploaded_as_multipart_and_its_bytes_recorded(
    http: aiohttp.ClientSession, tg: FakeTelegram
) -> None:
    caption = "<b>Gerak</b> di Gerbang, 08:15 WITA"
    body = await send_photo(
        http, tg, chat_id=str(ANDI), caption=caption, parse_mode="HTML", reply_markup=ACK
    )
    message = body["result"]
    assert message["caption"] == "Gerak di Gerbang, 08:15 WITA"
    assert message["caption_entities"] == [{"offset": 0, "length": 5, "type": "bold"}]
    assert message["reply_markup"] == ACK
    (size,) = message["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (320, 180, len(SAMPLE_JPEG))
    assert tg.photo(ANDI, message["message_id"]) == SAMPLE_JPEG
    (call,) = tg.calls("sendPhoto")
    assert (
        call.files["photo"].data == SAMPLE_JPEG and call.files["photo"].filename == "snapshot.jpg"
    )
    # the file_id it answered sends the same photo again without an upload
    again = await send_photo(http, tg, upload=None, chat_id=str(BUDI), photo_id="unused")
    assert again == error(400, "Bad Request: there is no photo in the request")
    resent = await send_photo(http, tg, upload=None, chat_id=str(BUDI), photo=size["file_id"])
    assert tg.photo(BUDI, resent["result"]["message_id"]) == SAMPLE_JPEG


async def test_a_photo_caption_is_limited_to_1024_characters_after_entities(
    http: aiohttp.ClientSession, tg: FakeTelegram
) -> None:
    fits = await send_photo(
        http, tg, chat_id=str(ANDI), caption=f"<i>{'x' * 1024}</i>", parse_mode="HTML"
    )
    assert fits["ok"] is True
    body = await send_photo(http, tg, chat_id=str(BUDI), caption="x" * 1025)
    assert body == error(400, "Bad Request: message caption is too long")
    assert tg.messages(BUDI) == []


async def test_what_is_not_a_photo_is_refused(http: aiohttp.ClientSession, tg: FakeTelegram):
    body = await send_photo(http, tg, upload=b"<html>not found</html>", chat_id=str(ANDI))
    assert body == error(400, "Bad Request: IMAGE_PROCESS_FAILED")


# -- edits (rate limits lifted: they have their own tests) -------------------


@pytest.fixture
def unlimited(tg: FakeTelegram) -> FakeTelegram:
    tg.lift_limits()
    return tg


async def test_editing_to_the_same_content_is_not_modified(
    bot: Bot, unlimited: FakeTelegram
) -> None:
    sent = await bot("sendMessage", chat_id=ANDI, text="<b>Alarm</b>", parse_mode="HTML")
    mid = sent["result"]["message_id"]
    same = await bot(
        "editMessageText", chat_id=ANDI, message_id=mid, text="<b>Alarm</b>", parse_mode="HTML"
    )
    assert same == error(400, NOT_MODIFIED)
    # the same words without the bold are new content
    plain = await bot("editMessageText", chat_id=ANDI, message_id=mid, text="Alarm")
    assert plain["ok"] is True and "entities" not in plain["result"]
    assert "edit_date" in plain["result"]


async def test_an_edit_without_reply_markup_takes_the_buttons_away(
    bot: Bot, tg: FakeTelegram, unlimited: FakeTelegram
) -> None:
    sent = await bot("sendMessage", chat_id=ANDI, text="Alarm", reply_markup=ACK)
    mid = sent["result"]["message_id"]
    kept = await bot(
        "editMessageText", chat_id=ANDI, message_id=mid, text="Alarm", reply_markup=ACK
    )
    assert kept == error(400, NOT_MODIFIED)
    done = await bot("editMessageText", chat_id=ANDI, message_id=mid, text="Diterima oleh Andi")
    assert "reply_markup" not in done["result"]
    assert "reply_markup" not in tg.message(ANDI, mid)


async def test_edit_reply_markup_with_none_removes_the_buttons_once(
    bot: Bot, tg: FakeTelegram, unlimited: FakeTelegram
):
    sent = await bot("sendMessage", chat_id=ANDI, text="Alarm", reply_markup=ACK)
    mid = sent["result"]["message_id"]
    removed = await bot("editMessageReplyMarkup", chat_id=ANDI, message_id=mid)
    assert removed["ok"] is True and "reply_markup" not in removed["result"]
    again = await bot("editMessageReplyMarkup", chat_id=ANDI, message_id=mid)
    assert again == error(400, NOT_MODIFIED)


async def test_edit_errors_name_what_is_wrong(
    bot: Bot, http: aiohttp.ClientSession, tg: FakeTelegram, unlimited: FakeTelegram
) -> None:
    missing = await bot("editMessageText", chat_id=ANDI, message_id=77, text="x")
    assert missing == error(400, "Bad Request: message to edit not found")
    photo = (await send_photo(http, tg, chat_id=str(ANDI), caption="Gerak"))["result"]
    no_text = await bot(
        "editMessageText", chat_id=ANDI, message_id=photo["message_id"], text="Diterima"
    )
    assert no_text == error(400, "Bad Request: there is no text in the message to edit")
    long = await bot(
        "editMessageCaption", chat_id=ANDI, message_id=photo["message_id"], caption="x" * 1025
    )
    assert long == error(400, "Bad Request: message caption is too long")
    edited = await bot(
        "editMessageCaption",
        chat_id=ANDI,
        message_id=photo["message_id"],
        caption="Gerak — <b>diterima</b> oleh Budi",
        parse_mode="HTML",
    )
    assert edited["result"]["caption"] == "Gerak — diterima oleh Budi"
    bad_html = await bot(
        "editMessageCaption",
        chat_id=ANDI,
        message_id=photo["message_id"],
        caption="<b>x",
        parse_mode="HTML",
    )
    assert bad_html["description"].startswith("Bad Request: can't parse entities: ")


# -- callback queries --------------------------------------------------------


async def test_a_tap_comes_as_a_callback_query_and_is_answered_once(
    bot: Bot, tg: FakeTelegram
) -> None:
    sent = await bot("sendMessage", chat_id=GROUP, text="Alarm", reply_markup=ACK)
    update = tg.tap(GROUP, sent["result"]["message_id"], user_id=BUDI)
    (got,) = (await bot("getUpdates"))["result"]
    query = got["callback_query"]
    assert got == update
    assert query["from"]["id"] == BUDI and query["data"] == "ack:a1"
    assert query["message"]["chat"]["id"] == GROUP
    answered = await bot("answerCallbackQuery", callback_query_id=query["id"], text="Diterima")
    assert answered == {"ok": True, "result": True}
    assert tg.callback_answer(query["id"]) == {"text": "Diterima", "show_alert": False}
    twice = await bot("answerCallbackQuery", callback_query_id=query["id"])
    assert twice == error(400, QUERY_TOO_OLD)


async def test_a_late_callback_answer_is_too_old(
    bot: Bot, tg: FakeTelegram, clock: FakeClock
) -> None:
    sent = await bot("sendMessage", chat_id=ANDI, text="Alarm", reply_markup=ACK)
    query = tg.tap(ANDI, sent["result"]["message_id"], user_id=ANDI)["callback_query"]
    await clock.advance(tg.callback_expiry + 0.1)
    late = await bot("answerCallbackQuery", callback_query_id=query["id"])
    assert late == error(400, QUERY_TOO_OLD)
    unknown = await bot("answerCallbackQuery", callback_query_id="12345")
    assert unknown == error(400, QUERY_TOO_OLD)


async def test_a_tap_needs_the_button_unless_forged(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot("sendMessage", chat_id=ANDI, text="Alarm", reply_markup=ACK)
    mid = sent["result"]["message_id"]
    with pytest.raises(ValueError, match="has no button"):
        tg.tap(ANDI, mid, user_id=ANDI, data="ack:other")
    forged = tg.tap(ANDI, mid, user_id=999999, data="ack:other", forged=True)
    assert forged["callback_query"]["data"] == "ack:other"


async def test_a_message_from_a_user_arrives_with_its_command(bot: Bot, tg: FakeTelegram):
    update = tg.send_text(ANDI, "/status gudang")
    (got,) = (await bot("getUpdates"))["result"]
    assert got == update
    message = got["message"]
    assert message["from"]["id"] == ANDI and message["from"]["language_code"] == "id"
    assert message["chat"] == {"id": ANDI, "first_name": "Andi", "type": "private"}
    assert message["entities"] == [{"offset": 0, "length": 7, "type": "bot_command"}]
    in_group = tg.send_text(BUDI, "/alarms", chat_id=GROUP)["message"]
    assert in_group["chat"]["type"] == "supergroup" and in_group["from"]["id"] == BUDI


# -- getUpdates --------------------------------------------------------------


async def test_get_updates_offset_confirms_the_ones_before(bot: Bot, tg: FakeTelegram) -> None:
    first, second, third = (tg.send_text(ANDI, t) for t in ("satu", "dua", "tiga"))
    got = (await bot("getUpdates", limit=2))["result"]
    assert [u["update_id"] for u in got] == [first["update_id"], second["update_id"]]
    assert len((await bot("getUpdates"))["result"]) == 3  # nothing confirmed yet
    got = (await bot("getUpdates", offset=second["update_id"] + 1))["result"]
    assert got == [third]
    assert (await bot("getUpdates", offset=third["update_id"] + 1))["result"] == []
    assert tg.pending_updates == []


async def test_a_long_poll_waits_for_the_next_update(bot: Bot, tg: FakeTelegram) -> None:
    poll = asyncio.create_task(bot("getUpdates", timeout=30))
    await tg.wait_for_call("getUpdates", answered=False)
    update = tg.send_text(ANDI, "halo")
    assert (await poll)["result"] == [update]


async def test_a_long_poll_ends_empty_after_its_timeout(
    bot: Bot, tg: FakeTelegram, clock: FakeClock
) -> None:
    poll = asyncio.create_task(bot("getUpdates", timeout=30))
    await tg.wait_for_call("getUpdates", answered=False)
    await clock.advance(29)
    assert not poll.done()
    await clock.advance(1)
    assert (await poll) == {"ok": True, "result": []}


async def test_a_second_poller_terminates_the_first_with_409(bot: Bot, tg: FakeTelegram):
    first = asyncio.create_task(bot("getUpdates", timeout=30))
    await tg.wait_for_call("getUpdates", answered=False)
    second = asyncio.create_task(bot("getUpdates", timeout=30))
    assert (await first) == error(409, CONFLICT_POLLER)
    update = tg.send_text(ANDI, "halo")
    assert (await second)["result"] == [update]


async def test_get_updates_while_a_webhook_is_set_is_a_conflict(bot: Bot, tg: FakeTelegram):
    poll = asyncio.create_task(bot("getUpdates", timeout=30))
    await tg.wait_for_call("getUpdates", answered=False)
    set_ = await bot("setWebhook", url="https://sigap.example/telegram", secret_token="rahasia_1")
    assert set_ == {"ok": True, "result": True, "description": "Webhook was set"}
    assert (await poll) == error(409, CONFLICT_WEBHOOK)  # the running poll ends too
    assert (await bot("getUpdates")) == error(409, CONFLICT_WEBHOOK)
    deleted = await bot("deleteWebhook")
    assert deleted == {"ok": True, "result": True, "description": "Webhook was deleted"}
    assert (await bot("getUpdates"))["ok"] is True


async def test_set_webhook_wants_https_and_a_clean_secret(bot: Bot) -> None:
    plain = await bot("setWebhook", url="http://sigap.example/telegram")
    assert plain == error(
        400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    bad = await bot("setWebhook", url="https://sigap.example/t", secret_token="no spaces!")
    assert bad == error(400, "Bad Request: secret token contains unallowed characters")


# -- webhook delivery --------------------------------------------------------


class Receiver:
    """A hub's webhook endpoint on loopback: answers `statuses` in turn (then 200)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.got: list[tuple[str | None, dict[str, Any]]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver_url() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver(500)
    app = web.Application()
    app.router.add_post("/telegram", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    yield receiver, f"http://127.0.0.1:{port}/telegram"
    await runner.cleanup()


async def test_updates_are_posted_to_the_webhook_with_the_secret_until_taken(
    bot: Bot, tg: FakeTelegram, clock: FakeClock, receiver_url: tuple[Receiver, str]
) -> None:
    receiver, url = receiver_url
    assert (await bot("setWebhook", url=url, secret_token="rahasia_1"))["ok"] is True
    update = tg.send_text(ANDI, "/status")
    first = await tg.wait_for(lambda: tg.webhook_posts)
    assert first[0].status == 500  # the hub failed: Telegram keeps the update
    info = (await bot("getWebhookInfo"))["result"]
    assert info["url"] == url and info["pending_update_count"] == 1
    assert (
        info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    )
    await clock.advance(tg.webhook_retry)
    post = await tg.wait_delivered(update)
    assert post.secret_token == "rahasia_1"
    assert receiver.got == [("rahasia_1", update), ("rahasia_1", update)]
    assert (await bot("getWebhookInfo"))["result"]["pending_update_count"] == 0


async def test_a_forger_can_post_with_a_wrong_secret(
    bot: Bot, tg: FakeTelegram, receiver_url: tuple[Receiver, str]
) -> None:
    receiver, url = receiver_url
    receiver.statuses = [403]
    await bot("setWebhook", url=url, secret_token="rahasia_1")
    update = {"update_id": 1, "message": {"text": "/arm"}}
    post = await tg.post_to_webhook(update, secret_token="tebakan")
    assert post.status == 403
    assert receiver.got == [("tebakan", update)]


# -- rate limits -------------------------------------------------------------


async def test_a_second_message_to_a_chat_within_a_second_gets_429_until_retry_after(
    bot: Bot, tg: FakeTelegram, clock: FakeClock
) -> None:
    assert (await bot("sendMessage", chat_id=ANDI, text="1"))["ok"] is True
    await clock.advance(0.5)
    assert await bot("sendMessage", chat_id=ANDI, text="2") == error(
        429, "Too Many Requests: retry after 1", retry_after=1
    )
    assert (await bot("sendMessage", chat_id=BUDI, text="other chat"))["ok"] is True
    await clock.advance(0.6)  # a flood wait: 1 s from the refusal, not from the first message
    assert (await bot("sendMessage", chat_id=ANDI, text="2"))["error_code"] == 429
    await clock.advance(0.4)
    assert (await bot("sendMessage", chat_id=ANDI, text="2"))["ok"] is True
    assert [m["text"] for m in tg.messages(ANDI)] == ["1", "2"]


async def test_a_group_takes_20_messages_a_minute(
    bot: Bot, tg: FakeTelegram, clock: FakeClock
) -> None:
    for n in range(20):
        assert (await bot("sendMessage", chat_id=GROUP, text=str(n)))["ok"] is True
        await clock.advance(1)
    refused = await bot("sendMessage", chat_id=GROUP, text="20")
    assert refused == error(429, "Too Many Requests: retry after 40", retry_after=40)
    await clock.advance(40)
    assert (await bot("sendMessage", chat_id=GROUP, text="20"))["ok"] is True


async def test_about_30_messages_a_second_overall(bot: Bot, tg: FakeTelegram, clock: FakeClock):
    users = range(1000, 1031)
    for user in users:
        tg.add_user(user)
    answers = [await bot("sendMessage", chat_id=user, text="Alarm") for user in users]
    assert all(a["ok"] for a in answers[:30])
    assert answers[30] == error(429, "Too Many Requests: retry after 1", retry_after=1)
    await clock.advance(1)
    assert (await bot("sendMessage", chat_id=1030, text="Alarm"))["ok"] is True


async def test_edits_count_against_the_chat_limit(bot: Bot, clock: FakeClock) -> None:
    sent = await bot("sendMessage", chat_id=ANDI, text="Alarm", reply_markup=ACK)
    edit = await bot(
        "editMessageReplyMarkup", chat_id=ANDI, message_id=sent["result"]["message_id"]
    )
    assert edit["error_code"] == 429 and edit["parameters"] == {"retry_after": 1}


async def test_limits_are_configurable_and_can_be_lifted(bot: Bot, tg: FakeTelegram) -> None:
    tg.set_limits(TelegramLimits(per_chat=Window(3, 1.0), per_group=None, overall=None))
    answers = [await bot("sendMessage", chat_id=ANDI, text=str(n)) for n in range(4)]
    assert [a["ok"] for a in answers] == [True, True, True, False]
    tg.lift_limits()
    answers = [await bot("sendMessage", chat_id=BUDI, text=str(n)) for n in range(50)]
    assert all(a["ok"] for a in answers)


# -- faults a test injects ---------------------------------------------------


async def test_the_next_calls_can_fail_with_500(bot: Bot, tg: FakeTelegram) -> None:
    tg.faults.fail_next(2, method="sendMessage")
    assert (await bot("getMe"))["ok"] is True  # narrowed to sendMessage
    for _ in range(2):
        assert await bot("sendMessage", chat_id=ANDI, text="x") == error(
            500, "Internal Server Error"
        )
    assert (await bot("sendMessage", chat_id=ANDI, text="x"))["ok"] is True
    assert len(tg.messages(ANDI)) == 1


async def test_the_next_calls_can_be_throttled(bot: Bot, tg: FakeTelegram) -> None:
    tg.faults.throttle_next(1, retry_after=7)
    assert await bot("sendPhoto", chat_id=ANDI, photo="x") == error(
        429, "Too Many Requests: retry after 7", retry_after=7
    )


async def test_a_hung_call_times_out_at_the_client(http: aiohttp.ClientSession, tg: FakeTelegram):
    tg.faults.hang_next(1)
    tg.faults.hang_next(1, after_effect=True)  # sent, but the answer is lost
    for _ in range(2):
        with pytest.raises(TimeoutError):
            async with http.post(
                f"{tg.api_url}/sendMessage",
                json={"chat_id": ANDI, "text": "Alarm"},
                timeout=aiohttp.ClientTimeout(total=0.3),
            ) as response:
                await response.read()
    assert [m["text"] for m in tg.messages(ANDI)] == ["Alarm"]  # only the second was sent
    assert [c.status for c in tg.calls("sendMessage")] == [0, 0]


# -- the other ways a bot sends parameters -----------------------------------


async def test_form_and_query_string_parameters_work(
    http: aiohttp.ClientSession, tg: FakeTelegram
) -> None:
    form = {"chat_id": str(ANDI), "text": "<b>x</b>", "parse_mode": "HTML"}
    form["reply_markup"] = json.dumps(ACK)
    async with http.post(f"{tg.api_url}/sendMessage", data=form) as response:
        body = await response.json()
    assert body["result"]["reply_markup"] == ACK and body["result"]["text"] == "x"
    async with http.get(f"{tg.api_url}/getUpdates", params={"offset": "-1"}) as response:
        assert (await response.json()) == {"ok": True, "result": []}
