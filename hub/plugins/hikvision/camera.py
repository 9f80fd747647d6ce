"""A Hikvision camera: `GET /ISAPI/Event/notification/alertStream` (digest
auth), a never-ending multipart stream of EventNotificationAlert XML.

The camera repeats `active` about once a second while a detector is
triggered and does not always say `inactive`, so a detector is taken as
off after `active_for` seconds without a repeat. A `videoloss inactive`
alert every few seconds is its heartbeat.
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Any

import voluptuous as vol

from hub import Camera, CameraActivity, EventStream, LinkWatch, Part

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


class HikvisionCamera(Camera):
    platform = "hikvision"
    CONFIG_SCHEMA = {
        **Camera.MEDIA_OPTIONS,
        vol.Required("host"): str,
        vol.Optional("port", default=80): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("rtsp_port", default=554): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("username", default="admin"): vol.Coerce(str),
        vol.Optional("password", default=""): vol.Coerce(str),
        vol.Optional("channel", default=1): vol.All(int, vol.Range(min=1)),
        # no byte for this long (heartbeats included): reconnect
        vol.Optional("silence", default=30.0): _seconds,
        vol.Optional("active_for", default=5.0): _seconds,
        vol.Optional("unavailable_after", default=30.0): _seconds,
        vol.Optional("retry_max", default=60.0): _seconds,
    }

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        host, port, ch = config["host"], config["port"], config["channel"]
        self.username = config["username"]
        self.password = config["password"]
        self.snapshot_url = f"http://{host}:{port}/ISAPI/Streaming/channels/{ch}01/picture"
        self.stream_url = f"rtsp://{host}:{config['rtsp_port']}/Streaming/Channels/{ch}01"
        self.activity = CameraActivity(self, auto_off=config["active_for"])
        self.link = LinkWatch(self, grace=config["unavailable_after"], maximum=config["retry_max"])
        self.stream = EventStream(
            self,
            f"http://{host}:{port}/ISAPI/Event/notification/alertStream",
            self._on_part,
            username=self.username,
            password=self.password,
            silence=config["silence"],
            link=self.link,
            complete=lambda body: b"</EventNotificationAlert>" in body,
            what="alertStream",
        )
        self._task: Any = None

    async def start(self) -> None:
        self.set_state("idle")
        self._task = self.hub.create_task(self.stream.run(), f"hikvision {self.entity_id}")

    async def stop(self) -> None:
        self.link.close()
        self.activity.clear()
        if self._task is not None:
            self._task.cancel()  # leaves the `async with`: the connection is closed
            await asyncio.gather(self._task, return_exceptions=True)

    def _on_part(self, part: Part) -> None:
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
