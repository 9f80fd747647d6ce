"""A hub with the Telegram messenger pointed at FakeTelegram, people of two
sites with Telegram ids, a demo camera on each site, an alarm panel, all
on one FakeClock. Updates come by long polling unless a test asks for the
webhook (then the hub's HTTP app is served for the fake to POST to)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from hub.core.clock import FakeClock
from hub.core.context import Context
from hub.testing.messengers import FakeTelegram

START = 1796220000.0  # 2 Dec 2026 22:00 WITA
ANDI, BUDI, DEWI, STRANGER = 111111, 222222, 333333, 999999
SECRET = "s3cret-webhook-token_0123456789"


def config(tg: FakeTelegram, **notifier: Any) -> dict[str, Any]:
    return {
        "hub": {"name": "Test", "language": "id", "time_zone": "Asia/Makassar"},
        "http": {"server_port": 0},  # a free port: never the one a make run holds
        "sites": [
            {"id": "dinkes", "name": {"id": "Dinas Kesehatan", "en": "Health Office"}},
            {"id": "disdik", "name": "Disdik"},
        ],
        "camera": [
            {"platform": "demo", "id": "lobi", "name": "Lobi", "site": "dinkes", "simulate": False},
            {
                "platform": "demo",
                "id": "gerbang",
                "name": "Gerbang Disdik",
                "site": "disdik",
                "simulate": False,
            },
        ],
        "alarm_control_panel": [{"platform": "manual", "id": "dinkes_panel", "site": "dinkes"}],
        "notify": [
            {
                "platform": "telegram",
                "id": "tg",
                "bot_token": tg.token,
                "api_url": tg.url,
                **notifier,
            }
        ],
        "people": [
            {"id": "andi", "name": "Andi", "role": "staff", "sites": ["dinkes"], "telegram": ANDI},
            {
                "id": "budi",
                "name": "Budi",
                "role": "operator",
                "sites": ["dinkes"],
                "telegram": BUDI,
            },
            {
                "id": "dewi",
                "name": "Dewi",
                "language": "en",
                "role": "staff",
                "sites": ["disdik"],
                "telegram": DEWI,
            },
        ],
    }


@dataclass
class World:
    hub: Any
    tg: FakeTelegram
    clock: FakeClock
    url: str = ""

    @property
    def notifier(self) -> Any:
        return self.hub.devices.get("notify.tg")

    async def raise_alarm(self, **data: Any) -> str:
        data.setdefault("title", {"id": "Gerakan di lobi", "en": "Motion in the lobby"})
        data.setdefault("site", "dinkes")
        data.setdefault("cameras", ["camera.lobi"])
        data.setdefault("recipients", ["andi", "budi"])
        answer = await self.hub.services.call(
            "alarm", "raise", data, Context(actor="automation:gerakan_malam")
        )
        return answer["alarm_id"]

    async def first_message(self, chat: int, within: float = 5.0) -> dict[str, Any]:
        messages = await self.tg.wait_for(lambda: self.tg.messages(chat), within)
        return messages[0]

    async def replies(self, chat: int, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        return await self.tg.wait_for(
            lambda: len(self.tg.messages(chat)) >= count and self.tg.messages(chat), within
        )

    async def polling(self) -> None:
        """Until the hub's poller waits in getUpdates (a tap then reaches it)."""
        await self.tg.wait_for_call("getUpdates", answered=False)


async def raw_call(tg: FakeTelegram, method: str, **params: Any) -> dict[str, Any]:
    """A Bot API call as another program would make it."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{tg.api_url}/{method}", json=params) as response,
    ):
        return await response.json()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def tg(clock):
    async with FakeTelegram(clock=clock) as fake:
        for user, name, lang in ((ANDI, "Andi", "id"), (BUDI, "Budi", "id"), (DEWI, "Dewi", "en")):
            fake.add_user(user, name, language_code=lang)
        yield fake


@pytest.fixture
def world(clock, tg, hub_factory, hub_client):
    """`w = await world()` (polling) or `await world(webhook=True)`."""

    async def make(*, webhook: bool = False, plugins: tuple[str, ...] = (), **extra: Any) -> World:
        notifier: dict[str, Any] = {}
        if webhook:
            # the public address is set again below, once the test server has a port
            notifier = {
                "updates": "webhook",
                "webhook": {"url": "http://127.0.0.1:9", "secret_token": SECRET},
            }
        cfg = copy.deepcopy(config(tg, **notifier))
        for key, value in extra.items():
            cfg[key] = value
        hub = await hub_factory(
            config=cfg,
            plugins=["hub.plugins.demo", "hub.plugins.arming", "hub.plugins.telegram", *plugins],
            clock=clock,
        )
        await clock.advance(0)
        w = World(hub, tg, clock)
        if webhook:
            await tg.wait_for_call("setWebhook")
            client = await hub_client(hub)
            w.url = str(client.make_url("/api/plugins/telegram/tg/webhook"))
            said = await raw_call(tg, "setWebhook", url=w.url, secret_token=SECRET)
            assert said["ok"], said
        else:
            await w.polling()
        return w

    return make
