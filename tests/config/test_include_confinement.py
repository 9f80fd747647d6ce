"""`!include` and its kin read only inside the config folder (symlinks
resolved first), unless the admin lists more folders in SIGAP_INCLUDE_DIRS:
a config cannot be made to show /etc/passwd in an error, or to walk /."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hub.core.config import load_config_dir

from .conftest import WriteConfig


def rendered(errors: list) -> list[str]:
    return [str(error) for error in errors]


@pytest.fixture(autouse=True)
def no_extra_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGAP_INCLUDE_DIRS", raising=False)


def test_an_absolute_include_outside_the_folder_is_refused_unread(
    write_config: WriteConfig,
) -> None:
    root = write_config({"configuration.yaml": "hub:\n  language: !include /etc/passwd\n"})
    config, errors = load_config_dir(root)
    assert config["hub"]["language"] is None
    assert rendered(errors) == [
        "config/configuration.yaml:2: hub.language: cannot include '/etc/passwd':"
        " it is outside the config folder config (list other folders in SIGAP_INCLUDE_DIRS)"
    ]
    in_indonesian = errors[0].render("id")
    assert in_indonesian.endswith(
        "tidak dapat menyertakan '/etc/passwd': berkas itu di luar folder konfigurasi config"
        " (daftarkan folder lain di SIGAP_INCLUDE_DIRS)"
    )


def test_dot_dot_and_a_symlink_out_of_the_folder_are_refused(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    (tmp_path / "outside.yaml").write_text("- id: rahasia_luar\n")
    root = write_config(
        {
            "configuration.yaml": """
                sites: !include ../outside.yaml
                camera: !include link.yaml
                door: !include inside_link.yaml
            """,
            "real.yaml": "[]\n",
        }
    )
    os.symlink(tmp_path / "outside.yaml", root / "link.yaml")
    os.symlink(root / "real.yaml", root / "inside_link.yaml")  # a link that stays inside: fine
    config, errors = load_config_dir(root)
    assert config["sites"] is None and config["camera"] is None and config["door"] == []
    assert [e.path for e in errors] == [("sites",), ("camera",)]
    assert all("outside the config folder" in str(e) for e in errors)
    assert "rahasia_luar" not in "".join(rendered(errors))


def test_include_dir_of_the_whole_disk_is_refused_at_once(write_config: WriteConfig) -> None:
    root = write_config({"configuration.yaml": "automation: !include_dir_merge_list /\n"})
    config, errors = load_config_dir(root)
    assert config["automation"] is None
    assert rendered(errors) == [
        "config/configuration.yaml:1: automation: cannot include folder '/':"
        " it is outside the config folder config (list other folders in SIGAP_INCLUDE_DIRS)"
    ]


def test_a_file_linked_into_an_included_folder_from_outside_is_refused(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    (tmp_path / "stolen.yaml").write_text("- alias: dari luar\n")
    root = write_config(
        {
            "configuration.yaml": "automation: !include_dir_merge_list automations\n",
            "automations/lobi.yaml": "- alias: lobi\n",
        }
    )
    os.symlink(tmp_path / "stolen.yaml", root / "automations" / "zz.yaml")
    config, errors = load_config_dir(root)
    assert config["automation"] == [{"alias": "lobi"}]
    assert rendered(errors) == [
        "config/configuration.yaml:1: automation: cannot include 'automations/zz.yaml':"
        " it is outside the config folder config (list other folders in SIGAP_INCLUDE_DIRS)"
    ]


def test_the_admin_allows_a_shared_folder_with_sigap_include_dirs(
    write_config: WriteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "sites.yaml").write_text("- id: dinkes\n")
    (tmp_path / "other.yaml").write_text("- id: lain\n")
    root = write_config(
        {
            "configuration.yaml": """
                sites: !include ../shared/sites.yaml
                more: !include ../other.yaml
            """
        }
    )
    monkeypatch.setenv("SIGAP_INCLUDE_DIRS", f"{tmp_path / 'nothing'}{os.pathsep}{shared}")
    config, errors = load_config_dir(root)
    assert config["sites"] == [{"id": "dinkes"}]
    assert config["more"] is None
    assert rendered(errors) == [
        "config/configuration.yaml:2: more: cannot include '../other.yaml':"
        " it is outside the config folder config (list other folders in SIGAP_INCLUDE_DIRS)"
    ]
