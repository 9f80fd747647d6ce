"""A fake run on its own (the demo, a hub in another process) is played
through its /fake/ routes, and `python -m hub.testing.messengers` serves
both fakes until it is stopped."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from hub.testing.messengers import FakeTelegram, FakeWhatsApp


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, to: str, **body: Any) -> tuple[int, Any]:
    async with http.post(to, json=body) as response:
        text = await response.text()
        return response.status, json.loads(text) if response.status == 200 else text


async def test_telegram_people_are_played_through_fake_routes(http: aiohttp.ClientSession):
    async with FakeTelegram(control=True, limits=None) as tg:
        assert (await post(http, f"{tg.url}/fake/users", id=111, first_name="Andi"))[0] == 200
        _, update = await post(http, f"{tg.url}/fake/send_text", user_id=111, text="/status")
        keyboard = {"inline_keyboard": [[{"text": "Terima", "callback_data": "ack:1"}]]}
        _, sent = await post(
            http, f"{tg.api_url}/sendMessage", chat_id=111, text="Alarm", reply_markup=keyboard
        )
        mid = sent["result"]["message_id"]
        _, tap = await post(http, f"{tg.url}/fake/tap", chat_id=111, message_id=mid, user_id=111)
        _, got = await post(http, f"{tg.api_url}/getUpdates")
        assert [u["update_id"] for u in got["result"]] == [update["update_id"], tap["update_id"]]
        assert got["result"][1]["callback_query"]["data"] == "ack:1"
        async with http.get(f"{tg.url}/fake/messages", params={"chat_id": "111"}) as r:
            assert [m["text"] for m in await r.json()] == ["Alarm"]
        assert (await post(http, f"{tg.url}/fake/tap", chat_id=111, message_id=99, user_id=1))[
            0
        ] == 404


async def test_control_routes_are_off_by_default(http: aiohttp.ClientSession) -> None:
    async with FakeTelegram() as tg, FakeWhatsApp() as wa:
        assert (await post(http, f"{tg.url}/fake/send_text", user_id=1, text="x"))[0] == 404
        assert (await post(http, f"{wa.url}/fake/send_text", text="x"))[0] == 404


async def test_whatsapp_people_are_played_through_fake_routes(http: aiohttp.ClientSession):
    got: list[dict[str, Any]] = []

    async def hub(request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.Response(text=request.query["hub.challenge"])
        got.append(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_route("*", "/wa", hub)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        async with FakeWhatsApp(control=True) as wa:
            url = f"http://127.0.0.1:{runner.addresses[0][1]}/wa"
            assert (await post(http, f"{wa.url}/fake/subscribe", url=url))[0] == 200
            await post(http, f"{wa.url}/fake/contacts", phone="+6281234567890", name="Andi")
            said = await post(
                http, f"{wa.url}/fake/send_text", **{"from": "+6281234567890", "text": "halo"}
            )
            assert said == (200, {"webhook_status": 200})
            assert (
                got[0]["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] == "halo"
            )
            assert wa.window_open("+6281234567890")
    finally:
        await runner.cleanup()


async def test_the_fakes_run_on_their_own(http: aiohttp.ClientSession) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub.testing.messengers",
        "--telegram-port", "0", "--whatsapp-port", "0", "--user", "111:Andi:id",
        "--contact", "+6281234567890:Andi", "--template", "sigap_alarm:id:3:image",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        async with asyncio.timeout(20):
            telegram = (await process.stdout.readline()).decode().split()
            whatsapp = (await process.stdout.readline()).decode().split()
        assert telegram[0] == "telegram" and whatsapp[0] == "whatsapp"
        async with http.get(f"{telegram[1]}/bot{telegram[3]}/getMe") as r:
            assert (await r.json())["ok"] is True
        _, sent = await post(
            http, f"{telegram[1]}/bot{telegram[3]}/sendMessage", chat_id=111, text="Alarm"
        )
        assert sent["ok"] is True  # the user given on the command line pressed Start
        async with http.post(
            f"{whatsapp[1]}/{whatsapp[5]}/messages",
            json={"messaging_product": "whatsapp", "to": "+6281234567890", "type": "text",
                  "text": {"body": "Alarm"}},
            headers={"Authorization": f"Bearer {whatsapp[3]}"},
        ) as r:  # fmt: skip
            assert (await r.json())["error"]["code"] == 131047  # the window is closed
    finally:
        process.terminate()
        async with asyncio.timeout(20):
            assert await process.wait() == 0
