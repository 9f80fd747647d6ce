"""Automation mistakes and reference warnings from `sigap check-config`, in
Indonesian and English: the same place, the message in the chosen language."""

from __future__ import annotations

import re

import pytest

from .test_errors import GOOD, broken

TYPO = """
- id: typo
  triggers: [{trigger: event, event_type: go}]
  actions:
    - action: siren.turn_onn
      target: {entity_id: siren.dinkes_halamn}
"""


def check_config(hub, capsys, monkeypatch, lang: str) -> tuple[int, str]:
    from hub.cli import main

    monkeypatch.setenv("SIGAP_LANG", lang)
    code = main(["check-config", "-c", str(hub.config_dir)])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("body", "english", "indonesian"),
    [
        (
            "  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - dellay: 5",
            "'dellay' is not a known action (did you mean 'delay'?)",
            "'dellay' bukan aksi yang dikenal (maksud Anda 'delay'?)",
        ),
        (
            "  triggers: [{trigger: event, event_tpye: go}]\n  actions: []",
            "'event_tpye' is not a known key (did you mean 'event_type'?)",
            "'event_tpye' bukan kunci yang dikenal (maksud Anda 'event_type'?)",
        ),
        (
            "  triggers: [{trigger: time, at: '25:00'}]\n  actions: []",
            "expected a time such as '07:30' or '22:00:00', or an entity id, got '25:00'",
            "diharapkan waktu seperti '07:30' atau '22:00:00', atau id entitas, didapat '25:00'",
        ),
        (
            "  triggers: [{trigger: time_pattern, hours: 24}]\n  actions: []",
            "expected a number below 24, '*' or '/N' (every N)",
            "diharapkan angka di bawah 24, '*' atau '/N' (setiap N)",
        ),
        (
            "  triggers: [{trigger: event, event_type: go}]\n  actions:\n    - delay: {minuts: 5}",
            "'minuts' is not a duration key (did you mean 'minutes'?)",
            "'minuts' bukan kunci durasi (maksud Anda 'minutes'?)",
        ),
    ],
)
async def test_an_automation_mistake_in_both_languages(
    automation_hub, capsys, monkeypatch, body, english, indonesian
):
    hub = await automation_hub(GOOD + broken(body), start=False)
    code_en, en = check_config(hub, capsys, monkeypatch, "en")
    code_id, id_ = check_config(hub, capsys, monkeypatch, "id")
    assert code_en == code_id == 1
    assert english in en, en
    assert indonesian in id_, id_
    where = re.compile(r"automations\.yaml:\d+: [\w.\[\]]+: ")
    assert where.findall(en) == where.findall(id_) != []


async def test_reference_warnings_in_both_languages(automation_hub, capsys, monkeypatch):
    hub = await automation_hub(TYPO, start=False)
    code_en, en = check_config(hub, capsys, monkeypatch, "en")
    code_id, id_ = check_config(hub, capsys, monkeypatch, "id")
    assert code_en == code_id == 0  # warnings, not errors
    assert (
        "automations.yaml:5: automation 'typo': service 'siren.turn_onn' "
        "does not exist (yet) (did you mean 'siren.turn_on'?)"
    ) in en, en
    assert (
        "automations.yaml:5: otomasi 'typo': layanan 'siren.turn_onn' "
        "tidak (atau belum) ada (maksud Anda 'siren.turn_on'?)"
    ) in id_, id_
    assert "entitas 'siren.dinkes_halamn' tidak (atau belum) ada" in id_
    assert en.lstrip().startswith("warning: ") and id_.lstrip().startswith("peringatan: ")
