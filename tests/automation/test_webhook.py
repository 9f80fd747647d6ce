"""The webhook trigger, through the hub's HTTP app (pytest-aiohttp's client)."""

import pytest

from hub.core.http import HTTP
from hub.core.http.webhooks import is_local

from .conftest import DEMO_DEVICES, settle

WITH_HTTP = DEMO_DEVICES + "http:\n  server_host: 127.0.0.1\n  server_port: 0\n"

AUTOMATIONS = """
- id: panic_button
  mode: queued
  triggers:
    - trigger: webhook
      webhook_id: tombol-panik-dinkes
      allowed_methods: [POST, PUT]
      local_only: true
  actions:
    - action: test.record
      data:
        room: "{{ trigger.json.room if trigger.json is defined else trigger.data.room }}"
        query: "{{ trigger.query.source | default('none') }}"
        id: "{{ trigger.webhook_id }}"
"""


async def test_webhook_triggers_with_json_form_and_query(automation_hub, recorder, hub_client):
    hub = await automation_hub(AUTOMATIONS, devices=WITH_HTTP)
    client = await hub_client(hub)
    base = "/api/webhook"
    async with client.post(f"{base}/tombol-panik-dinkes?source=app", json={"room": "lobi"}) as r:
        assert r.status == 200
    async with client.put(f"{base}/tombol-panik-dinkes", data={"room": "arsip"}) as r:
        assert r.status == 200
    async with client.get(f"{base}/tombol-panik-dinkes") as r:  # not an allowed method
        assert r.status == 200
    async with client.post(f"{base}/no-such-hook", json={}) as r:  # says nothing either
        assert r.status == 200
    await settle()
    assert recorder.data == [
        {"room": "lobi", "query": "app", "id": "tombol-panik-dinkes"},
        {"room": "arsip", "query": "none", "id": "tombol-panik-dinkes"},
    ]


async def test_webhook_without_http_server_does_not_attach(automation_hub, recorder, caplog):
    hub = await automation_hub(AUTOMATIONS)
    assert "needs the hub's HTTP server" in caplog.text
    assert hub.data.get(HTTP) is None


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("192.168.1.20", True),
        ("10.0.0.5", True),
        ("::ffff:192.168.1.20", True),
        ("fe80::1%eth0", True),
        ("8.8.8.8", False),
        ("2001:4860::1", False),
        (None, False),
        ("garbage", False),
    ],
)
def test_local_only_addresses(address, local):
    assert is_local(address) is local
