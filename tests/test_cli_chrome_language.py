"""The words of the `sigap` command itself (argparse's usage, section
titles, -h and --version, its errors, every help string, and the `sigap
plugins` table) in Indonesian with SIGAP_LANG=id, in English with en."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .sigap_process import run_sigap

CONFIG = Path(__file__).resolve().parent.parent / "config"

# What argparse and our help strings say in English; none may show in Indonesian.
ENGLISH_CHROME = (
    "usage:",
    "positional arguments",
    "options:",
    "show this help message and exit",
    "show program's version number and exit",
    "run the hub until",
    "validate the configuration",
    "list loaded plugins",
    "show the last runs",
    "config folder holding",
    "do not load plugin",
    "error:",
    "the following arguments are required",
    "invalid choice",
)


def sigap(*args: str, lang: str) -> subprocess.CompletedProcess[str]:
    return run_sigap(*args, env={**os.environ, "COLUMNS": "200"}, lang=lang)  # one line per help


def no_english(text: str) -> None:
    found = [words for words in ENGLISH_CHROME if words in text]
    assert not found, f"English left: {found}\n{text}"


def test_sigap_help_in_indonesian() -> None:
    result = sigap("--help", lang="id")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("penggunaan: sigap [-h] [--version] COMMAND ...")
    assert "\nargumen posisional:\n" in out and "\nopsi:\n" in out
    assert "-h, --help    tampilkan pesan bantuan ini lalu keluar" in out
    assert "--version     tampilkan nomor versi program lalu keluar" in out
    assert "run         jalankan hub sampai Ctrl-C / SIGTERM" in out
    assert "plugins     tampilkan plugin yang dimuat, platformnya, dan kegagalannya" in out
    no_english(out)


@pytest.mark.parametrize(
    "command", ["run", "check-config", "plugins", "trace", "report", "history", "alarms", "audit"]
)
def test_every_subcommand_help_in_indonesian(command: str) -> None:
    result = sigap(command, "--help", lang="id")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"penggunaan: sigap {command} [-h]")
    assert "folder konfigurasi berisi configuration.yaml (bawaan: ./config)" in out
    assert "jangan muat plugin NAME (dapat diulang)" in out
    no_english(out)


def test_sigap_run_help_in_english_is_argparse_as_people_know_it() -> None:
    out = sigap("run", "--help", lang="en").stdout
    assert out.startswith("usage: sigap run [-h]")
    assert "\noptions:\n" in out
    assert "show this help message and exit" in out
    assert "how much the log says (default: INFO, or SIGAP_LOG_LEVEL)" in out


@pytest.mark.parametrize(
    ("args", "indonesian", "english"),
    [
        (
            (),
            "argumen berikut wajib diisi: COMMAND",
            "the following arguments are required: COMMAND",
        ),
        (("jalan",), "pilihan tidak valid: 'jalan'", "invalid choice: 'jalan'"),
        (
            ("trace",),
            "argumen berikut wajib diisi: AUTOMATION",
            "arguments are required: AUTOMATION",
        ),
    ],
)
def test_usage_errors_in_both_languages(args, indonesian, english) -> None:
    result = sigap(*args, lang="id")
    assert result.returncode == 2
    assert result.stderr.startswith("penggunaan: sigap")
    assert ": kesalahan: " in result.stderr and indonesian in result.stderr, result.stderr
    no_english(result.stderr)
    result = sigap(*args, lang="en")
    assert result.returncode == 2 and english in result.stderr, result.stderr
    assert ": error: " in result.stderr


def test_plugins_table_words_in_indonesian() -> None:
    result = sigap("plugins", "-c", str(CONFIG), lang="id")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Plugin yang dimuat:"
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["entities"][:2] == ["ok", "inti"]
    assert rows["demo"][:2] == ["ok", "bawaan"]


def test_a_failed_plugin_in_the_table_and_its_failure_in_indonesian(tmp_path: Path) -> None:
    from hub.cli import plugin_table
    from hub.core.hub import Hub

    hub = Hub(tmp_path, plugins=["hub.plugins.tidak_ada"], autoload=False)
    hub.load()
    (failure,) = hub.plugins.failures
    assert plugin_table(hub, "id")[-1].split() == [
        "tidak_ada",
        "GAGAL",
        "tidak",
        "dimuat",
    ]
    assert plugin_table(hub, "en")[-1].split() == [
        "tidak_ada",
        "FAILED",
        "not",
        "loaded",
    ]
    assert failure.render("id").startswith("tidak_ada: gagal pada pemuatan: ModuleNotFoundError")
    assert str(failure).startswith("tidak_ada: failed in load: ModuleNotFoundError")
