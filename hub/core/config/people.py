"""The `people:` and `groups:` sections: who is told, who may do what, where.

Checked one entry at a time like sites and devices, after the sites (a
person's `sites:` must name declared sites), so one bad person neither hides
the mistakes of the next nor turns every group that names them into a
second error.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import voluptuous as vol

from ..i18n import Text
from .errors import ConfigError, KeyPath
from .nodes import Location, NodeDict, NodeList, located, where
from .validation import duplicate_message, one_of, show_value, unknown_message, validate

ROLES = ("admin", "operator", "staff")
ALL_SITES = "*"

# E.164: a plus, a country code that does not start with 0, at most 15 digits.
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def e164(value: Any) -> str:
    """A WhatsApp number in E.164 (`"+6281234567890"`), quoted in YAML: unquoted,
    YAML reads `+62...` as a number and the plus is gone."""
    if isinstance(value, str):
        text = re.sub(r"[\s-]", "", value)
        if _E164.fullmatch(text):
            return text
        digits = re.sub(r"\D", "", text)
        if text.startswith("0") and digits:  # the local way of writing it: 0812...
            raise vol.Invalid(Text("people.expected_e164_local", fixed=f"+62{digits[1:]}"))
    elif isinstance(value, int) and not isinstance(value, bool):
        raise vol.Invalid(Text("people.expected_e164_quoted", fixed=f'"+{value}"'))
    raise vol.Invalid(Text("people.expected_e164"))


def telegram_id(value: Any) -> int:
    """A Telegram user id: a positive whole number (`123456789`)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise vol.Invalid(Text("people.expected_telegram_id"))


def _sites_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise vol.Invalid(Text("people.expected_sites"))


def _slug(value: Any) -> str:
    from .schema import slug  # schema.py imports this module

    return slug(value)


PERSON_NAME = vol.Any(str, vol.Schema({vol.Optional("id"): str, vol.Optional("en"): str}))

PERSON_SCHEMA = vol.Schema(
    {
        vol.Required("id"): _slug,
        vol.Optional("name"): PERSON_NAME,
        vol.Optional("language"): one_of("id", "en"),
        vol.Optional("telegram"): telegram_id,
        vol.Optional("whatsapp"): e164,
        vol.Required("role"): one_of(*ROLES),
        vol.Optional("sites"): _sites_list,
    }
)

GROUP_SCHEMA = vol.Schema(
    {
        vol.Required("id"): _slug,
        vol.Optional("name"): PERSON_NAME,
        vol.Required("members"): vol.All(_sites_list, vol.Length(min=1)),
    }
)


def _error(message: Any, location: Location, path: KeyPath) -> ConfigError:
    return ConfigError(message, file=location[0], line=location[1], path=path)


def _entries(raw: NodeDict, key: str, errors: list[ConfigError]) -> list[tuple[KeyPath, Any]]:
    node = raw.get(key)
    if node is None:
        return []
    if isinstance(node, list):
        return [((key, index), item) for index, item in enumerate(node)]
    message = Text("config.expected_list_got", value=show_value(node))
    errors.append(_error(message, where(raw, key), (key,)))
    return []


def check_people(
    raw: NodeDict, site_ids: Collection[str], errors: list[ConfigError]
) -> tuple[NodeList, NodeList]:
    """Validated `people:` and `groups:` (each a list; bad entries left out,
    their mistakes in `errors`)."""
    people = located(NodeList(), *where(raw, "people"))
    seen: dict[str, Location] = {}
    identities: dict[tuple[str, Any], Location] = {}
    known_people: set[str] = set()  # declared, well or badly: a group naming them is fine
    for path, item in _entries(raw, "people", errors):
        person, item_errors = validate(PERSON_SCHEMA, item, path)
        errors.extend(item_errors)
        raw_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(raw_id, str):
            known_people.add(raw_id)
        if person is None:
            # its sites are still checked, so no mistake waits for the next round
            if isinstance(item, dict) and isinstance(item.get("sites"), list):
                _check_sites(item, path, site_ids, errors)
            continue
        if _duplicate("person_id", person["id"], person, "id", path, seen, errors):
            continue
        bad = _check_sites(person, path, site_ids, errors)
        for channel in ("telegram", "whatsapp"):
            if channel in person:
                what = f"{channel}_id"
                if _duplicate(what, person[channel], person, channel, path, identities, errors):
                    bad = True
        if not bad:
            people.append(person)
    groups = located(NodeList(), *where(raw, "groups"))
    group_seen: dict[str, Location] = {}
    for path, item in _entries(raw, "groups", errors):
        group, item_errors = validate(GROUP_SCHEMA, item, path)
        errors.extend(item_errors)
        if group is None:
            continue
        if _duplicate("group_id", group["id"], group, "id", path, group_seen, errors):
            continue
        if group["id"] in known_people:
            message = Text("people.group_is_a_person", group=show_value(group["id"]))
            errors.append(_error(message, where(group, "id"), (*path, "id")))
            continue
        bad = False
        for index, member in enumerate(group["members"]):
            if member not in known_people:
                message = unknown_message("person", member, known_people)
                place = where(group["members"], index)
                errors.append(_error(message, place, (*path, "members", index)))
                bad = True
        if not bad:
            groups.append(group)
    return people, groups


def _duplicate(
    what: str,
    value: Any,
    item: NodeDict,
    key: str,
    path: KeyPath,
    seen: dict[Any, Location],
    errors: list[ConfigError],
) -> bool:
    here = where(item, key)
    ident = (what, value)
    if ident in seen:
        message = duplicate_message(what, value, seen[ident], here[0])
        errors.append(_error(message, here, (*path, key)))
        return True
    seen[ident] = here
    return False


def _check_sites(
    person: NodeDict, path: KeyPath, site_ids: Collection[str], errors: list[ConfigError]
) -> bool:
    """An admin may omit `sites:` (all of them); everyone else names theirs,
    each a declared site or `*`. True when something is wrong."""
    sites = person.get("sites")
    if sites is None:
        if person.get("role") == "admin":
            return False
        message = Text("people.sites_required", role=person["role"])
        errors.append(_error(message, where(person, "role"), (*path, "sites")))
        return True
    bad = False
    for index, site in enumerate(sites):
        if isinstance(site, str) and site != ALL_SITES and site not in site_ids:
            message = unknown_message("site", site, site_ids)
            place = where(sites, index) if isinstance(sites, list) else where(person, "sites")
            errors.append(_error(message, place, (*path, "sites", index)))
            bad = True
    return bad
