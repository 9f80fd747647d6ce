"""Issue 4, acceptance 3: a siren that never confirms leads, through a YAML
automation, to an alert in the demo (console) notifier within 6 s."""

from __future__ import annotations

import asyncio
import textwrap
import time

from hub.plugins.mqtt_devices.simulator import TasmotaSiren
from hub.testing import wait_for_state

CONFIG = """\
hub: {{name: Uji, id: uji}}
mqtt: {{host: {host}, port: {port}}}
sites:
  - id: dinkes
    areas: [halaman]
siren:
  - platform: mqtt
    id: dinkes_halaman
    name: Sirene Halaman Dinkes
    site: dinkes
    area: halaman
    dialect: tasmota
    topic: sirene_dinkes_halaman
    # confirm_timeout: the default, 5 s
notify:
  - platform: console
    id: pusat_komando
automation:
  - id: sirene_tidak_merespons
    alias: Sirene tidak mengonfirmasi perintah
    triggers:
      - trigger: event
        event_type: siren.unconfirmed
    actions:
      - action: notify.send
        target:
          entity_id: notify.pusat_komando
        data:
          title: "Sirene tidak merespons / siren did not confirm"
          message: >-
            {{{{ trigger.event.data.entity_id }}}} ({{{{ trigger.event.data.site }}}}):
            perintah {{{{ trigger.event.data.command }}}} tidak dikonfirmasi
"""


async def test_unconfirmed_siren_alerts_the_command_center_within_6_s(
    hub_factory, mosquitto, tmp_path
):
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(
        textwrap.dedent(CONFIG.format(host=mosquitto.host, port=mosquitto.port))
    )
    async with TasmotaSiren(mosquitto.host, mosquitto.port, "sirene_dinkes_halaman") as siren:
        siren.confirms = False  # it hears the command but never reports its state
        hub = await hub_factory(
            config_dir=folder, plugins=["hub.plugins.demo", "hub.plugins.mqtt_devices"]
        )
        assert not hub.plugins.failures, hub.plugins.failures
        await wait_for_state(hub, "siren.dinkes_halaman", "unknown")
        notifier = hub.devices.get("notify.pusat_komando")
        alerted = asyncio.Event()
        send = notifier.send

        async def send_and_tell(notification, *, context):
            await send(notification, context=context)
            alerted.set()

        notifier.send = send_and_tell
        started = time.monotonic()
        await hub.services.call(
            "siren", "turn_on", {"entity_id": "siren.dinkes_halaman", "duration": 30}
        )
        async with asyncio.timeout(6):
            await alerted.wait()
        elapsed = time.monotonic() - started
    print(f"\nunconfirmed siren -> console alert after {elapsed:.2f} s")
    (alert,) = notifier.sent
    assert "siren.dinkes_halaman (dinkes)" in alert.message
    assert "turn_on" in alert.message
    assert hub.states.get("siren.dinkes_halaman").state == "unconfirmed"
