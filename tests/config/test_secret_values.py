"""Values from secrets.yaml and from the environment are secrets: an error
names them (`<secret name>`, `<env_var NAME>`), never shows them, and no hint
is ever built from one (a did-you-mean or a `try '...'` would show it,
lower-cased or not)."""

from __future__ import annotations

import pytest

from hub.core.config import Secret, load_config_dir, redact, validate_config
from hub.core.config.validation import one_of, validate

from .conftest import WriteConfig

ENV_VALUE = "Env-Rahasia-Bontang-77"
SECRET_VALUE = "FuzzSecretValue9"


def checked(root) -> list[str]:
    raw, errors = load_config_dir(root)
    _, more = validate_config(raw, platforms={"camera": {"onvif": object}}, sections={})
    return [error.render(lang) for error in errors + more for lang in ("en", "id")]


def test_an_env_var_value_is_a_secret_in_errors_and_logs(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MQTT_PW", ENV_VALUE)
    root = write_config({"configuration.yaml": "hub:\n  language: !env_var MQTT_PW\n"})
    raw, _ = load_config_dir(root)
    assert isinstance(raw["hub"]["language"], Secret)
    assert repr(raw["hub"]["language"]) == "<env_var MQTT_PW>"

    shown = checked(root)
    assert shown[0] == (
        "config/configuration.yaml:2: hub.language:"
        " expected one of 'id', 'en', got <env_var MQTT_PW>"
    )
    assert shown[1].endswith("diharapkan salah satu dari 'id', 'en', didapat <env_var MQTT_PW>")
    assert redact(f"broker login {ENV_VALUE} refused") == "broker login *** refused"


def test_a_default_written_in_the_config_is_not_a_secret(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIGAP_TEST_HOST", raising=False)
    root = write_config({"configuration.yaml": "host: !env_var SIGAP_TEST_HOST broker-lokal\n"})
    raw, _ = load_config_dir(root)
    assert not isinstance(raw["host"], Secret) and raw["host"] == "broker-lokal"
    assert redact("connecting to broker-lokal") == "connecting to broker-lokal"


def test_no_hint_is_built_from_a_secret(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGAP_TEST_ZONE", "Asia/Makasar")
    root = write_config(
        {
            "secrets.yaml": f"lobby: {SECRET_VALUE}\nplatform: onvf\n",
            "configuration.yaml": """
                hub:
                  id: !secret lobby
                  time_zone: !env_var SIGAP_TEST_ZONE
                sites:
                  - id: !secret lobby
                camera:
                  - {platform: !secret platform, id: lobi, site: dinkes}
            """,
        }
    )
    shown = "\n".join(checked(root))
    assert "<secret lobby>" in shown and "<env_var SIGAP_TEST_ZONE>" in shown
    assert "<secret platform>" in shown
    assert SECRET_VALUE.lower() not in shown.lower()
    for hint in ("try '", "coba '", "did you mean", "maksud Anda"):
        assert hint not in shown, hint


def test_one_of_gives_no_suggestion_for_a_secret() -> None:
    secret = Secret("eng")
    secret.name = "lang"
    _, (error,) = validate({"language": one_of("id", "en")}, {"language": secret})
    assert str(error) == "language: expected one of 'id', 'en', got <secret lang>"
    plain = validate({"language": one_of("id", "en")}, {"language": "eng"})[1][0]
    assert str(plain) == "language: expected one of 'id', 'en' (did you mean 'en'?), got 'eng'"


def test_a_secret_used_as_a_key_is_named_in_the_error_path(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "secrets.yaml": f"lobby: {SECRET_VALUE}\n",
            "configuration.yaml": "sites:\n  !secret lobby: 2024-02-30\n",
        }
    )
    _, errors = load_config_dir(root)
    assert [error.render(lang) for error in errors for lang in ("en", "id")] == [
        "config/configuration.yaml:2: sites.<secret lobby>:"
        " '2024-02-30' is not a valid !!timestamp value",
        "config/configuration.yaml:2: sites.<secret lobby>:"
        " '2024-02-30' bukan nilai !!timestamp yang valid",
    ]
