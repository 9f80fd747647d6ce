"""An ONVIF camera: device information, profiles, stream and snapshot URIs,
PTZ presets, and events through a PullPoint subscription that never silently
stops (renewed at 80% of its life, re-created after a SOAP fault, a reboot or
a refused renewal, with back-off while the camera is unreachable)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import aiohttp
import voluptuous as vol
import zeep.exceptions
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError

from hub import Camera, CameraActivity, Context, DeviceError, LinkWatch, i18n, shown

from . import messages  # noqa: F401  (registers our words)
from .events import PULSE_KINDS, CameraEvent, parse

# The share of a subscription's life after which it is renewed.
RENEW_AT = 0.8
# Extra wall-clock time a PullMessages may take beyond its own Timeout (a
# share of it, at least 2 s): a camera that holds the pull longer is wedged.
PULL_MARGIN = 0.5
# Seconds a single setup or renew request may take.
REQUEST_TIMEOUT = 15.0

_PULLPOINT_NS = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"
_TRANSPORT_ERRORS = (
    OSError,
    aiohttp.ClientError,
    TimeoutError,
    ONVIFError,
    zeep.exceptions.TransportError,
)


class SubscriptionLost(Exception):
    """The camera no longer knows our subscription (rebooted, expired, fault)."""


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
        self._profile_token: str | None = None
        self.activity = CameraActivity(self)
        self.clock_offset: float | None = None
        self.info: dict[str, Any] = {}
        self.subscriptions_made = 0

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
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            try:  # a courtesy: cameras limit subscriptions, this frees ours now
                async with asyncio.timeout(2):
                    await subscription.Unsubscribe()
            except Exception as err:
                self.log.debug("%s: unsubscribe failed: %s", self.entity_id, err)
        await self._close_device()

    async def _close_device(self) -> None:
        device, self._device = self._device, None
        self._pullpoint = self._subscription = None
        if device is not None:
            await device.close()

    # -- the loop that keeps events flowing -------------------------------------

    async def _run(self) -> None:
        while True:
            try:
                if self._device is None:
                    await self._connect()
                await self._subscribe()
                await self._pull_forever()
            except SubscriptionLost as err:
                self._mark_stale(str(err))
                self.log.info("%s (%s): %s; subscribing again", self.entity_id, self.site, err)
                await asyncio.sleep(min(1.0, self.config["pull_timeout"]))
                continue
            except CameraAuthError as err:
                reason = i18n.message(err)
                delay = self.link.failed(reason)
                self.set_available(False, reason)
                self.log.error("%s", i18n.render(reason, self.hub.console_language))
                await self._close_device()
                await asyncio.sleep(max(delay, 10.0))
            except Exception as err:
                if not isinstance(err, (*_TRANSPORT_ERRORS, zeep.exceptions.Error)):
                    self.log.exception("%s: unexpected error in the event loop", self.entity_id)
                reason = self._describe(err)
                delay = self.link.failed(reason)
                self._mark_stale(reason)
                said = i18n.Text("onvif.retrying", entity_id=self.entity_id, site=self.site,
                    reason=reason, seconds=f"{delay:.0f}",
                )  # fmt: skip
                self.log.warning("%s", said.render(self.hub.console_language))
                await self._close_device()
                await asyncio.sleep(delay)

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
        """Until the new subscription reports, what we last heard may be old."""
        self._attributes["events_stale"] = True
        self._attributes["events_error"] = reason
        self._write(None)

    # -- setup -------------------------------------------------------------------

    async def _connect(self) -> None:
        gate = setup_gate(self.hub)
        async with gate.slot():
            await self._setup()

    async def _setup(self) -> None:
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
        async with asyncio.timeout(REQUEST_TIMEOUT):
            await self._check_clock(device)
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
        self._attributes.update({**self.info, "clock_offset": self.clock_offset})
        self.log.info(
            "%s (%s): %s %s connected, profile %s",
            self.entity_id,
            self.site,
            self.info["manufacturer"],
            self.info["model"],
            self._profile_token,
        )

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
        self.clock_offset = round((camera_now - dt.datetime.now(dt.UTC)).total_seconds(), 1)
        if abs(self.clock_offset) > self.config["clock_tolerance"]:
            said = i18n.Text(
                "onvif.clock_off",
                entity_id=self.entity_id,
                host=self.address,
                offset=f"{self.clock_offset:+.0f}",
            )
            self.log.warning("%s", said.render(self.hub.console_language))

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
        self.log.warning("%s", said.render(self.hub.console_language))

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
        self._renew_at = time.monotonic() + life * RENEW_AT

    async def _renew(self) -> None:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                result = await self._subscription.Renew(
                    f"PT{int(self.config['subscription_time'])}S"
                )
        except zeep.exceptions.Fault as err:
            said = i18n.Text("onvif.renew_refused", host=self.address, error=_fault_text(err))
            raise SubscriptionLost(said) from err
        self._schedule_renew(result)

    async def _pull_forever(self) -> None:
        pull_timeout = self.config["pull_timeout"]
        while True:
            # a pull is at least 1 s long: renew before one would outlive the renewal time
            if time.monotonic() >= self._renew_at - 1.0:
                await self._renew()
            wait = max(1.0, min(pull_timeout, self._renew_at - time.monotonic()))
            try:
                async with asyncio.timeout(wait + max(2.0, wait * PULL_MARGIN)):
                    result = await self._pullpoint.PullMessages(
                        {"Timeout": dt.timedelta(seconds=int(wait)), "MessageLimit": 100}
                    )
            except zeep.exceptions.Fault as err:
                said = i18n.Text("onvif.pull_fault", host=self.address, error=_fault_text(err))
                raise SubscriptionLost(said) from err
            if self.link.failing_since is not None or not self.available:
                self.link.ok()  # healthy once a pull is answered, not at subscribe
            for message in result.NotificationMessage or ():
                try:
                    event = await parse(self.entity_id, message)
                except (AttributeError, KeyError, IndexError, TypeError) as err:
                    self.log.warning("%s: unreadable ONVIF event skipped: %r", self.entity_id, err)
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


def _is_auth_fault(err: zeep.exceptions.Fault) -> bool:
    text = f"{err.message} {err.subcodes or ''} {err.code or ''}".lower()
    return "notauthorized" in text or "not authorized" in text or "authority" in text


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
    """The first camera sets up alone (it loads and caches the WSDLs); then a
    few at a time, so 500 cameras at start do not time each other out."""

    def __init__(self, parallel: int = 24) -> None:
        self._first = asyncio.Lock()
        self._warm = False
        self._slots = asyncio.Semaphore(parallel)

    def slot(self) -> Any:
        gate = self

        class _Slot:
            async def __aenter__(self) -> None:
                if not gate._warm:
                    await gate._first.acquire()
                    if gate._warm:
                        gate._first.release()
                    else:
                        self.first = True
                        return
                self.first = False
                await gate._slots.acquire()

            async def __aexit__(self, exc_type: Any, *rest: Any) -> None:
                if getattr(self, "first", False):
                    gate._warm = exc_type is None
                    gate._first.release()
                else:
                    gate._slots.release()

        return _Slot()


def setup_gate(hub: Any) -> _SetupGate:
    from . import SETUP_GATE

    gate = hub.data.get(SETUP_GATE)
    if gate is None:
        gate = hub.data.setdefault(SETUP_GATE, _SetupGate())
    return gate
