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
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from hub import i18n, shown
from hub.kit import Part, StreamCamera, UnreadablePart

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
#: an alert is a few hundred bytes; a camera's smart-event alert a few kilobytes
MAX_ALERT = 64 * 1024


def _seconds(value: Any) -> float:
    return vol.All(vol.Coerce(float), vol.Range(min=0.1))(value)


# Made once: a flood of bad parts raises them thousands of times a second.
_DTD = i18n.Text("hikvision.dtd")
_INCOMPLETE = i18n.Text("hikvision.incomplete")


def parse_alert(body: bytes) -> dict[str, str]:
    """The fields of one EventNotificationAlert, namespace stripped, lower-case
    keys. Raises UnreadablePart for anything else: bad XML, a DTD or entities
    (never expanded: the XML comes from the network), an alert too big."""
    if len(body) > MAX_ALERT:
        raise UnreadablePart(i18n.Text("hikvision.too_big", size=len(body), limit=MAX_ALERT))
    body = body.strip()
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        # what defusedxml refuses too, refused before building a parser for it
        raise UnreadablePart(_DTD)
    if not body.endswith(b"EventNotificationAlert>"):
        raise UnreadablePart(_INCOMPLETE)  # cut short, or not an alert: no parser either
    refused: i18n.Text | None = None
    try:
        root = _parse(body)
    except DefusedXmlException as err:
        err.__traceback__ = None  # its frames hold it: a cycle per bad part otherwise
        refused = _DTD
    except (ET.ParseError, ValueError, LookupError) as err:  # LookupError: an unknown encoding
        err.__traceback__ = None
        refused = i18n.Text("hikvision.not_xml", error=shown(err))
    if refused is not None:
        raise UnreadablePart(refused)
    fields: dict[str, str] = {}
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if el is not root and len(el) == 0 and tag not in fields:
            fields[tag.lower()] = (el.text or "").strip()
    return fields


def _parse(body: bytes) -> ET.Element:
    parser = DefusedXMLParser(target=ET.TreeBuilder(), forbid_dtd=True)
    try:
        parser.feed(body)
        return parser.close()
    finally:
        # A parse that failed leaves the parser and its expat handlers in a
        # cycle only the garbage collector frees: a camera sending hundreds
        # of bad parts a second made full collections of tens of ms.
        vars(parser).clear()


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
        ch = self.channel
        self.snapshot_url = f"{self.base_url}/ISAPI/Streaming/channels/{ch}01/picture"
        self.stream_url = f"rtsp://{config['host']}:{config['rtsp_port']}/Streaming/Channels/{ch}01"

    def event_url(self) -> str:
        return f"{self.base_url}/ISAPI/Event/notification/alertStream"

    def silence(self) -> float:
        return self.config["silence"]

    def auto_off(self) -> float:
        return self.config["active_for"]

    part_end = b"</EventNotificationAlert>"

    @classmethod
    def read_part(cls, part: Part) -> dict[str, str] | None:
        if b"EventNotificationAlert" not in part.body:
            return None  # NVRs also send other XML (and pictures) on the stream
        return parse_alert(part.body)

    def on_reading(self, alert: dict[str, str]) -> None:
        event_type = alert.get("eventtype", "").lower()
        state = alert.get("eventstate", "").lower()
        channel = alert.get("channelid") or alert.get("dynchannelid") or "1"
        if event_type == "videoloss" and state == "inactive":
            return  # the heartbeat
        kind = EVENT_KINDS.get(event_type)
        if kind is None:
            self.log.debug("%s: Hikvision event %s ignored", self.entity_id, shown(event_type))
            return
        if not (channel.isascii() and channel.isdigit() and len(channel) <= 4):
            return  # no channel this hub knows
        if int(channel) not in (0, self.channel):
            return  # another channel of the same NVR
        self.activity.report(
            kind,
            f"channel {channel}",
            state == "active",
            pulse=kind in PULSE_KINDS,
            data={"event_type": event_type, "camera_time": alert.get("datetime")},
        )
