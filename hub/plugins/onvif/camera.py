"""An ONVIF camera: device information, profiles, stream and snapshot URIs,
PTZ presets, and events through a PullPoint subscription that never silently
stops: renewed at 80% of its life; kept through a network drop (the camera
still knows it, and holds the events of the drop for it); re-created after a
SOAP fault, a reboot or a refused renewal, the old one ended first (cameras
allow only a few); back-off while the camera is unreachable. A camera with no
events service still serves snapshots, clips and PTZ."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import aiohttp
import voluptuous as vol
import zeep.exceptions
from onvif import ONVIFCamera
from onvif.definition import SERVICES
from onvif.exceptions import ONVIFError

from hub import Camera, Context, DeviceError, LogRate, i18n, shown
from hub.kit import CameraActivity, LinkWatch

from . import xml_rules
from .events import PULSE_KINDS, CameraEvent, UnreadableEvent, parse

xml_rules.apply()  # before any WSDL is loaded or any camera answers

# The share of a subscription's life after which it is renewed.
RENEW_AT = 0.8
# Extra wall-clock time a PullMessages may take beyond its own Timeout (a
# share of it, at least 2 s): a camera that holds the pull longer is wedged.
PULL_MARGIN = 0.5
# Seconds a single setup or renew request may take.
REQUEST_TIMEOUT = 15.0

_EVENTS_NS = "http://www.onvif.org/ver10/events/wsdl"
_PULLPOINT_NS = f"{_EVENTS_NS}/PullPointSubscription"
_TRANSPORT_ERRORS = (
    OSError,
    aiohttp.ClientError,
    TimeoutError,
    ONVIFError,
    zeep.exceptions.TransportError,
)


class SubscriptionLost(Exception):
    """Our subscription cannot go on (a fault, a refused renewal, expired)."""

    def __init__(self, reason: str, *, camera_knows_it: bool) -> None:
        super().__init__(reason)
        # True: end it before making a new one, or it holds one of the camera's few places
        self.camera_knows_it = camera_knows_it


class NoEvents(Exception):
    """The camera has no PullPoint events (no events service, or it refuses one)."""


class CameraAuthError(Exception):
    pass


def _seconds(value: Any) -> float:
    return vol.All(vol.Coerce(float), vol.Range(min=0.1))(value)


class OnvifCamera(Camera):
    platform = "onvif"
    CONFIG_SCHEMA = {
        **Camera.MEDIA_OPTIONS,
        vol.Required("host"): str,
        vol.Optional("port", default=80): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Optional("username", default="admin"): vol.Coerce(str),
        vol.Optional("password", default=""): vol.Coerce(str),
        vol.Optional("profile", default=0): vol.Any(int, str),
        # how long the camera may hold a PullMessages open (long poll)
        vol.Optional("pull_timeout", default=30.0): _seconds,
        # the subscription life asked for; renewed at 80% of it
        vol.Optional("subscription_time", default=600.0): _seconds,
        # seconds of failure before device.unavailable
        vol.Optional("unavailable_after", default=30.0): _seconds,
        vol.Optional("retry_max", default=60.0): _seconds,
        # off by more than this many seconds: warn at setup
        vol.Optional("clock_tolerance", default=5.0): _seconds,
        # sign requests with the camera's clock instead of ours
        vol.Optional("adjust_time", default=False): bool,
    }

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self.username = config["username"]
        self.password = config["password"]
        self.link = LinkWatch(self, grace=config["unavailable_after"], maximum=config["retry_max"])
        self._device: ONVIFCamera | None = None
        self._task: asyncio.Task[None] = None  # type: ignore[assignment]
        self._pullpoint: Any = None
        self._subscription: Any = None
        self._renew_at = 0.0
        self._expires_at = 0.0
        self._profile_token: str | None = None
        self.activity = CameraActivity(self)
        # a camera that sends unreadable messages at the event rate writes a line a minute
        self._unreadable = LogRate(self.log, language=lambda: self.hub.console_language)
        self.clock_offset: float | None = None
        self.info: dict[str, Any] = {}
        self.subscriptions_made = 0
        self.reports_events = True
        self._events_refused: str | None = None  # what the camera said to PullPoint, if it refused
        self._said_no_events = False

    @property
    def address(self) -> str:
        """host:port, as every message names the camera."""
        host = self.config["host"]
        return f"[{host}]:{self.config['port']}" if ":" in host else f"{host}:{self.config['port']}"

    # -- lifetime -----------------------------------------------------------

    async def start(self) -> None:
        self.set_state("idle")
        self._task = self.hub.create_task(self._run(), f"onvif {self.entity_id}")

    async def stop(self) -> None:
        self.link.close()
        self._unreadable.close()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        await self._end_subscription(unsubscribe=True)
        await self._close_device()

    async def _close_device(self) -> None:
        device, self._device = self._device, None
        self._pullpoint = self._subscription = None
        if device is not None:
            await device.close()

    async def _end_subscription(self, *, unsubscribe: bool) -> None:
        """Forget our subscription; `unsubscribe`: the camera may still know
        it, so free its place now rather than at its termination time."""
        subscription, self._subscription = self._subscription, None
        self._pullpoint = None
        if subscription is None or not unsubscribe:
            return
        try:
            async with asyncio.timeout(2):
                await subscription.Unsubscribe()
        except Exception as err:
            self.log.debug("%s: unsubscribe failed: %s", self.entity_id, shown(err))

    # -- the loop that keeps events flowing -------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                if self._device is None:
                    await self._connect()
                if not self.reports_events:
                    await self._watch()
                    continue
                if self._subscription is None:
                    await self._subscribe()
                await self._pull_forever()
            except NoEvents:
                self._without_events()
            except SubscriptionLost as err:
                reason = i18n.message(err)
                self._mark_stale(reason)
                said = i18n.Text("onvif.subscribing_again", entity_id=self.entity_id,
                    site=self.site, reason=reason,
                )  # fmt: skip
                self.log.info(said)
                await self._end_subscription(unsubscribe=err.camera_knows_it)
                await self.hub.clock.sleep(min(1.0, self.config["pull_timeout"]))
            except CameraAuthError as err:
                reason = i18n.message(err)
                delay = self.link.failed(reason)
                self.set_available(False, reason)
                self.log.error(reason)
                await self._close_device()
                await self.hub.clock.sleep(max(delay, 10.0))
            except Exception as err:
                if not isinstance(err, (*_TRANSPORT_ERRORS, zeep.exceptions.Error)):
                    self.log.exception("%s: unexpected error in the event loop", self.entity_id)
                reason = self._describe(err)
                delay = self.link.failed(reason)
                if self.reports_events:
                    self._mark_stale(reason)
                said = i18n.Text("onvif.retrying", entity_id=self.entity_id, site=self.site,
                    reason=reason, seconds=f"{delay:.0f}",
                )  # fmt: skip
                self.log.warning(said)
                if self._subscription is None:
                    await self._close_device()  # set up again from the start
                # else a network drop: the camera still knows our subscription and
                # keeps the events of the drop for it; pull (renew) it again
                await self.hub.clock.sleep(delay)

    def _describe(self, err: BaseException) -> str:
        """Why the camera failed, naming host:port: what it answered when it
        answered, else that it could not be reached."""
        if isinstance(err, ONVIFError) and err.__cause__ is not None:
            err = err.__cause__  # onvif-zeep-async wraps what really happened
        host = self.address
        if isinstance(err, TimeoutError):
            return i18n.Text("onvif.timeout", host=host)
        if isinstance(err, zeep.exceptions.Fault):
            return i18n.Text("onvif.answered", host=host, error=_fault_text(err))
        if isinstance(err, zeep.exceptions.TransportError):
            return i18n.Text("onvif.http_status", host=host, status=err.status_code)
        if isinstance(err, zeep.exceptions.Error):  # not XML, a DTD, not ONVIF's shape
            return i18n.Text("onvif.bad_answer", host=host, error=shown(err))
        if isinstance(err, DeviceError):  # a Text of ours (no profiles, ...)
            return i18n.Text("onvif.failed", host=host, error=i18n.message(err))
        text = shown(i18n.message(err) or type(err).__name__)
        return i18n.Text("onvif.unreachable", host=host, error=text)

    def _mark_stale(self, reason: str) -> None:
        """Until the subscription reports again, what we last heard may be old."""
        self._attributes["events_stale"] = True
        self._attributes["events_error"] = reason
        self._write(None)

    def _answered(self) -> None:
        """The camera answered: available, and its events current again."""
        if self.link.failing_since is not None or not self.available:
            self.link.ok()
        if self._attributes.get("events_stale") and self._subscription is not None:
            self._attributes.pop("events_error", None)
            self._attributes["events_stale"] = False
            self._write(None)

    # -- setup -------------------------------------------------------------------

    async def _connect(self) -> None:
        gate = setup_gate(self.hub)
        await gate.warm()
        cfg = self.config
        # onvif-zeep-async needs strings, never None, or the digest is built wrong
        device = ONVIFCamera(
            cfg["host"],
            cfg["port"],
            self.username or "",
            self.password or "",
            adjust_time=cfg["adjust_time"],
        )
        self._device = device
        # The camera's first answer, outside the gate: one that never answers
        # waits out its timeout without holding a place a healthy camera needs.
        async with asyncio.timeout(REQUEST_TIMEOUT):
            await self._check_clock(device)
        async with gate.slot():
            await self._setup(device)

    async def _setup(self, device: ONVIFCamera) -> None:
        cfg = self.config
        async with asyncio.timeout(REQUEST_TIMEOUT):
            try:
                await device.update_xaddrs()
                devicemgmt = await device.create_devicemgmt_service()
                info = await devicemgmt.GetDeviceInformation()
            except zeep.exceptions.Fault as err:
                if _is_auth_fault(err):
                    raise CameraAuthError(self._auth_message()) from err
                raise
            self.info = {
                "manufacturer": info.Manufacturer,
                "model": info.Model,
                "firmware": info.FirmwareVersion,
                "serial": info.SerialNumber,
            }
            self.capabilities = await device.get_capabilities() or {}
            self.reports_events = self._events_refused is None and self._has_events(device)
            media = await device.create_media_service()
            profiles = await media.GetProfiles()
            if not profiles:
                raise DeviceError(i18n.Text("onvif.no_profiles", entity_id=self.entity_id))
            self._profile_token = _pick_profile(profiles, cfg["profile"], self.entity_id)
            stream = await media.GetStreamUri(
                {
                    "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
                    "ProfileToken": self._profile_token,
                }
            )
            self.stream_url = stream.Uri
            self.snapshot_url = await device.get_snapshot_uri(self._profile_token)
        # The media and device services are needed again only for PTZ; do not
        # keep a connection pool per camera open for them.
        for key in [k for k in device.services if k[0] in ("devicemgmt", "media")]:
            await device.services.pop(key).close()
        self._attributes.update(
            {**self.info, "clock_offset": self.clock_offset, "reports_events": self.reports_events}
        )
        if not self.reports_events:
            self._without_events()
        self.log.info(
            "%s (%s): %s %s connected, profile %s",
            self.entity_id,
            self.site,
            self.info["manufacturer"],
            self.info["model"],
            self._profile_token,
        )

    def _has_events(self, device: ONVIFCamera) -> bool:
        """Whether the camera lists an events service (GetServices, else the
        capabilities); many cheap cameras and NVR channels have none."""
        if device.xaddrs.get(_EVENTS_NS):
            return True
        events = (self.capabilities or {}).get("Events")
        xaddr = events.get("XAddr") if isinstance(events, dict) else None
        if isinstance(xaddr, str) and xaddr:
            device.xaddrs[_EVENTS_NS] = device.rewrite_url(xaddr)
            return True
        return False

    def _without_events(self) -> None:
        """Available for snapshots, clips and PTZ; said once, not per reconnect."""
        first, self._said_no_events = not self._said_no_events, True
        self.reports_events = False
        self._attributes["reports_events"] = False
        self._attributes.pop("events_stale", None)
        self._attributes.pop("events_error", None)
        self._write(None)
        if first:
            why = self._events_refused or i18n.Text("onvif.no_events_service")
            said = i18n.Text("onvif.no_events", entity_id=self.entity_id, host=self.address,
                why=why,
            )  # fmt: skip
            self.log.warning(said)

    async def _watch(self) -> None:
        """A camera without events: ask it something small now and then, so
        it is shown unavailable when it goes away and available when back."""
        device = self._device
        assert device is not None
        devicemgmt = await device.create_devicemgmt_service()
        while True:
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    await devicemgmt.authless_GetSystemDateAndTime()
            except zeep.exceptions.Fault:
                pass  # a refusal is an answer: the camera is there
            self._answered()
            await self.hub.clock.sleep(self.config["pull_timeout"])

    async def _check_clock(self, device: ONVIFCamera) -> None:
        devicemgmt = await device.create_devicemgmt_service()
        try:
            answer = await devicemgmt.authless_GetSystemDateAndTime()
        except zeep.exceptions.Fault:
            try:  # some firmwares answer it only with a login
                answer = await devicemgmt.GetSystemDateAndTime()
            except zeep.exceptions.Fault as err:
                self._clock_unread(device, err)
                return
        utc = getattr(answer, "UTCDateTime", None)
        if utc is None:
            return
        camera_now = dt.datetime(
            utc.Date.Year,
            utc.Date.Month,
            utc.Date.Day,
            utc.Time.Hour,
            utc.Time.Minute,
            utc.Time.Second,
            tzinfo=dt.UTC,
        )
        self.clock_offset = round((camera_now - self.hub.clock.now()).total_seconds(), 1)
        if abs(self.clock_offset) > self.config["clock_tolerance"]:
            said = i18n.Text(
                "onvif.clock_off",
                entity_id=self.entity_id,
                host=self.address,
                offset=f"{self.clock_offset:+.0f}",
            )
            self.log.warning(said)

    def _clock_unread(self, device: ONVIFCamera, err: zeep.exceptions.Fault) -> None:
        """Warn and carry on: the clock only explains a refused login."""
        if device.adjust_time:  # onvif-zeep-async would read the clock again and fail
            device.adjust_time = False
        said = i18n.Text(
            "onvif.clock_unread",
            entity_id=self.entity_id,
            host=self.address,
            error=_fault_text(err),
        )
        self.log.warning(said)

    def _auth_message(self) -> str:
        off = self.clock_offset
        if (
            off is not None
            and abs(off) > self.config["clock_tolerance"]
            and not self.config["adjust_time"]
        ):
            return i18n.Text(
                "onvif.auth_clock",
                entity_id=self.entity_id,
                host=self.address,
                offset=f"{off:+.0f}",
            )
        return i18n.Text(
            "onvif.auth",
            entity_id=self.entity_id,
            host=self.address,
            username=self.username or "",
        )

    # -- PullPoint -------------------------------------------------------------

    async def _subscribe(self) -> None:
        device = self._device
        assert device is not None
        life = self.config["subscription_time"]
        async with asyncio.timeout(REQUEST_TIMEOUT):
            events = await device.create_events_service()
            try:
                result = await events.CreatePullPointSubscription(
                    {"InitialTerminationTime": f"PT{int(life)}S"}
                )
            except zeep.exceptions.Fault as err:
                if _is_auth_fault(err):
                    raise CameraAuthError(self._auth_message()) from err
                if _is_unsupported(err):  # an NVR channel: the service is listed, PullPoint is not
                    self._events_refused = _fault_text(err)
                    raise NoEvents from err
                raise
            device.xaddrs[_PULLPOINT_NS] = device.rewrite_url(
                result.SubscriptionReference.Address._value_1
            )
            self._subscription = await device.create_subscription_service("PullPointSubscription")
            self._pullpoint = await device.create_pullpoint_service()
        self._schedule_renew(result)
        self.subscriptions_made += 1
        self._attributes.pop("events_error", None)
        self._attributes["events_stale"] = False
        self._write(None)

    def _schedule_renew(self, result: Any) -> None:
        life = self.config["subscription_time"]
        current, termination = (
            getattr(result, "CurrentTime", None),
            getattr(result, "TerminationTime", None),
        )
        if isinstance(current, dt.datetime) and isinstance(termination, dt.datetime):
            granted = (termination - current).total_seconds()
            if granted > 1:
                life = granted
        now = self.hub.clock.monotonic()
        self._renew_at = now + life * RENEW_AT
        self._expires_at = now + life

    async def _renew(self) -> None:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                result = await self._subscription.Renew(
                    f"PT{int(self.config['subscription_time'])}S"
                )
        except zeep.exceptions.Fault as err:
            said = i18n.Text("onvif.renew_refused", host=self.address, error=_fault_text(err))
            raise SubscriptionLost(said, camera_knows_it=not _is_unknown(err)) from err
        self._schedule_renew(result)

    async def _pull_forever(self) -> None:
        pull_timeout = self.config["pull_timeout"]
        while True:
            if self.hub.clock.monotonic() >= self._expires_at:  # ran out while the camera was away
                said = i18n.Text("onvif.subscription_expired", host=self.address)
                raise SubscriptionLost(said, camera_knows_it=False)
            # a pull is at least 1 s long: renew before one would outlive the renewal time
            if self.hub.clock.monotonic() >= self._renew_at - 1.0:
                await self._renew()
            wait = max(1.0, min(pull_timeout, self._renew_at - self.hub.clock.monotonic()))
            try:
                async with asyncio.timeout(wait + max(2.0, wait * PULL_MARGIN)):
                    result = await self._pullpoint.PullMessages(
                        {"Timeout": dt.timedelta(seconds=int(wait)), "MessageLimit": 100}
                    )
            except zeep.exceptions.Fault as err:
                said = i18n.Text("onvif.pull_fault", host=self.address, error=_fault_text(err))
                raise SubscriptionLost(said, camera_knows_it=not _is_unknown(err)) from err
            self._answered()  # healthy once a pull is answered, not at subscribe
            for message in result.NotificationMessage or ():
                try:
                    event = await parse(self.entity_id, message)
                except UnreadableEvent as err:
                    said = i18n.Text("onvif.event_unreadable", entity_id=self.entity_id,
                        host=self.address, error=i18n.message(err),
                    )  # fmt: skip
                    self._unreadable.log("unreadable", logging.WARNING, said)
                    continue
                if event is not None:
                    self._on_event(event)

    def _on_event(self, event: CameraEvent) -> None:
        self.activity.report(
            event.kind,
            event.source,
            event.active,
            pulse=event.kind in PULSE_KINDS,
            initialized=event.initialized,
            topic=event.topic,
            data={
                "topic": event.topic,
                "camera_time": event.camera_time.isoformat() if event.camera_time else None,
            },
        )

    # -- services ---------------------------------------------------------------

    async def ptz_preset(self, preset: str, *, context: Context) -> None:
        self.require_available()
        device = self._device
        if device is None:
            raise DeviceError(i18n.Text("onvif.not_connected", entity_id=self.entity_id))
        async with asyncio.timeout(REQUEST_TIMEOUT):
            ptz = await device.create_ptz_service()
            presets = await ptz.GetPresets({"ProfileToken": self._profile_token})
            wanted = str(preset).casefold()
            token = next(
                (
                    p.token
                    for p in presets or ()
                    if wanted in (str(p.token).casefold(), str(p.Name or "").casefold())
                ),
                None,
            )
            if token is None:
                known = ", ".join(f"{p.token} ({p.Name})" for p in presets or ())
                raise DeviceError(
                    i18n.Text(
                        "onvif.no_preset",
                        entity_id=self.entity_id,
                        preset=repr(preset),
                        known=known or i18n.Text("onvif.none"),
                    )
                )
            await ptz.GotoPreset({"ProfileToken": self._profile_token, "PresetToken": token})
        self.log.info("%s (%s): PTZ to preset %s", self.entity_id, self.site, preset)


def _fault_text(err: zeep.exceptions.Fault) -> str:
    """What the camera answered, fit for a log line."""
    return shown(err.message or err.code or type(err).__name__)


def _fault_words(err: zeep.exceptions.Fault) -> str:
    return f"{err.message} {err.subcodes or ''} {err.code or ''}".lower()


def _is_auth_fault(err: zeep.exceptions.Fault) -> bool:
    text = _fault_words(err)
    return "notauthorized" in text or "not authorized" in text or "authority" in text


def _is_unknown(err: zeep.exceptions.Fault) -> bool:
    """The camera says it does not know the subscription (any more)."""
    return "resourceunknown" in _fault_words(err)


def _is_unsupported(err: zeep.exceptions.Fault) -> bool:
    text = _fault_words(err)
    return "actionnotsupported" in text or "not supported" in text


def _pick_profile(profiles: list[Any], wanted: int | str, entity_id: str) -> str:
    if isinstance(wanted, int):
        if wanted >= len(profiles):
            raise DeviceError(
                i18n.Text(
                    "onvif.profile_out_of_range",
                    entity_id=entity_id,
                    wanted=wanted,
                    count=len(profiles),
                )
            )
        return profiles[wanted].token
    for profile in profiles:
        if wanted in (profile.token, profile.Name):
            return profile.token
    names = ", ".join(p.token for p in profiles)
    raise DeviceError(
        i18n.Text("onvif.no_profile", entity_id=entity_id, wanted=repr(wanted), names=names)
    )


class _SetupGate:
    """The WSDLs are loaded once, before any camera is asked anything (no
    network: a camera that never answers cannot hold the others up); then
    setups run a few at a time once a camera has answered, so 500 cameras at
    start do not time each other out."""

    def __init__(self, parallel: int = 24) -> None:
        self._warming = asyncio.Lock()
        self._warm = False
        self._slots = asyncio.Semaphore(parallel)

    async def warm(self) -> None:
        if self._warm:
            return
        async with self._warming:
            if not self._warm:
                await _load_wsdls()
                self._warm = True

    def slot(self) -> asyncio.Semaphore:
        return self._slots


async def _load_wsdls() -> None:
    """Parse the WSDLs every camera uses into onvif-zeep-async's cache: a
    device that is never asked anything (creating a service sends nothing)."""
    device = ONVIFCamera("127.0.0.1", 1, "", "")
    for namespace in (_EVENTS_NS, *(SERVICES[name]["ns"] for name in ("media", "ptz"))):
        device.xaddrs[namespace] = "http://127.0.0.1:1/onvif/unused"
    try:
        await device.create_devicemgmt_service()
        await device.create_media_service()
        await device.create_events_service()
        await device.create_ptz_service()
    finally:
        await device.close()


def setup_gate(hub: Any) -> _SetupGate:
    from . import SETUP_GATE

    gate = hub.data.get(SETUP_GATE)
    if gate is None:
        gate = hub.data.setdefault(SETUP_GATE, _SetupGate())
    return gate
