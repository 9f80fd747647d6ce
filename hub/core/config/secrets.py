"""Keep secret values out of logs, traces and messages.

The loader registers every value it reads from a secrets.yaml; `redact()`
replaces them in any text, `redact_data()` in every string of JSON-like
data (a trace), and `SecretFilter` does it for log records. Case is ignored:
a template's `| upper` or a did-you-mean's lower-casing still hides it. Call
`install_log_redaction()` once logging is set up (the CLI does, right after
configuring its handlers), and again if handlers are added later: a filter
sits on handlers, not loggers, because records from child loggers reach the
root handlers without passing the root logger's own filters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TextIO

# Shorter values would redact ordinary words and numbers all over the logs.
MIN_SECRET_LENGTH = 3
REDACTED = "***"


class _Registry:
    """The secret values seen so far, with one compiled pattern for all of them."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        if len(value) >= MIN_SECRET_LENGTH and value not in self.values:
            self.values.add(value)
            self._pattern = None

    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            # Longest first, so a secret that contains another is hidden whole.
            alternatives = sorted(self.values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)
        return self._pattern


_registry = _Registry()


def register_secret(value: str) -> None:
    """Remember a secret value so `redact()` hides it from now on."""
    _registry.add(str(value))


def redact(text: str) -> str:
    """`text` with every registered secret value replaced by `***`."""
    if not _registry.values:
        return text
    return _registry.pattern().sub(REDACTED, text)


def redact_data(value: Any) -> Any:
    """JSON-like data (dicts, lists, scalars) with every string (and key) redacted."""
    if not _registry.values:
        return value
    return _redact_data(value, _registry.pattern())


def _redact_data(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, dict):
        return {_redact_data(k, pattern): _redact_data(v, pattern) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_data(v, pattern) for v in value]
    return value


class SecretFilter(logging.Filter):
    """Render a record's lazy texts in the reader's language, once, and
    redact its final message (and its traceback text) before it is written.

    A room logs a `Text` as it is (`log.warning(text)`, or as an argument);
    `language()` (the console's) decides its words here, in one place."""

    def __init__(self, language: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.language = language

    def filter(self, record: logging.LogRecord) -> bool:
        if self.language is not None:
            _render_texts(record, self.language())
        if not _registry.values:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A broken format call: logging would print msg and args raw.
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingWriter:
    """A text stream that hides every known secret in what is written to it:
    `sigap` prints through one (stdout and stderr), whatever it prints."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self.stream, name)


def install_log_redaction(
    logger: logging.Logger | None = None, language: Callable[[], str] | None = None
) -> None:
    """Attach a SecretFilter to every handler of `logger` (the root logger by
    default), rendering lazy texts in `language()` (the console's).

    Safe to call again after adding handlers: a handler is filtered once (a
    later call with a language gives the existing filter that language).
    """
    logger = logger if logger is not None else logging.getLogger()
    for handler in logger.handlers:
        found = [f for f in handler.filters if isinstance(f, SecretFilter)]
        if not found:
            handler.addFilter(SecretFilter(language))
        elif language is not None:
            found[0].language = language


def _render_texts(record: logging.LogRecord, lang: str) -> None:
    from ..i18n import Text

    if isinstance(record.msg, Text):
        record.msg = record.msg.render(lang)
    args = record.args
    if isinstance(args, tuple) and any(isinstance(a, Text) for a in args):
        record.args = tuple(a.render(lang) if isinstance(a, Text) else a for a in args)
