"""The kit: what device plugins share, outside the core.

The core knows no protocol; the pieces camera and device plugins have in
common live here, for first-party and vendor plugins alike:

- `StreamCamera`, `EventStream`, `MultipartParser`, `Part`, `UnreadablePart`:
  a camera, or an NVR owning a camera per channel, whose events come as
  one long-lived HTTP multipart stream (Hikvision's alertStream, Dahua's
  eventManager), with digest auth, bounded buffers, a silence time-out
  and reconnects with back-off on the hub's clock;
- `LinkWatch`: a device link's up/down with capped back-off and jitter;
- `CameraActivity`: motion / tamper / line crossing states and events from
  start/stop messages, once per transition;
- validators for YAML: `port`, `any_port`, `host`, `seconds(low, high)`.
"""

from ..core.config.validators import any_port, host, port, seconds
from .camera_activity import CameraActivity
from .eventstream import EventStream, MultipartParser, Part, UnreadablePart
from .link import LinkWatch
from .stream_camera import StreamCamera

__all__ = [
    "CameraActivity",
    "EventStream",
    "LinkWatch",
    "MultipartParser",
    "Part",
    "StreamCamera",
    "UnreadablePart",
    "any_port",
    "host",
    "port",
    "seconds",
]
