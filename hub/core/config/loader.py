"""Load the YAML configuration: file and line on every node, tags, every error at once.

Scalars resolve exactly as PyYAML's SafeLoader resolves them (YAML 1.1, as
Home Assistant does): `on`/`yes` are booleans, `15:30` is the base-60 number
930 while `05:00:00` stays text. The C parser (libyaml) scans and composes;
only the construction of nodes runs in Python.

Nothing in a file can make a check crash or flood: a value its tag cannot
read, nesting past MAX_DEPTH, an alias tree past MAX_VALUES and includes
past MAX_INCLUDE_DEPTH each become one error at their line, and includes
are read only inside the config folder (and SIGAP_INCLUDE_DIRS).
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..i18n import Text
from .errors import ConfigError, display_path
from .nodes import NodeDict, NodeList, NodeStr, Secret, located, where
from .secrets import register_secret
from .validation import duplicate_message, show_value, suggest

__all__ = [
    "NodeDict",
    "NodeList",
    "NodeStr",
    "Secret",
    "load_config_dir",
    "load_yaml_file",
    "where",
]

CONFIG_FILE = "configuration.yaml"
SECRETS_FILE = "secrets.yaml"
INCLUDE_DIRS_VARIABLE = "SIGAP_INCLUDE_DIRS"

# Limits far above any real configuration (a city's is a few thousand values,
# a few levels deep), low enough that hostile YAML cannot crash or flood a check.
MAX_DEPTH = 64  # nested lists and mappings, across includes
MAX_INCLUDE_DEPTH = 20  # files including files
MAX_VALUES = 500_000  # every value once aliases are expanded

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def load_config_dir(
    config_dir: Path, include_dirs: Sequence[Path | str] | None = None
) -> tuple[NodeDict, list[ConfigError]]:
    """Load `configuration.yaml` of a config folder, with everything it includes.

    Includes are read from the config folder only, and from `include_dirs`
    (default: the folders listed in SIGAP_INCLUDE_DIRS).
    """
    path = _normal(Path(config_dir) / CONFIG_FILE)
    loads = _Load(path.parent, include_dirs)
    with _gc_paused():
        data = loads.file(path)
    if data is None:  # an empty, missing or broken file: its error is already listed
        data = located(NodeDict(), str(path), None)
    elif not isinstance(data, dict):
        file, line = where(data)
        loads.error(Text("config.expected_sections", value=show_value(data)), file, line)
        data = located(NodeDict(), str(path), None)
    return data, loads.errors


def load_yaml_file(
    path: Path | str, root: Path | str, include_dirs: Sequence[Path | str] | None = None
) -> tuple[Any, list[ConfigError]]:
    """Load one YAML file; `root` is the config folder (where secrets lookup
    stops, and includes are confined as in load_config_dir)."""
    loads = _Load(_normal(root), include_dirs)
    with _gc_paused():
        data = loads.file(_normal(path))
    return data, loads.errors


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold the cyclic GC while loading.

    A load allocates tens of thousands of containers that all survive; the GC
    would scan them again and again for nothing (measured: 2.5x the load time).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def include_dirs_from_environment() -> list[Path]:
    """The folders outside the config folder that the admin lets `!include`
    read: SIGAP_INCLUDE_DIRS, separated by `:` (os.pathsep)."""
    listed = os.environ.get(INCLUDE_DIRS_VARIABLE, "")
    return [Path(part) for part in listed.split(os.pathsep) if part.strip()]


def _normal(path: Path | str) -> Path:
    # Absolute and without `..`, so include cycles and the secrets walk compare paths.
    return Path(os.path.abspath(path))


def _read_reason(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return Text("config.read.not_utf8")
    if isinstance(exc, FileNotFoundError):
        return Text("config.read.no_file")
    if isinstance(exc, IsADirectoryError):
        return Text("config.read.folder")
    if isinstance(exc, PermissionError):
        return Text("config.read.denied")
    return exc.strerror or str(exc)  # the system's words, in its own language


class _Load:
    """One load: the config root, the errors so far, secrets files read, open includes."""

    def __init__(self, root: Path, include_dirs: Sequence[Path | str] | None = None) -> None:
        self.root = root
        if include_dirs is None:
            include_dirs = include_dirs_from_environment()
        # Where includes may be read, symlinks resolved: a config must not be a
        # way to show /etc/passwd (or a key file) in an error.
        self.readable = [root.resolve(), *(Path(d).resolve() for d in include_dirs)]
        self.errors: list[ConfigError] = []
        self.secrets_files: dict[Path, dict[Any, Any]] = {}
        self.open_files: list[Path] = []  # the include chain, to catch cycles
        # Where construction is in the whole tree, across includes, so an error
        # from a tag names its key path (siren[0].name), not only file:line.
        self.path: list[str | int] = []
        self.depth = 0  # nested lists and mappings being built, across includes
        self.counted: dict[int, int] = {}  # id of a value a tag built -> its size

    def error(self, message: str, file: str | None, line: int | None) -> None:
        self.errors.append(ConfigError(message, file=file, line=line, path=tuple(self.path)))

    def file(self, path: Path) -> Any:
        """A top-level file: a read error is reported at the file itself."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.error(Text("config.cannot_read", reason=_read_reason(exc)), str(path), None)
            return None
        return self.parse(path, text)

    def count(self, value: Any) -> int:
        """How many values `value` holds, itself included (past MAX_VALUES: MAX_VALUES + 1)."""
        if id(value) not in self.counted:  # a secret or include used again costs no walk
            self.counted[id(value)] = _count(value, MAX_VALUES)
        return self.counted[id(value)]

    def readable_place(self, path: Path) -> Path | None:
        """`path` with symlinks resolved if it lies in a folder includes may read."""
        real = path.resolve()
        return real if any(real.is_relative_to(d) for d in self.readable) else None

    def outside(self, key: str, shown: str, file: str, line: int) -> None:
        root = display_path(self.root)
        message = Text(key, file=shown, root=root, variable=INCLUDE_DIRS_VARIABLE)
        self.error(message, file, line)

    def include(self, path: Path, shown: str, file: str, line: int) -> Any:
        """An included file: a read error is reported at the tag that includes it."""
        if path in self.open_files:
            chain = " -> ".join(display_path(p) for p in [*self.open_files, path])
            self.error(Text("config.include_cycle", file=shown, chain=chain), file, line)
            return None
        if len(self.open_files) > MAX_INCLUDE_DEPTH:
            message = Text("config.includes_too_deep", file=shown, limit=MAX_INCLUDE_DEPTH)
            self.error(message, file, line)
            return None
        real = self.readable_place(path)
        if real is None:
            self.outside("config.include_outside", shown, file, line)
            return None
        try:
            text = real.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            hint = _similar_file(path, shown) if isinstance(exc, FileNotFoundError) else ""
            message = Text("config.cannot_include", file=shown, reason=_read_reason(exc), hint=hint)
            self.error(message, file, line)
            return None
        return self.parse(path, text)

    def parse(self, path: Path, text: str) -> Any:
        loader = _Loader(text)
        loader.source, loader.loads = str(path), self
        self.open_files.append(path)
        try:
            return loader.get_single_data()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            problem = exc.problem or exc.context  # PyYAML's words, in English
            self.error(Text("config.invalid_yaml", problem=problem), str(path), line)
        except (yaml.YAMLError, ValueError) as exc:  # e.g. a date like 2024-02-30
            self.error(Text("config.invalid_yaml", problem=str(exc)), str(path), None)
        finally:
            loader.dispose()
            self.open_files.pop()
        return None

    def secret(self, name: str, file: str, line: int) -> Any:
        """Look `name` up in secrets.yaml next to `file`, then in each folder up to the root."""
        searched = []
        start = folder = Path(file).parent
        while folder.is_relative_to(self.root):
            path = folder / SECRETS_FILE
            if path.is_file():
                searched.append(display_path(path))
                secrets = self.secrets_file(path)
                if name in secrets:
                    return _as_secret(secrets[name], name, file, line)
            if folder == self.root:
                break
            folder = folder.parent
        looked = self._looked_in(searched, start)
        self.error(Text("config.secret_missing", name=name, looked=looked), file, line)
        return None

    def _looked_in(self, searched: list[str], start: Path) -> str:
        root = display_path(self.root)
        if searched:
            files: str = searched[0]
            for other in searched[1:]:
                files = Text("config.or", first=files, second=other)
            return Text("config.secret_looked_in", files=files)
        if not start.is_relative_to(self.root):
            return Text("config.secret_outside", root=root)
        if start == self.root:
            return Text("config.secret_no_file", folder=root)
        return Text("config.secret_no_file_above", folder=display_path(start), root=root)

    def secrets_file(self, path: Path) -> dict[Any, Any]:
        if path not in self.secrets_files:
            self.secrets_files[path] = {}  # in progress: a !secret inside it finds nothing
            data = self.file(path)
            if data is None:
                data = {}
            elif not isinstance(data, dict):
                message = Text("config.expected_secrets", value=show_value(data))
                self.error(message, str(path), where(data)[1])
                data = {}
            for value in data.values():
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    register_secret(str(value))
            self.secrets_files[path] = data
        return self.secrets_files[path]


