"""HTTP digest authentication (RFC 7616, MD5, qop=auth) on the server side,
as Hikvision and Dahua cameras ask for it: the fakes check what the hub's
aiohttp DigestAuthMiddleware sends, so a wrong password really fails."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _parse(header: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    rest = header.partition(" ")[2]
    for part in _split_commas(rest):
        key, _, value = part.strip().partition("=")
        fields[key.strip().lower()] = value.strip().strip('"')
    return fields


def _split_commas(text: str) -> list[str]:
    parts, current, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


class DigestGuard:
    """Checks `Authorization: Digest` on every request of one fake camera."""

    def __init__(self, username: str, password: str, realm: str) -> None:
        self.username = username
        self.password = password
        self.realm = realm
        self._nonces: set[str] = set()

    def challenge(self) -> web.Response:
        nonce = secrets.token_hex(16)
        self._nonces.add(nonce)
        header = f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", algorithm=MD5'
        return web.Response(status=401, headers={"WWW-Authenticate": header}, text="Unauthorized")

    def allowed(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("digest "):
            return False
        f = _parse(header)
        if f.get("username") != self.username or f.get("nonce") not in self._nonces:
            return False
        ha1 = _md5(f"{self.username}:{self.realm}:{self.password}")
        ha2 = _md5(f"{request.method}:{f.get('uri', '')}")
        if f.get("qop"):
            expected = _md5(
                f"{ha1}:{f['nonce']}:{f.get('nc', '')}:{f.get('cnonce', '')}:{f['qop']}:{ha2}"
            )
        else:
            expected = _md5(f"{ha1}:{f['nonce']}:{ha2}")
        return secrets.compare_digest(expected, f.get("response", ""))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.allowed(request):
            return self.challenge()
        return await handler(request)
