"""`sigap check-config` and `sigap run` print configuration errors in the
chosen language: SIGAP_LANG, else hub.language, else Indonesian. The same
mistake is reported at the same file:line and key path in both languages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .sigap_process import run_sigap
from .test_cli import BROKEN_CONFIGURATION, SECRET_VALUE, broken_config  # noqa: F401

WHERE = re.compile(r"^(config/[\w/]+\.yaml:\d+: [\w.\[\]]+): (.+)$")


def sigap(*args: str, cwd: Path, lang: str | None) -> subprocess.CompletedProcess[str]:
    return run_sigap(*args, "-c", "config", cwd=cwd, lang=lang)


def errors(output: str) -> dict[str, str]:
    """`file:line: key path` -> message, for every error line."""
    found = [WHERE.match(line.strip()) for line in output.splitlines()]
    return {m[1]: m[2] for m in found if m}


INDONESIAN = [
    ("hub", "'langauge' bukan kunci yang dikenal (maksud Anda 'language'?)"),
    ("hub.latitude", "diharapkan angka, didapat <secret pusat_komando_pin>"),
    ("camera", "tidak dapat menyertakan 'devices/kamera.yaml': berkas tidak ada"),
    ("siren[0].name", "rahasia 'nama_sirene' tidak ditemukan di config/secrets.yaml"),
    ("siren[0].max_on_time", "diharapkan angka, didapat 'lama'"),
    ("siren[1].platform", "platform siren 'acme' tidak dikenal; yang dikenal: demo"),
]


@pytest.mark.parametrize("command", ["check-config", "run"])
def test_the_same_mistakes_in_english_and_indonesian(
    broken_config: Path,  # noqa: F811
    command: str,
) -> None:
    english = sigap(command, cwd=broken_config.parent, lang="en")
    indonesian = sigap(command, cwd=broken_config.parent, lang="id")
    assert english.returncode == indonesian.returncode == 1, english.stderr + indonesian.stderr
    en, id_ = errors(english.stderr), errors(indonesian.stderr)
    assert len(en) >= len(INDONESIAN), english.stderr
    assert en.keys() == id_.keys(), (english.stderr, indonesian.stderr)  # same file:line: path
    for where, message in en.items():
        assert id_[where] != message, where  # every message translated
    for path, text in INDONESIAN:
        assert any(w.endswith(f": {path}") and m.startswith(text) for w, m in id_.items()), (
            f"missing {path}: {text}\n{indonesian.stderr}"
        )
    assert "memiliki" in indonesian.stderr and "has" in english.stderr  # the framing line too
    for result in (english, indonesian):
        assert SECRET_VALUE not in result.stdout + result.stderr


def test_hub_language_chooses_when_sigap_lang_is_unset(broken_config: Path) -> None:  # noqa: F811
    default = sigap("check-config", cwd=broken_config.parent, lang=None)
    assert "bukan kunci yang dikenal" in default.stderr  # no hub.language: Indonesian

    configuration = broken_config / "configuration.yaml"
    configuration.write_text(
        BROKEN_CONFIGURATION.replace("  langauge: en\n", "  language: en\n  lokasi: x\n"),
        encoding="utf-8",
    )
    english = sigap("check-config", cwd=broken_config.parent, lang=None)
    assert "'lokasi' is not a known key" in english.stderr, english.stderr
    assert "secret 'nama_sirene' is not defined in config/secrets.yaml" in english.stderr
    # SIGAP_LANG wins over hub.language
    overridden = sigap("check-config", cwd=broken_config.parent, lang="id")
    assert "'lokasi' bukan kunci yang dikenal" in overridden.stderr, overridden.stderr
