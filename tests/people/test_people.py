"""People, groups and roles scoped to sites, and the policy built on them:
every service call and state read on someone's behalf is checked against
the person's role and sites; the hub itself (automations, devices) acts."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub import Context
from hub.core.permissions import PermissionDenied

SITES = [
    {"id": "dinkes", "name": {"id": "Dinas Kesehatan", "en": "Health Office"}, "areas": ["lobi"]},
    {"id": "diskominfo", "areas": ["ruang_server"]},
]
DOORS = [
    {"platform": "demo", "id": "dinkes_lobi", "site": "dinkes", "area": "lobi"},
    {"platform": "demo", "id": "server", "site": "diskominfo", "area": "ruang_server"},
]
PEOPLE = [
    {
        "id": "andi",
        "name": "Andi Pratama",
        "role": "staff",
        "sites": ["dinkes"],
        "telegram": 123456789,
        "whatsapp": "+6281234567890",
    },
    {"id": "budi", "name": "Budi", "role": "operator", "sites": ["dinkes"], "language": "en"},
    {"id": "rina", "name": "Rina", "role": "admin"},
    {"id": "sari", "name": "Sari", "role": "operator", "sites": "*"},
]
GROUPS = [
    {
        "id": "dinkes_piket",
        "name": {"id": "Petugas Piket Dinkes", "en": "Dinkes staff on duty"},
        "members": ["andi", "budi"],
    },
    {"id": "pusat_komando", "name": "Pusat Komando", "members": ["sari", "rina", "budi"]},
]
CONFIG = {"sites": SITES, "door": DOORS, "people": PEOPLE, "groups": GROUPS}


@pytest.fixture
async def hub(hub_factory):
    return await hub_factory(config=CONFIG, plugins=["hub.plugins.demo"])


def person(user_id: str) -> Context:
    return Context(user_id=user_id, actor=f"telegram:{user_id}")


async def unlock(hub, entity_id: str, context: Context) -> None:
    await hub.services.call("door", "unlock", {"entity_id": entity_id}, context)


async def test_staff_of_one_site_cannot_unlock_or_see_another_sites_door(hub):
    andi = person("andi")
    with pytest.raises(PermissionDenied) as refused:
        await unlock(hub, "door.server", andi)
    assert refused.value.args[0].render("id") == "andi tidak berhak memanggil door.unlock"
    assert str(refused.value) == "andi may not call door.unlock"
    assert hub.states.get("door.server").state == "locked"
    with pytest.raises(PermissionDenied):
        hub.states.read("door.server", andi)
    # their own building they see, but staff do not control doors
    assert hub.states.read("door.dinkes_lobi", andi).state == "locked"
    assert [s.entity_id for s in hub.states.visible(andi, "door")] == ["door.dinkes_lobi"]
    with pytest.raises(PermissionDenied):
        await unlock(hub, "door.dinkes_lobi", andi)
    # a target by site or area reaches the sites it names
    with pytest.raises(PermissionDenied):
        await hub.services.call("door", "unlock", {"area": "ruang_server"}, person("budi"))


async def test_an_operator_controls_the_doors_of_their_site_only(hub):
    budi = person("budi")
    await unlock(hub, "door.dinkes_lobi", budi)
    assert hub.states.get("door.dinkes_lobi").state == "unlocked"
    await hub.services.call("door", "lock", {"site": "dinkes"}, budi)
    assert hub.states.get("door.dinkes_lobi").state == "locked"
    with pytest.raises(PermissionDenied):
        await hub.services.call("door", "unlock", {"site": ["dinkes", "diskominfo"]}, budi)
    assert hub.states.get("door.dinkes_lobi").state == "locked"


async def test_an_admin_may_do_everything_and_star_means_every_site(hub):
    rina = person("rina")
    await unlock(hub, "door.server", rina)
    assert hub.states.get("door.server").state == "unlocked"
    assert len(hub.states.visible(rina)) == len(hub.states.all())
    sari = person("sari")
    await unlock(hub, "door.dinkes_lobi", sari)
    assert hub.states.read("door.server", sari) is not None
    # an operator is no admin: a service that declares no permission is for admins
    ran = []

    async def reload(call):
        ran.append(call.context.user_id)

    hub.services.register("test", "reload", reload)
    with pytest.raises(PermissionDenied):
        await hub.services.call("test", "reload", {}, sari)
    await hub.services.call("test", "reload", {}, rina)
    assert ran == ["rina"]


async def test_the_hub_itself_acts_and_nobody_unknown_does(hub):
    for hub_itself in (
        Context(),
        Context(actor="system"),
        Context(actor="automation:buka_pintu"),
        Context(actor="device:door.dinkes_lobi"),
        Context(actor="plugin:arming"),
        # an automation acts as configured, whoever's event started it
        Context(user_id="andi", actor="automation:buka_pintu"),
    ):
        await unlock(hub, "door.server", hub_itself)
        assert hub.states.read("door.server", hub_itself) is not None
    for stranger in (
        Context(actor="telegram:999"),
        Context(actor="whatsapp:+628111"),
        Context(actor="api-token:simpeg"),
        Context(user_id="ghost", actor="telegram:5"),
        Context(user_id="ghost"),
    ):
        with pytest.raises(PermissionDenied):
            await unlock(hub, "door.dinkes_lobi", stranger)
        assert hub.states.visible(stranger) == []


async def test_a_refusal_is_announced_for_the_audit(hub):
    announced = []
    hub.bus.listen("call_service", announced.append)
    with pytest.raises(PermissionDenied):
        await unlock(hub, "door.server", Context(actor="telegram:999"))
    await hub.bus.drain()
    (event,) = announced
    assert event.data["denied"] is True and event.data["actor"] == "telegram:999"


async def test_people_groups_and_identities(hub):
    people = hub.people
    andi = people.get("andi")
    assert andi.name == "Andi Pratama" and andi.role == "staff"
    assert andi.sites == frozenset({"dinkes"}) and andi.language == "id"
    assert andi.groups == ("dinkes_piket",)
    assert people.get("budi").groups == ("dinkes_piket", "pusat_komando")
    assert people.get("budi").language == "en"
    assert people.get("rina").sites == frozenset()  # an admin of every site
    assert people.get("sari").sites == frozenset({"dinkes", "diskominfo"})
    assert people.get("nobody") is None
    group = people.group("dinkes_piket")
    assert (group.name("id"), group.name("en")) == ("Petugas Piket Dinkes", "Dinkes staff on duty")
    assert people.group("pusat_komando").name("en") == "Pusat Komando"
    assert [p.id for p in people.resolve(["dinkes_piket", "rina", "budi", "pusat_komando"])] == [
        "andi",
        "budi",
        "rina",
        "sari",
    ]
    assert people.by_identity("telegram", 123456789) is andi
    assert people.by_identity("telegram", "123456789") is andi
    assert people.by_identity("whatsapp", "+6281234567890") is andi
    assert people.by_identity("whatsapp", "6281234567890") is andi  # as the Cloud API sends it
    assert people.by_identity("telegram", 1) is None


async def test_may_site_by_role(hub):
    may = hub.people.may_site
    andi, budi, sari = person("andi"), person("budi"), person("sari")
    assert may(andi, "dinkes", "acknowledge") and may(andi, "dinkes", "close")
    assert not may(andi, "dinkes", "control") and not may(andi, "dinkes", "arm")
    assert not may(andi, "diskominfo", "view")
    assert may(budi, "dinkes", "arm") and may(budi, "dinkes", "control")
    assert not may(budi, "dinkes", "admin") and not may(budi, None, "acknowledge")
    assert may(sari, None, "acknowledge")  # covers every site: the Command Center
    assert may(person("rina"), "diskominfo", "admin")
    assert not may(andi, "dinkes", "fly")
    assert may(Context(actor="automation:x"), "diskominfo", "arm")
    assert not may(Context(actor="telegram:123456789"), "dinkes", "view")


PEOPLE_YAML = """\
- id: andi
  name: Andi
  role: staff
  sites: [dinkes]
  whatsapp: +6281234567890
