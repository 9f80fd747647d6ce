"""Run voluptuous schemas on loaded YAML and turn their errors into ConfigErrors.

A voluptuous error knows only a key path; this module adds the file and line
(from the loaded nodes), says what was found next to what was expected, and
suggests the key that was probably meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any

import voluptuous as vol

from ..i18n import Text
from .errors import ConfigError, KeyPath, display_path
from .nodes import Location, NodeDict, NodeList, NodeStr, Secret, key_where, located, where
from .secrets import redact

# Above this many, a list of the known keys is noise, not help.
MAX_LISTED_KEYS = 12
_MAX_SHOWN_TEXT = 40

# voluptuous's wording, in the words of someone writing YAML (catalog keys).
_PLAIN_MESSAGES = {
    "expected int": "config.expected_int",
    "expected float": "config.expected_number",
    "expected str": "config.expected_string",
    "expected bool": "config.expected_bool",
    "expected dict": "config.expected_mapping",
    "expected a dictionary": "config.expected_mapping",
    "expected list": "config.expected_list",
    "expected a URL": "config.expected_url",
}
# ... and those that carry a value: (pattern, catalog key, the value's name).
_PLAIN_PATTERNS = [
    (re.compile(r"value must be at least (.+)"), "config.at_least", "low"),
    (re.compile(r"value must be at most (.+)"), "config.at_most", "high"),
    (re.compile(r"value must be one of (.+)"), "config.one_of_values", "choices"),
    (re.compile(r"length of value must be at least (.+)"), "config.length_at_least", "low"),
    (re.compile(r"length of value must be at most (.+)"), "config.length_at_most", "high"),
]
_EXTRA_KEY = "extra keys not allowed"
_REQUIRED = "required key not provided"


def suggest(word: object, choices: Iterable[object]) -> str:
    """`" (did you mean 'x'?)"` for the closest choice, or `""` when none is close.

    Never for a secret: the closest choice tells what the secret looks like.
    """
    if isinstance(word, Secret):
        return ""
    match = _closest(word, choices)
    return Text("config.did_you_mean", match=match) if match is not None else ""


def _closest(word: object, choices: Iterable[object]) -> str | None:
    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return matches[0] if matches else None


def show_value(value: Any) -> str:
    """A value as an error message shows it; a secret only by its name."""
    if isinstance(value, Secret):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return Text("config.value.empty")
    if isinstance(value, dict):
        return Text("config.value.mapping")
    if isinstance(value, list):
        return Text("config.value.list")
    if isinstance(value, str):
        text = str(value)
        if len(text) > _MAX_SHOWN_TEXT:
            text = text[: _MAX_SHOWN_TEXT - 3] + "..."
        return repr(text)
    return str(value)


def unknown_key_message(key: Hashable, allowed: Sequence[str]) -> str:
    """`'dellay' is not a known key (did you mean 'delay'?)`, or the known keys."""
    hint = suggest(key, allowed)
    if not hint and 0 < len(allowed) <= MAX_LISTED_KEYS:
        hint = Text("config.known_keys", keys=", ".join(allowed))
    return Text("config.unknown_key", key=show_value(key), hint=hint)


def duplicate_message(what: str, value: Any, first: Location, here_file: str | None) -> str:
    """`duplicate site id 'dinkes' (also on line 3)`; the other file is named when it differs.

    `what` names the thing as the catalog does: `site_id` for `config.thing.site_id`.
    """
    file, line = first
    if file == here_file and line is not None:
        also: str = Text("config.also_on_line", line=line)
    elif file is not None:
        place = display_path(file) + (f":{line}" if line is not None else "")
        also = Text("config.also_at", place=place)
    else:
        also = ""
    return Text(
        "config.duplicate", what=Text(f"config.thing.{what}"), value=show_value(value), also=also
    )


def unknown_message(
    what: str | Text, value: Any, known: Iterable[str], label: str | Text = ""
) -> str:
    """`unknown camera platform 'acme_cam' (did you mean 'acmecam'?); known: acmecam, demo`.

    `what` is a catalog thing (`site` for `config.thing.site`) or a Text.
    """
    known = sorted(known)
    if not isinstance(what, Text):
        what = Text(f"config.thing.{what}")
    message = Text("config.unknown", what=what, value=show_value(value), hint=suggest(value, known))
    if len(known) <= MAX_LISTED_KEYS:
        shown = ", ".join(known) or Text("config.none")
        listed = Text("config.known_list", label=label or Text("config.known"), known=shown)
        message = Text("config.got_more", message=message, more=listed)
    return message


def one_of(*choices: object) -> Callable[[Any], Any]:
    """A validator for a fixed set of words that suggests the closest one."""

    def check(value: Any) -> Any:
        # True == 1 in Python; a YAML `yes` must not pass for the choice 1.
        if any(
            value == choice and isinstance(value, bool) == isinstance(choice, bool)
            for choice in choices
        ):
            return value
        listed = ", ".join(f"'{c}'" for c in choices)
        raise vol.Invalid(
            Text("config.expected_one_of", choices=listed, hint=suggest(value, choices))
        )

    return check


class Each:
    """Like the schema `[item]`, but reports every bad item, not only the first.

    voluptuous stops a list at the first item whose error lies inside it (a
    bad key in the second automation hides all the later automations' errors).
    """

    def __init__(self, item: Any) -> None:
        self.schema = item if isinstance(item, vol.Schema) else vol.Schema(item)

    def __call__(self, value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise vol.Invalid(Text("config.expected_list"))
        out, errors = [], []
        for index, item in enumerate(value):
            try:
                out.append(self.schema(item))
            except vol.MultipleInvalid as exc:
                exc.prepend([index])
                errors.extend(exc.errors)
        if errors:
            raise vol.MultipleInvalid(errors)
        return out


def validate(schema: Any, node: Any, path: KeyPath = ()) -> tuple[Any, list[ConfigError]]:
    """Validate `node` with a voluptuous schema; every mistake becomes a ConfigError.

    On success the result keeps the nodes' locations (see `where`); on failure
    the value is None and the errors list every mistake found.
    """
    compiled = schema if isinstance(schema, vol.Schema) else vol.Schema(schema)
    try:
        value = compiled(node)
    except vol.Invalid as exc:
        found = [(_steps(error), error) for error in _flatten(exc)]
    else:
        return _reattach(value, node), []
    # A misspelt key leaves the right spelling missing too; the typo's error says it all.
    meant = {
        (*steps[:-1], _closest(steps[-1], _keys_at(compiled, steps[:-1])))
        for steps, error in found
        if error.msg == _EXTRA_KEY and steps
    }
    return None, [
        _to_config_error(error, steps, compiled, node, tuple(path))
        for steps, error in found
        if not (isinstance(error, vol.RequiredFieldInvalid) and tuple(steps) in meant)
    ]


def _steps(error: vol.Invalid) -> list[Any]:
    # Required/Optional markers stand in the path for their key.
    return [getattr(step, "schema", step) for step in error.path]


def _flatten(exc: vol.Invalid) -> Iterator[vol.Invalid]:
    if isinstance(exc, vol.MultipleInvalid):
        for error in exc.errors:
            yield from _flatten(error)
    else:
        yield exc


def _to_config_error(
    exc: vol.Invalid, steps: list[Any], schema: Any, node: Any, prefix: KeyPath
) -> ConfigError:
    chain = [node]  # the nodes along `steps`, as far as the data goes
    file, line = where(node)
    for step in steps:
        parent = chain[-1]
        if not _has(parent, step):
            break
        step_file, step_line = where(parent, step)
        if step_line is not None:
            file, line = step_file, step_line
        chain.append(parent[step])
    reached = len(chain) == len(steps) + 1

    if exc.msg == _EXTRA_KEY and steps and reached:
        parent, key = chain[-2], steps[-1]
        file, line = key_where(parent, key)  # the key is the mistake, not its value
        message = unknown_key_message(key, _keys_at(schema, steps[:-1]))
        path = steps[:-1]
    elif isinstance(exc, vol.RequiredFieldInvalid) and steps:
        key = steps[-1]
        message = Text("config.required_key", key=key) if exc.msg == _REQUIRED else exc.msg
        path = steps[:-1]
    else:
        # Hide secrets before adding "got ...", which is skipped when the value is quoted.
        message = _hide_secrets(_plain(exc.msg), chain)
        if reached:
            message = _with_found_value(message, chain[-1])
        path = steps
    if not isinstance(message, Text):  # a plugin's own words: hide secrets now
        message = redact(message)
    return ConfigError(message, file=file, line=line, path=prefix + tuple(path))


def _plain(message: str) -> str:
    if isinstance(message, Text):
        return message
    key = _PLAIN_MESSAGES.get(message)
    if key is not None:
        return Text(key)
    for pattern, key, name in _PLAIN_PATTERNS:
        if match := pattern.fullmatch(message):
            return Text(key, **{name: match[1]})
    return message


def _has(container: Any, step: Any) -> bool:
    if isinstance(container, dict):
        try:
            return step in container
        except TypeError:  # an unhashable step cannot be a key
            return False
    return isinstance(container, list) and isinstance(step, int) and 0 <= step < len(container)


def _with_found_value(message: str, value: Any) -> str:
    shown = show_value(value)
    if shown not in message:
        message = Text("config.got", message=message, value=shown)
    if isinstance(value, bool) and "true or false" not in message:
        message = Text("config.bool_hint", message=message)
    return message


def _hide_secrets(message: str, chain: list[Any]) -> str:
    """Name the secrets on the error's path instead of showing their values."""
    for value in chain:
        if isinstance(value, Secret) and value and str(value) in message:
            # A Text loses its languages here; only a validator quoting a secret does that.
            message = str(message).replace(str(value), repr(value))
    return message


def _keys_at(schema: Any, path: Sequence[Any]) -> list[str]:
    """Best effort: the literal keys a schema accepts at `path`, in schema order."""
    found: dict[str, None] = {}  # an ordered set
    _collect_keys(schema, list(path), found)
    return list(found)


def _collect_keys(schema: Any, path: list[Any], found: dict[str, None]) -> None:
    if isinstance(schema, vol.Schema | vol.Msg):
        _collect_keys(schema.schema, path, found)
    elif isinstance(schema, Each):
        if path and isinstance(path[0], int):
            _collect_keys(schema.schema, path[1:], found)
    elif isinstance(getattr(schema, "validators", None), list | tuple):  # All, Any, ...
        for validator in schema.validators:
            _collect_keys(validator, path, found)
    elif isinstance(schema, list):
        if path and isinstance(path[0], int):
            for item in schema:
                _collect_keys(item, path[1:], found)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            literal = getattr(key, "schema", key)
            if not path:
                if isinstance(literal, str):
                    found[literal] = None
            elif literal == path[0] or not isinstance(literal, str):
                _collect_keys(value, path[1:], found)


def _reattach(out: Any, src: Any) -> Any:
    """Give validated output the locations of the nodes it was made from.

    voluptuous builds new containers; without this, `where()` on a validated
    item would know nothing and a runtime error could not name its line.
    """
    if isinstance(out, dict) and isinstance(src, dict):
        if not isinstance(out, NodeDict):
            out = NodeDict(out)
        if out.line is None and getattr(src, "line", None) is not None:
            located(out, src.file, src.line).key_lines = src.key_lines
        for key in out:
            if key in src:
                out[key] = _reattach(out[key], src[key])
    elif isinstance(out, list) and isinstance(src, list) and len(out) == len(src):
        if not isinstance(out, NodeList):
            out = NodeList(out)
        if out.line is None and getattr(src, "line", None) is not None:
            located(out, src.file, src.line)
        out[:] = [_reattach(o, s) for o, s in zip(out, src, strict=True)]
    elif type(out) is str and isinstance(src, NodeStr) and out == src:
        # Also keeps a Secret a Secret when a validator made a plain str of it.
        return src
    return out
