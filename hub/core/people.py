"""People, groups and roles scoped to sites: `hub.people`, and the policy
built on them that every service call and state read on someone's behalf
goes through.

Roles: an `admin` may do everything (on every site unless given `sites:`);
an `operator` may view, acknowledge, close, control (doors, sirens, cameras)
and arm on their sites; `staff` may view, acknowledge and close on theirs.
What has no site (a messenger, an automation) is covered only for whoever
covers every site: the Command Center.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config.people import ALL_SITES
from .context import Context
from .permissions import CHECKED_BY_SERVICE, Policy, denied_call, is_hub_context
from .sites import names_of

if TYPE_CHECKING:
    from .hub import Hub
    from .state import State

#: what each role may do on the sites it covers
ROLE_ACTIONS: Mapping[str, frozenset[str]] = {
    "admin": frozenset({"view", "acknowledge", "close", "control", "arm", "admin"}),
    "operator": frozenset({"view", "acknowledge", "close", "control", "arm"}),
    "staff": frozenset({"view", "acknowledge", "close"}),
}

# a service without a declared permission: only the hub itself and admins call it
_UNDECLARED = "admin"


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    language: str
    role: str
    #: the sites this person's role covers; empty means all (only an admin's)
    sites: frozenset[str]
    #: the groups this person is a member of, in configuration order
    groups: tuple[str, ...] = ()
    telegram: int | None = None
    whatsapp: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    names: Mapping[str, str]
    members: tuple[str, ...]

    def name(self, lang: str = "id") -> str:
        return self.names.get(lang) or self.names.get("en") or self.id


class PeopleRegistry:
    """The configured people and groups of one hub."""

    def __init__(
        self,
        people: Iterable[Person] = (),
        groups: Iterable[Group] = (),
        site_ids: Iterable[str] = (),
    ) -> None:
        self._people = {person.id: person for person in people}
        self._groups = {group.id: group for group in groups}
        self._site_ids = frozenset(site_ids)
        self._identities: dict[tuple[str, str], Person] = {}
        for person in self._people.values():
            if person.telegram is not None:
                self._identities[("telegram", str(person.telegram))] = person
            if person.whatsapp is not None:
                self._identities[("whatsapp", person.whatsapp)] = person

    @classmethod
    def from_config(
        cls,
        people: Iterable[Mapping[str, Any]],
        groups: Iterable[Mapping[str, Any]],
        *,
        site_ids: Iterable[str],
        language: str = "id",
    ) -> PeopleRegistry:
        """From validated `people:` and `groups:` (hub/core/config/people.py)."""
        site_ids = frozenset(site_ids)
        groups = [
            Group(
                str(g["id"]),
                names_of(g.get("name"), str(g["id"])),
                tuple(dict.fromkeys(str(m) for m in g["members"])),
            )
            for g in groups
        ]
        found = []
        for p in people:
            person_id = str(p["id"])
            sites = {str(s) for s in p.get("sites") or ()}
            if ALL_SITES in sites or (p["role"] == "admin" and not sites):
                # "*" for an admin is the empty set (all, sites added later too);
                # for anyone else, every site there is
                sites = set() if p["role"] == "admin" else set(site_ids)
            name = p.get("name") or person_id
            if isinstance(name, Mapping):  # a person's name in two languages: the first
                name = names_of(name, person_id)[str(p.get("language", language))]
            found.append(
                Person(
                    id=person_id,
                    name=str(name),
                    language=str(p.get("language", language)),
                    role=str(p["role"]),
                    sites=frozenset(sites),
                    groups=tuple(g.id for g in groups if person_id in g.members),
                    telegram=int(p["telegram"]) if p.get("telegram") is not None else None,
                    whatsapp=str(p["whatsapp"]) if p.get("whatsapp") is not None else None,
                )
            )
        return cls(found, groups, site_ids)

    # -- who is who ------------------------------------------------------------------

    def get(self, person_id: str | None) -> Person | None:
        return self._people.get(person_id) if person_id else None

    def group(self, group_id: str) -> Group | None:
        return self._groups.get(group_id)

    def __iter__(self) -> Iterator[Person]:
        return iter(self._people.values())

    def __len__(self) -> int:
        return len(self._people)

    def groups(self) -> list[Group]:
        return list(self._groups.values())

    def resolve(self, names: Iterable[str]) -> list[Person]:
        """The people that person ids and group ids name, each once, in
        order; a name that is neither is skipped."""
        found: dict[str, Person] = {}
        for name in names:
            group = self._groups.get(name)
            ids = group.members if group is not None else (name,)
            for person_id in ids:
                person = self._people.get(person_id)
                if person is not None:
                    found.setdefault(person.id, person)
        return list(found.values())

    def by_identity(self, channel: str, ident: str | int) -> Person | None:
        """The person a messenger identity belongs to: ("telegram", 123456789),
        ("whatsapp", "+6281234567890"); a WhatsApp number as the Cloud API
        gives it (`6281234567890`, no plus) is the same number."""
        text = str(ident).strip()
        if channel == "whatsapp":
            text = "+" + "".join(c for c in text if c.isdigit())
        return self._identities.get((channel, text))

    # -- who may do what, where ------------------------------------------------------

    def person_of(self, context: Context) -> Person | None:
        return self._people.get(context.user_id) if context.user_id else None

    def covers(self, person: Person, site: str | None) -> bool:
        """Whether `site` lies in the person's scope; no site: only for whoever
        covers every site."""
        if not person.sites:
            return person.role == "admin"
        if site is None:
            return person.sites >= self._site_ids
        return site in person.sites

    def may_site(self, context: Context, site: str | None, action: str) -> bool:
        """Whether `context` may `action` ("view", "acknowledge", "close",
        "control", "arm", "admin") on `site`. The hub itself may; a context
        of someone who is no configured person may not."""
        if is_hub_context(context):
            return True
        person = self.person_of(context)
        if person is None:
            return False
        return action in ROLE_ACTIONS.get(person.role, ()) and self.covers(person, site)


class PeoplePolicy(Policy):
    """The hub's policy once people are configured (always, after load): a
    call's target is resolved to its sites, and the person's role must allow
    the service's permission on every one of them."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    @property
    def people(self) -> PeopleRegistry:
        return self._hub.people

    def check_call(
        self, context: Context, domain: str, service: str, data: Mapping[str, Any]
    ) -> None:
        if is_hub_context(context):
            return
        people = self.people
        person = people.person_of(context)
        if person is None:
            raise denied_call(context, domain, service)
        if person.role == "admin" and not person.sites:
            return
        permission = self._permission(domain, service)
        if permission == CHECKED_BY_SERVICE:
            return
        for site in self.sites_of(data):
            if not people.may_site(context, site, permission):
                raise denied_call(context, domain, service)

    def may_read(self, context: Context, state: State) -> bool:
        if is_hub_context(context):
            return True
        return self.people.may_site(context, self.site_of(state.entity_id), "view")

    def may_site(self, context: Context, site: str | None, action: str) -> bool:
        return self.people.may_site(context, site, action)

    def _permission(self, domain: str, service: str) -> str:
        return self._hub.services.permission(domain, service) or _UNDECLARED

    def site_of(self, entity_id: str) -> str | None:
        device = self._hub.devices.get(entity_id)
        if device is not None:
            return device.site
        state = self._hub.states.get(entity_id)
        site = state.attributes.get("site") if state is not None else None
        return site if isinstance(site, str) else None

    def sites_of(self, data: Mapping[str, Any]) -> set[str | None]:
        """The sites a call's target reaches (entity ids, sites, areas); a
        target that names none (or an unknown entity) is the site None."""
        found: set[str | None] = set()
        for entity_id in _names(data.get("entity_id")):
            found.add(self.site_of(entity_id))
        found.update(_names(data.get("site")))
        for area in _names(data.get("area")):
            having = [site.id for site in self._hub.sites if area in site.areas]
            found.update(having or [None])
        return found or {None}


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    return [str(value)]
