"""A secret an automation renders into its data (a PIN, a token in a URL)
never reaches what the trace keeps: not the automation.trace answer, not
the recorder's traces table, not `sigap trace`, not the error log."""

import json
import logging

from hub.cli import main
from hub.core.services import ServiceCall
from hub.testing.recorded import saved_traces

from .conftest import engine_of, settle

PIN = "Pusat-Komando-Pin-4417"

AUTOMATION = """
- id: kirim_pin
  alias: Kirim PIN
  variables:
    pin: !secret pusat_komando_pin
  triggers:
    - trigger: event
      event_type: door.forced
  actions:
    - action: test.record
      data:
        message: "PIN {{ pin }}"
        shout: "{{ pin | upper }}"
    - action: test.refuse
      data:
        url: "https://relay.example/open?pin={{ pin }}"
"""


async def test_a_rendered_secret_is_redacted_in_every_trace_a_person_reads(
    automation_hub, recorder, capsys, caplog
):
    async def refuse(call: ServiceCall) -> None:
        raise RuntimeError(f"relay refused {call.data['url']}")

    hub = await automation_hub(AUTOMATION, start=False)
    (hub.config_dir / "secrets.yaml").write_text(f"pusat_komando_pin: {PIN}\n")
    hub.services.register("test", "refuse", refuse)
    await hub.start()
    await settle()
    hub.bus.fire("door.forced", {"site": "dinkes"})
    call = await recorder.next()
    assert call.data["message"] == f"PIN {PIN}"  # the service itself gets the real value
    await settle()

    (trace,) = engine_of(hub).automations["kirim_pin"].traces()
    assert trace.script_execution == "error"
    response = await hub.services.call("automation", "trace", {"entity_id": "kirim_pin"})
    answer = repr(response)
    assert "PIN ***" in answer
    assert PIN.lower() not in answer.lower()

    await hub.stop()
    saved = json.dumps(await saved_traces(hub.config_dir), ensure_ascii=False)
    assert "PIN ***" in saved
    assert PIN.lower() not in saved.lower()
    assert main(["trace", "kirim_pin", "-c", str(hub.config_dir)]) == 0
    assert main(["trace", "kirim_pin", "-c", str(hub.config_dir), "--json"]) == 0
    printed = capsys.readouterr()
    assert "relay refused" in printed.out
    assert PIN.lower() not in (printed.out + printed.err).lower()
    logged = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert PIN.lower() not in logged.lower()