def _as_secret(value: Any, name: str, file: str, line: int) -> Any:
    # Numbers and booleans stay what they are (a port is an int); strings hide in a Secret.
    if not isinstance(value, str):
        return value
    secret = located(Secret(value), file, line)
    secret.name = name
    return secret


def _count(value: Any, limit: int) -> int:
    count, todo = 0, [value]
    while todo and count <= limit:
        item = todo.pop()
        count += 1
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            todo.extend(item)
    return count


def _similar_file(path: Path, shown: str) -> str:
    try:
        names = [p.name for p in path.parent.iterdir() if p.suffix == ".yaml"]
    except OSError:
        return ""
    folder = PurePosixPath(shown).parent
    return suggest(shown, [str(folder / name) for name in names])


# What PyYAML's constructors raise on a value their tag cannot read
# (`!!bool maybe`: KeyError, `!!timestamp x`: AttributeError, `!!int x`: ValueError).
_UNREADABLE = (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError, OverflowError)


class _Loader(_BaseLoader):
    """SafeLoader resolution; constructors that stamp file and line on each node."""

    source: str
    loads: _Load

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # How many values each constructed node stands for once aliases are
        # expanded: an alias costs nothing to build, but everything after
        # the loader (validation, templates) walks the tree it describes.
        self.sizes: dict[yaml.Node, int] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """A node's value, or None after reporting at its line why it has none."""
        if node in self.constructed_objects:
            return self.constructed_objects[node]
        if node in self.recursive_objects:  # `&a [1, *a]`
            self.loads.error(Text("config.contains_itself"), self.source, _line(node))
            return None
        was_deep = self.deep_construct
        try:
            data = super().construct_object(node, deep=deep)
        except _UNREADABLE as exc:
            self.deep_construct = was_deep
            self.recursive_objects.pop(node, None)
            self.constructed_objects[node] = None
            self.loads.error(_unreadable(node, exc), self.source, _line(node))
            return None
        if node not in self.sizes and isinstance(data, dict | list | set | tuple):
            # built by a tag (!include, !secret, !!set): counted once, by walking it
            self.sizes[node] = self.loads.count(data)
        return data

    def size(self, node: yaml.Node) -> int:
        return self.sizes.get(node, 1)

    def sized(self, node: yaml.Node, value: Any, size: int) -> Any:
        """`value`, or None once it stands for more values than any config holds."""
        if size > MAX_VALUES:
            self.loads.error(Text("config.too_large", limit=MAX_VALUES), self.source, _line(node))
            value, size = None, 1
        self.sizes[node] = size
        return value


