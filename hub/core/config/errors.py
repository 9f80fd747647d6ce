"""Configuration errors that point at the file, line and key path of a mistake."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..i18n import DEFAULT_LANGUAGE, Text, render
from .nodes import Secret
from .secrets import redact

KeyPath = tuple[str | int, ...]


def display_path(file: str | Path) -> str:
    """Show a file relative to the working directory when it lies under it.

    Admins run `sigap check-config` from the folder that holds `config/`, so
    `config/automations.yaml` reads better than an absolute path.
    """
    path = Path(file)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def render_path(path: Iterable[str | int]) -> str:
    """`("automation", 0, "action", 1)` -> `automation[0].action[1]`."""
    out = ""
    for step in path:
        if isinstance(step, Secret):  # a key written as `!secret name:`
            step = repr(step)
        if isinstance(step, int) and not isinstance(step, bool):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out


class ConfigError(Exception):
    """One mistake in the configuration, rendered `file:line: path: message`.

    The message is a catalog Text (hub/locale, sigap.po) when the core
    wrote it, so `render(lang)` gives it in Indonesian or English; str() is
    the English. A plain str (a plugin's own words) renders as written.
    """

    def __init__(
        self,
        message: str | Text,
        *,
        file: str | None = None,
        line: int | None = None,
        path: KeyPath = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.path = tuple(path)

    @property
    def key(self) -> str | None:
        """The catalog key of the message, None for a plugin's plain text."""
        return self.message.key if isinstance(self.message, Text) else None

    @property
    def values(self) -> dict[str, object]:
        return dict(self.message.values) if isinstance(self.message, Text) else {}

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """`file:line: path: message` with the message in `lang` (id or en)."""
        parts = []
        if self.file is not None:
            where = display_path(self.file)
            parts.append(where if self.line is None else f"{where}:{self.line}")
        if self.path:
            parts.append(render_path(self.path))
        parts.append(render(self.message, lang))
        # Redacted as rendered: a value in the message, or a key (`!secret x: 1`), may be one.
        return redact(": ".join(parts))

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"ConfigError({str(self)!r})"


class ConfigErrors(Exception):
    """Every mistake found in one pass, so the admin can fix them all at once."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors = list(errors)
        super().__init__(self.errors)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return "\n".join(error.render(lang) for error in self.errors)

    def __str__(self) -> str:
        return self.render("en")


def without_followups(
    load_errors: list[ConfigError], errors: list[ConfigError]
) -> list[ConfigError]:
    """Drop validation errors that a load error already explains.

    A missing secret or a failed include leaves an empty value behind; the
    schema then calls it "expected a string, got an empty value". One mistake,
    one message: the admin fixes the secret, not the type.
    """
    broken = {e.path for e in load_errors if e.path}
    if not broken:
        return errors
    return [e for e in errors if not any(e.path[: len(path)] == path for path in broken)]
