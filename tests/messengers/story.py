"""Issue 12's story, shared by the Telegram and WhatsApp end-to-end tests:
motion in the Dinkes lobby sounds a real (simulated Tasmota) siren over a
real broker and raises an alarm for Andi and Budi; its acknowledgement
silences the siren."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.testing.mosquitto import Mosquitto, running_broker

SIREN = {
    "platform": "mqtt",
    "id": "halaman",
    "site": "dinkes",
    "dialect": "tasmota",
    "topic": "sirene_halaman",
    "max_on_time": 600,
}

AUTOMATIONS = [
    {
        "id": "gerakan_malam",
        "triggers": [{"trigger": "event", "event_type": "camera.motion",
                      "event_data": {"entity_id": "camera.lobi"}}],
        "actions": [
            {"action": "siren.turn_on", "target": {"entity_id": "siren.halaman"},
             "data": {"duration": 300}},
            {
                "action": "alarm.raise",
                "data": {
                    "title": {"id": "Gerakan di lobi", "en": "Motion in the lobby"},
                    "site": "dinkes",
                    "priority": "high",
                    "cameras": ["camera.lobi"],
                    "recipients": ["andi", "budi"],
                },
            },
        ],
    },
    {
        "id": "sirene_diam",
        "triggers": [{"trigger": "event", "event_type": "alarm.acknowledged",
                      "event_data": {"site": "dinkes"}}],
        "actions": [{"action": "siren.turn_off", "target": {"entity_id": "siren.halaman"}}],
    },
]  # fmt: skip


@pytest.fixture
def mosquitto(tmp_path) -> Iterator[Mosquitto]:
    yield from running_broker(tmp_path / "mosquitto")
