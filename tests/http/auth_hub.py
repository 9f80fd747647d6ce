"""A hub with people, two sites, a door on each and sign-in: passwords in
`<config>/.storage/auth.json` as `sigap user add` writes them, and an API
token scoped to site A. Each caller gets its own client (no cookie jar:
a session's cookie and CSRF token are sent by hand, as a browser would)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from hub.core.http.auth import CSRF_HEADER, SESSION_COOKIE
from hub.core.http.auth_store import (
    AuthData,
    AuthStore,
    Token,
    hash_password,
    new_token_secret,
    token_digest,
)

SITES = [
    {"id": "dinkes", "name": {"id": "Dinas Kesehatan", "en": "Health Office"}, "areas": ["lobi"]},
    {"id": "diskominfo", "areas": ["ruang_server"]},
]
# not simulated: a demo door's own swipes and forced openings (every ~20 s)
# would land in the tests' timelines and event counts at random
DOORS = [
    {"platform": "demo", "id": "dinkes_lobi", "site": "dinkes", "area": "lobi", "simulate": False},
    {"platform": "demo", "id": "server", "site": "diskominfo", "area": "ruang_server",
     "simulate": False},
]  # fmt: skip
PEOPLE = [
    {"id": "rina", "name": "Rina Admin", "role": "admin", "language": "en"},
    {"id": "sari", "name": "Sari Operator", "role": "operator", "sites": "*"},
    {"id": "andi", "name": "Andi Staf", "role": "staff", "sites": ["dinkes"]},
    {"id": "dewi", "name": "Dewi Staf", "role": "staff", "sites": ["diskominfo"], "language": "en"},
]
PASSWORD = {p["id"]: f"Sandi-{p['id']}-Bontang-2026" for p in PEOPLE}
#: the roles of the permission matrix, and who they are
ROLES = {"admin": "rina", "operator": "sari", "staff_a": "andi", "staff_b": "dewi"}


@functools.cache
def _hash(password: str) -> str:
    return hash_password(password)  # ~0.1 s each: once per test session


def write_users(config_dir: Path, tokens: Mapping[str, tuple[str, tuple[str, ...]]]) -> dict:
    """auth.json with every person's password and the given tokens
    (name -> (person, sites)); returns the tokens' secrets by name."""
    data = AuthData(passwords={p: _hash(pw) for p, pw in PASSWORD.items()})
    secrets = {}
    for name, (user, sites) in tokens.items():
        secret = secrets[name] = new_token_secret()
        data.tokens[name] = Token(name, user, token_digest(secret), sites, 0.0)
    AuthStore(config_dir).save(data)
    return secrets


@dataclass
class Caller:
    """One browser or system talking to the hub."""

    client: TestClient
    headers: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def _headers(self, method: str, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = dict(self.headers)
        if self.csrf is not None and method not in ("GET", "HEAD"):
            headers[CSRF_HEADER] = self.csrf
        headers.update(extra or {})
        return headers

    async def request(
        self, method: str, path: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        kwargs: dict[str, Any] = {"headers": self._headers(method, headers)}
        if json is not None:
            kwargs["json"] = json
        return await self.client.request(method, path, **kwargs)

    async def sign_in(self, user: str, password: str | None = None) -> aiohttp.ClientResponse:
        response = await self.client.post(
            "/api/auth/login",
            json={"user": user, "password": PASSWORD[user] if password is None else password},
            headers=self.headers,
        )
        if response.status == 200:
            cookie = response.cookies[SESSION_COOKIE].value
            self.headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
            self.csrf = (await response.json())["csrf_token"]
        return response


@dataclass
class AuthHub:
    hub: Any
    first: TestClient
    tokens: dict[str, str]
    aiohttp_client: Any

    async def caller(self, **session: Any) -> Caller:
        client = await self.aiohttp_client(
            self.first.server, cookie_jar=aiohttp.DummyCookieJar(), **session
        )
        return Caller(client)

    async def as_role(self, role: str) -> Caller:
        """A caller signed in (or holding a token) as one of the matrix's roles."""
        caller = await self.caller()
        if role == "token_a":
            caller.headers["Authorization"] = f"Bearer {self.tokens['erp-dinkes']}"
        elif role != "anonymous":
            response = await caller.sign_in(ROLES[role])
            assert response.status == 200, await response.text()
        return caller


@pytest.fixture
def auth_hub(hub_factory, hub_client, aiohttp_client, tmp_path):
    """`served = await auth_hub(clock=FakeClock(), session_idle_timeout=60)`"""

    async def make(
        clock: Any = None,
        more: Mapping[str, Any] | None = None,
        plugins: tuple[Any, ...] = (),
        **http: Any,
    ) -> AuthHub:
        # an operator of every site, whose token reaches only dinkes: site A
        tokens = write_users(tmp_path, {"erp-dinkes": ("sari", ("dinkes",))})
        config = {
            "sites": SITES,
            "door": DOORS,
            "people": PEOPLE,
            "http": {"server_port": 0, "trusted_proxies": ["127.0.0.1"], **http},
            **(more or {}),
        }
        hub = await hub_factory(config=config, plugins=["hub.plugins.demo", *plugins], clock=clock)
        first = await hub_client(hub, cookie_jar=aiohttp.DummyCookieJar())
        return AuthHub(hub, first, tokens, aiohttp_client)

    return make
