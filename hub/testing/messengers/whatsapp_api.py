"""The Graph API's shapes as the fake WhatsApp answers them: the error
envelope (`{"error": {"message", "type", "code", "error_data",
"error_subcode", "fbtrace_id"}}`) with the codes and words of the Cloud
API, and the checks of a message body: text, image, reply buttons and
templates with their parameters, as Graph refuses them."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .common import Upload, read_form

DEFAULT_TOKEN = "EAAGfakeSigapWhatsAppToken0123456789"
VERSION = "v21.0"
WINDOW_SECONDS = 24 * 3600
IMAGE_LIMIT = 5 * 1024 * 1024
REQUEST_LIMIT = 100 * 1024 * 1024  # the largest media (documents) Graph takes
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
FREE_FORM = {"text", "image", "interactive", "audio", "video", "document", "sticker", "location"}
RE_ENGAGEMENT_DETAILS = (
    "Message failed to send because more than 24 hours have passed since the customer "
    "last replied to this number."
)
BODY_TEXT = "interactive['body']['text']"
SOMETHING = "Something went wrong"


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


def check_text(p: Mapping[str, Any]) -> None:
    text = p.get("text")
    body = text.get("body") if isinstance(text, dict) else None
    if not isinstance(body, str) or not body:
        raise GraphError(400, 100, "(#100) The parameter text['body'] is required.")
    if len(body) > TEXT_LIMIT:
        raise bad_parameter(f"Param text['body'] must be at most {TEXT_LIMIT} characters long.")


def check_image(image: Any, where: str, media: Mapping[str, Any], *, caption: bool) -> None:
    if not isinstance(image, dict) or not (image.get("id") or image.get("link")):
        raise GraphError(400, 100, f"(#100) The parameter {where}['id'] is required.")
    if "id" in image and str(image["id"]) not in media:
        raise bad_parameter(
            f"Param {where}['id'] is not a valid whatsapp business account media attachment ID"
        )
    if caption and len(str(image.get("caption", ""))) > CAPTION_LIMIT:
        raise bad_parameter(
            f"Param {where}['caption'] must be at most {CAPTION_LIMIT} characters long."
        )


def check_interactive(interactive: Any, media: Mapping[str, Any]) -> None:
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
        check_image(header.get("image"), "interactive['header']['image']", media, caption=False)
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
            raise bad_parameter("Param interactive['action']['buttons'][]['type'] must be reply")
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


def check_template(
    raw: Any, templates: Mapping[tuple[str, str], Template], media: Mapping[str, Any]
) -> Template:
    if not isinstance(raw, dict) or not raw.get("name"):
        raise GraphError(400, 100, "(#100) The parameter template['name'] is required.")
    language = raw.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not code:
        raise GraphError(400, 100, "(#100) The parameter template['language'] is required.")
    template = templates.get((raw["name"], code))
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
    _check_template_header(template, by_type.get("header", []), media)
    for button in by_type.get("button", []):
        _check_template_button(template, button)
    return template


def _check_template_header(
    template: Template, headers: list[dict[str, Any]], media: Mapping[str, Any]
) -> None:
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
        check_image(image.get("image"), "template['header']['image']", media, caption=False)
    elif params and template.header is None:
        raise invalid(
            132000,
            "Number of parameters does not match the expected number of params",
            f"header: number of localizable_params ({len(params)}) does not match the "
            "expected number of params (0)",
        )


def _check_template_button(template: Template, button: Mapping[str, Any]) -> None:
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


def messaging_product(p: Mapping[str, Any]) -> None:
    product = p.get("messaging_product")
    if product is None:
        raise GraphError(400, 100, "(#100) The parameter messaging_product is required.")
    if product != "whatsapp":
        got = f'got "{product}".'
        raise GraphError(
            400, 100, f"(#100) Param messaging_product must be one of {{WHATSAPP}} - {got}"
        )


async def read_body(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
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
    else:
        too_big = lambda: GraphError(413, 100, "(#100) Request Entity Too Large")  # noqa: E731
        await read_form(request, params, files, REQUEST_LIMIT, too_big)
    return params, files
