"""Install the plugin packages under tests/fixtures the way pip would, as far
as Sigap can tell: a `<name>-<version>.dist-info` with METADATA and the
entry_points.txt built from the package's own pyproject.toml, on a sys.path
entry in tmp. importlib.metadata finds entry points there exactly as in
site-packages, with no network, no build and nothing left behind."""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write_dist_info(package_dir: Path, site: Path) -> str:
    """Write the .dist-info for the package in `package_dir`; returns its
    top-level import package."""
    project = tomllib.loads((package_dir / "pyproject.toml").read_text())["project"]
    name, version = project["name"], project["version"]
    dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines: list[str] = []
    for group, entries in project.get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines += [f"{key} = {value}" for key, value in entries.items()]
        lines.append("")
    (dist / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return name.replace("-", "_")


class Installer:
    def __init__(self, site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.site = site
        self.paths: list[Path] = []
        self.packages: list[str] = []
        self._monkeypatch = monkeypatch

    def __call__(self, fixture_name: str) -> None:
        package_dir = FIXTURES / fixture_name
        self.packages.append(write_dist_info(package_dir, self.site))
        for path in (self.site, package_dir):
            if path not in self.paths:
                self.paths.append(path)
                self._monkeypatch.syspath_prepend(str(path))

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a `sigap` subprocess that sees the installed plugins."""
        env = {**os.environ, **extra}
        env["PYTHONPATH"] = os.pathsep.join(
            [*map(str, self.paths), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        return env


@pytest.fixture
def install_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], None]]:
    """`install_plugin("sigap_plugin_example")` makes that fixture package an
    installed distribution for the rest of the test."""
    monkeypatch.delenv("SIGAP_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    installer = Installer(tmp_path / "site-packages", monkeypatch)
    yield installer
    for package in installer.packages:
        for module in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[module]