def _unreadable(node: yaml.Node, exc: Exception) -> Text:
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        return Text("config.unreadable_value", value=show_value(node.value), tag=tag)
    problem = getattr(exc, "problem", None) or str(exc)  # PyYAML's words, in English
    return Text("config.invalid_yaml", problem=problem)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _expect(node: yaml.Node, kind: type[yaml.Node], name: str) -> None:
    if not isinstance(node, kind):  # e.g. `!!seq text`, `!!str [1]`
        problem = f"expected a {name} node, but found {node.id}"
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


@contextlib.contextmanager
def _nested(loader: _Loader, node: yaml.Node) -> Iterator[bool]:
    """Count a level of nesting (across includes); False past MAX_DEPTH, reported."""
    loads = loader.loads
    loads.depth += 1
    try:
        if loads.depth > MAX_DEPTH:
            loads.error(Text("config.too_deep", limit=MAX_DEPTH), loader.source, _line(node))
            yield False
        else:
            yield True
    finally:
        loads.depth -= 1


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> NodeStr:
    _expect(node, yaml.ScalarNode, "scalar")
    return located(NodeStr(node.value), loader.source, _line(node))


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> NodeList | None:
    _expect(node, yaml.SequenceNode, "sequence")
    with _nested(loader, node) as allowed:
        if not allowed:
            return None
        path = loader.loads.path
        items = NodeList()
        size = 1
        for index, child in enumerate(node.value):
            path.append(index)
            try:
                items.append(loader.construct_object(child, deep=True))
            finally:
                path.pop()
            size += loader.size(child)
    return loader.sized(node, located(items, loader.source, _line(node)), size)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> NodeDict | None:
    _expect(node, yaml.MappingNode, "mapping")
    with _nested(loader, node) as allowed:
        if not allowed:
            return None
        mapping, size = _construct_pairs(loader, node)
    return loader.sized(node, mapping, size)


