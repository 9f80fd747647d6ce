"""The `sigap` command as an admin uses it: --version, --help, check-config
on a good and on a broken configuration, plugins, and `sigap run` end to
end (a demo camera's motion sounds the siren through the automation, and
Ctrl-C stops the hub cleanly)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub import __version__
from hub.testing import canary

from .sigap_process import TROUBLE, copy_demo_config, run_sigap, sigap_run

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config"
SECRET_VALUE = "Rahasia-Bontang-2026"


def sigap(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_sigap(*args, cwd=cwd)


def test_version() -> None:
    result = sigap("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"sigap {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", __version__)


def test_help_names_every_command_in_plain_words() -> None:
    result = sigap("--help")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())  # argparse wraps as the terminal allows
    assert "CCTV" in out
    for command, words in (
        ("run", "run the hub until Ctrl-C"),
        ("check-config", "validate the configuration"),
        ("plugins", "list loaded plugins"),
    ):
        assert f"{command} {words}" in out, command
    # and how to start, by example
    assert "sigap check-config -c config" in out
    assert "sigap run -c config" in out
    sub = sigap("check-config", "--help")
    assert sub.returncode == 0
    sub_out = " ".join(sub.stdout.split())
    assert "-c DIR, --config DIR" in sub_out
    assert "default: ./config" in sub_out


def test_no_command_is_a_usage_error() -> None:
    result = sigap()
    assert result.returncode == 2
    assert "usage: sigap" in result.stderr


def test_check_config_passes_on_the_example_configuration(tmp_path: Path) -> None:
    shutil.copytree(CONFIG, tmp_path / "config")
    result = sigap("check-config", "-c", "config", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout
    assert result.stderr == ""


def test_check_config_on_a_missing_folder(tmp_path: Path) -> None:
    result = sigap("check-config", "-c", "tidak_ada", cwd=tmp_path)
    assert result.returncode == 2
    assert "tidak_ada" in result.stderr


# -- a configuration with many mistakes in two files ---------------------------

BROKEN_CONFIGURATION = """\
hub:
  name: Uji Sigap
  langauge: en
  latitude: !secret pusat_komando_pin
sites: !include sites.yaml
camera: !include devices/kamera.yaml
siren: !include devices/sirens.yaml
notify:
  - platform: console
    id: pusat_komando
"""

SITES = """\
- id: dinkes
  name: Dinas Kesehatan
  areas: [lobi, halaman]
"""

BROKEN_SIRENS = """\
- platform: demo
  id: dinkes_halaman
  name: !secret nama_sirene
  site: dinkes
  area: halaman
  max_on_time: lama
- platform: acme
  id: dinkes_lobi
  site: dinkes
  area: lobi
