"""Validate the `automation:` section and bring it to one spelling.

Home Assistant accepts two spellings for most keys (`trigger:`/`triggers:`,
`platform:`/`trigger:`, `service:`/`action:`, `condition:`/`conditions:`,
`action:`/`actions:`); this module accepts both and hands the engine one:
`triggers`/`conditions`/`actions` on an automation, `platform` on a trigger,
`service` on a service call, `condition` on a condition.

Each automation is checked on its own: one with a mistake is reported with
file:line and left out, the others load. Every step keeps its location, so a
run-time error can name its line too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import jinja2
import voluptuous as vol

from ..config import ConfigError, NodeDict, NodeList, suggest, validate, where
from ..config.nodes import located
from ..i18n import Text
from .templates import is_template

if TYPE_CHECKING:
    from ..hub import Hub

KeyPath = tuple[str | int, ...]

MODES = ("single", "restart", "queued", "parallel")
DEFAULT_MAX = 10
LOG_LEVELS = ("silent", "critical", "error", "warning", "info", "debug")

# -- small validators ----------------------------------------------------------------

_SYNTAX = jinja2.Environment()


def template(value: Any) -> str:
    """A Jinja2 template (or plain text): syntax is checked now, not at run time."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise vol.Invalid(Text("automation.expected_template"))
    text = value if isinstance(value, str) else str(value)
    if is_template(text):
        problem = _syntax_problem(str(text))
        if problem:
            raise vol.Invalid(problem)
    return value if isinstance(value, str) else text


@functools.lru_cache(maxsize=4096)
def _syntax_problem(text: str) -> str:
    # Cached: the same template often appears in many automations.
    try:
        _SYNTAX.parse(text)
    except jinja2.TemplateSyntaxError as err:
        return Text("automation.template_syntax", problem=err.message, line=err.lineno)
    return ""


def templates_in(value: Any) -> Any:
    """A mapping or list of data whose template strings are checked for syntax."""
    if isinstance(value, str):
        return template(value) if is_template(value) else value
    if isinstance(value, dict):
        for item in value.values():
            templates_in(item)
    elif isinstance(value, list):
        for item in value:
            templates_in(item)
    return value


def data_mapping(value: Any) -> Any:
    if not isinstance(value, dict):
        raise vol.Invalid(Text("config.expected_mapping"))
    return templates_in(value)


def entity_ids(value: Any) -> list[str]:
    """One entity id, a comma-separated string of them, or a list."""
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise vol.Invalid(Text("automation.expected_entity_ids"))
    for item in items:
        if not isinstance(item, str) or not (is_template(item) or _ENTITY_ID.match(item.strip())):
            raise vol.Invalid(Text("automation.invalid_entity_id", value=repr(item)))
    return items if isinstance(value, list) else NodeList(items)


_ENTITY_ID = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")


def number_or_entity(value: Any) -> float | str:
    """A limit for above/below: a number, or the entity whose state holds it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            if _ENTITY_ID.match(value.strip()):
                return value.strip()
    raise vol.Invalid(Text("automation.expected_number_or_entity", value=repr(value)))


def string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise vol.Invalid(Text("automation.expected_names"))


_TYPE_KEYS = ("trigger", "platform")
_DURATION_KEYS = ("days", "hours", "minutes", "seconds", "milliseconds")
_CLOCK = re.compile(r"^(-)?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$")


def parse_duration(value: Any) -> timedelta:
    """Every duration form Home Assistant accepts: seconds (a number or
    numeric text), "HH:MM", "HH:MM:SS(.f)", or {days, hours, minutes,
    seconds, milliseconds}. Raises ValueError otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(Text("automation.expected_duration"))
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip()
        match = _CLOCK.match(text)
        if match:
            sign, hours, minutes, seconds = match.groups()
            span = timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds or 0))
            return -span if sign else span
        try:
            return timedelta(seconds=float(text))
        except ValueError:
            raise ValueError(Text("automation.expected_duration_got", value=repr(value))) from None
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in _DURATION_KEYS]
        if unknown:
            raise ValueError(_not_duration_key(unknown[0]))
        try:
            return timedelta(**{k: float(v) for k, v in value.items()})
        except (TypeError, ValueError):
            raise ValueError(Text("automation.duration_parts")) from None
    raise ValueError(Text("automation.expected_duration_example"))


