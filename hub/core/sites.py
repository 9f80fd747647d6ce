"""Sites (the buildings) and their areas: `hub.sites`.

A site's and an area's name may be given once (the same in both languages)
or per language (`name: {id: Dinas Kesehatan, en: Health Office}`). Every
event about a device carries its site and area ids; readers render the
names in their own language through this registry.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .i18n import DEFAULT_LANGUAGE, Text


def names_of(value: Any, default: str) -> dict[str, str]:
    """A configured `name` (one string, or one per language) as {lang: name}."""
    if isinstance(value, Mapping):
        given = {str(lang): str(name) for lang, name in value.items() if name}
        first = next(iter(given.values()), default)
        return {"id": given.get("id", first), "en": given.get("en", first)}
    name = str(value) if value else default
    return {"id": name, "en": name}


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    site_id: str
    names: Mapping[str, str]

    def name(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return self.names.get(lang) or self.names.get("en") or self.id


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    names: Mapping[str, str]
    areas: Mapping[str, Area] = field(default_factory=dict)

    def name(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return self.names.get(lang) or self.names.get("en") or self.id

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name(lang),
            "areas": [{"id": a.id, "name": a.name(lang)} for a in self.areas.values()],
        }


class UnknownPlace(LookupError):
    """A target names a site or area the configuration does not have."""


class SiteRegistry:
    """The configured sites, by id, in configuration order."""

    def __init__(self, sites: Iterable[Site] = ()) -> None:
        self._sites = {site.id: site for site in sites}

    @classmethod
    def from_config(cls, items: Iterable[Mapping[str, Any]]) -> SiteRegistry:
        sites = []
        for item in items:
            areas = {}
            for area in item.get("areas", ()):
                area_id = area["id"] if isinstance(area, Mapping) else str(area)
                name = area.get("name") if isinstance(area, Mapping) else None
                areas[area_id] = Area(area_id, item["id"], names_of(name, area_id))
            sites.append(Site(item["id"], names_of(item.get("name"), item["id"]), areas))
        return cls(sites)

    def get(self, site_id: str | None) -> Site | None:
        return self._sites.get(site_id) if site_id else None

    def area(self, site_id: str | None, area_id: str | None) -> Area | None:
        site = self.get(site_id)
        return site.areas.get(area_id) if site is not None and area_id else None

    def __iter__(self) -> Iterator[Site]:
        return iter(self._sites.values())

    def __len__(self) -> int:
        return len(self._sites)

    def __contains__(self, site_id: object) -> bool:
        return site_id in self._sites

    def check_target(self, sites: Iterable[str] = (), areas: Iterable[str] = ()) -> None:
        """Raise UnknownPlace naming the first site or area no site has
        (a typo in a target must not silently reach nothing)."""
        for site_id in sites:
            if site_id not in self._sites:
                raise UnknownPlace(
                    Text("sites.unknown_site", site=repr(site_id), hint=_hint(site_id, self._sites))
                )
        known_areas = {a for site in self._sites.values() for a in site.areas}
        for area_id in areas:
            if area_id not in known_areas:
                raise UnknownPlace(
                    Text("sites.unknown_area", area=repr(area_id), hint=_hint(area_id, known_areas))
                )


def _hint(value: str, known: Iterable[str]) -> Text | str:
    close = difflib.get_close_matches(value, list(known), n=1)
    return Text("config.did_you_mean", match=close[0]) if close else ""
