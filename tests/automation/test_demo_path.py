"""The thin path the demo needs: a camera event with event_data matched,
service calls with target and data, in both spellings."""

import shutil
from pathlib import Path

from hub.core.automation import ENGINE
from hub.core.hub import Hub
from hub.testing import wait_for_state

ROOT = Path(__file__).resolve().parents[2]

BOTH_SPELLINGS = """
- id: new_spelling
  alias: Lobby motion sounds the yard siren
  triggers:
    - trigger: event
      event_type: camera.motion
      event_data:
        entity_id: camera.dinkes_lobi
  actions:
    - action: siren.turn_on
      target:
        entity_id: siren.dinkes_halaman
      data:
        duration: 10
- id: old_spelling
  alias: Yard motion sounds the lobby siren
  trigger:
    - platform: event
      event_type: camera.motion
      event_data:
        entity_id: camera.dinkes_halaman
  action:
    - service: siren.turn_on
      target:
        entity_id: siren.dinkes_lobi
      data:
        duration: 5
"""


async def test_camera_motion_sounds_the_siren_in_both_spellings(automation_hub):
    hub = await automation_hub(BOTH_SPELLINGS, real_time=True)
    lobby_camera = hub.devices.get("camera.dinkes_lobi")
    lobby_camera.detect("motion")
    state = await wait_for_state(hub, "siren.dinkes_halaman", "on")
    assert state.attributes["duration"] == 10
    # the other automation's camera did nothing: event_data is matched
    assert hub.states.get("siren.dinkes_lobi").state == "off"
    hub.devices.get("camera.dinkes_halaman").detect("motion")
    state = await wait_for_state(hub, "siren.dinkes_lobi", "on")
    assert state.attributes["duration"] == 5


# what the example config uses (`sigap run` loads every first-party plugin)
DEMO_PLUGINS = ["hub.plugins.demo", "hub.plugins.arming"]


async def test_the_example_config_loads_its_automations():
    hub = Hub(ROOT / "config", plugins=DEMO_PLUGINS, autoload=False)
    assert hub.load() == []
    ids = [a["id"] for a in hub.config["automation"]]
    assert ids == ["gerakan_lobi_dinkes", "pintu_server_dibobol", "alarm_gerakan_lobi_dinkes"]
    # both spellings come out as one
    assert all("triggers" in a and "actions" in a for a in hub.config["automation"])
    assert hub.config["automation"][1]["actions"][0]["service"] == "siren.turn_on"


async def test_the_example_config_runs(hub_factory, tmp_path):
    # a copy: the hub saves traces in its folder, and config/ is the user's
    config = shutil.copytree(ROOT / "config", tmp_path / "config")
    hub = await hub_factory(config_dir=config, plugins=DEMO_PLUGINS)
    engine = hub.data[ENGINE]
    assert set(engine.automations) == {
        "gerakan_lobi_dinkes",
        "pintu_server_dibobol",
        "alarm_gerakan_lobi_dinkes",
    }
    hub.devices.get("camera.dinkes_lobi").detect("motion")
    await wait_for_state(hub, "siren.dinkes_halaman", "on")
