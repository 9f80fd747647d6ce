"""An open device model: a plugin declares an entity domain of its own (its
YAML key, its words, its services) and a device owns several entities of
any domain, the way an access panel drives four doors and a tamper input."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
import voluptuous as vol

from hub import BinarySensor, Context, Device, Door, EntityDomain, EntityService, hookimpl, i18n
from hub.core.platform import kind

# the vendor's words: device.kind.access_panel in its own catalog
i18n.add_domain("acme", Path(__file__).parent / "acme_locale")


class AccessPanel(Device):
    """The vendor's own domain: a controller that owns doors and a tamper input."""

    domain = "access_panel"


class PanelDoor(Door):
    platform = "acme"

    def __init__(self, hub: Any, config: Any, panel: AcmePanel, number: int) -> None:
        super().__init__(hub, config)
        self.panel, self.number = panel, number

    async def unlock(self, *, duration: float | None, context: Context) -> None:
        self.panel.sent.append(f"open door {self.number} for {duration} s")
        self.set_state("unlocked", context=context)

    async def lock(self, *, context: Context) -> None:
        self.panel.sent.append(f"close door {self.number}")
        self.set_state("locked", context=context)


class AcmePanel(AccessPanel):
    platform = "acme"
    CONFIG_SCHEMA: ClassVar[Any] = {vol.Required("doors"): vol.All(int, vol.Range(1, 8))}

    def __init__(self, hub: Any, config: Any) -> None:
        super().__init__(hub, config)
        self.sent: list[str] = []
        for n in range(1, config["doors"] + 1):
            self.own(PanelDoor(hub, self.entity_config(f"pintu{n}"), self, n))
        self.tamper = self.own(BinarySensor(hub, self.entity_config("tamper")))

    async def start(self) -> None:
        self.set_state("online")
        self.tamper.set_state("off")

    async def arm(self, context: Context) -> None:
        self.sent.append("arm")
        self.set_state("armed", context=context)


class AcmePlugin:
    name = "acme"

    @hookimpl
    def sigap_entity_domains(self, hub: Any) -> Any:
        return [
            EntityDomain(
                "access_panel",
                AccessPanel,
                services={"arm": EntityService({}, lambda d, call: d.arm(call.context))},
            )
        ]

    @hookimpl
    def sigap_platforms(self, hub: Any) -> Any:
        return [AcmePanel]


CONFIG = {
    "sites": [{"id": "diskominfo", "areas": ["ruang_server"]}, {"id": "dinkes"}],
    "access_panel": [
        {
            "platform": "acme",
            "id": "panel_a",
            "site": "diskominfo",
            "area": "ruang_server",
            "doors": 4,
        }
    ],
}


@pytest.fixture
async def hub(hub_factory):
    return await hub_factory(config=CONFIG, plugins=["hub.plugins.sensors", AcmePlugin()])


async def test_a_plugin_domain_is_a_yaml_key_with_its_own_services(hub):
    assert hub.states.get("access_panel.panel_a").state == "online"
    await hub.services.call("access_panel", "arm", {"site": "diskominfo"})
    assert hub.devices.get("access_panel.panel_a").sent == ["arm"]
    assert hub.states.get("access_panel.panel_a").state == "armed"
    assert kind("access_panel").render("id") == "panel akses"


async def test_a_device_owns_entities_of_other_domains(hub):
    panel = hub.devices.get("access_panel.panel_a")
    doors = [s.entity_id for s in hub.states.all("door")]
    assert doors == [f"door.panel_a_pintu{n}" for n in range(1, 5)]
    assert hub.states.get("binary_sensor.panel_a_tamper").state == "off"
    assert hub.states.get("door.panel_a_pintu3").attributes["site"] == "diskominfo"
    # the door services reach an owned door like any other, by id or by area
    await hub.services.call("door", "unlock", {"entity_id": "door.panel_a_pintu3", "duration": 5})
    await hub.services.call("door", "lock", {"area": "ruang_server"})
    assert panel.sent[0] == "open door 3 for 5.0 s"
    assert sorted(panel.sent[1:]) == [f"close door {n}" for n in range(1, 5)]
    assert panel.entities[0] is panel and len(panel.entities) == 6


async def test_an_owner_offline_takes_its_entities_with_it(hub):
    panel = hub.devices.get("access_panel.panel_a")
    panel.set_available(False, "no answer")
    entities = ["access_panel.panel_a", "door.panel_a_pintu1", "binary_sensor.panel_a_tamper"]
    assert [hub.states.get(e).state for e in entities] == ["unavailable"] * 3
    panel.set_available(True)
    assert hub.states.get("door.panel_a_pintu1").state != "unavailable"


async def test_a_domain_item_needs_its_site_and_its_platform_keys(hub_factory):
    bad = {**CONFIG, "access_panel": [{"platform": "acme", "id": "panel_b", "doors": 12}]}
    hub = await hub_factory(config=bad, plugins=["hub.plugins.sensors", AcmePlugin()], start=False)
    errors = [str(e) for e in hub.load()]
    assert any("access_panel[0]: required key 'site'" in e for e in errors), errors
    assert any("access_panel[0].doors" in e for e in errors), errors


class Clash:
    name = "clash"

    @hookimpl
    def sigap_entity_domains(self, hub: Any) -> Any:
        return [EntityDomain("door", Door), "not a domain"]


async def test_a_domain_declared_twice_or_malformed_is_the_plugins_failure(hub_factory):
    hub = await hub_factory(config={}, plugins=[Clash()], expect_failures=True)
    said = sorted(f.render("en") for f in hub.plugins.failed("clash"))
    assert said == [
        "clash: failed in hook sigap_entity_domains: 'not a domain' is not an EntityDomain"
        " with a Device base class",
        "clash: failed in hook sigap_entity_domains: entity domain 'door' is already provided",
    ]
