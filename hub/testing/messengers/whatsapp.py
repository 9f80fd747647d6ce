"""A fake WhatsApp Business Cloud API (Graph API) on loopback.

`POST /{version}/{phone-number-id}/media` (multipart upload, answers an id)
and `POST /{version}/{phone-number-id}/messages` (text, image by media id or
link, interactive reply buttons, templates), with `Authorization: Bearer`.
Errors come in Graph's envelope `{"error": {"message", "type", "code",
"error_data", "error_subcode", "fbtrace_id"}}` with the codes of
PROTOCOLS.md: 190 bad token, 131047 outside the 24-hour customer service
window, 130429 throughput (80/s per number), 131056 pair rate (one per 6 s
to one person), 132xxx templates, 131009 bad parameter values.

Its webhook side plays Meta: `subscribe()` verifies the callback URL with
hub.mode / hub.verify_token / hub.challenge; `user_sends_text`,
`user_taps_button`, `user_taps_quick_reply` and `send_statuses` POST
signed notifications (X-Hub-Signature-256) in the order a test chooses,
repeats and out-of-order statuses included. An inbound message opens the
person's 24-hour window, on the fake's clock.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from hub.core.clock import Clock

from .common import Call, LoopbackServer, SlidingLimit, Upload, Window
from .control import whatsapp_routes
from .images import image_size
from .whatsapp_api import (
    DEFAULT_TOKEN,
    FREE_FORM,
    IMAGE_LIMIT,
    RE_ENGAGEMENT_DETAILS,
    SOMETHING,
    VERSION,
    WINDOW_SECONDS,
    GraphError,
    Template,
    bad_parameter,
    check_image,
    check_interactive,
    check_template,
    check_text,
    invalid,
    messaging_product,
    re_engagement,
    read_body,
    throughput_hit,
)
from .whatsapp_webhook import (
    encode,
    envelope,
    signature_1,
    signature_256,
    status_entry,
    status_error,
)

THROUGHPUT, PAIR = Window(80, 1.0), Window(1, 6.0)


@dataclass(frozen=True)
class WhatsAppLimits:
    """Per phone number (130429) and per business-to-person pair (131056);
    `None` lifts one, `FakeWhatsApp(limits=None)` both."""

    throughput: Window | None = THROUGHPUT
    pair: Window | None = PAIR


@dataclass
class Sent:
    """A message the business sent, as the API accepted it."""

    id: str
    to: str
    type: str
    body: dict[str, Any]
    at: float
    category: str = "service"
    conversation_id: str = ""


@dataclass
class Notification:
    """One webhook POST the fake made, and what the receiver answered."""

    kind: str  # "message" | "status" | "raw"
    body: bytes
    status: int  # 0: no answer (refused, timed out)
    signature: str


@dataclass
class Contact:
    wa_id: str
    name: str
    on_whatsapp: bool = True
    last_inbound: float | None = None  # the fake clock's wall time


@dataclass
class _Ids:
    media: itertools.count = field(default_factory=lambda: itertools.count(1_076_543_210_001))
    message: itertools.count = field(default_factory=lambda: itertools.count(1))


class FakeWhatsApp(LoopbackServer):
    """`async with FakeWhatsApp() as wa:` then send to `wa.graph_url` with
    `Authorization: Bearer {wa.token}` and `wa.phone_number_id`."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        phone_number_id: str = "106540352242922",
        display_phone_number: str = "6281100000000",
        waba_id: str = "102290129340398",
        app_secret: str = "fake-app-secret-0123456789abcdef",
        verify_token: str = "sigap-verify",
        clock: Clock | None = None,
        limits: WhatsAppLimits | None = WhatsAppLimits(),
        closed_window: Literal["response", "status"] = "response",
        auto_statuses: tuple[str, ...] = (),
        webhook_timeout: float = 10.0,
        control: bool = False,
    ) -> None:
        super().__init__(clock)
        self.control = control  # the /fake/ routes of control.py (a fake run on its own)
        self.token = token
        self.phone_number_id = phone_number_id
        self.display_phone_number = display_phone_number
        self.waba_id = waba_id
        self.app_secret = app_secret
        self.verify_token = verify_token
        # where 131047 shows: the send's answer, or 200 then a `failed` status
        self.closed_window = closed_window
        self.webhook_timeout = webhook_timeout
        # statuses posted by themselves after each delivered send (the demo: ("sent", "delivered"))
        self.auto_statuses = auto_statuses
        self.inbound: dict[str, dict[str, Any]] = {}  # what people sent, by wamid
        self.read_marks: list[str] = []  # inbound wamids the business marked as read
        self.webhook_url: str | None = None
        self.token_expired = False
        self.contacts: dict[str, Contact] = {}
        self.templates: dict[tuple[str, str], Template] = {}
        self.media: dict[str, Upload] = {}
        self.sent: list[Sent] = []
        self.notifications: list[Notification] = []
        self._ids = _Ids()
        self._session: aiohttp.ClientSession | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.set_limits(limits)

    # -- lifetime ---------------------------------------------------------------

    @property
    def graph_url(self) -> str:
        """`{graph_url}/{phone_number_id}/messages` is the send URL."""
        return f"{self.url}/{VERSION}"

    @property
    def messages_url(self) -> str:
        return f"{self.graph_url}/{self.phone_number_id}/messages"

    @property
    def media_url(self) -> str:
        return f"{self.graph_url}/{self.phone_number_id}/media"

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=110 * 1024 * 1024)
        app.router.add_post(r"/{version:v\d+\.\d+}/{phone_id}/messages", self._messages)
        app.router.add_post(r"/{version:v\d+\.\d+}/{phone_id}/media", self._media)
        if self.control:
            app.add_routes(whatsapp_routes(self))
        return app

    async def stop(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        await super().stop()

    def set_limits(self, limits: WhatsAppLimits | None) -> None:
        self.limits = limits
        self._throughput = (
            SlidingLimit(limits.throughput, self.clock) if limits and limits.throughput else None
        )
        self._pair = SlidingLimit(limits.pair, self.clock) if limits and limits.pair else None

    def lift_limits(self) -> None:
        self.set_limits(None)

    # -- what a test sets up ----------------------------------------------------

    def add_contact(
        self, phone: str, name: str = "Petugas", *, on_whatsapp: bool = True
    ) -> Contact:
        wa_id = _wa_id(phone)
        contact = Contact(wa_id, name, on_whatsapp)
        self.contacts[wa_id] = contact
        return contact

    def add_template(self, name: str, language: str = "id", **settings: Any) -> Template:
        template = Template(name, language, **settings)
        self.templates[(name, language)] = template
        return template

    def window_open(self, phone: str) -> bool:
        """Whether free-form messages to `phone` are allowed now."""
        contact = self.contacts.get(_wa_id(phone))
        if contact is None or contact.last_inbound is None:
            return False
        return self.clock.timestamp() - contact.last_inbound < WINDOW_SECONDS

    def sent_to(self, phone: str) -> list[Sent]:
        wa_id = _wa_id(phone)
        return [s for s in self.sent if s.to == wa_id]

    def message(self, message_id: str) -> Sent:
        return next(s for s in self.sent if s.id == message_id)

    # -- the HTTP side --------------------------------------------------------------

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "messages", self._send)

    async def _media(self, request: web.Request) -> web.StreamResponse:
        return await self._serve(request, "media", self._upload)

    async def _serve(self, request: web.Request, method: str, handler: Any) -> web.StreamResponse:
        call = Call(method, {}, headers=dict(request.headers), at=self.clock.monotonic())
        self.requests.append(call)
        fault = None
        try:
            call.params, call.files = await read_body(request)
            self.changed()
            fault = self.faults.take(method)
            if fault is not None and fault.kind == "hang" and not fault.after_effect:
                await self.faults.hang()
                return web.Response(status=502, text="Bad Gateway")
            if fault is not None and fault.kind == "error":
                if fault.status == 503:
                    raise GraphError(503, 2, "Service temporarily unavailable")
                raise GraphError(
                    fault.status, 131000, "(#131000) Something went wrong", details=SOMETHING
                )
            if fault is not None and fault.kind == "throttle":
                raise throughput_hit()
            self._authorize(request)
            if request.match_info["phone_id"] != self.phone_number_id:
                raise GraphError(
                    400,
                    100,
                    f"Unsupported post request. Object with ID '{request.match_info['phone_id']}' "
                    "does not exist, cannot be loaded due to missing permissions, or does not "
                    "support this operation. Please read the Graph API documentation at "
                    "https://developers.facebook.com/docs/graph-api",
                    subcode=33,
                    type_="GraphMethodException",
                )
            result = handler(call.params, call.files)
        except GraphError as error:
            return self._answer(call, error.envelope(), error.status)
        if fault is not None and fault.kind == "hang":  # done, the answer is lost
            await self.faults.hang()
            return web.Response(status=502, text="Bad Gateway")
        return self._answer(call, result, 200)

    def _answer(self, call: Call, body: dict[str, Any], status: int) -> web.Response:
        call.status, call.response = status, body
        self.changed()
        return web.json_response(body, status=status)

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        if not header:
            raise GraphError(
                400,
                2500,
                "An active access token must be used to query information about the current user.",
            )
        if header != f"Bearer {self.token}":
            raise GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if self.token_expired:
            raise GraphError(
                401, 190, "Error validating access token: Session has expired.", subcode=463
            )

    # -- /media -----------------------------------------------------------------------

    def _upload(self, p: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        messaging_product(p)
        upload = files.get("file")
        if upload is None:
            raise GraphError(400, 100, "(#100) The parameter file is required.")
        mime = str(p.get("type") or upload.content_type)
        if mime not in ("image/jpeg", "image/png"):
            raise invalid(131053, "Media upload error", f"Unsupported file type {mime}")
        if len(upload.data) > IMAGE_LIMIT:
            raise invalid(131053, "Media upload error", "Image file size exceeds 5 MB limit")
        found = image_size(upload.data)
        if found is None or found[0] != mime:
            raise invalid(131053, "Media upload error", f"The file is not a valid {mime}")
        media_id = str(next(self._ids.media))
        self.media[media_id] = upload
        return {"id": media_id}

    # -- /messages --------------------------------------------------------------------

    def _send(self, p: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        messaging_product(p)
        if p.get("status") == "read":
            return self._mark_read(p)
        to = p.get("to")
        if not to:
            raise GraphError(400, 100, "(#100) The parameter to is required.")
        wa_id = _wa_id(str(to))
        kind = p.get("type", "text")
        category = "service"
        if kind == "text":
            check_text(p)
        elif kind == "image":
            check_image(p.get("image"), "image", self.media, caption=True)
        elif kind == "interactive":
            check_interactive(p.get("interactive"), self.media)
        elif kind == "template":
            category = check_template(
                p.get("template"), self.templates, self.media
            ).category.lower()
        else:
            raise bad_parameter(f"Param type must be one of {{{', '.join(sorted(FREE_FORM))}}}")
        contact = self.contacts.get(wa_id)
        closed = kind in FREE_FORM and not self.window_open(wa_id)
        if closed and self.closed_window == "response":
            raise re_engagement()
        self._check_rate(wa_id)
        message_id = self._wamid(wa_id)
        sent = Sent(message_id, wa_id, kind, dict(p), self.clock.monotonic(), category)
        sent.conversation_id = secrets.token_hex(16)
        self.sent.append(sent)
        self.changed()
        if contact is None or not contact.on_whatsapp:
            self._later(
                sent,
                status_error(131026, "Message undeliverable", "Message Undeliverable."),
            )
        elif closed:
            self._later(sent, status_error(131047, "Re-engagement message", RE_ENGAGEMENT_DETAILS))
        elif self.auto_statuses and self.webhook_url is not None:
            self._in_background(self.send_statuses(sent.id, *self.auto_statuses))
        answer_message: dict[str, Any] = {"id": message_id}
        if kind == "template":
            answer_message["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(to), "wa_id": wa_id}],
            "messages": [answer_message],
        }

    def _mark_read(self, p: Mapping[str, Any]) -> dict[str, Any]:
        message_id = str(p.get("message_id", ""))
        if message_id not in self.inbound:
            raise bad_parameter("Param message_id is not a valid whatsapp message id")
        self.read_marks.append(message_id)
        return {"success": True}

    def _check_rate(self, wa_id: str) -> None:
        if self._throughput is not None and self._throughput.retry_after(self.phone_number_id):
            raise throughput_hit()
        if self._pair is not None and self._pair.retry_after(wa_id):
            raise invalid(
                131056,
                "(Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this "
                "phone number to the same phone number in a short period of time.",
            )
        if self._throughput is not None:
            self._throughput.count(self.phone_number_id)
        if self._pair is not None:
            self._pair.count(wa_id)

    def _wamid(self, wa_id: str) -> str:
        n = next(self._ids.message)
        return f"wamid.HBgN{wa_id}FQIAERgS{n:016X}AA=="

    # -- webhook: Meta's side -------------------------------------------------------------

    async def verify(
        self, url: str, *, verify_token: str | None = None, challenge: str | None = None
    ) -> tuple[int, str]:
        """The GET Meta makes when a callback URL is configured."""
        challenge = challenge or str(secrets.randbelow(10**9))
        query = urlencode(
            {
                "hub.mode": "subscribe",
                "hub.challenge": challenge,
                "hub.verify_token": self.verify_token if verify_token is None else verify_token,
            }
        )
        session = self._http()
        async with session.get(f"{url}?{query}", timeout=self._timeout()) as response:
            return response.status, await response.text()

    async def subscribe(self, url: str) -> None:
        """Configure `url` as the callback URL: verified first, as Meta does."""
        challenge = str(secrets.randbelow(10**9))
        status, text = await self.verify(url, challenge=challenge)
        if status != 200 or text != challenge:
            raise WebhookRefused(f"{url} answered {status} {text[:80]!r}, not the challenge")
        self.webhook_url = url

    async def post_webhook(
        self, payload: Any, *, signature: str | None = None, kind: str = "raw"
    ) -> int:
        """POST `payload` to the callback URL as Meta does (signed with the
        app secret unless `signature` is given); the receiver's HTTP status."""
        if self.webhook_url is None:
            raise RuntimeError("no callback URL: await subscribe(url) first")
        body = encode(payload)
        sig = signature if signature is not None else signature_256(self.app_secret, body)
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sig,
            "X-Hub-Signature": signature_1(self.app_secret, body),
            "User-Agent": "facebookexternalua",
        }
        status = 0
        try:
            async with self._http().post(
                self.webhook_url, data=body, headers=headers, timeout=self._timeout()
            ) as response:
                status = response.status
        except (TimeoutError, aiohttp.ClientError):
            status = 0
        self.notifications.append(Notification(kind, body, status, sig))
        self.changed()
        return status

    def _notification(self, value: dict[str, Any]) -> dict[str, Any]:
        return envelope(self.waba_id, self.phone_number_id, self.display_phone_number, value)

    def _inbound(self, phone: str, message: dict[str, Any]) -> dict[str, Any]:
        if self.webhook_url is None:
            raise RuntimeError("no callback URL: await subscribe(url) first")
        wa_id = _wa_id(phone)
        contact = self.contacts.get(wa_id) or self.add_contact(wa_id)
        now = self.clock.timestamp()
        contact.last_inbound = now  # any message from the person opens their window
        message = {
            "from": wa_id,
            "id": f"wamid.HBgN{wa_id}FQIAEhgU{secrets.token_hex(10).upper()}AA==",
            "timestamp": str(int(now)),
            **message,
        }
        self.inbound[message["id"]] = message
        return self._notification(
            {
                "contacts": [{"profile": {"name": contact.name}, "wa_id": wa_id}],
                "messages": [message],
            }
        )

    async def user_sends_text(self, phone: str, text: str) -> int:
        """The person writes to the business (this opens their 24-hour window)."""
        payload = self._inbound(phone, {"type": "text", "text": {"body": text}})
        return await self.post_webhook(payload, kind="message")

    async def user_taps_button(
        self, phone: str, message_id: str, button_id: str | None = None, *, forged: bool = False
    ) -> int:
        """The person taps a reply button of an interactive message sent to them."""
        sent = self.message(message_id)
        buttons = [b["reply"] for b in sent.body["interactive"]["action"]["buttons"]]
        chosen = next((b for b in buttons if button_id in (None, b["id"])), None)
        if chosen is None:
            if not forged:
                raise ValueError(f"{message_id} has no button {button_id!r}")
            chosen = {"id": button_id, "title": "Terima"}
        payload = self._inbound(
            phone,
            {
                "context": {"from": self.display_phone_number, "id": message_id},
                "type": "interactive",
                "interactive": {"type": "button_reply", "button_reply": dict(chosen)},
            },
        )
        return await self.post_webhook(payload, kind="message")

    async def user_taps_quick_reply(self, phone: str, message_id: str, index: int = 0) -> int:
        """The person taps a template's quick-reply button: `button.{payload,text}`."""
        sent = self.message(message_id)
        asked = sent.body["template"]
        template = self.templates[(asked["name"], asked["language"]["code"])]
        payload_text = next(
            c["parameters"][0]["payload"]
            for c in asked.get("components", [])
            if c.get("type") == "button" and int(c.get("index", -1)) == index
        )
        payload = self._inbound(
            phone,
            {
                "context": {"from": self.display_phone_number, "id": message_id},
                "type": "button",
                "button": {"payload": payload_text, "text": template.buttons[index]},
            },
        )
        return await self.post_webhook(payload, kind="message")

    async def send_statuses(
        self,
        message_id: str,
        *statuses: str,
        together: bool = False,
        errors: list[dict[str, Any]] | None = None,
    ) -> list[int]:
        """POST `statuses` of one message in the order given (repeats and
        out-of-order welcome): one POST each, or one POST with all of them."""
        sent = self.message(message_id)
        now = int(self.clock.timestamp())
        entries = [
            status_entry(
                sent.id, status, sent.to, now,
                category=sent.category, conversation_id=sent.conversation_id,
                errors=(errors or [status_error(131000, "Something went wrong", "Unknown")])
                if status == "failed" else None,
            )
            for status in statuses
        ]  # fmt: skip
        if together:
            return [
                await self.post_webhook(self._notification({"statuses": entries}), kind="status")
            ]
        return [
            await self.post_webhook(self._notification({"statuses": [entry]}), kind="status")
            for entry in entries
        ]

    def _later(self, sent: Sent, error: dict[str, Any]) -> None:
        """A send the API accepted but WhatsApp could not deliver: its `failed`
        status goes to the callback URL (when one is set) right after."""
        if self.webhook_url is not None:
            self._in_background(self.send_statuses(sent.id, "failed", errors=[error]))

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=self.webhook_timeout)


class WebhookRefused(RuntimeError):
    """The callback URL did not answer the verification with the challenge."""


def _wa_id(phone: str) -> str:
    """A WhatsApp id is the number in international form, digits only."""
    return "".join(ch for ch in str(phone) if ch.isdigit())
