"""Helpers for the config tests: a config folder in tmp_path, a clean secrets registry."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from hub.core.config import secrets

WriteConfig = Callable[[dict[str, str]], Path]


@pytest.fixture(autouse=True)
def fresh_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no registered secrets (the registry is process-wide)."""
    monkeypatch.setattr(secrets, "_registry", secrets._Registry())


@pytest.fixture
def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteConfig:
    """`write_config({"configuration.yaml": "...", "devices/cameras.yaml": "..."})`.

    Writes the files (dedented) under tmp_path/config and returns that folder;
    the working directory is tmp_path, so errors read `config/<file>:<line>`.
    """
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "config"

    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write
