"""Every file the hub writes is written atomically (issue #9: a full disk
truncated mqtt_subscriptions.json to 0 bytes). The writer is
`hub.core.storage.write_atomic`; this test reads the hub's source and fails
on any other way of writing a file, unless it is one of the few listed below
with the reason it cannot be torn."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HUB = Path(__file__).resolve().parents[2] / "hub"

# (module, function) -> why that write is not one write_atomic should make
ALLOWED = {
    (
        "core/storage.py",
        "write_atomic",
    ): "the atomic writer itself (a temporary file, then replace)",
    ("core/instance.py", "FolderLock.acquire"): "the lock file: its flock is the point, the pid"
    " in it only a hint read back for a message",
    ("core/recorder/database.py", "_sqlite_engine"): "creates the SQLite file 0600 before SQLite"
    " opens it; SQLite's journal keeps the database whole",
    ("core/recorder/spill.py", "AuditSpill._append"): "an append-only log of whole lines,"
    " fsynced; a line a crash cut short is skipped when it is read back",
    ("core/media.py", "Ring.clip"): "the concat list and segment copies go in a mkdtemp folder"
    " removed afterwards; ffmpeg writes the clip beside its name (.part) and it is renamed whole",
}

WRITE_MODES = set("wax+")
OPEN_FLAGS = {"O_CREAT", "O_WRONLY", "O_RDWR", "O_APPEND", "O_TRUNC"}
WRITING_ATTRIBUTES = {"write_text", "write_bytes", "touch"}
COPIES = {"copy", "copy2", "copyfile", "copyfileobj", "copytree", "move"}
DUMPS = {"json", "pickle", "yaml", "marshal", "tomli_w"}


def _mode(node: ast.Call, position: int) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == "mode":
            return keyword.value
    return node.args[position] if len(node.args) > position else None


def _writes(mode: ast.expr | None, *, unknown: bool) -> bool:
    if mode is None:
        return False
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return bool(WRITE_MODES & set(mode.value))
    return unknown  # a mode computed at run time: it may write


def _writer(node: ast.AST) -> str | None:
    """What `node` does to write a file, or None."""
    if isinstance(node, ast.Attribute) and node.attr in WRITING_ATTRIBUTES:
        return f".{node.attr}"  # called or handed to asyncio.to_thread
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    owner = (
        func.value.id
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
        else None
    )
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if isinstance(func, ast.Name) and name == "open" and _writes(_mode(node, 1), unknown=True):
        return "open()"
    if owner in ("io", "os") and name in ("open", "fdopen"):
        if name == "fdopen" and _writes(_mode(node, 1), unknown=True):
            return "os.fdopen()"
        if owner == "io" and _writes(_mode(node, 1), unknown=True):
            return "io.open()"
        if owner == "os" and name == "open" and len(node.args) > 1:
            flags = {n.attr for n in ast.walk(node.args[1]) if isinstance(n, ast.Attribute)}
            if flags & OPEN_FLAGS:
                return "os.open()"
        return None
    if (
        isinstance(func, ast.Attribute)
        and name == "open"
        and _writes(_mode(node, 0), unknown=False)
    ):
        return ".open()"  # Path.open("w")
    if owner == "shutil" and name in COPIES:
        return f"shutil.{name}()"
    if owner == "os" and name == "rename":
        return "os.rename()"  # os.replace is the atomic one
    if owner in DUMPS and name == "dump":
        return f"{owner}.dump()"
    return None


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[ast.AST] = []
        self.found: list[tuple[str, int, str]] = []  # (function, line, what)

    def _enter(self, node: ast.AST) -> None:
        self.scope.append(node)
        self.generic_visit(node)
        self.scope.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _enter

    def where(self) -> str:
        """The outermost class and function: a nested helper (Ring.clip's
        take()) counts as the function it serves."""
        classes = [n.name for n in self.scope if isinstance(n, ast.ClassDef)][:1]
        functions = [n.name for n in self.scope if not isinstance(n, ast.ClassDef)][:1]
        return ".".join(classes + functions) or "<module>"

    def generic_visit(self, node: ast.AST) -> None:
        what = _writer(node)
        if what:
            self.found.append((self.where(), getattr(node, "lineno", 0), what))
        super().generic_visit(node)


def writes_in(source: str) -> list[tuple[str, int, str]]:
    finder = _Finder()
    finder.visit(ast.parse(source))
    return finder.found


def hub_writes() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(HUB.rglob("*.py")):
        module = path.relative_to(HUB).as_posix()
        if module.startswith("testing/"):
            continue  # the test fakes write what they like
        for function, line, what in writes_in(path.read_text(encoding="utf-8")):
            found.setdefault((module, function), []).append(f"hub/{module}:{line}: {what}")
    return found


def test_every_file_the_hub_writes_goes_through_write_atomic():
    found = hub_writes()
    torn = [line for key, lines in found.items() if key not in ALLOWED for line in lines]
    assert torn == [], "write these with hub.write_atomic (or say in ALLOWED why not)"
    stale = [key for key in ALLOWED if key not in found]
    assert stale == [], "no longer writes a file: remove it from ALLOWED"


@pytest.mark.parametrize(
    "source",
    [
        "Path(p).write_text('x')",
        "asyncio.to_thread(path.write_bytes, data)",
        "open(p, 'w')",
        "open(p, mode='ab')",
        "open(p, mode)",
        "with path.open('w') as f: pass",
        "io.open(p, 'x')",
        "os.fdopen(fd, 'r+')",
        "os.open(p, os.O_WRONLY | os.O_CREAT)",
        "shutil.copyfile(a, b)",
        "os.rename(a, b)",
        "json.dump(data, file)",
    ],
)
def test_the_check_sees_a_file_written_in_place(source):
    assert len(writes_in(source)) == 1, source


@pytest.mark.parametrize(
    "source",
    [
        "open(p)",
        "open(p, 'rb')",
        "path.open('rb')",
        "self.sessions.open(user, stored)",
        "os.open(folder, os.O_RDONLY)",
        "os.replace(partial, path)",
        "json.dumps(data)",
        "write_atomic(path, data)",
        "transport.write(b'x')",
    ],
)
def test_the_check_leaves_reads_and_atomic_writes_alone(source):
    assert writes_in(source) == [], source
