"""The rooms of the house (docs/architecture.md): the core knows no vendor
and no protocol, never imports the kit or the plugins; plugins reach the
hub only through its public API (`hub`, `hub.kit`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

HUB = Path(__file__).resolve().parent.parent / "hub"
VENDORS = re.compile(
    r"hikvision|dahua|onvif|zkteco|tasmota|shelly|zigbee|esphome|alertstream|eventmanager", re.I
)


def _modules(room: str) -> list[Path]:
    return sorted((HUB / room).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Absolute names of what a module imports (relative imports resolved)."""
    package = ".".join(path.relative_to(HUB.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", _modules("core"), ids=lambda p: str(p.relative_to(HUB)))
def test_the_core_imports_neither_the_kit_nor_the_plugins(path: Path):
    bad = {n for n in _imports(path) if n.startswith(("hub.kit", "hub.plugins"))}
    assert not bad, f"{path.relative_to(HUB)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _modules("core"), ids=lambda p: str(p.relative_to(HUB)))
def test_the_core_names_no_vendor_or_camera_protocol(path: Path):
    named = sorted({m.group(0) for m in VENDORS.finditer(path.read_text(encoding="utf-8"))})
    assert not named, f"{path.relative_to(HUB)} names {named}"


@pytest.mark.parametrize("path", _modules("plugins"), ids=lambda p: str(p.relative_to(HUB)))
def test_plugins_use_only_the_public_api(path: Path):
    bad = {n for n in _imports(path) if n.startswith("hub.core")}
    assert not bad, f"{path.relative_to(HUB)} reaches into {sorted(bad)}"
