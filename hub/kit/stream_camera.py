"""A camera, or an NVR with its channels, whose events come on one
long-lived HTTP multipart stream (Hikvision alertStream, Dahua
eventManager).

An NVR is one item in the YAML with `channels:`: one device (`nvr.<id>`)
that owns a camera entity per channel and holds the one stream the box
sends every channel's events on (an NVR accepts only a few such
connections). Without `channels:` the item is one camera with its own
stream, as it always was.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import voluptuous as vol
from yarl import URL

from ..core import i18n
from ..core.config import suggest
from ..core.config.schema import slug
from ..core.config.validation import Each
from ..core.config.validators import port, seconds
from ..core.platform import Camera, DeviceError
from .camera_activity import CameraActivity
from .eventstream import EventStream, Part
from .link import LinkWatch

_seconds = seconds(0.1)
_channel_number = vol.All(int, vol.Range(min=1))

#: one entry of `channels:`; the connection keys are the NVR's
CHANNEL_SCHEMA: dict[Any, Any] = {
    vol.Required("channel"): _channel_number,
    vol.Optional("id"): slug,
    vol.Optional("name"): str,
    vol.Optional("area"): slug,
    # unset: the NVR's own pre_roll
    vol.Optional("pre_roll"): Camera.MEDIA_OPTIONS["pre_roll"],
}


def _channels(value: Any) -> list[dict[str, Any]]:
    """Every channel once: a number or an id given twice would make two
    entities of one picture, or one entity of two."""
    channels = Each(CHANNEL_SCHEMA)(value)
    if not channels:
        raise vol.Invalid(i18n.Text("stream.no_channels"))
    numbers: set[int] = set()
    ids: set[str] = set()
    for at, channel in enumerate(channels):
        if channel["channel"] in numbers:
            said = i18n.Text("stream.channel_twice", channel=channel["channel"])
            raise vol.Invalid(said, path=[at, "channel"])
        numbers.add(channel["channel"])
        if "id" in channel and channel["id"] in ids:
            said = i18n.Text("stream.channel_id_twice", id=repr(channel["id"]))
            raise vol.Invalid(said, path=[at, "id"])
        ids.add(channel.get("id", ""))
    return channels


# Keys of the NVR item that are its own, not its channels'.
_NVR_ONLY = frozenset({"channels", "id", "name", "area"})


class StreamCamera(Camera):
    """A camera whose events come on one long-lived HTTP multipart stream
    (Hikvision, Dahua), or, with `channels:`, an NVR and its channels: the
    connection keys every such box has, the stream kept open while the hub
    runs and closed when it stops. A platform says where the stream is
    (`event_url`), reads a part once for every camera on the stream
    (`read_part`) and lets each camera take its own share of what it says
    (`on_reading`), reporting through `self.activity`."""

    CONFIG_SCHEMA: ClassVar[dict[Any, Any]] = {
        **Camera.MEDIA_OPTIONS,
        vol.Required("host"): str,
        vol.Optional("port", default=80): port,
        vol.Optional("rtsp_port", default=554): port,
        vol.Optional("username", default="admin"): vol.Coerce(str),
        vol.Optional("password", default=""): vol.Coerce(str),
        # one camera (or one NVR channel as an item of its own), or the NVR's channels
        vol.Optional("channel"): _channel_number,
        vol.Optional("channels"): _channels,
        vol.Optional("unavailable_after", default=30.0): _seconds,
        vol.Optional("retry_max", default=60.0): _seconds,
    }
    #: what the stream is called in messages ("alertStream"); None: "event stream"
    stream_name: ClassVar[str | None] = None
    #: the bytes that end a part sent without Content-Length (a closing tag)
    part_end: ClassVar[bytes | None] = None

    def __init__(self, hub: Any, config: Any) -> None:
        if config.get("channels"):
            # the box itself: not a camera (no picture of its own), so not
            # reached by camera services; its channels are the cameras
            self.domain = "nvr"
        super().__init__(hub, config)
        #: the channel this camera shows (1 for a camera on its own)
        self.channel: int = config.get("channel", 1)
        self.username = config["username"]
        self.password = config["password"]
        self.base_url = f"http://{config['host']}:{config['port']}"
        self.activity = CameraActivity(self, auto_off=self.auto_off())
        self.link = LinkWatch(self, grace=config["unavailable_after"], maximum=config["retry_max"])
        #: the stream this camera's events come on (its NVR's, for a channel;
        #: set at start)
        self.stream: EventStream | None = None
        #: an NVR's channel cameras (empty for a camera on its own)
        self.channels: list[StreamCamera] = [
            self.own(type(self)(hub, self._channel_config(channel)))
            for channel in self._checked_channels(config.get("channels") or ())
        ]

    def _checked_channels(self, channels: Any) -> list[Any]:
        """The channels, refused before any is registered when one names an
        area the NVR's site does not have or an entity that exists already."""
        if channels and "channel" in self.config:
            # (not a schema error: voluptuous cannot name the key of an exclusion)
            raise DeviceError(i18n.Text("stream.channel_or_channels", entity_id=self.entity_id))
        site = self.hub.sites.get(self.site)
        seen: set[str] = set()
        for channel in channels:
            area = channel.get("area")
            if site is not None and site.areas and area is not None and area not in site.areas:
                said = i18n.Text(
                    "stream.channel_area", entity_id=self.entity_id, channel=channel["channel"],
                    area=repr(area), site=self.site, hint=suggest(area, site.areas),
                )  # fmt: skip
                raise DeviceError(said)
            entity_id = f"{Camera.domain}.{self._channel_id(channel)}"
            if entity_id in seen or self.hub.devices.get(entity_id) is not None:
                raise DeviceError(
                    i18n.Text("stream.channel_taken", entity_id=self.entity_id, camera=entity_id)
                )
            seen.add(entity_id)
        return list(channels)

    def _channel_id(self, channel: Any) -> str:
        return str(channel.get("id") or f"{self.id}_ch{channel['channel']}")

    def _channel_config(self, channel: Any) -> dict[str, Any]:
        """A channel's config: the NVR's connection keys, its own id, name,
        area and channel."""
        shared = {k: v for k, v in self.config.items() if k not in _NVR_ONLY}
        return {
            **shared,
            **self.entity_config(
                f"ch{channel['channel']}",
                **{k: v for k, v in channel.items() if k not in ("id", "name", "area")},
                id=self._channel_id(channel),
                name=str(channel.get("name") or f"{self.name} CH{channel['channel']}"),
                area=channel.get("area", self.area),
            ),
        }

    # -- what a platform says -----------------------------------------------------

    def event_url(self) -> str | URL:
        raise NotImplementedError

    @classmethod
    def read_part(cls, part: Part) -> Any:
        """What one part says, read once for all the cameras on the stream.
        None: the part is not the platform's own (a picture, other XML), and
        proves nothing. Raise UnreadablePart for a part that should be the
        platform's and is garbage. Anything else (a heartbeat too) proves
        the stream alive and goes to every camera's `on_reading`."""
        raise NotImplementedError

    def on_reading(self, reading: Any) -> None:
        """This camera's share of what `read_part` returned (an NVR sends
        every channel's events on one stream): the events of `self.channel`."""
        raise NotImplementedError

    def silence(self) -> float:
        """Seconds without a readable part (heartbeats included) before reconnecting."""
        return 30.0

    def auto_off(self) -> float | None:
        return None

    # -- lifetime -----------------------------------------------------------------

    async def start(self) -> None:
        """Open the stream of this camera, or of this NVR for all its
        channels (a channel is driven by its NVR: the hub does not start it)."""
        if self.owner is not None:
            return
        self._warn_if_box_repeated()
        cameras = self.channels or [self]
        for camera in cameras:
            camera.set_state("idle")
        if self.channels:
            self.set_state("online", {"channels": [c.entity_id for c in self.channels]})
        stream = EventStream(
            self.event_url(),
            username=self.username,
            password=self.password,
            read=self.read_part,
            link=self.link,
            cameras=cameras,
            silence=self.silence(),
            end=self.part_end,
            what=self.stream_name or i18n.Text("stream.event_stream"),
            log=self.log,
            language=lambda: self.hub.console_language,
        )
        for camera in cameras:
            camera.stream = stream
        self.stream = stream
        stream.task = self.hub.create_task(
            stream.run(),
            f"{self.platform} {self.config['host']}:{self.config['port']}",
            owner=self.hub.plugins.plugin_of(type(self).__module__),
        )

    def _warn_if_box_repeated(self) -> None:
        """One line when the channels of one box are items of their own: each
        opens a stream of its own, and an NVR refuses the ones over its limit."""
        where = (self.config["host"], self.config["port"])
        same = [
            d
            for d in self.hub.devices.all()
            if isinstance(d, StreamCamera)
            and d.owner is None
            and d.platform == self.platform
            and (d.config["host"], d.config["port"]) == where
        ]
        if len(same) > 1 and same[0] is self:
            said = i18n.Text(
                "stream.box_repeated", entity_ids=", ".join(d.entity_id for d in same),
                host=f"{where[0]}:{where[1]}", count=len(same),
            )  # fmt: skip
            self.log.warning("%s", said)

    async def stop(self) -> None:
        """Close the stream this camera or NVR opened (a channel has none of
        its own); the hub stops every entity, channels included."""
        self.link.close()
        self.activity.clear()
        stream = self.stream
        if stream is None or stream.link is not self.link or stream.task is None:
            return
        stream.task.cancel()  # leaves the `async with`: the connection is closed
        await asyncio.gather(stream.task, return_exceptions=True)
