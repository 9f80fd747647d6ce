"""The YAML loader: locations, tags, YAML 1.1 scalars, secrets, every error at once."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
import yaml

from hub.core.config import (
    NodeDict,
    NodeList,
    NodeStr,
    Secret,
    install_log_redaction,
    load_config_dir,
    load_yaml_file,
    redact,
    where,
)
from hub.core.config.secrets import SecretFilter

from .conftest import WriteConfig


def rendered(errors: list) -> list[str]:
    return [str(error) for error in errors]


def test_nodes_carry_their_file_and_line(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                # a comment first, so lines are not trivially 1
                hub:
                  name: Sigap
                  latitude: 0.13
                  enabled: true
                  note:
                sites:
                  - id: dinkes
                    areas: [lobi, halaman]
            """
        }
    )
    config, errors = load_config_dir(root)

    assert errors == []
    file = str(root / "configuration.yaml")
    assert isinstance(config, NodeDict) and isinstance(config["sites"], NodeList)
    assert isinstance(config["hub"]["name"], NodeStr)
    assert where(config["hub"]) == (file, 3)
    assert where(config["hub"]["name"]) == (file, 3)
    assert where(config["sites"]) == (file, 8)
    assert where(config["sites"][0]["areas"][1]) == (file, 9)
    # Numbers, booleans and empty values have no attributes: their key's line stands in.
    assert where(config["hub"], "latitude") == (file, 4)
    assert where(config["hub"], "enabled") == (file, 5)
    assert where(config["hub"], "note") == (file, 6)
    assert config["hub"].key_lines == {"name": 3, "latitude": 4, "enabled": 5, "note": 6}


YAML_11_SCALARS = """
    switch_on: on
    switch_off: off
    answer_yes: yes
    country: no
    sexagesimal: 15:30
    leading_zero_time: 05:00:00
    quoted_time: "05:00:00"
    octal: 0o17
    old_octal: 017
    hex: 0x1F
    underscored: 1_000
    nothing: ~
    day: 2024-01-02
    tilde_text: "~"
    float_exp: 1e3
"""


def test_yaml_11_scalars_resolve_exactly_as_pyyaml_safe_load(write_config: WriteConfig) -> None:
    root = write_config({"configuration.yaml": YAML_11_SCALARS})
    config, errors = load_config_dir(root)

    assert errors == []
    assert config == yaml.load(YAML_11_SCALARS.replace("\n    ", "\n"), Loader=yaml.SafeLoader)
    # The Home Assistant surprises, spelled out:
    assert config["switch_on"] is True and config["country"] is False
    assert config["sexagesimal"] == 15 * 60 + 30
    assert config["leading_zero_time"] == "05:00:00"  # base 60 needs a first digit 1-9
    assert config["old_octal"] == 15 and config["hex"] == 31 and config["underscored"] == 1000
    assert config["day"] == datetime.date(2024, 1, 2)
    assert config["float_exp"] == "1e3"  # YAML 1.1 floats need a dot


def test_include_keeps_the_included_files_lines(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                hub:
                  name: Sigap
                sites: !include sites.yaml
            """,
            "sites.yaml": """
                # Gedung OPD
                - id: dinkes
                  name: Dinas Kesehatan
            """,
        }
    )
    config, errors = load_config_dir(root)

    assert errors == []
    assert config["sites"] == [{"id": "dinkes", "name": "Dinas Kesehatan"}]
    assert where(config["sites"][0], "name") == (str(root / "sites.yaml"), 3)


def test_bad_include_is_reported_at_the_tag_and_loading_goes_on(
    write_config: WriteConfig,
) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                hub:
                  name: Sigap
                sites: !include sitess.yaml
                camera: !include devices/cameras.yaml
                door: !include_dir_list doorz
                later: still loaded
            """,
            "sites.yaml": "[]",
        }
    )
    config, errors = load_config_dir(root)

    assert rendered(errors) == [
        "config/configuration.yaml:3: sites: cannot include 'sitess.yaml': no such file"
        " (did you mean 'sites.yaml'?)",
        "config/configuration.yaml:4: camera: cannot include 'devices/cameras.yaml': no such file",
        "config/configuration.yaml:5: door: cannot include folder 'doorz': no such folder",
    ]
    assert config["sites"] is None and config["camera"] is None and config["door"] is None
    assert config["later"] == "still loaded"


def test_an_include_cycle_is_an_error_not_a_hang(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": "sites: !include a.yaml\n",
            "a.yaml": "more: !include b.yaml\n",
            "b.yaml": "again: !include a.yaml\n",
        }
    )
    config, errors = load_config_dir(root)

    assert rendered(errors) == [
        "config/b.yaml:1: sites.more.again: cannot include 'a.yaml': it includes itself"
        " (config/configuration.yaml -> config/a.yaml -> config/b.yaml -> config/a.yaml)"
    ]
    assert config["sites"] == {"more": {"again": None}}


