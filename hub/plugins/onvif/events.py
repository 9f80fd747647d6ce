"""ONVIF event topics in Sigap's words.

`onvif-parsers` (the parser Home Assistant uses) reads the message; this
module only says which Sigap event a topic is. A topic it does not know but
we must (video loss) is read here the same way: first Data item, "true".
Whatever the camera sent, `parse` returns an event or None, or raises
UnreadableEvent saying why: nothing else escapes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import onvif_parsers
from onvif_parsers.errors import UnknownTopicError

from hub import shown

_LOGGER = logging.getLogger(__name__)

#: ONVIF topic -> Sigap kind (the event is `camera.<kind>`)
TOPIC_KINDS: dict[str, str] = {
    "tns1:RuleEngine/CellMotionDetector/Motion": "motion",
    "tns1:RuleEngine/MotionRegionDetector/Motion": "motion",
    "tns1:VideoSource/MotionAlarm": "motion",
    "tns1:RuleEngine/TamperDetector/Tamper": "tamper",
    "tns1:RuleEngine/CellMotionDetector/Tamper": "tamper",
    "tns1:VideoSource/GlobalSceneChange/AnalyticsService": "tamper",
    "tns1:VideoSource/GlobalSceneChange/ImagingService": "tamper",
    "tns1:VideoSource/GlobalSceneChange/RecordingService": "tamper",
    "tns1:RuleEngine/LineDetector/Crossed": "line_crossed",
    "tns1:RuleEngine/CellMotionDetector/LineCross": "line_crossed",
    "tns1:RuleEngine/LineCrossDetector/LineCross": "line_crossed",
    "tns1:RuleEngine/FieldDetector/ObjectsInside": "intrusion",
    "tns1:RuleEngine/CellMotionDetector/Intrusion": "intrusion",
    "tns1:Device/Trigger/DigitalInput": "digital_input",
    "tns1:Device/Trigger/tnshik:AlarmIn": "digital_input",
    "tns1:VideoSource/SignalLoss": "video_loss",
}
#: kinds whose active message is an occurrence (not an on/off property); the
#: "false"/"0" some cameras send after it is not a second one
PULSE_KINDS = frozenset({"line_crossed"})


class UnreadableEvent(Exception):
    """A NotificationMessage that is not shaped like one (its one argument
    says what was wrong, escaped and capped for a log line)."""


@dataclass(slots=True)
class CameraEvent:
    kind: str
    topic: str
    source: str  # which rule / input / video source on the camera
    active: bool
    initialized: bool  # the camera telling the current state, not a change
    camera_time: datetime | None


def _topic(msg: Any) -> str:
    topic = msg.Topic._value_1
    return topic.strip() if isinstance(topic, str) else str(topic)


def _simple_items(group: Any) -> list[Any]:
    if group is None:
        return []
    return list(getattr(group, "SimpleItem", None) or [])


async def parse(uid: str, msg: Any) -> CameraEvent | None:
    """One NotificationMessage as a CameraEvent, or None for topics Sigap
    does not act on; UnreadableEvent for one that cannot be read."""
    try:
        return await _parse(uid, msg)
    except Exception as err:  # whatever the camera's shapes make a parser raise
        what = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        raise UnreadableEvent(shown(what)) from err


async def _parse(uid: str, msg: Any) -> CameraEvent | None:
    topic = _topic(msg)
    kind = TOPIC_KINDS.get(topic)
    if kind is None:
        _LOGGER.debug("%s: topic %s is not mapped; ignored", uid, topic)
        return None
    payload = msg.Message._value_1
    source = shown("/".join(str(i.Value) for i in _simple_items(payload.Source)) or topic)
    try:
        entities = await onvif_parsers.parse(topic, uid, msg)
        value = entities[0].value if entities else None
    except UnknownTopicError:
        data = _simple_items(payload.Data)
        value = data[0].Value if data else None
    if kind in PULSE_KINDS:
        active = value not in (None, "", "0", "false", False)
    else:
        active = value is True or value == "true" or value == "1"
    operation = str(getattr(payload, "PropertyOperation", "") or "")
    when = getattr(payload, "UtcTime", None)
    return CameraEvent(
        kind=kind,
        topic=topic,
        source=source,
        active=active,
        initialized=operation == "Initialized",
        camera_time=when if isinstance(when, datetime) else None,
    )