def _not_duration_key(key: Any) -> Text:
    return Text("automation.not_duration_key", key=repr(key), hint=suggest(key, _DURATION_KEYS))


def duration(value: Any) -> Any:
    """A duration, or a template for one (checked at run time)."""
    if isinstance(value, str) and is_template(value):
        return template(value)
    if isinstance(value, Mapping) and any(is_template(v) for v in value.values()):
        for key in value:
            if key not in _DURATION_KEYS:
                raise vol.Invalid(_not_duration_key(key))
        return value
    try:
        parse_duration(value)
    except ValueError as err:
        raise vol.Invalid(err.args[0]) from None  # the Text itself, to keep its languages
    return value


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def time_of_day(value: Any) -> str:
    """ "HH:MM" or "HH:MM:SS", or an entity id whose state is a time."""
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 05:00:00 as a base-60 number (18000),
        # as Home Assistant's loader does; turn it back into the time.
        if 0 <= value < 86400:
            return f"{value // 3600:02d}:{value // 60 % 60:02d}:{value % 60:02d}"
    if isinstance(value, str):
        match = _TIME.match(value.strip())
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            return value
        if _ENTITY_ID.match(value.strip()):
            return value
    raise vol.Invalid(Text("automation.expected_time", value=repr(value)))


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "on", "off"):
        return value.lower() in ("true", "yes", "on")
    raise vol.Invalid(Text("config.expected_bool"))


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise vol.Invalid(Text("automation.expected_positive"))
    return value


# -- triggers -----------------------------------------------------------------------

TRIGGER_COMMON = {
    vol.Optional("id"): vol.Coerce(str),
    vol.Optional("alias"): str,
    vol.Optional("enabled"): vol.Any(bool, template),
    vol.Optional("variables"): data_mapping,
}
_TRIGGER_COMMON_KEYS = ("platform", "trigger", "id", "alias", "enabled", "variables")


@functools.cache
def _trigger_schema(cls: type) -> vol.Schema:
    own = getattr(cls, "CONFIG_SCHEMA", None)
    base = {vol.Required("platform"): str, **TRIGGER_COMMON}
    if own is None:
        return vol.Schema(base)
    if isinstance(own, vol.Schema) and isinstance(own.schema, dict):
        own = own.schema
    if isinstance(own, dict):
        return vol.Schema({**base, **own})
    return vol.Schema(vol.All(vol.Schema(base, extra=vol.ALLOW_EXTRA), own))


# -- conditions ------------------------------------------------------------------------

CONDITION_COMMON = {vol.Optional("alias"): str, vol.Optional("enabled"): vol.Any(bool, template)}

CONDITION_SCHEMAS: dict[str, dict[Any, Any]] = {
    "state": {
        vol.Required("entity_id"): entity_ids,
        vol.Required("state"): vol.Any(str, int, float, bool, list),
        vol.Optional("attribute"): str,
        vol.Optional("for"): duration,
        vol.Optional("match", default="all"): vol.In(("all", "any")),
    },
    "numeric_state": {
        vol.Required("entity_id"): entity_ids,
        vol.Optional("attribute"): str,
        vol.Optional("above"): number_or_entity,
        vol.Optional("below"): number_or_entity,
        vol.Optional("value_template"): template,
    },
    "time": {
        vol.Optional("after"): time_of_day,
        vol.Optional("before"): time_of_day,
        vol.Optional("weekday"): vol.All(
            string_list, [vol.In(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))]
        ),
    },
    "sun": {
        vol.Optional("after"): vol.In(("sunrise", "sunset")),
        vol.Optional("before"): vol.In(("sunrise", "sunset")),
        vol.Optional("after_offset"): duration,
        vol.Optional("before_offset"): duration,
    },
    "template": {vol.Required("value_template"): template},
    "trigger": {vol.Required("id"): vol.Any([vol.Coerce(str)], vol.Coerce(str))},
    "and": {vol.Required("conditions"): object},
    "or": {vol.Required("conditions"): object},
    "not": {vol.Required("conditions"): object},
}
_LOGICAL = ("and", "or", "not")


# -- actions -------------------------------------------------------------------------

ACTION_COMMON = {
    vol.Optional("alias"): str,
    vol.Optional("enabled"): vol.Any(bool, template),
    vol.Optional("continue_on_error"): bool,
}

