"""Fakes of the cloud messengers (Telegram Bot API, WhatsApp Cloud API) for
tests, benchmarks and the demo: loopback aiohttp servers that answer as the
real services do, errors, limits and webhooks included (docs/testing.md)."""

from .common import Call, Faults, Upload, Window
from .telegram import FakeTelegram, TelegramLimits, WebhookPost
from .whatsapp import FakeWhatsApp, Template, WebhookRefused, WhatsAppLimits
from .whatsapp_webhook import signature_256

__all__ = [
    "Call",
    "FakeTelegram",
    "FakeWhatsApp",
    "Faults",
    "TelegramLimits",
    "Template",
    "Upload",
    "WebhookPost",
    "WebhookRefused",
    "WhatsAppLimits",
    "Window",
    "signature_256",
]