def _construct_pairs(loader: _Loader, node: yaml.MappingNode) -> tuple[NodeDict, int]:
    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE_TAG)
    loader.flatten_mapping(node)  # `<<: *anchor` pairs come first, the mapping's own last
    first_own = len(node.value) - own
    mapping = located(NodeDict(), loader.source, _line(node))
    key_lines: dict[Any, int] = {}
    own_lines = key_lines if first_own == 0 else {}  # a merged key may be overridden
    size = 1
    for index, (key_node, value_node) in enumerate(node.value):
        if key_node.tag == _STR_TAG and isinstance(key_node, yaml.ScalarNode):
            key = key_node.value  # keys stay plain str: their line is in key_lines
        else:
            key = loader.construct_object(key_node, deep=True)
        size += loader.size(key_node)
        line = _line(key_node)
        try:
            hash(key)
        except TypeError:
            message = Text("config.key_not_single", value=show_value(key))
            loader.loads.error(message, loader.source, line)
            continue
        loader.loads.path.append(key)
        try:
            if index >= first_own:
                if key in own_lines:
                    first = (loader.source, own_lines[key])
                    message = duplicate_message("key", key, first, loader.source)
                    loader.loads.error(message, loader.source, line)
                own_lines[key] = line
            mapping[key] = loader.construct_object(value_node, deep=True)
        finally:
            loader.loads.path.pop()
        size += loader.size(value_node)
        key_lines[key] = line
    mapping.key_lines = key_lines
    return mapping, size


def _argument(loader: _Loader, node: yaml.Node, example: str) -> str | None:
    """The scalar after a tag, or None after reporting how the tag is written."""
    if isinstance(node, yaml.ScalarNode) and node.value.strip():
        return node.value.strip()
    message = Text("config.tag_needs_value", tag=node.tag, example=example)
    loader.loads.error(message, loader.source, _line(node))
    return None


def _construct_secret(loader: _Loader, node: yaml.Node) -> Any:
    name = _argument(loader, node, "!secret mqtt_password")
    if name is None:
        return None
    return loader.loads.secret(name, loader.source, _line(node))


def _construct_include(loader: _Loader, node: yaml.Node) -> Any:
    shown = _argument(loader, node, "!include sites.yaml")
    if shown is None:
        return None
    path = _normal(Path(loader.source).parent / shown)
    return loader.loads.include(path, shown, loader.source, _line(node))


def _construct_env_var(loader: _Loader, node: yaml.Node) -> NodeStr | None:
    argument = _argument(loader, node, "!env_var MQTT_HOST localhost")
    if argument is None:
        return None
    name, _, default = argument.partition(" ")
    value = os.environ.get(name)
    if value is not None:
        # The environment is where passwords are passed: a secret, like secrets.yaml's.
        register_secret(value)
        secret = located(Secret(value), loader.source, _line(node))
        secret.name, secret.tag = name, "env_var"
        return secret
    if default.strip():  # written in the config itself: not a secret
        return located(NodeStr(default.strip()), loader.source, _line(node))
    loader.loads.error(Text("config.env_var_missing", name=name), loader.source, _line(node))
    return None


