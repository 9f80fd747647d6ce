"""A hub with the WhatsApp messenger pointed at FakeWhatsApp, people of two
sites with numbers, a demo camera for the snapshot, its HTTP app served so
the fake can call the webhook; all on one FakeClock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from hub.core.alarms import ALARMS
from hub.core.clock import FakeClock
from hub.core.context import Context
from hub.testing.messengers import FakeWhatsApp

START = 1796220000.0  # 2 Dec 2026 22:00 WITA
ANDI, DEWI, STRANGER = "+6281234567890", "+6281300000002", "+6289999999999"


def config(wa: FakeWhatsApp) -> dict[str, Any]:
    return {
        "hub": {"name": "Test", "language": "id", "time_zone": "Asia/Makassar"},
        "http": {"server_port": 0},  # a free port: never the one a make run holds
        "sites": [{"id": "dinkes", "name": "Dinas Kesehatan"}, {"id": "disdik", "name": "Disdik"}],
        "camera": [
            {"platform": "demo", "id": "lobi", "name": "Lobi", "site": "dinkes", "simulate": False}
        ],
        "notify": [
            {
                "platform": "whatsapp",
                "id": "wa",
                "graph_url": wa.graph_url,
                "phone_number_id": wa.phone_number_id,
                "access_token": wa.token,
                "app_secret": wa.app_secret,
                "verify_token": wa.verify_token,
                "template": {"name": "sigap_alarm", "language": "id"},
            }
        ],
        "people": [
            {"id": "andi", "name": "Andi", "role": "staff", "sites": ["dinkes"], "whatsapp": ANDI},
            {
                "id": "dewi",
                "name": "Dewi",
                "language": "en",
                "role": "staff",
                "sites": ["disdik"],
                "whatsapp": DEWI,
            },
        ],
    }


@dataclass
class World:
    hub: Any
    wa: FakeWhatsApp
    clock: FakeClock
    url: str

    @property
    def alarms(self) -> Any:
        return self.hub.data[ALARMS]

    async def raise_alarm(self, **data: Any) -> str:
        data.setdefault("title", {"id": "Gerakan di lobi", "en": "Motion in the lobby"})
        data.setdefault("site", "dinkes")
        data.setdefault("cameras", ["camera.lobi"])
        data.setdefault("recipients", ["andi"])
        answer = await self.hub.services.call(
            "alarm", "raise", data, Context(actor="automation:gerakan_malam")
        )
        return answer["alarm_id"]


@pytest.fixture
async def world(hub_factory, hub_client):
    clock = FakeClock(START)
    async with FakeWhatsApp(clock=clock) as wa:
        wa.add_contact(ANDI, "Andi")
        wa.add_contact(DEWI, "Dewi")
        wa.add_template("sigap_alarm", "id", body_params=3, header="image", buttons=("Terima",))

        async def make(
            *, plugins: tuple[str, ...] = (), more_people: tuple[Any, ...] = (), **extra: Any
        ) -> World:
            cfg = {**config(wa), **extra}
            cfg["people"] = [*cfg["people"], *more_people]
            hub = await hub_factory(
                config=cfg,
                plugins=["hub.plugins.demo", "hub.plugins.whatsapp", *plugins],
                clock=clock,
            )
            await clock.advance(0)
            client = await hub_client(hub)
            url = str(client.make_url("/api/plugins/whatsapp/wa/webhook"))
            await wa.subscribe(url)
            return World(hub, wa, clock, url)

        yield make
