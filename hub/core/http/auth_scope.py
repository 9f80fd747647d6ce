"""An API token's sites: a token made with `--sites a,b` reaches only those
sites, within what its person may do anyway.

The hub's policy (people, roles, sites) decides for the person; this policy
wraps it and, for a context that came with a token
(`actor="api-token:<name>"`), first refuses what lies outside the token's
sites. A call or read whose target has no site is outside every site list.
A token that was revoked meanwhile reaches nothing. A service that checks
the site itself (an alarm's: `CHECKED_BY_SERVICE`) asks `may_site`, which
applies the same narrowing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..permissions import CHECKED_BY_SERVICE, Policy, denied_call

if TYPE_CHECKING:
    from ..context import Context
    from ..hub import Hub
    from ..state import State

TOKEN_ACTOR = "api-token:"

#: the sites of a token by its name: () for an unnarrowed one, None when it is gone
TokenSites = Callable[[str], tuple[str, ...] | None]


def token_name(context: Context) -> str | None:
    actor = context.actor
    return actor[len(TOKEN_ACTOR) :] if actor and actor.startswith(TOKEN_ACTOR) else None


class TokenScopePolicy(Policy):
    def __init__(self, hub: Hub, inner: Policy, sites_of_token: TokenSites) -> None:
        self._hub = hub
        self.inner = inner
        self._sites_of_token = sites_of_token

    def _scope(self, context: Context) -> frozenset[str] | None:
        """The sites the context's token reaches; None: no narrowing."""
        name = token_name(context)
        if name is None:
            return None
        sites = self._sites_of_token(name)
        if sites is None:
            return frozenset()  # revoked: nothing
        return frozenset(sites) if sites else None

    def check_call(
        self, context: Context, domain: str, service: str, data: Mapping[str, Any]
    ) -> None:
        scope = self._scope(context)
        by_service = self._hub.services.permission(domain, service) == CHECKED_BY_SERVICE
        if scope is not None and not by_service:
            reached = _sites_of_call(self.inner, data)
            if not reached or any(site is None or site not in scope for site in reached):
                raise denied_call(context, domain, service)
        self.inner.check_call(context, domain, service, data)

    def may_read(self, context: Context, state: State) -> bool:
        scope = self._scope(context)
        if scope is not None and _site_of_entity(self.inner, state) not in scope:
            return False
        return self.inner.may_read(context, state)

    def may_site(self, context: Context, site: str | None, action: str) -> bool:
        scope = self._scope(context)
        if scope is not None and (site is None or site not in scope):
            return False
        return self.inner.may_site(context, site, action)

    # the people policy's own helpers, for the API's filters
    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _sites_of_call(policy: Policy, data: Mapping[str, Any]) -> set[str | None]:
    sites_of = getattr(policy, "sites_of", None)
    return set(sites_of(data)) if sites_of is not None else {None}


def _site_of_entity(policy: Policy, state: State) -> str | None:
    site_of = getattr(policy, "site_of", None)
    if site_of is not None:
        return site_of(state.entity_id)  # type: ignore[no-any-return]
    site = state.attributes.get("site")
    return site if isinstance(site, str) else None


def install(hub: Hub, sites_of_token: TokenSites) -> None:
    """Wrap the hub's policy once (make_app may run more than once per hub)."""
    if not isinstance(hub.policy, TokenScopePolicy):
        hub.policy = TokenScopePolicy(hub, hub.policy, sites_of_token)
