"""A hub with the HTTP server on a free port of 127.0.0.1 and one webhook
automation (`tombol-panik`) that hands what it was sent to `test.record`;
tests talk to its app through pytest-aiohttp's client (`served.client`), and
to the hub's own listener (`served.url()`) only where the socket is the point."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient

from hub.core.http import HTTP
from tests.automation.conftest import DEMO_DEVICES, automation_hub, recorder  # noqa: F401

PANIC = """
- id: panic_button
  mode: parallel
  max: 1000
  triggers:
    - trigger: webhook
      webhook_id: tombol-panik
      allowed_methods: [POST, PUT]
      local_only: true
  actions:
    - action: test.record
      data:
        json: "{{ trigger.json | default(none) }}"
        data: "{{ trigger.data | default(none) }}"
"""


def http_section(host: str | None = "127.0.0.1", **settings: object) -> str:
    """The demo devices and an `http:` section on a free port (no
    `server_host` when `host` is None)."""
    lines = ["http:", "  server_port: 0"]
    if host is not None:
        lines.append(f"  server_host: {host}")
    for key, value in settings.items():
        lines.append(f"  {key}: {value}")
    return DEMO_DEVICES + "\n".join(lines) + "\n"


def path(webhook_id: str = "tombol-panik") -> str:
    return f"/api/webhook/{webhook_id}"


@dataclass
class Served:
    hub: object
    client: TestClient  # pytest-aiohttp's, on the hub's app: `served.client.post(path())`
    base: str  # the hub's own listener: http://127.0.0.1:<port>

    def url(self, webhook_id: str = "tombol-panik") -> str:
        return self.base + path(webhook_id)


@pytest.fixture
def webhook_hub(automation_hub, hub_client):  # noqa: F811
    """`served = await webhook_hub(trusted_proxies="[127.0.0.1]")`"""

    async def make(automations: str = PANIC, **settings: object) -> Served:
        hub = await automation_hub(automations, devices=http_section(**settings), real_time=True)
        client = await hub_client(hub)
        return Served(hub, client, f"http://127.0.0.1:{hub.data[HTTP].port}")

    return make


def http_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the HTTP room logged."""
    return [r for r in caplog.records if r.name.startswith("hub.core.http")]
