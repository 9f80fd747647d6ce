"""validate(): voluptuous errors as `file:line: path: message`, with what would be right."""

from __future__ import annotations

import voluptuous as vol

from hub.core.config import NodeDict, Secret, load_config_dir, suggest, validate, where
from hub.core.config.validation import Each, one_of

from .conftest import WriteConfig

ACTION = vol.Any(
    vol.Schema({vol.Required("delay"): int}),
    vol.Schema({vol.Required("service"): str, vol.Optional("target"): str}),
)
AUTOMATION = vol.Schema(
    {
        vol.Required("id"): str,
        vol.Optional("alias"): str,
        vol.Optional("mode", default="single"): one_of("single", "restart", "queued"),
        vol.Required("action"): Each(ACTION),
    }
)
AUTOMATIONS = Each(AUTOMATION)


def check(write_config: WriteConfig, text: str, schema=AUTOMATIONS) -> tuple:
    root = write_config({"configuration.yaml": "automation: !include automations.yaml\n"})
    (root / "automations.yaml").write_text(text)
    config, load_errors = load_config_dir(root)
    assert load_errors == []
    value, errors = validate(schema, config["automation"], ("automation",))
    return value, [str(error) for error in errors]


def test_unknown_key_suggests_the_close_one_from_every_alternative(
    write_config: WriteConfig,
) -> None:
    _, errors = check(
        write_config,
        """\
- id: sirene_halaman
  action:
    - service: siren.turn_on
      target: siren.dinkes_halaman
    - dellay: 5
""",
    )
    assert errors == [
        "config/automations.yaml:5: automation[0].action[1]: 'dellay' is not a known key"
        " (did you mean 'delay'?)"
    ]


def test_unknown_key_without_a_close_match_lists_the_known_keys(
    write_config: WriteConfig,
) -> None:
    _, errors = check(
        write_config,
        """\
- id: sirene_halaman
  action: []
  trigger_when: motion
""",
    )
    assert errors == [
        "config/automations.yaml:3: automation[0]: 'trigger_when' is not a known key;"
        " known keys: id, alias, mode, action"
    ]


def test_wrong_types_say_what_was_found_at_the_key_line(write_config: WriteConfig) -> None:
    _, errors = check(
        write_config,
        """\
- id: 17
  mode: paralel
  action:
    - delay: lima
""",
    )
    assert errors == [
        # An int has no line of its own: its key's line stands in.
        "config/automations.yaml:1: automation[0].id: expected a string, got 17",
        "config/automations.yaml:2: automation[0].mode: expected one of 'single', 'restart',"
        " 'queued', got 'paralel'",
        "config/automations.yaml:4: automation[0].action[0].delay: expected an integer, got 'lima'",
    ]


def test_a_missing_required_key_points_at_its_mapping(write_config: WriteConfig) -> None:
    _, errors = check(
        write_config,
        """\
- alias: tanpa id
  action: []
""",
    )
    assert errors == ["config/automations.yaml:1: automation[0]: required key 'id' is missing"]


def test_every_bad_item_is_reported_not_only_the_first(write_config: WriteConfig) -> None:
    _, errors = check(
        write_config,
        """\
- id: satu
  action: [{delay: x}]
- id: dua
  action: [{delay: y}]
- id: tiga
  action: {delay: 3}
""",
    )
    assert errors == [
        "config/automations.yaml:2: automation[0].action[0].delay: expected an integer, got 'x'",
        "config/automations.yaml:4: automation[1].action[0].delay: expected an integer, got 'y'",
        "config/automations.yaml:6: automation[2].action: expected a list, got a mapping",
    ]


def test_yaml_booleans_get_a_hint(write_config: WriteConfig) -> None:
    _, errors = check(write_config, "- id: a\n  mode: on\n  action: []\n")
    assert errors == [
        "config/automations.yaml:2: automation[0].mode: expected one of 'single', 'restart',"
        " 'queued', got true (YAML reads unquoted yes/no/on/off as true/false:"
        " put the text in quotes)"
    ]


def test_a_secret_value_never_appears_in_a_message(write_config: WriteConfig) -> None:
    def strict_token(value):
        raise vol.Invalid(f"token {value} is not a bot token")  # a careless validator

    root = write_config(
        {
            "secrets.yaml": "bot_token: 123456:ABC-rahasia\npin: '4321'\n",
            "configuration.yaml": """
                telegram:
                  token: !secret bot_token
                  retries: !secret pin
            """,
        }
    )
    config, _ = load_config_dir(root)
    schema = vol.Schema({"token": strict_token, "retries": int})
    _, errors = validate(schema, config["telegram"], ("telegram",))

    assert sorted(str(error) for error in errors) == [
        "config/configuration.yaml:2: telegram.token: token <secret bot_token> is not a bot token",
        "config/configuration.yaml:3: telegram.retries: expected an integer, got <secret pin>",
    ]


def test_validated_output_keeps_locations_and_secrets(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "secrets.yaml": "pw: kata-sandi\n",
            "configuration.yaml": """
                camera:
                  - id: lobi
                    password: !secret pw
            """,
        }
    )
    config, _ = load_config_dir(root)
    schema = Each({"id": str, "password": vol.Coerce(str), vol.Optional("port", default=80): int})
    value, errors = validate(schema, config["camera"], ("camera",))

    assert errors == []
    assert value == [{"id": "lobi", "password": "kata-sandi", "port": 80}]
    item = value[0]
    assert isinstance(item, NodeDict)
    assert where(item) == (str(root / "configuration.yaml"), 2)
    assert where(item, "password") == (str(root / "configuration.yaml"), 3)
    # vol.Coerce(str) made a plain str; the output still holds the Secret, which hides itself.
    assert isinstance(item["password"], Secret) and "kata-sandi" not in repr(value)


def test_plain_dicts_validate_without_locations() -> None:
    value, errors = validate({"id": str}, {"id": 5})
    assert value is None
    assert [str(error) for error in errors] == ["id: expected a string, got 5"]


def test_suggest() -> None:
    assert suggest("dellay", ["delay", "service"]) == " (did you mean 'delay'?)"
    assert suggest("hikvison", ["demo", "hikvision", "onvif"]) == " (did you mean 'hikvision'?)"
    assert suggest("zzz", ["delay", "service"]) == ""
