"""YAML that would crash, hang or flood the loader gets a clean file:line
error instead: a tagged value the tag cannot read, nesting too deep, an
alias tree that expands past any real configuration, includes nested too
deep, a value that contains itself. The rest of the file still loads, and
`sigap check-config` prints the errors, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hub.core.config import load_config_dir
from hub.core.config.loader import MAX_DEPTH, MAX_INCLUDE_DEPTH, MAX_VALUES

from ..sigap_process import run_sigap
from .conftest import WriteConfig


def rendered(errors: list) -> list[str]:
    return [str(error) for error in errors]


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    """The billion laughs: `width ** levels` leaves from a few hundred bytes."""
    lines = [f"l0: &l0 [{', '.join(['ha'] * width)}]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!timestamp x", "'x' is not a valid !!timestamp value"),
        ("!!bool maybe", "'maybe' is not a valid !!bool value"),
        ("!!int dua", "'dua' is not a valid !!int value"),
        ("!!float x1", "'x1' is not a valid !!float value"),
        ("!!binary 'abc'", "'abc' is not a valid !!binary value"),
        ("2024-02-30", "'2024-02-30' is not a valid !!timestamp value"),
        ("!!int [1]", "invalid YAML: expected a scalar node, but found sequence"),
    ],
)
def test_a_value_its_tag_cannot_read_is_an_error_at_its_line(
    write_config: WriteConfig, value: str, expected: str
) -> None:
    root = write_config({"configuration.yaml": f"hub:\n  name: Sigap\n  id: {value}\n"})
    config, errors = load_config_dir(root)
    assert rendered(errors) == [f"config/configuration.yaml:3: hub.id: {expected}"]
    assert config["hub"] == {"name": "Sigap", "id": None}  # the rest of the file loads


def test_bad_tagged_value_in_indonesian(write_config: WriteConfig) -> None:
    root = write_config({"configuration.yaml": "ok: !!bool maybe\n"})
    _, (error,) = load_config_dir(root)
    assert error.render("id") == (
        "config/configuration.yaml:1: ok: 'maybe' bukan nilai !!bool yang valid"
    )


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 340, 999])
def test_nesting_too_deep_is_cut_with_an_error(write_config: WriteConfig, depth: int) -> None:
    text = "hub: {name: Sigap}\ndeep: " + "[" * depth + "]" * depth + "\n"
    root = write_config({"configuration.yaml": text})
    config, errors = load_config_dir(root)
    assert config["hub"] == {"name": "Sigap"}
    (error,) = errors
    assert str(error).startswith("config/configuration.yaml:2: deep")
    assert str(error).endswith(f"nested more than {MAX_DEPTH} levels deep")
    assert error.render("id").endswith(f"bersarang lebih dari {MAX_DEPTH} tingkat")


def test_nesting_as_deep_as_allowed_loads(write_config: WriteConfig) -> None:
    depth = MAX_DEPTH - 1  # the document's own mapping is one level
    root = write_config({"configuration.yaml": "deep: " + "[" * depth + "]" * depth + "\n"})
    config, errors = load_config_dir(root)
    assert errors == []
    inner, levels = config["deep"], 1
    while inner:
        inner, levels = inner[0], levels + 1
    assert levels == depth


def test_deep_mapping_keys_are_nested_too(write_config: WriteConfig) -> None:
    text = "".join(f"{'  ' * n}? \n" for n in range(200)) + "  " * 200 + "x\n"
    root = write_config({"configuration.yaml": text})
    _, errors = load_config_dir(root)
    assert any(str(e).endswith(f"nested more than {MAX_DEPTH} levels deep") for e in errors)


def test_a_billion_laughs_is_refused_quickly(write_config: WriteConfig) -> None:
    root = write_config(
        {
            "configuration.yaml": alias_bomb()
            + "automation:\n  - id: x\n    actions: [{action: siren.turn_on, data: {x: *l7}}]\n"
        }
    )
    started = time.monotonic()
    config, errors = load_config_dir(root)
    assert time.monotonic() - started < 10  # the tree it describes: 43 million leaves
    # the first level past the limit (9 ** 6 leaves) is cut; what refers to it stays small
    assert rendered(errors) == [
        f"config/configuration.yaml:6: l5: this value expands to more than {MAX_VALUES} values"
        " (YAML aliases repeat what they point to)"
    ]
    assert "mengembang menjadi lebih dari" in errors[0].render("id")
    assert config["l5"] is None
    assert config["automation"][0]["actions"][0]["data"]["x"] == [[None] * 9] * 9  # l7: 9 l6


def test_includes_nested_too_deep(write_config: WriteConfig) -> None:
    files = {"configuration.yaml": "sites: !include part0.yaml\n"}
    for n in range(200):
        files[f"part{n}.yaml"] = f"!include part{n + 1}.yaml\n"
    files["part200.yaml"] = "[]\n"
    root = write_config(files)
    config, errors = load_config_dir(root)
    assert config["sites"] is None
    assert rendered(errors) == [
        f"config/part{MAX_INCLUDE_DEPTH - 1}.yaml:1: sites: cannot include"
        f" 'part{MAX_INCLUDE_DEPTH}.yaml': includes nested more than {MAX_INCLUDE_DEPTH} deep"
    ]


def test_a_value_that_contains_itself(write_config: WriteConfig) -> None:
    root = write_config({"configuration.yaml": "hub: {name: Sigap}\nloop: &a [1, *a]\n"})
    config, errors = load_config_dir(root)
    assert config["hub"] == {"name": "Sigap"}
    assert config["loop"] == [1, None]
    assert rendered(errors) == [
        "config/configuration.yaml:2: loop[1]: this value contains itself through an alias"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "hub:\n  id: !!timestamp x\n",
        "hub:\n  language: !!bool maybe\n",
        "hub: " + "[" * 500 + "]" * 500 + "\n",
        "automation: !include_dir_merge_list /\n",
        alias_bomb() + "automation: [{id: x, actions: [{action: a.b, data: {x: *l7}}]}]\n",
    ],
    ids=["timestamp", "bool", "deep", "include-root", "billion-laughs"],
)
def test_check_config_prints_errors_not_tracebacks(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "configuration.yaml").write_text(text)
    result = run_sigap("check-config", "-c", "config", cwd=tmp_path, lang="en")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "config/configuration.yaml:" in result.stderr