def _dir_files(loader: _Loader, node: yaml.Node) -> list[tuple[Path, Any]] | None:
    """Load every *.yaml under the tag's folder, sorted; hidden files and secrets.yaml skipped."""
    shown = _argument(loader, node, f"{node.tag} automations")
    if shown is None:
        return None
    folder = _normal(Path(loader.source).parent / shown)
    if not folder.is_dir():
        message = Text("config.no_folder", folder=shown)
        loader.loads.error(message, loader.source, _line(node))
        return None
    if loader.loads.readable_place(folder) is None:  # before walking it: it may be /
        loader.loads.outside("config.include_folder_outside", shown, loader.source, _line(node))
        return None
    paths = sorted(
        path
        for path in folder.rglob("*.yaml")
        if path.name != SECRETS_FILE
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )
    loaded = []
    for path in paths:
        shown_path = f"{shown}/{path.relative_to(folder).as_posix()}"
        loaded.append((path, loader.loads.include(path, shown_path, loader.source, _line(node))))
    return loaded


def _construct_dir_list(loader: _Loader, node: yaml.Node) -> NodeList | None:
    files = _dir_files(loader, node)
    if files is None:
        return None
    items = NodeList(data for _, data in files if data is not None)
    return located(items, loader.source, _line(node))


def _construct_dir_merge_list(loader: _Loader, node: yaml.Node) -> NodeList | None:
    files = _dir_files(loader, node)
    if files is None:
        return None
    items = located(NodeList(), loader.source, _line(node))
    for _, data in files:
        if isinstance(data, list):
            items.extend(data)
        elif data is not None:  # a file holding a single item
            items.append(data)
    return items


def _construct_dir_named(loader: _Loader, node: yaml.Node) -> NodeDict | None:
    files = _dir_files(loader, node)
    if files is None:
        return None
    named = located(NodeDict(), loader.source, _line(node))
    first_file: dict[str, Path] = {}
    for path, data in files:
        if data is None:
            continue
        if path.stem in first_file:
            first = (str(first_file[path.stem]), None)
            message = duplicate_message("name", path.stem, first, str(path))
            loader.loads.error(message, str(path), None)
        first_file[path.stem] = path
        named[path.stem] = data
    return named


def _construct_dir_merge_named(loader: _Loader, node: yaml.Node) -> NodeDict | None:
    files = _dir_files(loader, node)
    if files is None:
        return None
    merged = located(NodeDict(), loader.source, _line(node))
    first_where = {}
    for path, data in files:
        if data is None:
            continue
        if not isinstance(data, dict):
            message = Text("config.expected_merge", value=show_value(data))
            loader.loads.error(message, str(path), where(data)[1])
            continue
        for key, value in data.items():
            here = where(data, key)
            if key in first_where:
                loader.loads.error(duplicate_message("key", key, first_where[key], here[0]), *here)
            first_where.setdefault(key, here)
            merged[key] = value
    return merged


def _construct_unknown(loader: _Loader, node: yaml.Node) -> None:
    hint = suggest(node.tag, _TAGS)
    message = Text("config.unknown_tag", tag=node.tag, hint=hint)
    loader.loads.error(message, loader.source, _line(node))


_TAGS = {
    "!secret": _construct_secret,
    "!include": _construct_include,
    "!env_var": _construct_env_var,
    "!include_dir_list": _construct_dir_list,
    "!include_dir_merge_list": _construct_dir_merge_list,
    "!include_dir_named": _construct_dir_named,
    "!include_dir_merge_named": _construct_dir_merge_named,
}
for _tag, _constructor in {
    **_TAGS,
    _STR_TAG: _construct_str,
    "tag:yaml.org,2002:seq": _construct_seq,
    "tag:yaml.org,2002:map": _construct_map,
    None: _construct_unknown,
}.items():
    _Loader.add_constructor(_tag, _constructor)
