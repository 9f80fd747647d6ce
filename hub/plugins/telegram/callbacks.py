"""The data behind an inline button, signed: `<action>|<signature>`, where
the signature is an HMAC-SHA256 of the chat and the action with the bot's
callback key, cut to 12 bytes (16 characters). A modified client can send
any callback_data it likes; without the key it cannot make one the hub
believes, nor move a real one to another chat. All within Telegram's 64
bytes: an action may have 47."""

from __future__ import annotations

import base64
import hashlib
import hmac

DATA_LIMIT = 64
SIGNATURE_CHARS = 16
ACTION_LIMIT = DATA_LIMIT - SIGNATURE_CHARS - 1


def key_from(secret: str) -> bytes:
    """The signing key of a configured secret (or of the bot token: both secret)."""
    return hashlib.sha256(b"sigap telegram callback\0" + secret.encode()).digest()


def _signature(key: bytes, chat_id: int | str, action: str) -> str:
    digest = hmac.new(key, f"{chat_id}\0{action}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def sign(key: bytes, chat_id: int | str, action: str) -> str | None:
    """The callback_data of `action` in `chat_id`; None when it cannot fit."""
    if not action or len(action.encode()) > ACTION_LIMIT or "|" in action:
        return None
    return f"{action}|{_signature(key, chat_id, action)}"


def verify(key: bytes, chat_id: int | str, data: str) -> str | None:
    """The action of genuine callback_data of `chat_id`, else None."""
    action, bar, signature = str(data).rpartition("|")
    if not bar or not action or len(data.encode()) > DATA_LIMIT:
        return None
    expected = _signature(key, chat_id, action)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return None
    return action