_TARGET = {
    vol.Optional("entity_id"): vol.Any(entity_ids, template),
    vol.Optional("site"): vol.Any(string_list, template),
    vol.Optional("area"): vol.Any(string_list, template),
    vol.Optional("area_id"): vol.Any(string_list, template),
}

_WAIT = {
    vol.Optional("timeout"): duration,
    vol.Optional("continue_on_timeout", default=True): bool,
}

# The key that tells what an action is, in Home Assistant's order of checking,
# with the schema of its other keys. Steps nested inside (`sequence`, `then`,
# `choose`, ...) are checked by the walker, not by voluptuous, so each gets its
# own file:line.
ACTION_SCHEMAS: dict[str, dict[Any, Any]] = {
    "delay": {vol.Required("delay"): duration},
    "wait_template": {vol.Required("wait_template"): template, **_WAIT},
    "wait_for_trigger": {vol.Required("wait_for_trigger"): object, **_WAIT},
    "event": {
        vol.Required("event"): template,
        vol.Optional("event_data"): data_mapping,
        vol.Optional("event_data_template"): data_mapping,
    },
    "condition": {vol.Required("condition"): str, vol.Extra: object},
    "choose": {vol.Required("choose"): object, vol.Optional("default"): object},
    "if": {vol.Required("if"): object, vol.Required("then"): object, vol.Optional("else"): object},
    "repeat": {vol.Required("repeat"): object},
    "parallel": {vol.Required("parallel"): object},
    "sequence": {vol.Required("sequence"): object},
    "variables": {vol.Required("variables"): data_mapping},
    "stop": {
        vol.Required("stop"): vol.Any(str, None),
        vol.Optional("error", default=False): bool,
        vol.Optional("response_variable"): str,
    },
    "service": {
        vol.Required("service"): template,
        vol.Optional("target"): vol.Any(_TARGET, template),
        vol.Optional("data"): vol.Any(data_mapping, template),
        vol.Optional("data_template"): data_mapping,
        vol.Optional("entity_id"): vol.Any(entity_ids, template),
        vol.Optional("response_variable"): str,
        vol.Optional("metadata"): dict,
    },
}
_REPEAT = vol.Schema(
    {
        vol.Optional("count"): vol.Any(positive_int, template),
        vol.Optional("while"): object,
        vol.Optional("until"): object,
        vol.Optional("for_each"): vol.Any(list, template),
        vol.Required("sequence"): object,
    }
)
_CHOOSE_OPTION = vol.Schema(
    {
        vol.Required("conditions"): object,
        vol.Required("sequence"): object,
        vol.Optional("alias"): str,
    }
)

AUTOMATION_SCHEMA = vol.Schema(
    {
        vol.Optional("id"): vol.Coerce(str),
        vol.Optional("alias"): vol.Coerce(str),
        vol.Optional("description"): str,
        vol.Optional("mode", default="single"): vol.In(MODES),
        vol.Optional("max", default=DEFAULT_MAX): positive_int,
        vol.Optional("max_exceeded", default="warning"): vol.All(vol.Lower, vol.In(LOG_LEVELS)),
        vol.Optional("initial_state"): bool,
        vol.Optional("variables", default=dict): data_mapping,
        vol.Optional("trigger_variables", default=dict): data_mapping,
        vol.Optional("trace"): {vol.Optional("stored_traces"): positive_int},
        vol.Optional("trigger"): object,
        vol.Optional("triggers"): object,
        vol.Optional("condition"): object,
        vol.Optional("conditions"): object,
        vol.Optional("action"): object,
        vol.Optional("actions"): object,
    }
)


class AutomationError(ConfigError):
    """A mistake in one automation: `sigap check-config` lists it, and the hub
    starts without that automation (the others load), as Home Assistant does."""

    leaves_item_out = True

    @classmethod
    def of(cls, error: ConfigError) -> AutomationError:
        if isinstance(error, cls):
            return error
        return cls(error.message, file=error.file, line=error.line, path=error.path)


