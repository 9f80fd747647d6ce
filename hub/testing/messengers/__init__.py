"""Fakes of the cloud messengers (Telegram Bot API, WhatsApp Cloud API) for
tests, benchmarks and the demo: loopback aiohttp servers that answer as the
real services do, errors, limits and webhooks included (docs/testing.md)."""

from .common import Call, Faults, Upload, Window
from .telegram import FakeTelegram, TelegramLimits, WebhookPost

__all__ = ["Call", "FakeTelegram", "Faults", "TelegramLimits", "Upload", "WebhookPost", "Window"]
