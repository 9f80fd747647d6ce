"""validate_config(): the hub, sites and device sections, cross-references, every mistake."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol

from hub.core.config import ConfigError, load_config_dir, validate_config, where

from .conftest import WriteConfig


class DemoCamera:
    CONFIG_SCHEMA = {
        vol.Optional("mean_interval", default=30.0): vol.Coerce(float),
        vol.Optional("password"): str,
        # A platform cannot loosen the base keys: `site` stays required for cameras.
        vol.Optional("site"): str,
    }


class HikvisionCamera:
    CONFIG_SCHEMA = vol.Schema({vol.Required("host"): str, vol.Optional("port", default=80): int})


class OnvifCamera:
    CONFIG_SCHEMA = None


class DemoDoor:
    pass  # no CONFIG_SCHEMA at all: no extra keys


class ConsoleNotifier:
    CONFIG_SCHEMA = None


PLATFORMS: dict[str, dict[str, type]] = {
    "camera": {"demo": DemoCamera, "hikvision": HikvisionCamera, "onvif": OnvifCamera},
    "door": {"demo": DemoDoor},
    "siren": {},
    "notify": {"console": ConsoleNotifier},
}

SITES = """
    - id: dinkes
      name: Dinas Kesehatan
      areas: [lobi, {id: halaman, name: Halaman depan}]
    - id: diskominfo
