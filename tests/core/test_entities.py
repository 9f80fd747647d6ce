"""Entity services (siren.turn_on, door.unlock, notify.send, ...) reaching
devices by entity_id, site and area."""

from __future__ import annotations

from typing import Any

import pytest
import voluptuous as vol

from hub import (
    Context,
    DeviceError,
    Door,
    Notification,
    Notifier,
    ServiceValidationError,
    Siren,
    hookimpl,
)


class RecordingSiren(Siren):
    """A siren that remembers its commands; `fail: true` makes its relay stuck."""

    platform = "recording"
    CONFIG_SCHEMA = {vol.Optional("fail", default=False): bool}

    async def start(self) -> None:
        self.commands: list[dict[str, Any]] = []
        self.set_state("off")

    async def turn_on(
        self, *, duration: float | None, tone: str | None, level: str | None, context: Context
    ) -> None:
        if self.config["fail"]:
            raise DeviceError("relay stuck")
        self.commands.append({"on": True, "duration": duration, "context": context})
        self.set_state("on", context=context)

    async def turn_off(self, *, context: Context) -> None:
        self.commands.append({"on": False, "context": context})
        self.set_state("off", context=context)


class RecordingDoor(Door):
    platform = "recording"

    async def start(self) -> None:
        self.unlocked_for: list[float | None] = []
        self.set_state("locked")

    async def unlock(self, *, duration: float | None, context: Context) -> None:
        self.unlocked_for.append(duration)
        self.set_state("unlocked", context=context)


class RecordingNotifier(Notifier):
    platform = "recording"

    async def start(self) -> None:
        self.sent: list[Notification] = []
        self.set_state("ready")

    async def send(self, notification: Notification, *, context: Context) -> None:
        self.sent.append(notification)


class RecordingPlugin:
    name = "recording"

    @hookimpl
    def sigap_siren_platforms(self, hub):
        return [RecordingSiren]

    @hookimpl
    def sigap_door_platforms(self, hub):
        return [RecordingDoor]

    @hookimpl
    def sigap_notify_platforms(self, hub):
        return [RecordingNotifier]


def siren(id: str, site: str, area: str, **extra: Any) -> dict[str, Any]:
    return {"platform": "recording", "id": id, "site": site, "area": area, **extra}


CONFIG = {
    "sites": [
        {"id": "dinkes", "name": "Dinas Kesehatan", "areas": ["lobi", "halaman"]},
        {"id": "diskominfo", "name": "Diskominfo", "areas": ["lobi", "ruang_server"]},
        {"id": "disdukcapil", "name": "Disdukcapil", "areas": ["lobi"]},
    ],
    "siren": [
        siren("dinkes_lobi", "dinkes", "lobi"),
        siren("dinkes_halaman", "dinkes", "halaman"),
        siren("diskominfo_lobi", "diskominfo", "lobi"),
        siren("diskominfo_ruang_server", "diskominfo", "ruang_server"),
    ],
    "door": [
        {"platform": "recording", "id": "dinkes_lobi", "site": "dinkes", "area": "lobi"},
    ],
    "notify": [{"platform": "recording", "id": "pusat_komando"}],
    # the person the tests' calls come from (the policy checks every call)
    "people": [{"id": "operator", "role": "operator", "sites": "*"}],
}


@pytest.fixture
async def hub(hub_factory):
    return await hub_factory(config=CONFIG, plugins=[RecordingPlugin()])


def sounding(hub) -> list[str]:
    return sorted(s.entity_id for s in hub.states.all("siren") if s.state == "on")


async def test_target_by_entity_id(hub) -> None:
    context = Context(user_id="operator")
    await hub.services.call(
        "siren", "turn_on", {"entity_id": "siren.dinkes_halaman", "duration": 10}, context
    )
    assert sounding(hub) == ["siren.dinkes_halaman"]
    (command,) = hub.devices.get("siren.dinkes_halaman").commands
    assert command["duration"] == 10.0
    assert command["context"] is context
    assert hub.states.get("siren.dinkes_halaman").context is context


async def test_target_by_several_entity_ids_as_list_or_text(hub) -> None:
    await hub.services.call(
        "siren", "turn_on", {"entity_id": "siren.dinkes_lobi, siren.diskominfo_lobi"}
    )
    assert sounding(hub) == ["siren.dinkes_lobi", "siren.diskominfo_lobi"]
    await hub.services.call("siren", "turn_off", {"entity_id": ["siren.dinkes_lobi"]})
    assert sounding(hub) == ["siren.diskominfo_lobi"]


async def test_target_by_site(hub) -> None:
    await hub.services.call("siren", "turn_on", {"site": "dinkes"})
    assert sounding(hub) == ["siren.dinkes_halaman", "siren.dinkes_lobi"]


async def test_target_by_area_across_sites(hub) -> None:
    await hub.services.call("siren", "turn_on", {"area": "lobi"})
    assert sounding(hub) == ["siren.dinkes_lobi", "siren.diskominfo_lobi"]


async def test_site_and_area_together_narrow_the_target(hub) -> None:
    await hub.services.call("siren", "turn_on", {"site": "diskominfo", "area": "lobi"})
    assert sounding(hub) == ["siren.diskominfo_lobi"]


async def test_entity_id_and_site_add_up(hub) -> None:
    await hub.services.call(
        "siren", "turn_on", {"entity_id": "siren.dinkes_lobi", "site": "diskominfo"}
    )
    assert sounding(hub) == [
        "siren.dinkes_lobi",
        "siren.diskominfo_lobi",
        "siren.diskominfo_ruang_server",
    ]


