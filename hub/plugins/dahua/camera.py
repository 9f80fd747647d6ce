"""A Dahua camera: `GET /cgi-bin/eventManager.cgi?action=attach&codes=[All]
&heartbeat=N` (digest auth), a multipart stream of text parts
`Code=VideoMotion;action=Start;index=0` and a `Heartbeat` every N seconds.
Cameras allow few concurrent attaches, so the connection is always closed
when the hub stops or reconnects."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from yarl import URL

from hub import i18n, shown
from hub.kit import Part, StreamCamera, UnreadablePart

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
_NEEDED = ("code", "action", "index")


def parse_events(body: bytes) -> list[dict[str, str]]:
    """Every `Code=...;action=...;index=...` line in a part (more fields, such
    as a `data={...}` that runs over several lines, are let be). Read line by
    line, in time linear in the part's size. Raises UnreadablePart when the
    part has event lines and none of them is readable."""
    events: list[dict[str, str]] = []
    bad = ""
    for line in body.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line.startswith("Code="):
            continue  # a heartbeat, or the data of the event line before
        fields: dict[str, str] = {}
        for field in line.split(";"):
            name, equals, value = field.partition("=")
            key = name.strip().lower()
            if equals and key in _NEEDED and key not in fields:
                fields[key] = value.strip()
        index = fields.get("index", "")
        if len(fields) == len(_NEEDED) and index.isascii() and index.isdigit() and len(index) <= 4:
            events.append(fields)
        else:
            bad = bad or line
    if bad and not events:
        raise UnreadablePart(i18n.Text("dahua.bad_line", line=shown(bad)))
    return events


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
        ch = self.channel
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

    @classmethod
    def read_part(cls, part: Part) -> list[dict[str, str]] | None:
        events = parse_events(part.body)
        if events or part.body.strip() == b"Heartbeat":
            return events
        return None  # not an event part: no proof the stream is alive

    def on_reading(self, events: list[dict[str, str]]) -> None:
        for event in events:
            kind = EVENT_KINDS.get(event["code"])
            if kind is None:
                self.log.debug("%s: Dahua event %s ignored", self.entity_id, shown(event["code"]))
                continue
            channel = int(event["index"]) + 1  # Dahua counts channels from 0
            if channel != self.channel:
                continue
            action = event["action"].lower()
            self.activity.report(
                kind,
                f"channel {channel}",
                action in ("start", "pulse"),
                pulse=kind in PULSE_KINDS or action == "pulse",
                data={"code": event["code"]},
            )