def test_yaml_syntax_errors_name_their_file_and_line(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                hub:
                  name: Sigap
                sites: !include sites.yaml
                camera: !include cameras.yaml
            """,
            "sites.yaml": """
                - id: dinkes
                  areas: [lobi, halaman
                - id: diskominfo
            """,
            "cameras.yaml": """
                - platform: demo
                   id: lobi
            """,
        }
    )
    config, errors = load_config_dir(root)

    assert rendered(errors) == [
        "config/sites.yaml:3: sites: invalid YAML: did not find expected ',' or ']'",
        "config/cameras.yaml:2: camera: invalid YAML:"
        " mapping values are not allowed in this context",
    ]
    assert config["hub"] == {"name": "Sigap"}
    assert config["sites"] is None and config["camera"] is None


def test_include_dir_merge_list_concatenates_files_in_sorted_order(
    write_config: WriteConfig,
) -> None:
    root = write_config(
        {
            "configuration.yaml": "automation: !include_dir_merge_list automations\n",
            "automations/b_doors.yaml": "- id: b1\n- id: b2\n",
            "automations/a_single.yaml": "id: a1\n",  # one item, not a list
            "automations/z_last.yaml": "- id: z1\n",
            "automations/c/nested.yaml": "- id: c1\n",
            "automations/m_sirens.yaml": "- id: m1\n",
            "automations/empty.yaml": "",
            "automations/.hidden.yaml": "- id: hidden\n",
            "automations/secrets.yaml": "token: not-an-automation\n",
            "automations/notes.txt": "- id: not_yaml\n",
        }
    )
    config, errors = load_config_dir(root)

    assert errors == []
    # Sorted by path, whatever order the file system lists them in.
    assert [item["id"] for item in config["automation"]] == ["a1", "b1", "b2", "c1", "m1", "z1"]
    assert where(config["automation"][2]) == (str(root / "automations/b_doors.yaml"), 2)


def test_include_dir_list_named_and_merge_named(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                listed: !include_dir_list parts
                named: !include_dir_named parts
                merged: !include_dir_merge_named parts
            """,
            "parts/one.yaml": "a: 1\nb: 2\n",
            "parts/two.yaml": "b: 3\n",
        }
    )
    config, errors = load_config_dir(root)

    assert config["listed"] == [{"a": 1, "b": 2}, {"b": 3}]
    assert config["named"] == {"one": {"a": 1, "b": 2}, "two": {"b": 3}}
    assert config["merged"] == {"a": 1, "b": 3}
    assert rendered(errors) == [
        "config/parts/two.yaml:1: merged: duplicate key 'b' (also at config/parts/one.yaml:2)"
    ]


