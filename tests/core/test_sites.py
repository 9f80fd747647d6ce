"""hub.sites: the buildings and their areas, named in both languages."""

from hub.core.sites import SiteRegistry

CONFIG = {
    "sites": [
        {
            "id": "dinkes",
            "name": {"id": "Dinas Kesehatan", "en": "Health Office"},
            "areas": ["lobi", {"id": "halaman", "name": {"id": "Halaman", "en": "Yard"}}],
        },
        {"id": "diskominfo", "name": "Diskominfo", "areas": [{"id": "ruang_server"}]},
    ],
    "siren": [{"platform": "demo", "id": "dinkes_halaman", "site": "dinkes", "area": "halaman"}],
}


async def test_the_hub_knows_its_sites_with_names_in_both_languages(hub_factory):
    hub = await hub_factory(config=CONFIG, plugins=["hub.plugins.demo"])
    assert [site.id for site in hub.sites] == ["dinkes", "diskominfo"]
    dinkes = hub.sites.get("dinkes")
    assert (dinkes.name("id"), dinkes.name("en")) == ("Dinas Kesehatan", "Health Office")
    assert hub.sites.area("dinkes", "halaman").name("en") == "Yard"
    assert hub.sites.area("dinkes", "lobi").name("en") == "lobi"  # no name: its id
    assert hub.sites.get("diskominfo").name("en") == "Diskominfo"  # one name for both
    assert hub.sites.get("nowhere") is None


async def test_an_event_about_a_device_carries_its_site_and_area(hub_factory):
    hub = await hub_factory(config=CONFIG, plugins=["hub.plugins.demo"])
    seen = []
    hub.bus.listen("siren.test", seen.append)
    hub.devices.get("siren.dinkes_halaman").fire("siren.test")
    (event,) = seen
    assert (event.data["site"], event.data["area"]) == ("dinkes", "halaman")


async def test_a_bad_name_is_a_config_error(hub_factory):
    bad = {"sites": [{"id": "dinkes", "name": {"fr": "Bureau"}}]}
    hub = await hub_factory(config=bad, start=False)
    errors = [str(e) for e in hub.load()]
    assert any("sites[0].name" in e for e in errors), errors


def test_as_dict_renders_the_readers_language():
    registry = SiteRegistry.from_config(CONFIG["sites"])
    assert registry.get("dinkes").as_dict("en") == {
        "id": "dinkes",
        "name": "Health Office",
        "areas": [{"id": "lobi", "name": "lobi"}, {"id": "halaman", "name": "Yard"}],
    }
