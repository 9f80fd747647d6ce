"""A broker that wants a user name and password: the password comes from
secrets.yaml, works, and never reaches a log line; a wrong one leaves the
hub running without MQTT and says why."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest

from hub.core.mqtt import MQTT
from hub.testing.mosquitto import Mosquitto, running_broker

PASSWORD = "sandi-rahasia-bontang-77"


@pytest.fixture
def locked_broker(tmp_path: Path):
    yield from running_broker(tmp_path / "broker", users={"sigap": PASSWORD})


def write_config(folder: Path, broker: Mosquitto, password: str) -> Path:
    folder.mkdir()
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(
            f"""\
            hub: {{name: Uji, id: uji}}
            mqtt:
              host: {broker.host}
              port: {broker.port}
              username: sigap
              password: !secret mqtt_password
            """
        )
    )
    (folder / "secrets.yaml").write_text(f"mqtt_password: {password}\n")
    return folder


async def test_password_from_secrets_connects_and_is_never_logged(
    hub_factory, locked_broker, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    hub = await hub_factory(config_dir=write_config(tmp_path / "c", locked_broker, PASSWORD))
    assert hub.data[MQTT].connected
    await hub.services.call("mqtt", "publish", {"topic": "uji/halo", "payload": "1"})
    await hub.stop()
    assert "connected to" in caplog.text
    assert PASSWORD not in caplog.text


async def test_wrong_password_is_reported_and_the_hub_runs_on(
    hub_factory, locked_broker, tmp_path, caplog
):
    hub = await hub_factory(config_dir=write_config(tmp_path / "c", locked_broker, "salah-123"))
    assert hub.stage == "running"
    assert not hub.data[MQTT].connected
    assert "not authorised" in caplog.text.lower() or "not authorized" in caplog.text.lower()
    assert "salah-123" not in caplog.text
