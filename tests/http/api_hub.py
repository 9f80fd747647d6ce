"""The auth hub of auth_hub.py with what the rest of the API serves: a
camera and an alarm panel on each site, an automation with a trace, an
open alarm on each site (and one with no site), a snapshot of each camera
and a clip of site A's, all recording to SQLite in the test's folder."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hub.core.alarms import ALARMS
from hub.core.media import MEDIA
from hub.testing import EventWaiter

from .auth_hub import AuthHub, auth_hub  # noqa: F401

A, B = "door.dinkes_lobi", "door.server"
CAM_A, CAM_B = "camera.dinkes_lobi", "camera.server"
PANEL_A, PANEL_B = "alarm_control_panel.dinkes", "alarm_control_panel.diskominfo"
CODE = "4711"

MORE: dict[str, Any] = {
    "camera": [
        {"platform": "demo", "id": "dinkes_lobi", "site": "dinkes", "simulate": False},
        {"platform": "demo", "id": "server", "site": "diskominfo", "simulate": False},
    ],
    "alarm_control_panel": [
        {"platform": "manual", "id": site, "site": site, "code": CODE, "arming_time": 0}
        for site in ("dinkes", "diskominfo")
    ],
    "automation": [
        {
            "id": "catat",
            "alias": "Catat tombol",
            "triggers": [{"trigger": "event", "event_type": "test.tombol"}],
            "actions": [{"event": "test.tercatat", "event_data": {"site": "dinkes"}}],
        }
    ],
}


@dataclass
class ApiHub:
    served: AuthHub
    alarms: dict[str, str]  # "a", "a2", "b", "none" -> alarm id
    clip: str  # the file name of site A's clip

    @property
    def hub(self) -> Any:
        return self.served.hub


async def raise_alarm(hub: Any, site: str | None, title: str) -> str:
    data: dict[str, Any] = {"title": title, "priority": "high"}
    if site is not None:
        data["site"] = site
    answer = await hub.services.call("alarm", "raise", data, hub.context)
    return str(answer["alarm_id"])


def write_clip(room: Any, camera_id: str, entity_id: str, site: str) -> str:
    """A clip file where the media room saves them, and its row in the media
    index (recording one needs a stream: the route only serves what is there)."""
    name = f"{camera_id}_20261202-061500-000.mp4"
    folder = Path(room.root) / camera_id / "2026-12-02"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    room.hub.recorder.media.add(
        {"path": str(folder / name), "kind": "clip", "entity_id": entity_id, "site": site,
         "size": 72, "taken_at": time.time(), "extra": {"seconds": 10}}
    )  # fmt: skip
    return name


@pytest.fixture
def api_hub(auth_hub):  # noqa: F811
    """`api = await api_hub(**http_settings)`"""

    async def make(**http: Any) -> ApiHub:
        http.setdefault("event_permissions", {"panic.pressed": "control"})
        served = await auth_hub(more=MORE, plugins=("hub.plugins.arming",), **http)
        hub = served.hub
        assert hub.data.get(ALARMS) is not None and hub.recorder.running
        alarms = {
            "a": await raise_alarm(hub, "dinkes", "Pintu lobi dibobol"),
            "a2": await raise_alarm(hub, "dinkes", "Gerakan di lobi"),
            "b": await raise_alarm(hub, "diskominfo", "Pintu server dibobol"),
            "none": await raise_alarm(hub, None, "Tautan ke Pusat Komando putus"),
        }
        for camera in (CAM_A, CAM_B):
            await hub.services.call("camera", "snapshot", {"entity_id": camera}, hub.context)
        with EventWaiter(hub, "test.tercatat") as waiter:
            hub.bus.fire("test.tombol", {})
            await waiter.wait(timeout=5)
        clip = write_clip(hub.data[MEDIA], "dinkes_lobi", CAM_A, "dinkes")
        return ApiHub(served, alarms, clip)

    return make
