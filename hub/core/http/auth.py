"""Who is asking: sign-in, browser sessions, API tokens and the auth slot.

Users are the people of the config (`people:`) who were given a password
with `sigap user add`; there is no default password. A browser signs in with
`POST /api/auth/login` and gets a session cookie (HttpOnly, SameSite=Strict,
Secure over TLS) and a CSRF token that every write must send back in
`X-CSRF-Token`; another system sends `Authorization: Bearer <token>`. Either
way the request carries a Context (`user_id` = the person, `actor` =
`http:<person>` or `api-token:<name>`), and routes call services and read
states with it, so the hub's policy decides.

Without a user: /healthz, the sign-in, webhooks and plugins' routes (they
check their own signatures), and what lies outside /api/ (the dashboard's
files, a device protocol's fixed path). Every other /api/ route needs one.
Each refused request is one log line (rate-limited, what the caller sent
escaped) and an audit record when the recorder runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import voluptuous as vol
from aiohttp import hdrs, web

from ..config.validators import seconds
from ..context import Context
from ..i18n import Text
from ..keys import HubKey
from ..lograte import LogRate, shown
from . import auth_scope
from .api_errors import json_error, language_of
from .auth_guard import SignInGuard
from .auth_sessions import Session, Sessions
from .auth_store import AuthStore, verify_password
from .body import BodyRefused, decode_body, read_body
from .callers import Network, address, caller

if TYPE_CHECKING:
    from ..hub import Hub
    from ..people import Person

_LOGGER = logging.getLogger(__name__)

SESSION_COOKIE = "sigap_session"
CSRF_COOKIE = "sigap_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_PATH = "/api/auth/login"
LOGOUT_PATH = "/api/auth/logout"

#: `http:` keys of sign-in (merged into the section's schema)
AUTH_SETTINGS: dict[Any, Any] = {
    vol.Optional("session_idle_timeout", default=3600.0): seconds(60),
    vol.Optional("session_max_age", default=43200.0): seconds(60),
    vol.Optional("login_max_failures", default=5): vol.All(int, vol.Range(min=1)),
    vol.Optional("login_address_max_failures", default=20): vol.All(int, vol.Range(min=1)),
    vol.Optional("login_failure_window", default=900.0): seconds(1),
    vol.Optional("login_lockout", default=900.0): seconds(1),
}

# Verifying a password costs ~0.1 s of CPU and 64 MiB: two at a time, and a
# short queue; past it a sign-in is answered 503 at once.
_VERIFYING_AT_ONCE = 2
_VERIFY_QUEUE = 16

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTEXT: web.RequestKey[Context] = web.RequestKey("sigap.context", Context)


class Auth:
    """Sign-in state of one hub: its users file, sessions and throttling."""

    def __init__(self, hub: Hub, settings: Mapping[str, Any]) -> None:
        self.hub = hub
        self.store = AuthStore(hub.config_dir)
        self.trusted_proxies: tuple[Network, ...] = tuple(settings.get("trusted_proxies", ()))
        self.body_timeout = float(settings.get("body_timeout", 10.0))
        monotonic = hub.clock.monotonic
        self.sessions = Sessions(
            monotonic,
            idle=float(settings["session_idle_timeout"]),
            max_age=float(settings["session_max_age"]),
        )
        self.guard = SignInGuard(
            monotonic,
            max_failures=int(settings["login_max_failures"]),
            address_max_failures=int(settings["login_address_max_failures"]),
            window=float(settings["login_failure_window"]),
            lockout=float(settings["login_lockout"]),
        )
        self.log = LogRate(_LOGGER, language=lambda: hub.console_language)
        #: called with each session that signs out (the WebSocket API closes its sockets)
        self.sign_out_listeners: list[Callable[[Session], None]] = []
        self._verifying = asyncio.Semaphore(_VERIFYING_AT_ONCE)
        self._waiting = 0
        auth_scope.install(hub, self.token_sites)

    # -- who is asking ------------------------------------------------------------------

    def token_sites(self, name: str) -> tuple[str, ...] | None:
        token = self.store.read().tokens.get(name)
        return token.sites if token is not None else None

    def person(self, context: Context | None) -> Person | None:
        return self.hub.people.get(context.user_id) if context is not None else None

    def caller_of(self, request: web.BaseRequest) -> str:
        return caller(request, self.trusted_proxies) or f"?{request.remote or ''}"

    def served_over_tls(self, request: web.BaseRequest) -> bool:
        if request.secure:
            return True
        peer = address(request.remote)
        trusted = peer is not None and any(
            peer.version == n.version and peer in n for n in self.trusted_proxies
        )
        proto = request.headers.get("X-Forwarded-Proto", "")
        return trusted and proto.split(",")[-1].strip().lower() == "https"

    def _session(self, request: web.BaseRequest) -> Session | None:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return None
        return self.sessions.get(session_id, self.store.password_hash)

    def identify(self, request: web.BaseRequest) -> tuple[Context | None, str | None]:
        """The request's Context, or None; and why credentials it carried
        were refused ("bad_token", "expired", "csrf"), or None."""
        header = request.headers.get(hdrs.AUTHORIZATION)
        if header is not None:
            scheme, _, secret = header.partition(" ")
            token = self.store.token(secret.strip()) if scheme.lower() == "bearer" else None
            if token is None or self.hub.people.get(token.user) is None:
                return None, "bad_token"
            return Context(user_id=token.user, actor=f"{auth_scope.TOKEN_ACTOR}{token.name}"), None
        if SESSION_COOKIE not in request.cookies:
            return None, None
        session = self._session(request)
        if session is None or self.hub.people.get(session.user) is None:
            return None, "expired"
        if request.method not in SAFE_METHODS and not session.csrf_matches(
            request.headers.get(CSRF_HEADER)
        ):
            return None, "csrf"
        return Context(user_id=session.user, actor=f"http:{session.user}"), None

    # -- the slot ---------------------------------------------------------------------

    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        context, refused = self.identify(request)
        if context is not None:
            request[CONTEXT] = context
            return await handler(request)
        if not needs_user(request.path):
            return await handler(request)
        if refused == "csrf":
            return self.refuse(request, 403, "csrf", Text("auth.error.csrf"))
        if refused is not None:
            return self.refuse(request, 401, refused, Text("auth.error.signed_out"))
        return self.refuse(request, 401, "unauthorized", Text("auth.error.unauthorized"))

    def refuse(
        self,
        request: web.BaseRequest,
        status: int,
        code: str,
        message: Text,
        *,
        context: Context | None = None,
        who: str | None = None,
        headers: dict[str, str] | None = None,
        entity_id: str | None = None,
    ) -> web.Response:
        """Answer a refusal: one log line, one audit record, a JSON error."""
        from_ = self.caller_of(request)
        if who is None:
            who = context.who if context is not None else "-"
        said = Text(
            "auth.denied",
            method=shown(request.method, 20),
            path=shown(request.path, 120),
            caller=shown(from_, 60),
            who=shown(who, 60),
            reason=Text(f"auth.reason.{code}"),
            status=status,
        )
        self.log.log(("auth", "denied", code), logging.WARNING, said)
        self.audit(
            {
                "who": who,
                "action": "refused",
                "entity_id": entity_id,
                "site": None,
                "reason": code,
                "data": {
                    "method": shown(request.method, 20),
                    "path": shown(request.path, 120),
                    "caller": shown(from_, 60),
                    "status": status,
                },
                "context_id": context.id if context is not None else None,
                "time": self.hub.clock.timestamp(),
            }
        )
        person = self.person(context)
        lang = language_of(request, person.language if person else None, self.hub.language)
        return json_error(status, code, message, lang, headers)

    def audit(self, record: Mapping[str, Any]) -> None:
        recorder = getattr(self.hub, "recorder", None)
        audit = getattr(recorder, "audit", None)
        if audit is not None:
            audit(record)

    # -- signing in and out ------------------------------------------------------------

    async def verify(self, stored: str | None, password: str) -> bool | None:
        """Whether the password matches, off the loop; None when too many
        sign-ins are being checked at once."""
        if self._waiting >= _VERIFY_QUEUE:
            return None
        self._waiting += 1
        try:
            async with self._verifying:
                return await asyncio.to_thread(verify_password, stored, password)
        finally:
            self._waiting -= 1

    async def login(self, request: web.Request) -> web.Response:
        try:
            body = decode_body(request, await read_body(request, self.body_timeout))
        except BodyRefused as refused:
            return self.refuse(request, refused.status, "bad_request", refused.reason)
        given = body.get("json")
        user = given.get("user") if isinstance(given, dict) else None
        password = given.get("password") if isinstance(given, dict) else None
        if not isinstance(user, str) or not isinstance(password, str) or len(password) > 1024:
            return self.refuse(request, 400, "bad_request", Text("auth.error.login_body"))
        user = user.strip()[:100]
        from_ = self.caller_of(request)
        person = self.hub.people.get(user)
        stored = self.store.password_hash(user) if person is not None else None
        known = user if stored is not None else None
        wait = self.guard.retry_after(known, from_)
        if wait > 0:
            return self._locked(request, user, wait)
        ok = await self.verify(stored, password)
        if ok is None:
            return self.refuse(
                request,
                503,
                "busy",
                Text("auth.error.busy"),
                who=user,
                headers={"Retry-After": "1"},
            )
        if not ok or person is None or stored is None:
            if self.guard.failed(known, from_):
                return self._locked(request, user, self.guard.retry_after(known, from_))
            return self.refuse(
                request, 401, "sign_in_failed", Text("auth.error.sign_in_failed"), who=user
            )
        self.guard.succeeded(user)
        old = self._session(request)
        if old is not None:
            self.sessions.close(old)  # a new id at every sign-in: a planted one is worthless
        session_id, session = self.sessions.open(user, stored)
        _LOGGER.info(Text("auth.signed_in", person=user, caller=shown(from_, 60)))
        response = web.json_response({**person_json(person), "csrf_token": session.csrf})
        self._set_cookies(request, response, session_id, session)
        return response

    def _locked(self, request: web.BaseRequest, user: str, wait: float) -> web.Response:
        minutes = max(1, int(wait + 59) // 60)
        return self.refuse(
            request,
            429,
            "locked",
            Text("auth.error.locked", minutes=minutes),
            who=user,
            headers={"Retry-After": str(max(1, int(wait + 0.999)))},
        )

    def _set_cookies(
        self, request: web.BaseRequest, response: web.Response, session_id: str, session: Session
    ) -> None:
        secure = self.served_over_tls(request)
        common: dict[str, Any] = {
            "path": "/",
            "samesite": "Strict",
            "secure": secure,
            "max_age": int(self.sessions.max_age),
        }
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, **common)
        # the page reads this one and sends it back as X-CSRF-Token
        response.set_cookie(CSRF_COOKIE, session.csrf, httponly=False, **common)

    async def logout(self, request: web.Request) -> web.Response:
        session = self._session(request)
        if session is not None:
            self.sessions.close(session)
            for listener in list(self.sign_out_listeners):
                listener(session)
        response = web.json_response({"signed_out": True})
        for name in (SESSION_COOKIE, CSRF_COOKIE):
            response.del_cookie(name, path="/", samesite="Strict")
        return response

    def close(self) -> None:
        self.log.close()


def needs_user(path: str) -> bool:
    """Whether a route serves only someone signed in (see the module's doc)."""
    if not path.startswith("/api/") and path != "/api":
        return False
    return not (
        path == LOGIN_PATH or path.startswith("/api/webhook/") or path.startswith("/api/plugins/")
    )


def person_json(person: Person) -> dict[str, Any]:
    return {
        "user": person.id,
        "name": person.name,
        "role": person.role,
        "language": person.language,
        "sites": sorted(person.sites) if person.sites else ["*"],
    }


AUTH_STATE: HubKey[Auth] = HubKey("http.auth")


def auth_of(hub: Hub, settings: Mapping[str, Any]) -> Auth:
    """The hub's one sign-in state (every app made for the hub shares it)."""
    auth = hub.data.get(AUTH_STATE)
    if auth is None:
        auth = hub.data[AUTH_STATE] = Auth(hub, settings)
    return auth


def first_admin_hint(hub: Hub) -> Text | None:
    """What `sigap run` says while no admin can sign in."""
    admins = [p for p in hub.people if p.role == "admin"]
    store = AuthStore(hub.config_dir)
    if any(store.password_hash(p.id) for p in admins):
        return None
    config = str(hub.config_dir)
    if not admins:
        return Text("auth.no_admin_person", config=config)
    return Text("auth.first_admin", person=admins[0].id, config=config)
