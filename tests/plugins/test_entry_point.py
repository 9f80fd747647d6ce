"""A vendor's plugin, installed as its own distribution, is loaded through
the `sigap.plugins` entry point and its platform is used from YAML; the
autoload switch and the block list keep it out."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hub.core.plugins import DISABLE_AUTOLOAD_ENV, ENTRY_POINT_GROUP

from ..sigap_process import run_sigap

CONFIGURATION = """\
hub:
  name: Uji plugin
sites:
  - id: dinkes
    name: Dinas Kesehatan
    areas: [halaman]
siren:
  - platform: example_siren
    id: dinkes_relay
    name: Sirene Relay Halaman
    site: dinkes
    area: halaman
    relay: 3
"""


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(CONFIGURATION, encoding="utf-8")
    return folder


@pytest.fixture
def example(install_plugin) -> None:
    install_plugin("sigap_plugin_example")


def sigap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_sigap(*args, env=env)


def test_the_fixture_declares_its_entry_point(example) -> None:
    from importlib.metadata import distribution, entry_points

    (ep,) = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == "example"]
    assert ep.value == "sigap_plugin_example"
    assert distribution("sigap-plugin-example").version == "0.1.0"


async def test_hub_loads_the_plugin_and_uses_its_platform_from_yaml(
    example, hub_factory, config_dir: Path
) -> None:
    hub = await hub_factory(config_dir=config_dir, autoload=True)

    info = hub.plugins.info["example"]
    assert info.source == "entry point sigap-plugin-example"
    assert info.version == "0.1.0"
    assert info.module == "sigap_plugin_example"
    siren_class = hub.platforms["siren"]["example_siren"]
    assert siren_class.__module__ == "sigap_plugin_example.siren"
    assert hub.plugins.plugin_of(siren_class.__module__) == "example"
    assert hub.plugins.failures == []

    state = hub.states.get("siren.dinkes_relay")
    assert (state.state, state.attributes["relay"]) == ("off", 3)
    assert state.attributes["site"] == "dinkes"

    await hub.services.call("siren", "turn_on", {"site": "dinkes", "duration": 30})
    assert hub.states.get("siren.dinkes_relay").state == "on"


async def test_autoload_is_the_default(example, hub_factory, config_dir: Path) -> None:
    hub = await hub_factory(config_dir=config_dir, autoload=None, start=False)
    assert hub.load() == []
    assert "example" in hub.plugins.info


async def test_plugin_schema_errors_point_at_the_yaml(example, hub_factory, tmp_path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(
        CONFIGURATION.replace("relay: 3", "relay: 9"), encoding="utf-8"
    )
    hub = await hub_factory(config_dir=folder, autoload=True, start=False)
    errors = [str(e) for e in hub.load()]
    assert len(errors) == 1
    # the plugin's own CONFIG_SCHEMA, reported like any config error: file:line: key path
    line = CONFIGURATION.splitlines().index("    relay: 3") + 1
    assert errors[0].startswith(f"{folder / 'configuration.yaml'}:{line}: siren[0].relay: ")
    assert "at most 8" in errors[0]


async def test_disable_autoload_env_keeps_it_out(
    example, hub_factory, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    hub = await hub_factory(config_dir=config_dir, autoload=None, start=False)
    errors = hub.load()
    assert "example" not in hub.plugins.info
    assert "example_siren" not in hub.platforms["siren"]
    # its devices are then a configuration error, not a crash
    assert any("example_siren" in str(e) for e in errors)


async def test_block_list_keeps_it_out(example, hub_factory, config_dir: Path) -> None:
    hub = await hub_factory(config_dir=config_dir, autoload=True, block=["example"], start=False)
    errors = hub.load()
    assert "example" not in hub.plugins.info
    assert "example_siren" not in hub.platforms["siren"]
    assert any("example_siren" in str(e) for e in errors)


def test_sigap_plugins_lists_it_and_honours_the_switches(install_plugin, config_dir) -> None:
    install_plugin("sigap_plugin_example")

    listed = sigap("plugins", "-c", str(config_dir), env=install_plugin.env())
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if line.split()[:1] == ["example"]]
    assert line.split()[1] == "ok"
    assert "entry point sigap-plugin-example 0.1.0" in line
    assert "siren:example_siren" in line

    blocked = sigap(
        "plugins", "-c", str(config_dir), "--block", "example", env=install_plugin.env()
    )
    assert blocked.returncode == 0, blocked.stderr
    assert "example" not in blocked.stdout.split()

    off = sigap(
        "plugins", "-c", str(config_dir), env=install_plugin.env(**{DISABLE_AUTOLOAD_ENV: "1"})
    )
    assert off.returncode == 0, off.stderr
    assert "example" not in off.stdout.split()
    assert "demo" in off.stdout.split()  # first-party plugins are not entry points