async def test_a_site_target_reaches_only_its_own_domain(hub) -> None:
    await hub.services.call("door", "unlock", {"site": "dinkes", "duration": 5})
    assert hub.devices.get("door.dinkes_lobi").unlocked_for == [5.0]
    assert sounding(hub) == []


@pytest.mark.parametrize("data", [{}, {"entity_id": []}, {"site": ""}, {"entity_id": " , "}])
async def test_an_empty_target_is_an_error_never_every_siren(hub, data) -> None:
    with pytest.raises(DeviceError, match="name an entity_id, site or area"):
        await hub.services.call("siren", "turn_on", data)
    assert sounding(hub) == []


async def test_an_unknown_entity_is_an_error(hub) -> None:
    with pytest.raises(DeviceError, match=r"siren\.nowhere is not a configured siren"):
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.nowhere"})
    # another domain's entity is not a siren either
    with pytest.raises(DeviceError, match=r"door\.dinkes_lobi is not a configured siren"):
        await hub.services.call("siren", "turn_on", {"entity_id": "door.dinkes_lobi"})
    assert sounding(hub) == []


async def test_a_site_without_sirens_is_an_error(hub) -> None:
    with pytest.raises(DeviceError, match="no siren found for site=") as info:
        await hub.services.call("siren", "turn_on", {"site": "disdukcapil"})
    assert "disdukcapil" in str(info.value)


async def test_a_target_naming_an_unknown_site_or_area_says_so(hub) -> None:
    with pytest.raises(DeviceError, match="unknown site 'dinkess' \\(did you mean 'dinkes'\\?\\)"):
        await hub.services.call("siren", "turn_on", {"site": "dinkess"})
    with pytest.raises(DeviceError, match="no site has an area 'lobby'"):
        await hub.services.call("siren", "turn_on", {"area": "lobby"})
    assert all(not d.commands for d in hub.devices.all("siren"))


async def test_an_unavailable_device_is_an_error_naming_it(hub) -> None:
    hub.devices.get("siren.dinkes_halaman").set_available(False, "link down")
    with pytest.raises(DeviceError) as info:
        await hub.services.call("siren", "turn_on", {"entity_id": "siren.dinkes_halaman"})
    assert "siren.dinkes_halaman is unavailable" in str(info.value)
    assert hub.devices.get("siren.dinkes_halaman").commands == []


async def test_an_unavailable_siren_does_not_silence_the_rest_of_its_site(hub) -> None:
    hub.devices.get("siren.dinkes_halaman").set_available(False, "link down")
    with pytest.raises(DeviceError) as info:
        await hub.services.call("siren", "turn_on", {"site": "dinkes"})
    assert "siren.dinkes_halaman is unavailable" in str(info.value)
    assert sounding(hub) == ["siren.dinkes_lobi"]


async def test_one_failing_device_does_not_stop_the_others(hub_factory) -> None:
    config = {
        **CONFIG,
        "siren": [
            siren("a", "dinkes", "lobi"),
            siren("stuck", "dinkes", "lobi", fail=True),
            siren("c", "dinkes", "lobi"),
        ],
    }
    hub = await hub_factory(config=config, plugins=[RecordingPlugin()])
    with pytest.raises(DeviceError) as info:
        await hub.services.call("siren", "turn_on", {"site": "dinkes"})
    assert str(info.value) == "siren.turn_on failed for siren.stuck: relay stuck"
    assert sounding(hub) == ["siren.a", "siren.c"]


async def test_service_data_is_validated_with_service_and_key_named(hub) -> None:
    with pytest.raises(ServiceValidationError) as info:
        await hub.services.call(
            "siren", "turn_on", {"entity_id": "siren.dinkes_lobi", "duration": -5}
        )
    assert "siren.turn_on" in str(info.value)
    assert "duration: duration must be a positive number of seconds" in str(info.value)
    with pytest.raises(ServiceValidationError, match="site: expected a name or a list of names"):
        await hub.services.call("siren", "turn_on", {"site": 5})
    assert sounding(hub) == []


async def test_notify_send_builds_a_notification(hub) -> None:
    await hub.services.call(
        "notify",
        "send",
        {
            "entity_id": "notify.pusat_komando",
            "title": "Dinas Kesehatan",
            "message": "Gerakan terdeteksi di lobi",
            "targets": "piket_dinkes, kepala_dinkes",
        },
    )
    # through the outbox: one message per recipient, each with its own id
    sent = hub.devices.get("notify.pusat_komando").sent
    assert [n.targets for n in sent] == [["piket_dinkes"], ["kepala_dinkes"]]
    assert {n.title for n in sent} == {"Dinas Kesehatan"}
    assert {n.message for n in sent} == {"Gerakan terdeteksi di lobi"}
    assert len({n.message_id for n in sent}) == 2 and all(n.message_id for n in sent)


async def test_entity_services_exist_while_the_hub_runs(hub) -> None:
    for name in ("siren.turn_on", "siren.turn_off", "door.unlock", "door.lock", "notify.send"):
        assert hub.services.has(*name.split("."))
    await hub.stop()
    assert not hub.services.has("siren", "turn_on")


async def test_device_registry(hub) -> None:
    assert len(hub.devices) == 6
    assert [d.entity_id for d in hub.devices.all("door")] == ["door.dinkes_lobi"]
    with pytest.raises(ValueError, match=r"siren\.dinkes_lobi is configured twice"):
        hub.devices.add(hub.devices.get("siren.dinkes_lobi"))
    hub.devices.remove("door.dinkes_lobi")
    assert hub.devices.get("door.dinkes_lobi") is None