class _Checker:
    """Walks one automation, collecting every mistake with its location."""

    def __init__(self, trigger_platforms: Mapping[str, type], errors: list[ConfigError]) -> None:
        self.trigger_platforms = trigger_platforms
        self.errors = errors

    def error(self, message: str, node: Any, path: KeyPath, key: Any = None) -> None:
        file, line = where(node, key) if key is not None else where(node)
        self.errors.append(ConfigError(message, file=file, line=line, path=path))

    def key_error(self, message: str, node: Any, path: KeyPath, key: Any) -> None:
        file = getattr(node, "file", None)
        line = getattr(node, "key_lines", {}).get(key, getattr(node, "line", None))
        self.errors.append(ConfigError(message, file=file, line=line, path=path))

    def check(self, schema: Any, node: Any, path: KeyPath) -> Any:
        value, errors = validate(schema, node, path)
        self.errors.extend(errors)
        return value

    def as_list(self, node: Any, path: KeyPath, what: str) -> list[tuple[KeyPath, Any]]:
        if node is None:
            return []
        if isinstance(node, list):
            return [((*path, i), item) for i, item in enumerate(node)]
        if isinstance(node, dict | str):
            return [(path, node)]
        what_text = Text(f"automation.things.{what}")
        self.error(Text("automation.expected_list_of", what=what_text), node, path)
        return []

    @staticmethod
    def one_spelling(node: Mapping[str, Any], old: str, new: str) -> tuple[str | None, Any]:
        if new in node:
            return new, node[new]
        if old in node:
            return old, node[old]
        return None, None

    # -- automation ------------------------------------------------------------

    def automation(self, node: Any, path: KeyPath) -> NodeDict | None:
        if not isinstance(node, dict):
            self.error(Text("automation.expected_automation"), node, path)
            return None
        before = len(self.errors)
        for old, new in (
            ("trigger", "triggers"),
            ("condition", "conditions"),
            ("action", "actions"),
        ):
            if old in node and new in node:
                message = Text("automation.either", first=old, second=new)
                self.key_error(message, node, path, old)
        if "use_blueprint" in node:
            self.key_error(Text("automation.no_blueprints"), node, path, "use_blueprint")
            return None
        value = self.check(AUTOMATION_SCHEMA, node, path)
        if value is None:
            return None
        out = _located_like(NodeDict(value), node)
        tkey, triggers = self.one_spelling(node, "trigger", "triggers")
        if tkey is None:
            self.error(Text("config.required_key", key="triggers"), node, path)
        ckey, conditions = self.one_spelling(node, "condition", "conditions")
        akey, actions = self.one_spelling(node, "action", "actions")
        if akey is None:
            self.error(Text("config.required_key", key="actions"), node, path)
        for key in ("trigger", "triggers", "condition", "conditions", "action", "actions"):
            out.pop(key, None)
        out["triggers"] = self.triggers(triggers, (*path, tkey or "triggers"))
        out["conditions"] = self.conditions(conditions, (*path, ckey or "conditions"))
        out["actions"] = self.actions(actions, (*path, akey or "actions"))
        return out if len(self.errors) == before else None

    # -- triggers ----------------------------------------------------------------

    def triggers(self, node: Any, path: KeyPath) -> NodeList:
        out = _located_like(NodeList(), node)
        for item_path, item in self.as_list(node, path, "triggers"):
            trigger = self.trigger(item, item_path)
            if trigger is not None:
                out.append(trigger)
        return out

    def trigger(self, node: Any, path: KeyPath) -> NodeDict | None:
        if not isinstance(node, dict):
            self.error(Text("automation.expected_trigger"), node, path)
            return None
        if "platform" in node and "trigger" in node:
            message = Text("automation.either", first="platform", second="trigger")
            self.key_error(message, node, path, "platform")
            return None
        key = "trigger" if "trigger" in node else "platform"
        platform = node.get(key)
        if platform is None:
            keys = [k for k in node if k not in _TRIGGER_COMMON_KEYS]
            found = (
                Text("automation.found", key=repr(keys[0]), hint=suggest(keys[0], _TYPE_KEYS))
                if keys
                else ""
            )
            known = ", ".join(sorted(self.trigger_platforms))
            message = Text("automation.trigger_type_missing", known=known, found=found)
            self.error(message, node, path)
            return None
        cls = self.trigger_platforms.get(str(platform))
        if cls is None:
            hint = suggest(platform, self.trigger_platforms)
            self.error(
                Text("automation.unknown_trigger", value=repr(platform), hint=hint),
                node,
                (*path, key),
                key,
            )
            return None
        given = _located_like(NodeDict(node), node)
        if key == "trigger":
            given["platform"] = given.pop("trigger")
        return self.check(_trigger_schema(cls), given, path)

    # -- conditions ----------------------------------------------------------------

    def conditions(self, node: Any, path: KeyPath) -> NodeList:
        out = _located_like(NodeList(), node)
        for item_path, item in self.as_list(node, path, "conditions"):
            condition = self.condition(item, item_path)
            if condition is not None:
                out.append(condition)
        return out

    def condition(self, node: Any, path: KeyPath) -> NodeDict | None:
        if isinstance(node, str):  # the template shorthand
            if not is_template(node):
                self.error(Text("automation.condition_text", value=repr(node)), node, path)
                return None
            value = self.check(_TEMPLATE_ONLY, {"value_template": node}, path)
            if value is None:
                return None
            return _located_like(NodeDict(condition="template", value_template=node), node)
        if not isinstance(node, dict):
            self.error(Text("automation.expected_condition"), node, path)
            return None
        shorthand = [k for k in _LOGICAL if k in node]
        if "condition" not in node and shorthand:
            kind = shorthand[0]
            rest = {k: v for k, v in node.items() if k != kind}
            given = _located_like(NodeDict(condition=kind, conditions=node[kind], **rest), node)
            given.key_lines = {
                **getattr(node, "key_lines", {}),
                "conditions": getattr(node, "key_lines", {}).get(kind),
            }
        elif "condition" not in node:
            keys = list(node)
            hint = suggest(keys[0], ["condition", *_LOGICAL]) if keys else ""
            self.error(Text("automation.condition_type_missing", hint=hint), node, path)
            return None
        else:
            given = node
        kind = given["condition"]
        schema = CONDITION_SCHEMAS.get(kind) if isinstance(kind, str) else None
        if schema is None:
            hint = suggest(kind, CONDITION_SCHEMAS)
            self.error(
                Text("automation.unknown_condition", value=repr(kind), hint=hint),
                node,
                (*path, "condition"),
                "condition",
            )
            return None
        value = self.check(_CONDITION_COMPILED[kind], given, path)
        if value is None:
            return None
        if kind in _LOGICAL:
            value["conditions"] = self.conditions(given["conditions"], (*path, "conditions"))
        elif kind == "numeric_state" and "above" not in value and "below" not in value:
            self.error(Text("automation.numeric_state_needs"), node, path)
            return None
        elif kind == "time" and not ({"after", "before", "weekday"} & set(value)):
            self.error(Text("automation.time_needs"), node, path)
            return None
        elif kind == "sun" and not ({"after", "before"} & set(value)):
            self.error(Text("automation.sun_needs"), node, path)
            return None
        return value

    # -- actions ---------------------------------------------------------------------

    def actions(self, node: Any, path: KeyPath) -> NodeList:
        out = _located_like(NodeList(), node)
        for item_path, item in self.as_list(node, path, "actions"):
            action = self.action(item, item_path)
            if action is not None:
                out.append(action)
        return out

    def action(self, node: Any, path: KeyPath) -> NodeDict | None:
        if not isinstance(node, dict):
            self.error(Text("automation.expected_action"), node, path)
            return None
        given = node
        if "action" in node and "service" in node:
            message = Text("automation.either", first="action", second="service")
            self.key_error(message, node, path, "action")
            return None
        if "action" in node:  # the new spelling of a service call
            given = _located_like(NodeDict(node), node)
            given["service"] = given.pop("action")
            given.key_lines = {
                **getattr(node, "key_lines", {}),
                "service": getattr(node, "key_lines", {}).get("action"),
            }
        kind = next((k for k in ACTION_SCHEMAS if k in given), None)
        if kind is None:
            known = [*ACTION_SCHEMAS, "action"]
            unknown = [k for k in node if k not in ACTION_COMMON_KEYS]
            if unknown:
                hint = suggest(unknown[0], known)
                self.key_error(
                    Text("automation.unknown_action", key=repr(unknown[0]), hint=hint),
                    node,
                    path,
                    unknown[0],
                )
            else:
                self.error(Text("automation.empty_action"), node, path)
            return None
        value = self.check(_ACTION_COMPILED[kind], given, path)
        if value is None:
            return None
        value["kind"] = kind
        nested = getattr(self, f"_nested_{kind}", None)
        if nested is not None:
            nested(value, given, path)
        return value

    def _nested_condition(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        body = {k: v for k, v in node.items() if k not in ("continue_on_error",)}
        condition = self.condition(_located_like(NodeDict(body), node), path)
        if condition is not None:
            value["check"] = condition

    def _nested_wait_for_trigger(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        value["wait_for_trigger"] = self.triggers(
            node["wait_for_trigger"], (*path, "wait_for_trigger")
        )

    def _nested_choose(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        options = _located_like(NodeList(), node["choose"])
        for option_path, option in self.as_list(node["choose"], (*path, "choose"), "options"):
            checked = self.check(_CHOOSE_OPTION, option, option_path)
            if checked is None:
                continue
            checked["conditions"] = self.conditions(
                option["conditions"], (*option_path, "conditions")
            )
            checked["sequence"] = self.actions(option["sequence"], (*option_path, "sequence"))
            options.append(checked)
        value["choose"] = options
        if "default" in node:
            value["default"] = self.actions(node["default"], (*path, "default"))

    def _nested_if(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        value["if"] = self.conditions(node["if"], (*path, "if"))
        value["then"] = self.actions(node["then"], (*path, "then"))
        if "else" in node:
            value["else"] = self.actions(node["else"], (*path, "else"))

    def _nested_repeat(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        repeat_path = (*path, "repeat")
        checked = self.check(_REPEAT, node["repeat"], repeat_path)
        if checked is None:
            return
        kinds = [k for k in ("count", "while", "until", "for_each") if k in checked]
        if len(kinds) != 1:
            self.error(
                Text("automation.repeat_needs"),
                node["repeat"],
                repeat_path,
            )
            return
        for key in ("while", "until"):
            if key in checked:
                checked[key] = self.conditions(node["repeat"][key], (*repeat_path, key))
        checked["sequence"] = self.actions(node["repeat"]["sequence"], (*repeat_path, "sequence"))
        value["repeat"] = checked

    def _nested_parallel(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        value["parallel"] = self.actions(node["parallel"], (*path, "parallel"))

    def _nested_sequence(self, value: NodeDict, node: Any, path: KeyPath) -> None:
        value["sequence"] = self.actions(node["sequence"], (*path, "sequence"))


ACTION_COMMON_KEYS = frozenset(getattr(k, "schema", k) for k in ACTION_COMMON)

# Compiled once: building a voluptuous schema costs more than using it.
_TEMPLATE_ONLY = vol.Schema({vol.Required("value_template"): template})
_CONDITION_COMPILED = {
    kind: vol.Schema({vol.Required("condition"): str, **CONDITION_COMMON, **schema})
    for kind, schema in CONDITION_SCHEMAS.items()
}
_ACTION_COMPILED = {
    kind: vol.Schema({**ACTION_COMMON, **schema}) for kind, schema in ACTION_SCHEMAS.items()
}


def _located_like(new: Any, node: Any) -> Any:
    located(new, getattr(node, "file", None), getattr(node, "line", None))
    if isinstance(new, dict) and hasattr(node, "key_lines"):
        new.key_lines = node.key_lines
    return new


def check_automations(
    node: Any, trigger_platforms: Mapping[str, type], path: KeyPath = ("automation",)
) -> tuple[list[NodeDict], list[ConfigError]]:
    """Every valid automation in `node` (one automation or a list), and every
    mistake found in the others."""
    errors: list[ConfigError] = []
    checker = _Checker(trigger_platforms, errors)
    if node is None:
        return [], []
    items = [(path, node)] if isinstance(node, dict) else None
    if items is None:
        if not isinstance(node, list):
            return [], [
                AutomationError(
                    "expected a list of automations",
                    file=where(node)[0],
                    line=where(node)[1],
                    path=path,
                )
            ]
        items = [((*path, i), item) for i, item in enumerate(node)]
    valid = []
    for item_path, item in items:
        automation = checker.automation(item, item_path)
        if automation is not None:
            valid.append(automation)
    return valid, [AutomationError.of(error) for error in errors]


def section_validator(hub: Hub) -> Callable[[Any], tuple[list[NodeDict], list[ConfigError]]]:
    """The `automation:` section check for `sigap_config_schema`."""

    def check(node: Any) -> tuple[list[NodeDict], list[ConfigError]]:
        return check_automations(node, hub.trigger_platforms)

    return check
