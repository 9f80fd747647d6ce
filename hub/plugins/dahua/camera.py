"""A Dahua camera: `GET /cgi-bin/eventManager.cgi?action=attach&codes=[All]
&heartbeat=N` (digest auth), a multipart stream of text parts
`Code=VideoMotion;action=Start;index=0` and a `Heartbeat` every N seconds.
Cameras allow few concurrent attaches, so the connection is always closed
when the hub stops or reconnects."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import voluptuous as vol
from yarl import URL

from hub import Camera, CameraActivity, EventStream, LinkWatch, Part

#: eventManager Code -> Sigap kind (the event is `camera.<kind>`)
EVENT_KINDS = {
    "VideoMotion": "motion",
    "SmartMotionHuman": "motion",
    "SmartMotionVehicle": "motion",
    "VideoLoss": "video_loss",
    "VideoBlind": "tamper",
    "AlarmLocal": "digital_input",
    "CrossLineDetection": "line_crossed",
    "CrossRegionDetection": "intrusion",
}
PULSE_KINDS = frozenset({"line_crossed"})
_LINE = re.compile(r"Code=(?P<code>[^;]+);action=(?P<action>[^;]+);index=(?P<index>\d+)")


def _seconds(value: Any) -> float:
    return vol.All(vol.Coerce(float), vol.Range(min=0.1))(value)


def parse_events(body: bytes) -> list[dict[str, str]]:
    """Every `Code=...;action=...;index=...` line in a part."""
    text = body.decode("utf-8", errors="replace")
    return [m.groupdict() for m in _LINE.finditer(text)]


class DahuaCamera(Camera):
    platform = "dahua"
    CONFIG_SCHEMA = {
        **Camera.MEDIA_OPTIONS,
        vol.Required("host"): str,
        vol.Optional("port", default=80): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("rtsp_port", default=554): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("username", default="admin"): vol.Coerce(str),
        vol.Optional("password", default=""): vol.Coerce(str),
        vol.Optional("channel", default=1): vol.All(int, vol.Range(min=1)),
        # the camera sends a Heartbeat part this often; three missed: reconnect
        vol.Optional("heartbeat", default=5): vol.All(int, vol.Range(min=1, max=300)),
        vol.Optional("unavailable_after", default=30.0): _seconds,
        vol.Optional("retry_max", default=60.0): _seconds,
    }

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        host, port, ch = config["host"], config["port"], config["channel"]
        self.username = config["username"]
        self.password = config["password"]
        self.snapshot_url = f"http://{host}:{port}/cgi-bin/snapshot.cgi?channel={ch}"
        self.stream_url = (
            f"rtsp://{host}:{config['rtsp_port']}/cam/realmonitor?channel={ch}&subtype=0"
        )
        self.activity = CameraActivity(self)
        self.link = LinkWatch(self, grace=config["unavailable_after"], maximum=config["retry_max"])
        beat = config["heartbeat"]
        self.stream = EventStream(
            self,
            # as the cameras expect it: brackets not percent-encoded
            URL(
                f"http://{host}:{port}/cgi-bin/eventManager.cgi"
                f"?action=attach&codes=[All]&heartbeat={beat}",
                encoded=True,
            ),
            self._on_part,
            username=self.username,
            password=self.password,
            silence=beat * 3,
            link=self.link,
            what="eventManager attach",
        )
        self._task: Any = None

    async def start(self) -> None:
        self.set_state("idle")
        self._task = self.hub.create_task(self.stream.run(), f"dahua {self.entity_id}")

    async def stop(self) -> None:
        self.link.close()
        if self._task is not None:
            self._task.cancel()  # leaves the `async with`: the connection is closed
            await asyncio.gather(self._task, return_exceptions=True)

    def _on_part(self, part: Part) -> None:
        for event in parse_events(part.body):
            kind = EVENT_KINDS.get(event["code"])
            if kind is None:
                self.log.debug("%s: Dahua event %r ignored", self.entity_id, event["code"])
                continue
            channel = int(event["index"]) + 1  # Dahua counts channels from 0
            if channel != self.config["channel"]:
                continue
            action = event["action"].lower()
            self.activity.report(
                kind,
                f"channel {channel}",
                action in ("start", "pulse"),
                pulse=kind in PULSE_KINDS or action == "pulse",
                data={"code": event["code"]},
            )
