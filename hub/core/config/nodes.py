"""Loaded YAML values that remember the file and line they came from.

Mappings, sequences and strings are subclasses of dict, list and str, so the
rest of the hub uses them as plain values; `where()` reads their location
back when a later check (validation, an automation at run time) must point
the admin at the right line. Numbers, booleans and nulls cannot carry
attributes: their location is their key's line, kept in `NodeDict.key_lines`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from types import MappingProxyType
from typing import Any

Location = tuple[str | None, int | None]

_NO_KEY_LINES: Mapping[Hashable, int] = MappingProxyType({})


class NodeDict(dict):
    """A YAML mapping; `line` is where it starts, `key_lines` where each key is."""

    file: str | None = None
    line: int | None = None
    key_lines: Mapping[Hashable, int] = _NO_KEY_LINES


class NodeList(list):
    """A YAML sequence; `line` is where its first item starts."""

    file: str | None = None
    line: int | None = None


class NodeStr(str):
    """A YAML string with the file and line of the scalar."""

    file: str | None = None
    line: int | None = None


class Secret(NodeStr):
    """A value from secrets.yaml (or the environment, `tag` "env_var"): behaves
    as the string, never shows it in a repr."""

    name: str = ""
    tag: str = "secret"

    def __repr__(self) -> str:
        return f"<{self.tag} {self.name}>"


def located(node: Any, file: str | None, line: int | None) -> Any:
    """Stamp a location on a node (one place, so every node is stamped alike)."""
    node.file = file
    node.line = line
    return node


def where(node: Any, key: Hashable | None = None) -> Location:
    """The best known file and line for `node`, or for `node[key]`.

    A value that carries its own location wins (it may come from an included
    file); otherwise the key's line; otherwise the container's own line.
    """
    file, line = getattr(node, "file", None), getattr(node, "line", None)
    if key is None:
        return file, line
    if isinstance(node, dict):
        if key in node and getattr(node[key], "line", None) is not None:
            return node[key].file, node[key].line
        return file, getattr(node, "key_lines", _NO_KEY_LINES).get(key, line)
    if isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
        if getattr(node[key], "line", None) is not None:
            return node[key].file, node[key].line
    return file, line


def key_where(node: Any, key: Hashable) -> Location:
    """The location of a key itself, for mistakes in the key (unknown, duplicate)."""
    line = getattr(node, "key_lines", _NO_KEY_LINES).get(key, getattr(node, "line", None))
    return getattr(node, "file", None), line