"""


def check(
    write_config: WriteConfig, files: dict[str, str], sections: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[str], Path]:
    root = write_config(files)
    raw, load_errors = load_config_dir(root)
    config, errors = validate_config(raw, platforms=PLATFORMS, sections=sections or {})
    return config, [str(error) for error in [*load_errors, *errors]], root


def test_a_good_config_gets_defaults_and_keeps_its_locations(write_config: WriteConfig) -> None:
    config, errors, root = check(
        write_config,
        {
            "configuration.yaml": """
                sites: !include sites.yaml
                camera:
                  - platform: demo
                    id: dinkes_lobi
                    site: dinkes
                    area: lobi
                door:
                  platform: demo
                  id: diskominfo_server
                  site: diskominfo
                  area: ruang_server
                notify:
                  - platform: console
                    id: pusat_komando
            """,
            "sites.yaml": SITES,
        },
    )
    assert errors == []
    assert config["hub"] == {
        "name": "Sigap",
        "id": "sigap",
        "language": "id",
        "time_zone": "Asia/Makassar",
        "latitude": 0.1333,
        "longitude": 117.5,
        "media_dir": "media",
    }
    assert config["sites"] == [
        {
            "id": "dinkes",
            "name": "Dinas Kesehatan",
            "areas": [
                {"id": "lobi", "name": "lobi"},
                {"id": "halaman", "name": "Halaman depan"},
            ],
        },
        # No areas listed: any area is accepted (the door above says ruang_server).
        {"id": "diskominfo", "name": "diskominfo", "areas": []},
    ]
    camera = config["camera"][0]
    assert camera == {
        "platform": "demo",
        "id": "dinkes_lobi",
        "site": "dinkes",
        "area": "lobi",
        "mean_interval": 30.0,
    }
    assert PLATFORMS["camera"][camera["platform"]] is DemoCamera
    assert where(camera) == (str(root / "configuration.yaml"), 3)
    assert where(camera, "area") == (str(root / "configuration.yaml"), 6)
    assert where(config["sites"][0]["areas"][1]) == (str(root / "sites.yaml"), 3)
    assert [door["id"] for door in config["door"]] == ["diskominfo_server"]  # one mapping
    assert config["notify"][0]["id"] == "pusat_komando"  # a messenger needs no site
    assert config["siren"] == []


def test_hub_section_mistakes(write_config: WriteConfig) -> None:
    config, errors, _ = check(
        write_config,
        {
            "configuration.yaml": """
                hub:
                  id: Pusat Komando
                  language: inggris
                  time_zone: Asia/Makasar
                  latitude: 95
                  longitude: timur
            """
        },
    )
    assert errors == [
        "config/configuration.yaml:2: hub.id: expected an id of lowercase letters, digits"
        " and _, got 'Pusat Komando'; try 'pusat_komando'",
        "config/configuration.yaml:3: hub.language: expected one of 'id', 'en', got 'inggris'",
        "config/configuration.yaml:4: hub.time_zone: unknown time zone 'Asia/Makasar'"
        " (did you mean 'Asia/Makassar'?)",
        "config/configuration.yaml:5: hub.latitude: expected a number from -90 to 90, got 95",
        "config/configuration.yaml:6: hub.longitude: expected a number, got 'timur'",
    ]
    assert config["hub"]["language"] == "id"  # the defaults, so errors can still be shown


def test_unknown_platform_suggests_and_lists_the_known_ones(write_config: WriteConfig) -> None:
    _, errors, _ = check(
        write_config,
        {
            "configuration.yaml": """
                sites: [{id: dinkes}]
                camera:
                  - platform: hikvison
                    id: dinkes_lobi
                    site: dinkes
                    host: 10.0.0.5
                notify:
                  - platform: telegram
                    id: piket
            """
        },
    )
    assert errors == [
        "config/configuration.yaml:3: camera[0].platform: unknown camera platform 'hikvison'"
        " (did you mean 'hikvision'?); known: demo, hikvision, onvif",
        "config/configuration.yaml:8: notify[0].platform: unknown notify platform 'telegram';"
        " known: console",
    ]


def test_duplicate_site_and_area_ids_name_both_lines(write_config: WriteConfig) -> None:
    config, errors, _ = check(
        write_config,
        {
            "configuration.yaml": "sites: !include sites.yaml\n",
            "sites.yaml": """
                - id: dinkes
                  areas: [lobi, halaman, lobi]
                - id: diskominfo
                - id: dinkes
                  name: Dinas Kesehatan (lagi)
            """,
        },
    )
    assert errors == [
        "config/sites.yaml:2: sites[0].areas[2].id: duplicate area id 'lobi' (also on line 2)",
        "config/sites.yaml:4: sites[2].id: duplicate site id 'dinkes' (also on line 1)",
    ]
    assert [site["id"] for site in config["sites"]] == ["dinkes", "diskominfo"]


def test_devices_must_name_a_declared_site_and_one_of_its_areas(
    write_config: WriteConfig,
) -> None:
    _, errors, _ = check(
        write_config,
        {
            "configuration.yaml": """
                sites: !include sites.yaml
                camera:
                  - platform: onvif
                    id: lobi
                    site: dinkess
                  - platform: onvif
                    id: halaman
                    site: dinkes
                    area: halamann
                  - platform: onvif
                    id: tanpa_lokasi
            """,
            "sites.yaml": SITES,
        },
    )
    assert errors == [
        "config/configuration.yaml:5: camera[0].site: unknown site 'dinkess'"
        " (did you mean 'dinkes'?); known: dinkes, diskominfo",
        "config/configuration.yaml:9: camera[1].area: unknown area 'halamann'"
        " (did you mean 'halaman'?); known in site 'dinkes': halaman, lobi",
        "config/configuration.yaml:10: camera[2]: required key 'site' is missing",
    ]


def test_entity_ids_are_unique_per_domain(write_config: WriteConfig) -> None:
    config, errors, _ = check(
        write_config,
        {
            "configuration.yaml": """
                sites: [{id: dinkes}]
                camera:
                  - {platform: onvif, id: lobi, site: dinkes}
                  - {platform: onvif, id: lobi, site: dinkes}
                door:
                  - {platform: demo, id: lobi, site: dinkes}
            """
        },
    )
    assert errors == [
        "config/configuration.yaml:4: camera[1].id: duplicate entity id 'camera.lobi'"
        " (also on line 3)"
    ]
    assert len(config["camera"]) == 1 and len(config["door"]) == 1


def test_unknown_top_level_key(write_config: WriteConfig) -> None:
    _, errors, _ = check(
        write_config, {"configuration.yaml": "camra: []\nhub: {}\n"}, {"automation": [dict]}
    )
    assert errors == [
        "config/configuration.yaml:1: 'camra' is not a known key (did you mean 'camera'?)"
    ]


def test_sections_take_a_schema_or_a_checking_function(
    write_config: WriteConfig, caplog: pytest.LogCaptureFixture
) -> None:
    def check_automations(node: Any) -> tuple[Any, list[ConfigError]]:
        file, line = where(node[1])
        return node[:1], [ConfigError("no trigger", file=file, line=line, path=("automation", 1))]

    def broken(node: Any) -> tuple[Any, list[ConfigError]]:
        raise RuntimeError("plugin bug")

    config, errors, _ = check(
        write_config,
        {
            "configuration.yaml": """
                automation:
                  - id: satu
                  - id: dua
                mqtt:
                  port: delapan
                alarm:
                  escalate_after: 5
            """
        },
        {
            "automation": check_automations,
            "mqtt": {vol.Optional("port", default=1883): int},
            "alarm": broken,
            "unused": {"x": int},
        },
    )
    assert errors == [
        "config/configuration.yaml:3: automation[1]: no trigger",
        "config/configuration.yaml:5: mqtt.port: expected an integer, got 'delapan'",
        "config/configuration.yaml:7: alarm: checking this section failed:"
        " RuntimeError: plugin bug",
    ]
    assert config["automation"] == [{"id": "satu"}]
    assert "unused" not in config
    assert "checking the alarm section failed" in caplog.text


def test_five_mistakes_in_two_files_are_all_reported_at_once(write_config: WriteConfig) -> None:
    _, errors, _ = check(
        write_config,
        {
            "secrets.yaml": "nvr_password: rahasia-nvr-123\n",
            "configuration.yaml": """
                hub:
                  language: inggris
                sites: !include sites.yaml
                camera: !include devices/cameras.yaml
                sirene: []
            """,
            "sites.yaml": SITES,
            "devices/cameras.yaml": """
                - platform: hikvision
                  id: dinkes_lobi
                  site: dinkes
                  host: 10.0.0.5
                  port: delapan
                  password: !secret nvr_password
                - platform: onvif
                  id: dinkes_halaman
                  site: dinkess
                  dellay: 5
                - platform: hikvison
                  id: diskominfo_server
                  site: diskominfo
                  password: !secret nvr_pasword
            """,
        },
    )
    assert errors == [
        # the loader's, in the order it found them
        "config/devices/cameras.yaml:14: camera[2].password: secret 'nvr_pasword' is not defined"
        " in config/secrets.yaml",
        # then validation's, file by file, top to bottom
        "config/configuration.yaml:2: hub.language: expected one of 'id', 'en', got 'inggris'",
        "config/configuration.yaml:5: 'sirene' is not a known key (did you mean 'siren'?)",
        "config/devices/cameras.yaml:5: camera[0].port: expected an integer, got 'delapan'",
        "config/devices/cameras.yaml:6: camera[0]: 'password' is not a known key;"
        " known keys: platform, id, name, site, area, host, port",
        "config/devices/cameras.yaml:9: camera[1].site: unknown site 'dinkess'"
        " (did you mean 'dinkes'?); known: dinkes, diskominfo",
        "config/devices/cameras.yaml:10: camera[1]: 'dellay' is not a known key;"
        " known keys: platform, id, name, site, area",
        "config/devices/cameras.yaml:11: camera[2].platform: unknown camera platform"
        " 'hikvison' (did you mean 'hikvision'?); known: demo, hikvision, onvif",
    ]
    assert all("rahasia-nvr" not in error for error in errors)


def test_a_plain_dict_config_validates_too() -> None:
    config, errors = validate_config(
        {"sites": [{"id": "dinkes"}], "camera": [{"platform": "onvif", "id": "x", "site": "d"}]},
        platforms=PLATFORMS,
        sections={},
    )
    assert [str(error) for error in errors] == ["camera[0].site: unknown site 'd'; known: dinkes"]
    assert config["hub"]["name"] == "Sigap"


def test_a_top_level_that_is_not_a_mapping() -> None:
    config, errors = validate_config([], platforms=PLATFORMS, sections={})  # type: ignore[arg-type]
    assert config == {}
    assert [str(error) for error in errors] == [
        "expected a mapping of sections (hub:, sites:, ...), got a list"
    ]


@pytest.fixture(autouse=True)
def _quiet_config_logger(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, "hub.core.config")
