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
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from hub.core.clock import Clock

from .common import Call, LoopbackServer, SlidingLimit, Upload, Window
from .images import image_size
from .whatsapp_webhook import (
    encode,
    envelope,
    signature_1,
    signature_256,
    status_entry,
    status_error,
)

DEFAULT_TOKEN = "EAAGfakeSigapWhatsAppToken0123456789"
VERSION = "v21.0"
WINDOW_SECONDS = 24 * 3600
IMAGE_LIMIT = 5 * 1024 * 1024
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
FREE_FORM = {"text", "image", "interactive", "audio", "video", "document", "sticker", "location"}
RE_ENGAGEMENT_DETAILS = (
    "Message failed to send because more than 24 hours have passed since the customer "
    "last replied to this number."
)
BODY_TEXT = "interactive['body']['text']"
SOMETHING = "Something went wrong"
THROUGHPUT, PAIR = Window(80, 1.0), Window(1, 6.0)


class GraphError(Exception):
    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        details: str | None = None,
        subcode: int | None = None,
        type_: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.subcode, self.type = details, subcode, type_

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.details is not None:
            body["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        if self.subcode is not None:
            body["error_subcode"] = self.subcode
        body["fbtrace_id"] = "A" + secrets.token_urlsafe(15)[:20]
        return {"error": body}


def invalid(code: int, title: str, details: str) -> GraphError:
    return GraphError(400, code, f"(#{code}) {title}", details=details)


def bad_parameter(details: str) -> GraphError:
    return invalid(100, "Invalid parameter", details)


def not_valid(details: str) -> GraphError:
    return invalid(131009, "Parameter value is not valid", details)


def throughput_hit() -> GraphError:
    return invalid(130429, "Rate limit hit", "Cloud API message throughput has been reached.")


def re_engagement() -> GraphError:
    return invalid(131047, "Re-engagement message", RE_ENGAGEMENT_DETAILS)


@dataclass(frozen=True)
class WhatsAppLimits:
    """Per phone number (130429) and per business-to-person pair (131056);
    `None` lifts one, `FakeWhatsApp(limits=None)` both."""

    throughput: Window | None = THROUGHPUT
    pair: Window | None = PAIR


@dataclass
class Template:
    """An approved (or not) message template, as registered in WhatsApp Manager."""

    name: str
    language: str = "id"
    category: str = "UTILITY"
    status: str = "APPROVED"  # APPROVED | PENDING | REJECTED | PAUSED | DISABLED
    body_params: int = 0
    header: str | None = None  # "image" | "text" | None
    buttons: tuple[str, ...] = ("Terima",)  # quick-reply button texts, by index


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
        webhook_timeout: float = 10.0,
    ) -> None:
        super().__init__(clock)
        self.token = token
        self.phone_number_id = phone_number_id
        self.display_phone_number = display_phone_number
        self.waba_id = waba_id
        self.app_secret = app_secret
        self.verify_token = verify_token
        # where 131047 shows: the send's answer, or 200 then a `failed` status
        self.closed_window = closed_window
        self.webhook_timeout = webhook_timeout
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
            call.params, call.files = await _read(request)
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
        _messaging_product(p)
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
        _messaging_product(p)
        to = p.get("to")
        if not to:
            raise GraphError(400, 100, "(#100) The parameter to is required.")
        wa_id = _wa_id(str(to))
        kind = p.get("type", "text")
        category = "service"
        if kind == "text":
            self._check_text(p)
        elif kind == "image":
            self._check_image(p.get("image"), "image", caption=True)
        elif kind == "interactive":
            self._check_interactive(p.get("interactive"))
        elif kind == "template":
            category = self._check_template(p.get("template")).category.lower()
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
        answer_message: dict[str, Any] = {"id": message_id}
        if kind == "template":
            answer_message["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(to), "wa_id": wa_id}],
            "messages": [answer_message],
        }

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

    def _check_text(self, p: Mapping[str, Any]) -> None:
        text = p.get("text")
        body = text.get("body") if isinstance(text, dict) else None
        if not isinstance(body, str) or not body:
            raise GraphError(400, 100, "(#100) The parameter text['body'] is required.")
        if len(body) > TEXT_LIMIT:
            raise bad_parameter(f"Param text['body'] must be at most {TEXT_LIMIT} characters long.")

    def _check_image(self, image: Any, where: str, *, caption: bool) -> None:
        if not isinstance(image, dict) or not (image.get("id") or image.get("link")):
            raise GraphError(400, 100, f"(#100) The parameter {where}['id'] is required.")
        if "id" in image and str(image["id"]) not in self.media:
            raise bad_parameter(
                f"Param {where}['id'] is not a valid whatsapp business account media attachment ID"
            )
        if caption and len(str(image.get("caption", ""))) > CAPTION_LIMIT:
            raise bad_parameter(
                f"Param {where}['caption'] must be at most {CAPTION_LIMIT} characters long."
            )

    def _check_interactive(self, interactive: Any) -> None:
        if not isinstance(interactive, dict) or interactive.get("type") != "button":
            raise bad_parameter("Param interactive['type'] must be one of {BUTTON, LIST, ...}")
        body = interactive.get("body")
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text:
            raise GraphError(400, 100, f"(#100) The parameter {BODY_TEXT} is required.")
        if len(text) > 1024:
            raise not_valid("Body text length invalid. Min length: 1, Max length: 1024")
        header = interactive.get("header")
        if isinstance(header, dict) and header.get("type") == "image":
            self._check_image(header.get("image"), "interactive['header']['image']", caption=False)
        elif isinstance(header, dict) and len(str(header.get("text", ""))) > 60:
            raise not_valid("Header text length invalid. Min length: 1, Max length: 60")
        action = interactive.get("action")
        buttons = action.get("buttons") if isinstance(action, dict) else None
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise not_valid("Buttons count invalid. Min count: 1, Max count: 3")
        ids: set[str] = set()
        titles: set[str] = set()
        for button in buttons:
            reply = button.get("reply") if isinstance(button, dict) else None
            if not isinstance(reply, dict) or button.get("type") != "reply":
                raise bad_parameter(
                    "Param interactive['action']['buttons'][]['type'] must be reply"
                )
            button_id, title = str(reply.get("id", "")), str(reply.get("title", ""))
            if not 1 <= len(title) <= 20:
                raise not_valid("Button title length invalid. Min length: 1, Max length: 20")
            if not 1 <= len(button_id) <= 256:
                raise not_valid("Button id length invalid. Min length: 1, Max length: 256")
            if button_id in ids:
                raise not_valid("Duplicate button id")
            if title in titles:
                raise not_valid("Duplicate button title")
            ids.add(button_id)
            titles.add(title)

    def _check_template(self, raw: Any) -> Template:
        if not isinstance(raw, dict) or not raw.get("name"):
            raise GraphError(400, 100, "(#100) The parameter template['name'] is required.")
        language = raw.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not code:
            raise GraphError(400, 100, "(#100) The parameter template['language'] is required.")
        template = self.templates.get((raw["name"], code))
        if template is None or template.status in ("PENDING", "REJECTED"):
            raise invalid(
                132001,
                "Template name does not exist in the translation",
                f"template name ({raw['name']}) does not exist in {code}",
            )
        if template.status == "PAUSED":
            raise invalid(132015, "Template is Paused", f"Template {template.name} is paused")
        if template.status == "DISABLED":
            raise invalid(132016, "Template is disabled", f"Template {template.name} is disabled")
        components = raw.get("components") or []
        by_type: dict[str, list[dict[str, Any]]] = {}
        for component in components:
            if isinstance(component, dict):
                by_type.setdefault(str(component.get("type", "")).lower(), []).append(component)
        body_params = sum(len(c.get("parameters") or []) for c in by_type.get("body", []))
        if body_params != template.body_params:
            raise invalid(
                132000,
                "Number of parameters does not match the expected number of params",
                f"body: number of localizable_params ({body_params}) does not match the "
                f"expected number of params ({template.body_params})",
            )
        self._check_template_header(template, by_type.get("header", []))
        for button in by_type.get("button", []):
            self._check_template_button(template, button)
        return template

    def _check_template_header(self, template: Template, headers: list[dict[str, Any]]) -> None:
        params = [p for h in headers for p in (h.get("parameters") or [])]
        if template.header == "image":
            image = next((p for p in params if p.get("type") == "image"), None)
            if image is None:
                received = str(params[0].get("type", "UNKNOWN")).upper() if params else "UNKNOWN"
                raise invalid(
                    132012,
                    "Parameter format does not match format in the created template",
                    f"header: Format mismatch, expected IMAGE, received {received}",
                )
            self._check_image(image.get("image"), "template['header']['image']", caption=False)
        elif params and template.header is None:
            raise invalid(
                132000,
                "Number of parameters does not match the expected number of params",
                f"header: number of localizable_params ({len(params)}) does not match the "
                "expected number of params (0)",
            )

    def _check_template_button(self, template: Template, button: Mapping[str, Any]) -> None:
        try:
            index = int(button.get("index", -1))
        except (TypeError, ValueError):
            index = -1
        if button.get("sub_type") != "quick_reply" or not 0 <= index < len(template.buttons):
            raise not_valid(
                f"Button at index {button.get('index')} of type "
                f"{str(button.get('sub_type', '')).capitalize()} does not exist"
            )
        params = button.get("parameters") or []
        if not params or params[0].get("type") != "payload" or not params[0].get("payload"):
            raise GraphError(
                400, 131008, "(#131008) Required parameter is missing",
                details="buttons: Button at index 0 of type Quick_reply requires a payload",
            )  # fmt: skip

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
        if self.webhook_url is None:
            return
        task = asyncio.create_task(self._failed(sent, error))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _failed(self, sent: Sent, error: dict[str, Any]) -> None:
        await self.send_statuses(sent.id, "failed", errors=[error])

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


def _messaging_product(p: Mapping[str, Any]) -> None:
    product = p.get("messaging_product")
    if product is None:
        raise GraphError(400, 100, "(#100) The parameter messaging_product is required.")
    if product != "whatsapp":
        got = f'got "{product}".'
        raise GraphError(
            400, 100, f"(#100) Param messaging_product must be one of {{WHATSAPP}} - {got}"
        )


async def _read(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = {}
    files: dict[str, Upload] = {}
    kind = request.content_type
    if kind == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise bad_parameter("The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise GraphError(400, 100, "(#100) Invalid parameter")
        params.update(body)
    elif kind == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            data = await part.read()
            if part.filename is not None:
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                files[part.name or ""] = Upload(part.name or "", part.filename, content_type, data)
            else:
                params[part.name or ""] = data.decode("utf-8", errors="replace")
    elif kind == "application/x-www-form-urlencoded":
        params.update((await request.post()).items())
    return params, files
