"""Configuration messages: ConfigError keeps its key and values, so it renders
in either language (the catalogs themselves: tests/core/test_catalogs.py)."""

from __future__ import annotations

import importlib
import pickle

import pytest
import voluptuous as vol

import hub.cli  # noqa: F401  (registers the CLI's messages)
from hub.core import i18n
from hub.core.config import ConfigError, validate
from hub.core.config.nodes import Secret, located
from hub.core.plugins import CORE_PLUGINS
from hub.plugins import FIRST_PARTY_PLUGINS

# Every room registers its messages when imported: import them all first.
for _module in (*CORE_PLUGINS, *FIRST_PARTY_PLUGINS):
    importlib.import_module(_module)


def test_a_config_error_keeps_its_key_and_values_and_renders_in_both_languages() -> None:
    _, errors = validate({"delay": int}, located_mapping({"dellay": 5}))
    (error,) = errors
    assert error.key == "config.unknown_key"
    assert error.values["key"] == "'dellay'"
    assert str(error) == "automations.yaml:3: 'dellay' is not a known key (did you mean 'delay'?)"
    assert error.render("en") == str(error)
    assert error.render("id") == (
        "automations.yaml:3: 'dellay' bukan kunci yang dikenal (maksud Anda 'delay'?)"
    )
    # survives a copy between processes
    assert pickle.loads(pickle.dumps(error.message)).render("id") == error.message.render("id")


def test_a_plugins_plain_message_renders_as_written_in_every_language() -> None:
    error = ConfigError("rtsp port busy", file=None, path=("camera", 0))
    assert error.key is None
    assert error.render("id") == error.render("en") == "camera[0]: rtsp port busy"


def test_a_secret_is_named_never_shown_in_either_language() -> None:
    secret = located(Secret("Rahasia-Bontang-2026"), "configuration.yaml", 4)
    secret.name = "pusat_komando_pin"
    _, (error,) = validate({"latitude": float}, {"latitude": secret})
    for lang in i18n.LANGUAGES:
        assert "Rahasia-Bontang-2026" not in error.render(lang)
        assert "<secret pusat_komando_pin>" in error.render(lang)
    assert error.render("id").endswith("diharapkan angka, didapat <secret pusat_komando_pin>")


def located_mapping(data: dict) -> dict:
    from hub.core.config.nodes import NodeDict

    node = located(NodeDict(data), "automations.yaml", 2)
    node.key_lines = {key: 3 for key in data}
    return node


@pytest.mark.parametrize(
    ("schema", "value", "english", "indonesian"),
    [
        (vol.Range(min=1), 0, "value must be at least 1", "nilai harus paling sedikit 1"),
        (vol.In(["a", "b"]), "c", "value must be one of ['a', 'b']", "nilai harus salah satu"),
        (vol.Coerce(float), "x", "expected a number, got 'x'", "diharapkan angka, didapat 'x'"),
    ],
)
def test_voluptuous_own_messages_render_in_both_languages(schema, value, english, indonesian):
    _, (error,) = validate({"key": schema}, {"key": value})
    assert english in error.render("en") and english in str(error)
    assert indonesian in error.render("id"), error.render("id")