- id: budi
  role: operator
  sites: [dinkez]
  telegram: -5
- id: andi
  role: staf
- id: rina
  role: staff
"""


async def test_mistakes_in_people_and_groups_name_file_line_and_key(hub_factory, tmp_path: Path):
    (tmp_path / "configuration.yaml").write_text(
        "sites:\n  - id: dinkes\npeople: !include people.yaml\ngroups:\n"
        "  - id: piket\n    members: [andi, zed]\n  - id: andi\n    members: [budi]\n"
        "  - id: piket\n    members: [budi]\n",
        encoding="utf-8",
    )
    (tmp_path / "people.yaml").write_text(PEOPLE_YAML, encoding="utf-8")
    hub = await hub_factory(config_dir=tmp_path, start=False)
    errors = [(Path(e.file).name, e.line, e.render("en").split(": ", 1)[1]) for e in hub.load()]
    assert errors == [
        (
            "configuration.yaml",
            6,
            "groups[0].members[1]: unknown person 'zed'; known: andi, budi, rina",
        ),
        (
            "configuration.yaml",
            7,
            "groups[1].id: group id 'andi' is also a person's id; give the group another id",
        ),
        ("configuration.yaml", 9, "groups[2].id: duplicate group id 'piket' (also on line 5)"),
        (
            "people.yaml",
            5,
            "people[0].whatsapp: a phone number must be written in quotes, with its plus:"
            ' "+6281234567890"',
        ),
        (
            "people.yaml",
            8,
            "people[1].sites[0]: unknown site 'dinkez' (did you mean 'dinkes'?); known: dinkes",
        ),
        (
            "people.yaml",
            9,
            "people[1].telegram: expected a Telegram user id (a positive whole number,"
            " like 123456789), got -5",
        ),
        (
            "people.yaml",
            11,
            "people[2].role: expected one of 'admin', 'operator', 'staff'"
            " (did you mean 'staff'?), got 'staf'",
        ),
        (
            "people.yaml",
            13,
            "people[3].sites: a person with role 'staff' needs sites:"
            " (site ids, or '*' for every site)",
        ),
    ]
    indonesian = [e.render("id") for e in hub.config_errors]
    assert any("harus ditulis dalam tanda kutip" in e for e in indonesian)


async def test_a_duplicate_person_or_messenger_identity_is_an_error(hub_factory):
    config = {
        "sites": SITES,
        "people": [
            {"id": "andi", "role": "admin", "telegram": 5},
            {"id": "andi", "role": "admin"},
            {"id": "budi", "role": "admin", "telegram": 5},
            {"id": "cici", "role": "admin", "whatsapp": "+62 812-3456-7890"},
            {"id": "dodi", "role": "admin", "whatsapp": "+6281234567890"},
        ],
    }
    hub = await hub_factory(config=config, start=False)
    errors = [str(e) for e in hub.load()]
    assert errors == [
        "people[1].id: duplicate person id 'andi'",
        "people[2].telegram: duplicate Telegram user id 5",
        "people[4].whatsapp: duplicate WhatsApp number '+6281234567890'",
    ]


async def test_staff_may_ask_for_a_snapshot_of_their_own_building_only(hub_factory):
    cameras = [
        {"platform": "demo", "id": "dinkes_lobi", "site": "dinkes", "simulate": False},
        {"platform": "demo", "id": "server", "site": "diskominfo", "simulate": False},
    ]
    hub = await hub_factory(config={**CONFIG, "camera": cameras}, plugins=["hub.plugins.demo"])
    andi = person("andi")
    taken = await hub.services.call("camera", "snapshot", {"entity_id": "camera.dinkes_lobi"}, andi)
    assert list(taken["files"]) == ["camera.dinkes_lobi"]
    with pytest.raises(PermissionDenied):
        await hub.services.call("camera", "snapshot", {"entity_id": "camera.server"}, andi)
    # a clip is controlling the camera: operators
    with pytest.raises(PermissionDenied):
        await hub.services.call(
            "camera", "record_clip", {"entity_id": "camera.dinkes_lobi", "duration": 5}, andi
        )