def test_env_var_with_and_without_default(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGAP_TEST_HOST", "broker.bontang.go.id")
    monkeypatch.delenv("SIGAP_TEST_PORT", raising=False)
    monkeypatch.delenv("SIGAP_TEST_USER", raising=False)
    root = write_config(
        {
            "configuration.yaml": """
                mqtt:
                  host: !env_var SIGAP_TEST_HOST localhost
                  port: !env_var SIGAP_TEST_PORT 1883
                  topic: !env_var SIGAP_TEST_PORT sigap/events now
                  user: !env_var SIGAP_TEST_USER
            """
        }
    )
    config, errors = load_config_dir(root)

    assert config["mqtt"] == {
        "host": "broker.bontang.go.id",
        "port": "1883",  # as in Home Assistant: the default is text
        "topic": "sigap/events now",
        "user": None,
    }
    assert rendered(errors) == [
        "config/configuration.yaml:5: mqtt.user: environment variable 'SIGAP_TEST_USER' is not set"
        " (give a default: !env_var SIGAP_TEST_USER value)"
    ]


def test_unknown_tag_and_duplicate_key(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                sites: !inclde sites.yaml
                hub:
                  name: One
                  name: Two
            """
        }
    )
    config, errors = load_config_dir(root)

    assert rendered(errors) == [
        "config/configuration.yaml:1: sites: unknown tag '!inclde' (did you mean '!include'?)",
        "config/configuration.yaml:4: hub.name: duplicate key 'name' (also on line 3)",
    ]
    assert config["hub"] == {"name": "Two"}  # as PyYAML: the later value wins


def test_merge_keys_may_be_overridden_without_a_duplicate_error(
    write_config: WriteConfig,
) -> None:
    root = write_config(
        {
            "configuration.yaml": """
                base: &base
                  site: dinkes
                  area: lobi
                camera:
                  <<: *base
                  area: halaman
            """
        }
    )
    config, errors = load_config_dir(root)

    assert errors == []
    assert config["camera"] == {"site": "dinkes", "area": "halaman"}


def test_missing_configuration_yaml_is_one_clear_error(write_config: WriteConfig) -> None:
    root = write_config({"sites.yaml": "[]"})
    config, errors = load_config_dir(root)

    assert config == {}
    assert rendered(errors) == ["config/configuration.yaml: cannot read this file: no such file"]


def test_a_top_level_that_is_not_a_mapping(write_config: WriteConfig) -> None:
    root = write_config({"configuration.yaml": "- hub\n- sites\n"})
    config, errors = load_config_dir(root)

    assert config == {}
    assert rendered(errors) == [
        "config/configuration.yaml:1: expected a mapping of sections (hub:, sites:, ...),"
        " got a list"
    ]


def test_load_yaml_file_for_a_reload(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "secrets.yaml": "chat_id: '-100123456'\n",
            "automations.yaml": """
                - id: gerakan_lobi
                  chat: !secret chat_id
            """,
        }
    )
    data, errors = load_yaml_file(root / "automations.yaml", root)

    assert errors == []
    assert data == [{"id": "gerakan_lobi", "chat": "-100123456"}]
    assert where(data[0], "chat") == (str(root / "automations.yaml"), 2)


# -- secrets --------------------------------------------------------------------


def test_secret_is_found_next_to_the_file_or_above_it(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "secrets.yaml": "mqtt_password: hunter2-bontang\nport: 8883\n",
            "devices/secrets.yaml": "camera_password: kamera-rahasia\n",
            "configuration.yaml": """
                mqtt:
                  password: !secret mqtt_password
                  port: !secret port
                camera: !include devices/cameras.yaml
            """,
            "devices/cameras.yaml": """
                - id: lobi
                  password: !secret camera_password
                  mqtt: !secret mqtt_password
            """,
        }
    )
    config, errors = load_config_dir(root)

    assert errors == []
    password = config["mqtt"]["password"]
    assert isinstance(password, Secret) and password == "hunter2-bontang"
    assert repr(password) == "<secret mqtt_password>"
    assert "hunter2" not in repr(config)
    assert config["mqtt"]["port"] == 8883  # numbers stay numbers
    assert config["camera"][0]["password"] == "kamera-rahasia"
    assert config["camera"][0]["mqtt"] == "hunter2-bontang"  # found one folder up
    assert where(config["camera"][0], "password") == (str(root / "devices/cameras.yaml"), 2)
    assert redact("login kamera-rahasia / hunter2-bontang") == "login *** / ***"


def test_missing_secret_names_where_it_looked_and_never_shows_other_secrets(
    write_config: WriteConfig,
) -> None:
    root = write_config(
        {
            "secrets.yaml": "telegram_token: 123456:ABC-rahasia\n",
            "configuration.yaml": """
                notify:
                  - platform: telegram
                    token: !secret telegram_token
                mqtt:
                  password: !secret mqtt_password
            """,
        }
    )
    config, errors = load_config_dir(root)

    assert rendered(errors) == [
        "config/configuration.yaml:5: mqtt.password:"
        " secret 'mqtt_password' is not defined in config/secrets.yaml"
    ]
    assert config["mqtt"]["password"] is None
    assert all("ABC-rahasia" not in str(error) for error in errors)


def test_secrets_above_the_config_root_are_not_read(write_config: WriteConfig, tmp_path) -> None:
    (tmp_path / "secrets.yaml").write_text("mqtt_password: outside-the-root\n")
    root = write_config({"configuration.yaml": "password: !secret mqtt_password\n"})
    config, errors = load_config_dir(root)

    assert config["password"] is None
    assert rendered(errors) == [
        "config/configuration.yaml:1: password: secret 'mqtt_password' is not defined:"
        " there is no secrets.yaml in config"
    ]


def test_log_records_never_show_a_loaded_secret(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "secrets.yaml": "mqtt_password: hunter2-bontang\n",
            "configuration.yaml": "mqtt: {password: !secret mqtt_password}\n",
        }
    )
    config, _ = load_config_dir(root)
    stream = io.StringIO()
    logger = logging.getLogger("tests.config.redaction")
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        install_log_redaction(logger)
        install_log_redaction(logger)  # a second call adds no second filter
        logger.warning("mqtt login failed with %s", config["mqtt"]["password"])
        try:
            raise ConnectionError(f"auth {config['mqtt']['password']} refused")
        except ConnectionError:
            logger.exception("broker said no")
    finally:
        logger.removeHandler(handler)

    assert [type(f) for f in handler.filters] == [SecretFilter]
    output = stream.getvalue()
    assert "hunter2" not in output
    assert "mqtt login failed with ***" in output
    assert "ConnectionError: auth *** refused" in output


def test_secret_filter_leaves_records_alone_when_there_are_no_secrets() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", ("abc",), None)
    assert SecretFilter().filter(record)
    assert record.msg == "value %s" and record.args == ("abc",)  # not even formatted