"""


def line_of(text: str, needle: str) -> int:
    (number,) = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return number


@pytest.fixture
def broken_config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    (folder / "devices").mkdir(parents=True)
    (folder / "configuration.yaml").write_text(BROKEN_CONFIGURATION, encoding="utf-8")
    (folder / "sites.yaml").write_text(SITES, encoding="utf-8")
    (folder / "devices" / "sirens.yaml").write_text(BROKEN_SIRENS, encoding="utf-8")
    (folder / "secrets.yaml").write_text(f"pusat_komando_pin: {SECRET_VALUE}\n", encoding="utf-8")
    return folder


def test_check_config_reports_every_mistake_at_its_file_and_line(broken_config: Path) -> None:
    result = sigap("check-config", "-c", "config", cwd=broken_config.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output

    main, sirens = "config/configuration.yaml", "config/devices/sirens.yaml"
    expected = [
        # unknown key, with a did-you-mean
        (
            f"{main}:{line_of(BROKEN_CONFIGURATION, 'langauge')}: hub: "
            "'langauge' is not a known key (did you mean 'language'?)"
        ),
        # wrong type, where the value is a secret: named, never shown
        (
            f"{main}:{line_of(BROKEN_CONFIGURATION, 'latitude')}: hub.latitude: "
            "expected a number, got <secret pusat_komando_pin>"
        ),
        # a bad include
        f"{main}:{line_of(BROKEN_CONFIGURATION, 'kamera')}: camera:"
        " cannot include 'devices/kamera.yaml'",
        # a missing secret, in the second file
        f"{sirens}:{line_of(BROKEN_SIRENS, 'nama_sirene')}: siren[0].name:"
        " secret 'nama_sirene' is not defined",
        # wrong type in the second file
        (
            f"{sirens}:{line_of(BROKEN_SIRENS, 'max_on_time')}: siren[0].max_on_time: "
            "expected a number, got 'lama'"
        ),
        # unknown platform, with the known ones
        (
            f"{sirens}:{line_of(BROKEN_SIRENS, 'acme')}: siren[1].platform: "
            "unknown siren platform 'acme'"
        ),
    ]
    lines = [line.strip() for line in output.splitlines()]
    for text in expected:
        assert any(line.startswith(text) for line in lines), f"missing: {text}\n{output}"
    # every error line points at a file and line
    error_lines = [line for line in lines if line.startswith("config/")]
    assert len(error_lines) >= len(expected)
    assert all(re.match(r"config/[\w/]+\.yaml:\d+: ", line) for line in error_lines)
    assert SECRET_VALUE not in output


def test_loader_errors_name_their_key_path(broken_config: Path) -> None:
    output = sigap("check-config", "-c", "config", cwd=broken_config.parent).stderr
    assert re.search(r"configuration\.yaml:\d+: camera: cannot include", output)
    assert re.search(r"sirens\.yaml:\d+: siren\[0\]\.name: secret 'nama_sirene'", output)
    # one mistake, one message: the empty value a missing secret leaves is not reported again
    assert "siren[0].name: expected a string" not in output


def test_secret_values_never_reach_the_output_of_any_command(broken_config: Path) -> None:
    # and the suite's canaries (secrets.yaml's and the env var's) where errors quote values
    broken = BROKEN_CONFIGURATION.replace("name: Uji Sigap", "name: !secret pusat_komando_pin")
    broken += "  - {platform: !secret sigap_canary, id: !env_var SIGAP_CANARY}\n"
    (broken_config / "configuration.yaml").write_text(broken, encoding="utf-8")
    canary.plant(broken_config)
    printed = {}
    for args in (("check-config",), ("plugins",)):
        result = sigap(*args, "-c", "config", cwd=broken_config.parent)
        printed[args[0]] = result.stdout + result.stderr
        assert SECRET_VALUE not in printed[args[0]], args
    assert (
        "notify[1].platform: unknown notify platform <secret sigap_canary>"
        in (printed["check-config"])
    )


# -- plugins --------------------------------------------------------------------


def test_plugins_lists_the_demo_with_its_platforms() -> None:
    result = sigap("plugins", "-c", str(CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:]}
    assert rows["demo"][:2] == ["ok", "builtin"]
    for platform in ("camera:demo", "door:demo", "siren:demo", "notify:console"):
        assert platform in rows["demo"]
    assert rows["entities"][:2] == ["ok", "core"]


def test_plugins_block(tmp_path: Path) -> None:
    result = sigap("plugins", "-c", str(CONFIG), "--block", "demo")
    assert result.returncode == 0
    assert "demo" not in result.stdout.split()


# -- sigap run, end to end ------------------------------------------------------


async def test_run_sounds_the_siren_on_demo_motion_and_stops_cleanly_on_ctrl_c(
    tmp_path: Path,
) -> None:
    config = copy_demo_config(CONFIG, tmp_path / "config")
    # a server clock in UTC, as most are: the log still speaks WITA; and no
    # SIGAP_LANG: the log speaks the configured hub.language
    env = {**{k: v for k, v in os.environ.items() if k != "SIGAP_LANG"}, "TZ": "UTC"}
    async with sigap_run(config, env=env) as hub:
        # #13 acceptance 3: where the dashboard is, and how to make the first admin
        await hub.until(r"Dasbor dan API: http://127\.0\.0\.1:\d+/")
        await hub.until(r"Buat kata sandi admin pertama: sigap user add rina -c ")
        started = await hub.until(r"started: \d+ devices")
        stamp = datetime.strptime(started[:19], "%Y-%m-%d %H:%M:%S")
        assert started[20:24] == "WITA", started
        wita_now = datetime.now(ZoneInfo("Asia/Makassar")).replace(tzinfo=None)
        assert abs((wita_now - stamp).total_seconds()) < 60, (started, wita_now)
        await hub.until(r"camera\.dinkes_lobi \(dinkes/lobi\): motion")
        await hub.until(r"siren\.dinkes_halaman \(dinkes\): SIRENE BERBUNYI selama \d+ detik")
        await hub.until(r"PERINGATAN: \[Dinas Kesehatan\] Gerakan terdeteksi di lobi")
        assert await hub.interrupt() == 0, hub.output
    assert "Menghentikan Sigap" in hub.output  # config/ says hub.language: id
    for trouble in TROUBLE:
        assert trouble not in hub.output, hub.output


@pytest.mark.slow
async def test_run_follows_the_demo_alarm_until_someone_acknowledges_it(tmp_path: Path) -> None:
    """#11 acceptance 3: config/'s alarm on lobby motion is raised, reminded,
    escalated to the Command Center and (the demo's stand-in) acknowledged."""
    config = copy_demo_config(CONFIG, tmp_path / "config")
    env = {k: v for k, v in os.environ.items() if k != "SIGAP_LANG"}
    async with sigap_run(config, env=env) as hub:
        raised = await hub.until(r"hub\.alarms: alarm (\w+) terjadi di lokasi dinkes: Gerakan")
        alarm_id = re.search(r"alarm (\w+) terjadi", raised)[1]
        await hub.until(r"PERINGATAN -> andi: \[ALARM, prioritas tinggi\]")
        await hub.until(rf"alarm {alarm_id} di lokasi dinkes belum diterima: pengingat 1")
        await hub.until(
            rf"alarm {alarm_id} di lokasi dinkes dieskalasi ke tingkat 1: pusat_komando"
        )
        await hub.until(r"PERINGATAN -> yusuf: \[Escalation 1: ALARM, high priority\]")
        await hub.until(rf'sari menekan "Terima" pada alarm {alarm_id}')
        await hub.until(rf"alarm {alarm_id} diterima oleh Sari Wulandari setelah \d+ detik")
        assert await hub.interrupt() == 0, hub.output
    for trouble in TROUBLE:
        assert trouble not in hub.output, hub.output
    # ... and the demo's database tells it afterwards
    today = datetime.now(ZoneInfo("Asia/Makassar")).date().isoformat()
    alarms = run_sigap("alarms", "-c", str(config), "--site", "dinkes", lang="id")
    assert alarms.returncode == 0, alarms.stderr
    assert alarm_id in alarms.stdout and "Gerakan di lobi Dinkes" in alarms.stdout
    report = run_sigap("report", "-c", str(config), "--from", today, "--to", today, lang="id")
    assert report.returncode == 0, report.stderr
    assert "Dinas Kesehatan" in report.stdout, report.stdout
