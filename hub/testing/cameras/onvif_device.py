"""A fake ONVIF camera on aiohttp: the device, media, PTZ and events services
with PullPoint subscriptions, WS-UsernameToken digest checked against the
camera's own (possibly wrong) clock, and the faults real cameras show:
reboots, network drops, SOAP faults, refused renewals, clock skew, a limit
on live subscriptions (an abandoned one counts until its termination time),
no events service at all, a camera that never answers.

Many fakes run in one process, one small aiohttp server each (ONVIF fixes
the device service at `http://host:port/onvif/device_service`, so each
camera needs its own port). Event messages are shaped like a Hikvision or
Axis camera's and parse with `onvif-parsers`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import isodate
from aiohttp import web
from lxml import etree

from .digest import DigestGuard

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}
_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"'
    ' xmlns:tt="http://www.onvif.org/ver10/schema"'
    ' xmlns:tds="http://www.onvif.org/ver10/device/wsdl"'
    ' xmlns:trt="http://www.onvif.org/ver10/media/wsdl"'
    ' xmlns:tptz="http://www.onvif.org/ver20/ptz/wsdl"'
    ' xmlns:tev="http://www.onvif.org/ver10/events/wsdl"'
    ' xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"'
    ' xmlns:wsa5="http://www.w3.org/2005/08/addressing"'
    ' xmlns:tns1="http://www.onvif.org/ver10/topics"'
    ' xmlns:ter="http://www.onvif.org/ver10/error"'
    ' xmlns:wsrf-rw="http://docs.oasis-open.org/wsrf/rw-2">'
    "<env:Header/><env:Body>{body}</env:Body></env:Envelope>"
)
# How far a WS-UsernameToken's Created may lie from the camera's clock.
TOKEN_WINDOW = 30.0

_RULE_SOURCE = (
    ("VideoSourceConfigurationToken", "VideoSourceToken"),
    ("VideoAnalyticsConfigurationToken", "VideoAnalyticsToken"),
    ("Rule", "MyMotionDetectorRule"),
)
_VIDEO_SOURCE = (("Source", "VideoSource_1"),)

#: kind -> (topic, Source items, Data item name, value when active, value when not)
EVENT_KINDS: dict[str, tuple[str, tuple[tuple[str, str], ...], str, str, str]] = {
    "motion": (
        "tns1:RuleEngine/CellMotionDetector/Motion",
        _RULE_SOURCE,
        "IsMotion",
        "true",
        "false",
    ),
    "motion_alarm": ("tns1:VideoSource/MotionAlarm", _VIDEO_SOURCE, "State", "true", "false"),
    "tamper": ("tns1:RuleEngine/TamperDetector/Tamper", _RULE_SOURCE, "IsTamper", "true", "false"),
    "scene_change": (
        "tns1:VideoSource/GlobalSceneChange/ImagingService",
        _VIDEO_SOURCE,
        "State",
        "true",
        "false",
    ),
    # a second motion detector with the same Source as CellMotionDetector (one rule, two topics)
    "motion_region": (
        "tns1:RuleEngine/MotionRegionDetector/Motion",
        _RULE_SOURCE,
        "State",
        "true",
        "false",
    ),
    "line_crossed": ("tns1:RuleEngine/LineDetector/Crossed", _RULE_SOURCE, "ObjectId", "1", "0"),
    # a line crossing as a property that goes true, then false again (Tapo)
    "line_cross": (
        "tns1:RuleEngine/CellMotionDetector/LineCross",
        _RULE_SOURCE,
        "IsLineCross",
        "true",
        "false",
    ),
    "intrusion": (
        "tns1:RuleEngine/FieldDetector/ObjectsInside",
        _RULE_SOURCE,
        "IsInside",
        "true",
        "false",
    ),
    "digital_input": (
        "tns1:Device/Trigger/DigitalInput",
        (("InputToken", "DI_1"),),
        "LogicalState",
        "true",
        "false",
    ),
    "video_loss": ("tns1:VideoSource/SignalLoss", _VIDEO_SOURCE, "State", "true", "false"),
    # two more of the camera's scene-change topics, on the same video source
    "scene_change_analytics": (
        "tns1:VideoSource/GlobalSceneChange/AnalyticsService",
        _VIDEO_SOURCE,
        "State",
        "true",
        "false",
    ),
    "storage_failure": (
        "tns1:Device/HardwareFailure/StorageFailure",
        (("Token", "SD_1"),),
        "Failed",
        "true",
        "false",
    ),
}
#: kinds that are occurrences, not properties: no current state to report
PULSE_KINDS = frozenset({"line_crossed"})


#: what a camera without an events service does not answer
_EVENT_OPERATIONS = frozenset(
    {
        "GetEventProperties",
        "CreatePullPointSubscription",
        "PullMessages",
        "Renew",
        "SetSynchronizationPoint",
        "Unsubscribe",
    }
)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def notification(kind: str, active: bool, when: datetime, operation: str = "Changed") -> str:
    topic, source, data_name, on, off = EVENT_KINDS[kind]
    items = "".join(f'<tt:SimpleItem Name="{n}" Value="{v}"/>' for n, v in source)
    return (
        "<wsnt:NotificationMessage>"
        f'<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">{topic}</wsnt:Topic>'
        f'<wsnt:Message><tt:Message UtcTime="{_iso(when)}" PropertyOperation="{operation}">'
        f"<tt:Source>{items}</tt:Source>"
        f'<tt:Data><tt:SimpleItem Name="{data_name}" Value="{on if active else off}"/></tt:Data>'
        "</tt:Message></wsnt:Message></wsnt:NotificationMessage>"
    )


def _fault(subcode: str, reason: str, code: str = "env:Sender") -> web.Response:
    body = (
        f"<env:Fault><env:Code><env:Value>{code}</env:Value>"
        f"<env:Subcode><env:Value>{subcode}</env:Value></env:Subcode></env:Code>"
        f'<env:Reason><env:Text xml:lang="en">{escape(reason)}</env:Text></env:Reason></env:Fault>'
    )
    return web.Response(
        status=400 if code == "env:Sender" else 500,
        text=_ENVELOPE.format(body=body),
        content_type="application/soap+xml",
    )


@dataclass
class Subscription:
    id: int
    expires: float  # wall clock
    queue: deque[str] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Faults:
    """What goes wrong with this camera (set them while it runs)."""

    clock_skew: float = 0.0  # seconds the camera's clock is ahead (+) or behind (-)
    pull_faults: int = 0  # the next N PullMessages answer a SOAP fault
    renew_fails: bool = False  # Renew answers "resource unknown"
    hang_pulls: bool = False  # PullMessages never answers (a wedged camera)
    mute: bool = False  # every request is taken and never answered (a dead camera)
    no_pullpoint: bool = False  # the events service is listed but refuses PullPoint (NVRs)
    clock_needs_login: bool = False  # GetSystemDateAndTime only with a login (some firmwares)
    clock_refused: bool = False  # GetSystemDateAndTime is not supported at all
    # operation -> the reason of the SOAP fault it answers instead (a busy or broken service)
    refuse: dict[str, str] = field(default_factory=dict)
    # operation -> the whole answer it sends instead, as it is (hostile XML: an entity bomb)
    answer: dict[str, str] = field(default_factory=dict)


class FakeOnvifCamera:
    """One fake camera. `await start()`, `emit("motion")`, `await reboot(2)`."""

    def __init__(
        self,
        name: str = "sim",
        *,
        username: str = "admin",
        password: str = "sandi123",
        host: str = "127.0.0.1",
        port: int = 0,
        rtsp_url: str | None = None,
        snapshot_url: str | None = None,
        max_pull_wait: float = 60.0,
        serial: str | None = None,
        max_subscriptions: int = 4,
        events: bool = True,
    ) -> None:
        self.name = name
        self.username, self.password = username, password
        self.host, self.port = host, port
        self.rtsp_url = rtsp_url
        self.snapshot_url = snapshot_url
        self.max_pull_wait = max_pull_wait
        self.serial = serial or f"SIM-{name}"
        self.max_subscriptions = max_subscriptions  # cameras allow only a few (often 2-8)
        self.events = events  # False: no events service (cheap cameras, NVR channels)
        self.faults = Faults()
        self.subscriptions: dict[int, Subscription] = {}
        self.requests: list[str] = []  # operation names answered, in order
        self.presets = {"1": "Gerbang", "2": "Parkir"}
        self.preset_calls: list[str] = []
        self.boot_count = 0
        # what each property is now; a new subscription starts with it ("Initialized")
        self.state: dict[str, bool] = {"motion": False}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._http_guard = DigestGuard(username, password, "Sigap Simulator")

    # -- lifetime -----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        await self._listen()
        self.boot_count += 1

    async def _listen(self) -> None:
        app = web.Application()
        app.router.add_post("/onvif/{service:.*}", self._handle)
        app.router.add_get("/snapshot.jpg", self._snapshot)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        if not self.port:
            self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            for sub in self.subscriptions.values():
                sub.wake.set()
            await self._runner.cleanup()
            self._runner = None

    async def drop_network(self, down_for: float = 1.0) -> None:
        """The cable is pulled: every connection drops, nothing answers for
        `down_for` s; the camera itself keeps running (and its subscriptions)."""
        await self.stop()
        await asyncio.sleep(down_for)
        await self._listen()

    def live_subscriptions(self) -> list[Subscription]:
        now = time.time()
        return [sub for sub in self.subscriptions.values() if sub.expires >= now]

    async def reboot(self, down_for: float = 1.0) -> None:
        """Drop every connection, forget every subscription, come back later."""
        await self.stop()
        self.subscriptions.clear()
        await asyncio.sleep(down_for)
        await self.start()

    # -- events -------------------------------------------------------------

    def emit(self, kind: str, active: bool = True, when: datetime | None = None) -> None:
        """Queue an event for every live subscription (as a camera does).
        The camera's state changes even while no one is subscribed."""
        if kind not in PULSE_KINDS:
            self.state[kind] = active
        message = notification(kind, active, when or self.now())
        for sub in self.subscriptions.values():
            sub.queue.append(message)
            sub.wake.set()

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.faults.clock_skew)

    # -- SOAP -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            envelope = etree.fromstring(await request.read())
        except etree.XMLSyntaxError:
            return _fault("ter:WellFormed", "The request is not well-formed XML")
        body = envelope.find("env:Body", NS)
        if body is None or len(body) == 0:
            return _fault("ter:WellFormed", "No SOAP body")
        op_el = body[0]
        op = etree.QName(op_el).localname
        self.requests.append(op)
        if self.faults.mute:
            await asyncio.Event().wait()
        open_to_all = op == "GetSystemDateAndTime" and not self.faults.clock_needs_login
        if not open_to_all and not self._authorized(envelope):
            return _fault("ter:NotAuthorized", "Sender not Authorized")
        if op == "GetSystemDateAndTime" and self.faults.clock_refused:
            return _fault("ter:ActionNotSupported", f"{op} is not supported", "env:Receiver")
        if op in self.faults.answer:
            return web.Response(text=self.faults.answer[op], content_type="application/soap+xml")
        if op in self.faults.refuse:
            return _fault("ter:Action", self.faults.refuse[op], "env:Receiver")
        handler = getattr(self, f"_op_{op}", None)
        if not self.events and op in _EVENT_OPERATIONS:
            handler = None
        if handler is None:
            return _fault("ter:ActionNotSupported", f"{op} is not supported", "env:Receiver")
        result = await handler(request, op_el)
        if isinstance(result, web.Response):
            return result
        return web.Response(text=_ENVELOPE.format(body=result), content_type="application/soap+xml")

    def _authorized(self, envelope: etree._Element) -> bool:
        token = envelope.find(".//wsse:UsernameToken", NS)
        if token is None:
            return False
        user = token.findtext("wsse:Username", "", NS)
        password = token.findtext("wsse:Password", "", NS)
        nonce = token.findtext("wsse:Nonce", "", NS)
        created = token.findtext("wsu:Created", "", NS)
        if user != self.username or not created:
            return False
        try:
            created_at = isodate.parse_datetime(created)
        except (ValueError, isodate.ISO8601Error):
            return False
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=UTC)
        if abs((created_at - self.now()).total_seconds()) > TOKEN_WINDOW:
            return False  # what a camera with the wrong time does: digest "fails"
        digest = base64.b64encode(
            hashlib.sha1(
                base64.b64decode(nonce) + created.encode() + self.password.encode()
            ).digest()
        ).decode()
        return secrets.compare_digest(digest, password)

    def _xaddr(self, path: str) -> str:
        return f"{self.url}/onvif/{path}"

    # device service
    async def _op_GetSystemDateAndTime(self, request, op) -> str:
        now = self.now()
        return (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>WITA-8</tt:TZ></tt:TimeZone><tt:UTCDateTime>"
            f"<tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute><tt:Second>{now.second}</tt:Second></tt:Time>"
            f"<tt:Date><tt:Year>{now.year}</tt:Year><tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date>"
            "</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    async def _op_GetServices(self, request, op) -> str:
        services = [
            ("http://www.onvif.org/ver10/device/wsdl", "device_service"),
            ("http://www.onvif.org/ver10/media/wsdl", "media_service"),
            ("http://www.onvif.org/ver10/events/wsdl", "event_service"),
            ("http://www.onvif.org/ver20/ptz/wsdl", "ptz_service"),
        ]
        if not self.events:
            del services[2]
        items = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{self._xaddr(p)}</tds:XAddr>"
            "<tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>"
            for ns, p in services
        )
        return f"<tds:GetServicesResponse>{items}</tds:GetServicesResponse>"

    async def _op_GetCapabilities(self, request, op) -> str:
        events = (
            f"<tt:Events><tt:XAddr>{self._xaddr('event_service')}</tt:XAddr>"
            "<tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>"
            "<tt:WSPullPointSupport>true</tt:WSPullPointSupport>"
            "<tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport>"
            "</tt:Events>"
        )
        return (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{self._xaddr('device_service')}</tt:XAddr></tt:Device>"
            f"{events if self.events else ''}"
            f"<tt:Media><tt:XAddr>{self._xaddr('media_service')}</tt:XAddr>"
            "<tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
            "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
            f"<tt:PTZ><tt:XAddr>{self._xaddr('ptz_service')}</tt:XAddr></tt:PTZ>"
            "</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    async def _op_GetDeviceInformation(self, request, op) -> str:
        return (
            "<tds:GetDeviceInformationResponse>"
            "<tds:Manufacturer>Sigap Simulator</tds:Manufacturer><tds:Model>SIM-2000</tds:Model>"
            "<tds:FirmwareVersion>V5.7.3 build 230101</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{self.serial}</tds:SerialNumber>"
            "<tds:HardwareId>88</tds:HardwareId>"
            "</tds:GetDeviceInformationResponse>"
        )

    # media service
    async def _op_GetProfiles(self, request, op) -> str:
        return (
            '<trt:GetProfilesResponse><trt:Profiles token="Profile_1" fixed="true">'
            "<tt:Name>mainStream</tt:Name>"
            '<tt:VideoSourceConfiguration token="VideoSourceToken">'
            "<tt:Name>VideoSourceConfig</tt:Name>"
            "<tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken>"
            '<tt:Bounds x="0" y="0" width="320" height="180"/></tt:VideoSourceConfiguration>'
            '<tt:VideoEncoderConfiguration token="VideoEncoderToken_1">'
            "<tt:Name>VideoEncoder_1</tt:Name>"
            "<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>"
            "<tt:Resolution><tt:Width>320</tt:Width><tt:Height>180</tt:Height></tt:Resolution>"
            "<tt:Quality>3</tt:Quality></tt:VideoEncoderConfiguration>"
            '<tt:PTZConfiguration token="PTZToken">'
            "<tt:Name>PTZ</tt:Name><tt:UseCount>1</tt:UseCount>"
            "<tt:NodeToken>PTZNodeToken</tt:NodeToken></tt:PTZConfiguration>"
            "</trt:Profiles></trt:GetProfilesResponse>"
        )

    def _media_uri(self, tag: str, uri: str) -> str:
        return (
            f"<trt:{tag}><trt:MediaUri><tt:Uri>{escape(uri)}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
            f"</trt:MediaUri></trt:{tag}>"
        )

    async def _op_GetStreamUri(self, request, op) -> str:
        uri = self.rtsp_url or f"rtsp://{self.host}:554/Streaming/Channels/101"
        return self._media_uri("GetStreamUriResponse", uri)

    async def _op_GetSnapshotUri(self, request, op) -> str:
        return self._media_uri(
            "GetSnapshotUriResponse", self.snapshot_url or f"{self.url}/snapshot.jpg"
        )

    async def _snapshot(self, request: web.Request) -> web.Response:
        from . import SAMPLE_JPEG

        if not self._http_guard.allowed(request):  # like real cameras: digest
            return self._http_guard.challenge()
        return web.Response(body=SAMPLE_JPEG, content_type="image/jpeg")

    # PTZ service
    async def _op_GetPresets(self, request, op) -> str:
        items = "".join(
            f'<tptz:Preset token="{t}"><tt:Name>{escape(n)}</tt:Name></tptz:Preset>'
            for t, n in self.presets.items()
        )
        return f"<tptz:GetPresetsResponse>{items}</tptz:GetPresetsResponse>"

    async def _op_GotoPreset(self, request, op) -> str | web.Response:
        token = op.findtext("{*}PresetToken", "")
        if token not in self.presets:
            return _fault("ter:NoEntity", f"no preset {token}")
        self.preset_calls.append(token)
        return "<tptz:GotoPresetResponse/>"

    # events service
    async def _op_GetEventProperties(self, request, op) -> str:
        return (
            "<tev:GetEventPropertiesResponse><tev:TopicNamespaceLocation>"
            "http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>"
            "<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet></tev:GetEventPropertiesResponse>"
        )

    def _termination(self, text: str | None, default: float = 60.0) -> float:
        now = time.time()
        if not text:
            return now + default
        text = text.strip()
        if text.startswith("P"):
            return now + isodate.parse_duration(text).total_seconds()
        moment = isodate.parse_datetime(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp() - self.faults.clock_skew

    def _times(
        self, sub: Subscription, prefix: str = "wsnt", termination_first: bool = False
    ) -> str:
        skew = timedelta(seconds=self.faults.clock_skew)
        term = datetime.fromtimestamp(sub.expires, UTC) + skew
        current = f"<{prefix}:CurrentTime>{_iso(self.now())}</{prefix}:CurrentTime>"
        termination = f"<{prefix}:TerminationTime>{_iso(term)}</{prefix}:TerminationTime>"
        return termination + current if termination_first else current + termination

    async def _op_CreatePullPointSubscription(self, request, op) -> str | web.Response:
        if self.faults.no_pullpoint:
            return _fault("ter:ActionNotSupported", "PullPoint is not supported", "env:Receiver")
        if len(self.live_subscriptions()) >= self.max_subscriptions:
            return _fault(
                "wsnt:SubscribeCreationFailedFault",
                "Subscribe creation failed: too many subscriptions",
                "env:Receiver",
            )
        sub = Subscription(
            next(self._ids), self._termination(op.findtext("{*}InitialTerminationTime"))
        )
        self.subscriptions[sub.id] = sub
        # Like real cameras: the current state of each property comes first.
        for kind, active in self.state.items():
            sub.queue.append(notification(kind, active, self.now(), "Initialized"))
        sub.wake.set()
        address = self._xaddr(f"subscription?Idx={sub.id}")
        return (
            "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
            f"<wsa5:Address>{escape(address)}</wsa5:Address></tev:SubscriptionReference>"
            f"{self._times(sub)}</tev:CreatePullPointSubscriptionResponse>"
        )

    def _subscription(self, request: web.Request) -> Subscription | None:
        sub = self.subscriptions.get(int(request.query.get("Idx", "0") or 0))
        if sub is not None and sub.expires < time.time():
            del self.subscriptions[sub.id]
            return None
        return sub

    async def _op_PullMessages(self, request, op) -> str | web.Response:
        sub = self._subscription(request)
        if sub is None:
            return _fault(
                "wsrf-rw:ResourceUnknownFault", "The subscription does not exist", "env:Receiver"
            )
        if self.faults.pull_faults > 0:
            self.faults.pull_faults -= 1
            return _fault("ter:Action", "Internal error while pulling", "env:Receiver")
        wait = isodate.parse_duration(op.findtext("{*}Timeout", "PT1S")).total_seconds()
        limit = int(op.findtext("{*}MessageLimit", "10") or 10)
        if self.faults.hang_pulls:
            await asyncio.Event().wait()
        if not sub.queue:
            sub.wake.clear()
            try:
                async with asyncio.timeout(min(wait, self.max_pull_wait)):
                    await sub.wake.wait()
            except TimeoutError:
                pass
        if self.subscriptions.get(sub.id) is not sub:
            return _fault(
                "wsrf-rw:ResourceUnknownFault", "The subscription does not exist", "env:Receiver"
            )
        messages = [sub.queue.popleft() for _ in range(min(limit, len(sub.queue)))]
        return (
            f"<tev:PullMessagesResponse>{self._times(sub, 'tev')}"
            f"{''.join(messages)}</tev:PullMessagesResponse>"
        )

    async def _op_Renew(self, request, op) -> str | web.Response:
        sub = self._subscription(request)
        if sub is None or self.faults.renew_fails:
            return _fault(
                "wsrf-rw:ResourceUnknownFault", "The subscription does not exist", "env:Receiver"
            )
        sub.expires = self._termination(op.findtext("{*}TerminationTime"))
        return (
            f"<wsnt:RenewResponse>{self._times(sub, termination_first=True)}</wsnt:RenewResponse>"
        )

    async def _op_SetSynchronizationPoint(self, request, op) -> str:
        return "<tev:SetSynchronizationPointResponse/>"

    async def _op_Unsubscribe(self, request, op) -> str:
        sub = self._subscription(request)
        if sub is not None:
            del self.subscriptions[sub.id]
            sub.wake.set()
        return "<wsnt:UnsubscribeResponse/>"
