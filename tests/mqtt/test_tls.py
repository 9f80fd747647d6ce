"""TLS to the broker with the site's own CA file; a broker whose certificate
the CA did not sign is refused."""

from __future__ import annotations

import pytest

from hub.core.mqtt import MQTT
from hub.testing.mosquitto import Mosquitto, running_broker


@pytest.fixture
def tls_broker(tmp_path):
    yield from running_broker(tmp_path / "broker", tls=True)


def config(broker: Mosquitto, **tls: object) -> dict:
    return {"hub": {"id": "uji"}, "mqtt": {"host": broker.host, "port": broker.port, **tls}}


async def test_tls_with_the_sites_ca_file(hub_factory, tls_broker):
    hub = await hub_factory(config(tls_broker, tls_ca_file=str(tls_broker.ca_file)))
    assert hub.data[MQTT].connected
    await hub.services.call("mqtt", "publish", {"topic": "uji/tls", "payload": "aman", "qos": 1})


async def test_a_certificate_from_another_ca_is_refused(hub_factory, tls_broker, caplog):
    hub = await hub_factory(config(tls_broker, tls=True))  # the system CAs only
    assert not hub.data[MQTT].connected
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text or "certificate verify failed" in caplog.text
