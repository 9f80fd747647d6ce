"""The webhook side of the WhatsApp Cloud API: the payloads Meta POSTs to a
business's callback URL (inbound messages, button taps, statuses), encoded
as Meta encodes them and signed with the app secret.

Meta writes its JSON compact, with every non-ASCII character as `\\uXXXX`
and every `/` as `\\/`: a receiver that re-serialises the parsed body before
checking `X-Hub-Signature-256` gets another byte string and a wrong HMAC.
The fake writes its bodies the same way, so such a receiver fails here too."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


def encode(payload: Any) -> bytes:
    """The raw body as Meta sends it."""
    return (
        json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()
    )


def signature_256(app_secret: str, body: bytes) -> str:
    """`X-Hub-Signature-256`: sha256=<hex HMAC-SHA256 of the raw body with the app secret>."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_1(app_secret: str, body: bytes) -> str:
    """`X-Hub-Signature` (SHA-1), which Meta still sends beside the SHA-256 one."""
    return "sha1=" + hmac.new(app_secret.encode(), body, hashlib.sha1).hexdigest()


def envelope(
    waba_id: str, phone_number_id: str, display_phone_number: str, value: dict[str, Any]
) -> dict[str, Any]:
    """One webhook notification: `value` holds `messages` or `statuses`."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone_number,
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def status_entry(
    message_id: str,
    status: str,
    recipient: str,
    timestamp: int,
    *,
    category: str,
    conversation_id: str,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if status in ("sent", "delivered"):
        entry["conversation"] = {"id": conversation_id, "origin": {"type": category}}
        if status == "sent":
            entry["conversation"]["expiration_timestamp"] = str(timestamp + 24 * 3600)
        entry["pricing"] = {"billable": True, "pricing_model": "CBP", "category": category}
    if errors:
        entry["errors"] = errors
    return entry


def status_error(code: int, title: str, details: str) -> dict[str, Any]:
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": details},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
