"""The core's part of configuration.yaml (hub, sites, devices) and `validate_config`.

Sites and devices are checked one item at a time, so a mistake in one camera
neither hides the mistakes in the next nor makes every device on a good site
fail its site check.
"""

from __future__ import annotations

import functools
import logging
import re
import zoneinfo
from collections.abc import Callable, Collection, Mapping
from typing import Any

import voluptuous as vol

from ..i18n import Text
from .errors import ConfigError, KeyPath
from .nodes import Location, NodeDict, NodeList, Secret, key_where, located, where
from .people import check_people
from .secrets import redact
from .validation import (
    Each,
    duplicate_message,
    one_of,
    show_value,
    suggest,
    unknown_key_message,
    unknown_message,
    validate,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIME_ZONE = "Asia/Makassar"  # WITA: Bontang
# Devices in these domains belong to a building; a messenger does not.
# The core's domains whose items name a site; the hub passes the domains'
# own `needs_site` (a plugin's domain declares its own).
SITE_DOMAINS = frozenset({"camera", "door", "siren"})

_SLUG = re.compile(r"[a-z0-9_]+")

SectionCheck = Callable[[Any], tuple[Any, list[ConfigError]]]


def slug(value: Any) -> str:
    """An id: lowercase letters, digits and `_` (a bare number is taken as text)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if _is_slug(value):
        return value
    hint = ""
    if isinstance(value, str) and not isinstance(value, Secret):  # the fixed id shows a secret
        if fixed := re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_"):
            hint = Text("config.slug_try", fixed=fixed)
    raise vol.Invalid(Text("config.expected_slug", value=show_value(value), hint=hint))


def _is_slug(value: Any) -> bool:
    return isinstance(value, str) and _SLUG.fullmatch(value) is not None


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone(value: Any) -> str:
    """An IANA time zone name such as `Asia/Makassar`."""
    if isinstance(value, str):
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    hint = suggest(value, _time_zones())
    if hint:
        raise vol.Invalid(Text("config.unknown_time_zone", value=show_value(value), hint=hint))
    raise vol.Invalid(Text("config.expected_time_zone", example=DEFAULT_TIME_ZONE))


def number_between(low: float, high: float) -> Callable[[Any], float]:
    """A validator for a number in `[low, high]` (YAML booleans are not numbers)."""

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise vol.Invalid(Text("config.expected_number"))
        if not low <= value <= high:
            raise vol.Invalid(Text("config.expected_range", low=low, high=high))
        return float(value)

    return check


HUB_SECTION = vol.Schema(
    {
        vol.Optional("name", default="Sigap"): str,
        vol.Optional("id", default="sigap"): slug,
        vol.Optional("language", default="id"): one_of("id", "en"),
        vol.Optional("time_zone", default=DEFAULT_TIME_ZONE): time_zone,
        vol.Optional("latitude", default=0.1333): number_between(-90, 90),
        vol.Optional("longitude", default=117.5): number_between(-180, 180),
        vol.Optional("media_dir", default="media"): str,
    }
)

# A name once (the same in both languages) or per language: {id: ..., en: ...}.
PLACE_NAME = vol.Any(str, vol.Schema({vol.Optional("id"): str, vol.Optional("en"): str}))

AREA_SCHEMA = vol.Schema({vol.Required("id"): slug, vol.Optional("name"): PLACE_NAME})

# One entry of `sites:` (entries are checked one by one, see validate_config);
# `name` defaults to the id and every area comes out as {id, name}.
SITE_SCHEMA = vol.Schema(
    {
        vol.Required("id"): slug,
        vol.Optional("name"): PLACE_NAME,
        vol.Optional("areas", default=list): Each(vol.Any(slug, AREA_SCHEMA)),
    }
)

PLATFORM_BASE = {
    vol.Required("platform"): str,
    vol.Required("id"): slug,
    vol.Optional("name"): str,
    vol.Optional("site"): slug,
    vol.Optional("area"): slug,
}
_BASE_KEYS = frozenset(key.schema for key in PLATFORM_BASE)


def validate_config(
    raw: NodeDict,
    *,
    platforms: Mapping[str, Mapping[str, type]],
    sections: Mapping[str, vol.Schema | dict | list | SectionCheck],
    needs_site: Collection[str] = SITE_DOMAINS,
) -> tuple[dict[str, Any], list[ConfigError]]:
    """Check a loaded configuration.yaml; return the validated config and every mistake.

    `platforms` maps a domain (camera, door, siren, notify) to its platform
    classes by name; `sections` maps other top-level keys to a voluptuous
    schema (a vol.Schema, dict or list: wrap other validators in vol.Schema)
    or to any other callable `(node) -> (value, errors)`.
    Sections absent from `raw` are absent from the result; every domain is
    present (an empty list when unused). The hub finds an item's class as
    `platforms[domain][item["platform"]]`.
    """
    if not isinstance(raw, dict):
        message = Text("config.expected_sections", value=show_value(raw))
        return {}, [_error(message, where(raw))]
    errors: list[ConfigError] = []
    config = located(NodeDict(), *where(raw))  # `raw` may be a plain dict (tests)
    config.key_lines = getattr(raw, "key_lines", config.key_lines)

    hub = raw.get("hub")
    config["hub"], hub_errors = validate(HUB_SECTION, {} if hub is None else hub, ("hub",))
    if hub_errors:  # the hub still needs a language and time zone to report them
        config["hub"] = HUB_SECTION(_usable_hub_settings(hub))
    errors += hub_errors
    config["sites"], site_areas = _check_sites(raw, errors)
    config["people"], config["groups"] = check_people(raw, site_areas, errors)
    for domain, classes in platforms.items():
        config[domain] = _check_devices(
            raw, domain, classes, site_areas, errors, domain in needs_site
        )
    for key, check in sections.items():
        if key in raw:
            config[key] = _check_section(raw, key, check, errors)

    known = ["hub", "sites", "people", "groups", *platforms, *sections]
    for key in raw:
        if key not in known:
            errors.append(_error(unknown_key_message(key, known), key_where(raw, key)))
    # Read top to bottom, file by file, whatever order the checks ran in.
    errors.sort(key=lambda error: (error.file or "", error.line or 0))
    return config, errors


def _usable_hub_settings(hub: Any) -> dict[str, Any]:
    """The language and time zone of a hub section with mistakes, where they are right,
    so its errors are reported in the language the admin asked for."""
    if not isinstance(hub, dict):
        return {}
    usable = {}
    for key in ("language", "time_zone"):
        if key in hub and not validate(HUB_SECTION, {key: hub[key]})[1]:
            usable[key] = hub[key]
    return usable


def _error(message: str, location: Location, path: KeyPath = ()) -> ConfigError:
    return ConfigError(message, file=location[0], line=location[1], path=path)


def _items(raw: NodeDict, key: str, errors: list[ConfigError]) -> list[tuple[KeyPath, Any]]:
    """The entries of a list section with their paths; one mapping is a one-entry list."""
    node = raw.get(key)
    if node is None:
        return []
    if isinstance(node, dict):
        return [((key,), node)]
    if isinstance(node, list):
        return [((key, index), item) for index, item in enumerate(node)]
    message = Text("config.expected_list_got", value=show_value(node))
    errors.append(_error(message, where(raw, key), (key,)))
    return []


def _check_sites(
    raw: NodeDict, errors: list[ConfigError]
) -> tuple[NodeList, dict[str, list[str] | None]]:
    """Validated sites, and each site id's area ids (None: the site's areas are unknown)."""
    sites = located(NodeList(), *where(raw, "sites"))
    site_areas: dict[str, list[str] | None] = {}
    first_seen: dict[str, Location] = {}
    for path, item in _items(raw, "sites", errors):
        site, item_errors = validate(SITE_SCHEMA, item, path)
        errors += item_errors
        if site is None:
            raw_id = item.get("id") if isinstance(item, dict) else None
            if _is_slug(raw_id):  # declared, if badly: spare its devices a second error
                site_areas.setdefault(raw_id, None)
            continue
        if _is_duplicate("site_id", site, path, first_seen, errors):
            continue
        site.setdefault("name", site["id"])
        site["areas"] = _normal_areas(site["areas"], path, errors)
        site_areas[site["id"]] = [area["id"] for area in site["areas"]]
        sites.append(site)
    return sites, site_areas


def _normal_areas(areas: NodeList, site_path: KeyPath, errors: list[ConfigError]) -> NodeList:
    """Every area as {id, name}, ids unique within the site."""
    normal = located(NodeList(), *where(areas))
    first_seen: dict[str, Location] = {}
    for index, area in enumerate(areas):
        if isinstance(area, str):
            area = located(NodeDict(id=area, name=area), *where(area))
        area.setdefault("name", area["id"])
        if not _is_duplicate("area_id", area, (*site_path, "areas", index), first_seen, errors):
            normal.append(area)
    return normal


def _is_duplicate(
    what: str,
    item: NodeDict,
    path: KeyPath,
    first_seen: dict[str, Location],
    errors: list[ConfigError],
    ident: str | None = None,
) -> bool:
    """Report `item` if its id was seen before; remember it otherwise."""
    ident = item["id"] if ident is None else ident
    here = where(item, "id")
    if ident in first_seen:
        message = duplicate_message(what, ident, first_seen[ident], here[0])
        errors.append(_error(message, here, (*path, "id")))
        return True
    first_seen[ident] = here
    return False


def _item_schema(site_needed: bool, platform_class: type | None) -> vol.Schema:
    """PLATFORM_BASE plus a platform's CONFIG_SCHEMA; None gives the base alone, extra allowed.

    The base keys win over a platform's keys of the same name, so every item
    keeps the platform, id, site and area the hub relies on.
    """
    base = {
        vol.Required("site") if key == "site" and site_needed else key: value
        for key, value in PLATFORM_BASE.items()
    }
    if platform_class is None:
        return vol.Schema(base, extra=vol.ALLOW_EXTRA)
    own = getattr(platform_class, "CONFIG_SCHEMA", None)
    if own is None:
        return vol.Schema(base)
    if isinstance(own, vol.Schema) and isinstance(own.schema, dict):
        own, extra = own.schema, own.extra
    else:
        extra = vol.PREVENT_EXTRA
    if isinstance(own, dict):
        kept = {k: v for k, v in own.items() if getattr(k, "schema", k) not in _BASE_KEYS}
        return vol.Schema({**base, **kept}, extra=extra)
    # Not a mapping (e.g. vol.All(...)): it sees the whole item after the base keys pass.
    return vol.Schema(vol.All(vol.Schema(base, extra=vol.ALLOW_EXTRA), own))


def _check_devices(
    raw: NodeDict,
    domain: str,
    classes: Mapping[str, type],
    site_areas: dict[str, list[str] | None],
    errors: list[ConfigError],
    site_needed: bool,
) -> NodeList:
    devices = located(NodeList(), *where(raw, domain))
    first_seen: dict[str, Location] = {}
    schemas: dict[type | None, vol.Schema] = {}  # built once per platform, not per item
    for path, item in _items(raw, domain, errors):
        platform = item.get("platform") if isinstance(item, dict) else None
        platform_class = classes.get(platform) if isinstance(platform, str) else None
        if isinstance(platform, str) and platform_class is None:
            what = Text("config.thing.platform", domain=domain)
            message = unknown_message(what, platform, classes)
            errors.append(_error(message, where(item, "platform"), (*path, "platform")))
        # An unknown platform is still checked against the base keys, for their mistakes.
        if platform_class not in schemas:
            schemas[platform_class] = _item_schema(site_needed, platform_class)
        device, item_errors = validate(schemas[platform_class], item, path)
        errors += item_errors
        # A bad item's own id, site and area are still checked, so no mistake waits a round.
        checked = item if device is None else device
        if not isinstance(checked, dict) or not isinstance(checked.get("id"), str):
            continue
        entity_id = f"{domain}.{checked['id']}"
        duplicate = _is_duplicate("entity_id", checked, path, first_seen, errors, entity_id)
        misplaced = _check_place(checked, path, site_areas, errors)
        if device is not None and platform_class is not None and not duplicate and not misplaced:
            devices.append(device)
    return devices


def _check_place(
    device: NodeDict,
    path: KeyPath,
    site_areas: dict[str, list[str] | None],
    errors: list[ConfigError],
) -> bool:
    """Report a `site:` that is not declared or an `area:` not in its site; True if so."""
    site, area = device.get("site"), device.get("area")
    if not _is_slug(site):  # missing or malformed: the schema said so already
        return False
    if site not in site_areas:
        message = unknown_message("site", site, site_areas)
        errors.append(_error(message, where(device, "site"), (*path, "site")))
        return True
    areas = site_areas[site]
    if _is_slug(area) and areas and area not in areas:
        known_here = Text("config.known_in_site", site=site)
        message = unknown_message("area", area, areas, known_here)
        errors.append(_error(message, where(device, "area"), (*path, "area")))
        return True
    return False


def _check_section(raw: NodeDict, key: str, check: Any, errors: list[ConfigError]) -> Any:
    if isinstance(check, vol.Schema | dict | list):
        value, section_errors = validate(check, raw[key], (key,))
    else:
        try:
            value, section_errors = check(raw[key])
        except Exception as exc:  # a plugin's bug must not hide every other mistake
            _LOGGER.exception("checking the %s section failed", key)
            failure = redact(f"{type(exc).__name__}: {exc}")
            message = Text("config.section_failed", error=failure)
            value, section_errors = None, [_error(message, where(raw, key), (key,))]
    errors += section_errors
    return value
