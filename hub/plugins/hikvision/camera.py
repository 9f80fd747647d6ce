"""A Hikvision camera: `GET /ISAPI/Event/notification/alertStream` (digest
auth), a never-ending multipart stream of EventNotificationAlert XML.

The camera repeats `active` about once a second while a detector is
triggered and does not always say `inactive`, so a detector is taken as
off after `active_for` seconds without a repeat. A `videoloss inactive`
alert every few seconds is its heartbeat.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import voluptuous as vol

from hub import Part, StreamCamera

#: ISAPI eventType -> Sigap kind (the event is `camera.<kind>`)
EVENT_KINDS = {
    "vmd": "motion",
    "linedetection": "line_crossed",
    "fielddetection": "intrusion",
    "regionentrance": "intrusion",
    "tamperdetection": "tamper",
    "shelteralarm": "tamper",
    "videoloss": "video_loss",
    "io": "digital_input",
}
PULSE_KINDS = frozenset({"line_crossed"})


def _seconds(value: Any) -> float:
    return vol.All(vol.Coerce(float), vol.Range(min=0.1))(value)


def parse_alert(body: bytes) -> dict[str, str]:
    """The fields of one EventNotificationAlert, namespace stripped, lower-case keys."""
    root = ET.fromstring(body.strip())
    fields: dict[str, str] = {}
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if el is not root and len(el) == 0 and tag not in fields:
            fields[tag.lower()] = (el.text or "").strip()
    return fields


class HikvisionCamera(StreamCamera):
    platform = "hikvision"
    stream_name = "alertStream"
    CONFIG_SCHEMA = {
        **StreamCamera.CONFIG_SCHEMA,
        # no byte for this long (heartbeats included): reconnect
        vol.Optional("silence", default=30.0): _seconds,
        # "active" not repeated for this long: the detector is off
        vol.Optional("active_for", default=5.0): _seconds,
    }

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        ch = config["channel"]
        self.snapshot_url = f"{self.base_url}/ISAPI/Streaming/channels/{ch}01/picture"
        self.stream_url = f"rtsp://{config['host']}:{config['rtsp_port']}/Streaming/Channels/{ch}01"

    def event_url(self) -> str:
        return f"{self.base_url}/ISAPI/Event/notification/alertStream"

    def silence(self) -> float:
        return self.config["silence"]

    def auto_off(self) -> float:
        return self.config["active_for"]

    @staticmethod
    def part_complete(body: bytes) -> bool:
        return b"</EventNotificationAlert>" in body

    def on_part(self, part: Part) -> None:
        if b"EventNotificationAlert" not in part.body:
            return  # NVRs also send other XML (and pictures) on the stream
        alert = parse_alert(part.body)
        event_type = alert.get("eventtype", "").lower()
        state = alert.get("eventstate", "").lower()
        channel = alert.get("channelid") or alert.get("dynchannelid") or "1"
        if event_type == "videoloss" and state == "inactive":
            return  # the heartbeat
        kind = EVENT_KINDS.get(event_type)
        if kind is None:
            self.log.debug("%s: Hikvision event %r ignored", self.entity_id, event_type)
            return
        if channel.isdigit() and int(channel) not in (0, self.config["channel"]):
            return  # another channel of the same NVR
        self.activity.report(
            kind,
            f"channel {channel}",
            state == "active",
            pulse=kind in PULSE_KINDS,
            data={"event_type": event_type, "camera_time": alert.get("datetime")},
        )
