"""What the hub says when a camera fails: what the camera answered, its
host and port, in Indonesian and English, and nothing from the network
reaches a log line unescaped (#8)."""

from __future__ import annotations

import logging
import socket

from hub import i18n
from hub.testing import EventWaiter

from .conftest import PLUGINS, SITES, camera_config


async def unavailable_reason(hub_factory, config) -> str:
    hub = await hub_factory({"sites": SITES, "camera": [config]}, plugins=PLUGINS, start=False)
    with EventWaiter(hub, "device.unavailable") as down:
        await hub.start()
        event = await down.wait(15)
    return i18n.text_in(event.data, "reason")  # rendered by the reader, in their language


async def test_a_soap_fault_says_what_the_camera_answered(hub_factory, fake, caplog):
    caplog.set_level(logging.WARNING)
    fake.faults.refuse["GetProfiles"] = "Media service busy\n\u202eFAKE: camera ok"
    reason = await unavailable_reason(hub_factory, camera_config(fake))
    english, indonesian = i18n.render(reason, "en"), i18n.render(reason, "id")
    address = f"{fake.host}:{fake.port}"
    assert english.startswith(f"{address} answered: Media service busy"), english
    assert indonesian.startswith(f"{address} menjawab: Media service busy"), indonesian
    assert "cannot reach" not in english
    lines = [r.getMessage() for r in caplog.records]
    assert any("Media service busy" in line for line in lines)
    for line in [english, indonesian, *lines]:  # the camera's words cannot forge a line
        assert "\n" not in line and "\u202e" not in line


async def test_an_unreachable_camera_names_host_and_port(hub_factory, fake):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = {**camera_config(fake), "port": port}
    reason = await unavailable_reason(hub_factory, config)
    assert i18n.render(reason, "en").startswith(f"cannot reach 127.0.0.1:{port}: ")
    assert i18n.render(reason, "id").startswith(f"tidak dapat menghubungi 127.0.0.1:{port}: ")


async def test_a_camera_that_stops_answering_names_host_and_port(hub_factory, fake):
    hub = await hub_factory({"sites": SITES, "camera": [camera_config(fake)]}, plugins=PLUGINS)
    with EventWaiter(hub, "device.unavailable") as down:
        fake.faults.hang_pulls = True
        event = await down.wait(20)
    reason = i18n.text_in(event.data, "reason")
    assert i18n.render(reason, "en").startswith(f"no answer from {fake.host}:{fake.port}")
    assert i18n.render(reason, "id").startswith(f"tidak ada jawaban dari {fake.host}:{fake.port}")
