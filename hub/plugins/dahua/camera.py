"""A Dahua camera: `GET /cgi-bin/eventManager.cgi?action=attach&codes=[All]
&heartbeat=N` (digest auth), a multipart stream of text parts
`Code=VideoMotion;action=Start;index=0` and a `Heartbeat` every N seconds.
Cameras allow few concurrent attaches, so the connection is always closed
when the hub stops or reconnects."""

from __future__ import annotations

import re
from typing import Any

import voluptuous as vol
from yarl import URL

from hub import Part, StreamCamera

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


def parse_events(body: bytes) -> list[dict[str, str]]:
    """Every `Code=...;action=...;index=...` line in a part."""
    text = body.decode("utf-8", errors="replace")
    return [m.groupdict() for m in _LINE.finditer(text)]


class DahuaCamera(StreamCamera):
    platform = "dahua"
    stream_name = "eventManager attach"
    CONFIG_SCHEMA = {
        **StreamCamera.CONFIG_SCHEMA,
        # the camera sends a Heartbeat part this often; three missed: reconnect
        vol.Optional("heartbeat", default=5): vol.All(int, vol.Range(min=1, max=300)),
    }

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        ch = config["channel"]
        self.snapshot_url = f"{self.base_url}/cgi-bin/snapshot.cgi?channel={ch}"
        self.stream_url = (
            f"rtsp://{config['host']}:{config['rtsp_port']}/cam/realmonitor?channel={ch}&subtype=0"
        )

    def event_url(self) -> URL:
        # as the cameras expect it: brackets not percent-encoded
        return URL(
            f"{self.base_url}/cgi-bin/eventManager.cgi"
            f"?action=attach&codes=[All]&heartbeat={self.config['heartbeat']}",
            encoded=True,
        )

    def silence(self) -> float:
        return self.config["heartbeat"] * 3

    def on_part(self, part: Part) -> None:
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
