"""The WebSocket API at /api/websocket: events, state changes and alarm
changes as they happen, filtered to what the caller may see.

Who: a browser's session cookie (its Origin must be the hub's own, or one of
`http.websocket_origins`: another site's page cannot ride the cookie) or an
`Authorization: Bearer` token. The socket closes when its session signs out
or ends, or its token is revoked (checked every second and at every message
the client sends).

The protocol: JSON messages with an `id` the client picks; each gets one
`result` with that id.

    -> {"id": 1, "type": "subscribe", "kinds": ["alarms", "states"],
        "filters": {"site": ["dinkes"], "domain": ["door"], "entity": [...],
                    "event_type": [...]}}
    <- {"id": 1, "type": "result", "success": true, "result": {"subscription": 1}}
    <- {"type": "event", "subscription": 1, "kind": "alarms", "event": {...}}
    -> {"id": 2, "type": "unsubscribe", "subscription": 1}
    -> {"id": 3, "type": "ping"}      <- {"id": 3, "type": "pong"}
    <- {"id": 4, "type": "result", "success": false,
        "error": {"code": "unknown_type", "message": "..."}}

`kinds`: `states` (state_changed), `alarms` (alarm.*), `events` (every other
event). What a caller sees is what the hub's policy lets them read: a state
change of an entity they may read, an alarm of a site they may view, an
event of such an entity or site (one that names neither, only for whoever
views every site).

Back-pressure: the bus hands each event to one listener that puts a message
in each matching client's queue and returns (no await, no I/O: the hub is
never slowed by a client). Each client has its own writer; a client whose
queue holds `http.websocket_queue` unsent messages is dropped: closed with
code 1013 and the reason `too_slow`, counted in /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, hdrs, web

from ..bus import MATCH_ALL, Event
from ..eventdata import json_safe
from ..i18n import Text, render
from ..lograte import LogRate, shown
from ..state import EVENT_STATE_CHANGED
from .api_base import Routes
from .auth import SESSION_COOKIE, Auth
from .auth_scope import token_name
from .auth_sessions import Session
from .metrics import metrics_of
from .openapi import ApiRoute, operation

if TYPE_CHECKING:
    from ..context import Context
    from ..hub import Hub

_LOGGER = logging.getLogger(__name__)

WEBSOCKET_PATH = "/api/websocket"
KINDS = ("events", "states", "alarms")
FILTERS = ("site", "domain", "entity", "event_type")
MAX_MESSAGE = 64 * 1024  # what a client may send in one message
MAX_SUBSCRIPTIONS = 50
MAX_FILTER_VALUES = 200
CHECK_INTERVAL = 1.0  # seconds between checks that a socket's sign-in still holds
CLOSE_WAIT = 5.0  # a dropped client gets this long to take its close frame
# the kernel's send buffer per socket: a stalled client is noticed after this
# much, not after the megabytes the kernel would otherwise take for it
SEND_BUFFER = 256 * 1024

TOO_SLOW = "too_slow"
SIGNED_OUT = "signed_out"
REVOKED = "token_revoked"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    kinds: frozenset[str]
    filters: Mapping[str, frozenset[str]]

    def wants(self, kind: str, about: _About) -> bool:
        if kind not in self.kinds:
            return False
        for name, values in self.filters.items():
            if getattr(about, name) not in values:
                return False
        return True


class _About:
    """What one event is about (worked out once per event, for every client)."""

    __slots__ = ("domain", "entity", "event_type", "site", "state")

    def __init__(self, event: Event, site_of: Callable[[str], str | None], states: Any) -> None:
        data = event.data
        self.event_type = event.event_type
        entity = data.get("entity_id")
        self.entity = entity if isinstance(entity, str) else None
        self.domain = self.entity.partition(".")[0] if self.entity else None
        self.state = None
        if event.event_type == EVENT_STATE_CHANGED:
            self.state = data.get("new_state") or data.get("old_state")
        elif self.entity is not None:
            self.state = states.get(self.entity)
        site = data.get("site")
        if not isinstance(site, str):
            site = site_of(self.entity) if self.entity else None
        self.site = site


class Client:
    """One open socket: who it is, what it subscribed to, what waits to be sent."""

    def __init__(
        self,
        api: WebSocketApi,
        ws: web.WebSocketResponse,
        request: web.Request,
        context: Context,
        session: Session | None,
    ) -> None:
        self.api = api
        self.ws = ws
        self.transport = request.transport
        self.context = context
        self.session = session
        self.token = token_name(context)
        #: the token's sites (None: not narrowed), read at connect and again
        #: every CHECK_INTERVAL: the stream asks no file per event
        self.scope: frozenset[str] | None = None
        self.lang = api.routes.lang(request)
        self.caller = api.auth.caller_of(request)
        self.subscriptions: dict[int, Subscription] = {}
        self.queue: deque[str] = deque()
        self.wake = asyncio.Event()
        self.closing = False
        self.close_reason: str | None = None
        self.sent = 0
        self._next_subscription = 1
        self.writer: asyncio.Task[None] | None = None

    def send(self, text: str) -> None:
        """Queue one message; never waits. A full queue drops the client."""
        if self.closing:
            return
        if len(self.queue) >= self.api.queue_size:
            self.api.drop(self, TOO_SLOW)
            return
        self.queue.append(text)
        self.wake.set()

    def answer(self, message: Mapping[str, Any]) -> None:
        self.send(json.dumps(message, ensure_ascii=False))

    async def write(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                await self.ws.send_str(self.queue.popleft())
                self.sent += 1

    def new_subscription_id(self) -> int:
        number = self._next_subscription
        self._next_subscription += 1
        return number


class WebSocketApi:
    """The sockets of one hub's app."""

    def __init__(self, hub: Hub, auth: Auth, routes: Routes, settings: Mapping[str, Any]) -> None:
        self.hub = hub
        self.auth = auth
        self.routes = routes
        self.queue_size = int(settings["websocket_queue"])
        self.max_clients = int(settings["websocket_max_clients"])
        self.origins = frozenset(str(o).rstrip("/").lower() for o in settings["websocket_origins"])
        self.clients: set[Client] = set()
        #: clients dropped because they did not keep up
        self.dropped = 0
        self._unlisten: Callable[[], None] | None = None
        self._cancel_check: Callable[[], None] | None = None
        self._closing: set[asyncio.Task[Any]] = set()
        self._log = LogRate(_LOGGER, language=lambda: hub.console_language)
        metrics = metrics_of(hub)
        metrics.websocket_clients = lambda: len(self.clients)
        metrics.websocket_dropped = lambda: self.dropped
        auth.sign_out_listeners.append(self._signed_out)

    def api_routes(self) -> list[ApiRoute]:
        return [
            ApiRoute(
                "GET",
                WEBSOCKET_PATH,
                self.handle,
                operation(
                    "The WebSocket API: subscribe to events, states and alarms (docs/http.md)",
                    "websocket",
                    result={"type": "string"},
                    errors=[400, 503],
                ),
            )
        ]

    # -- connecting ----------------------------------------------------------------

    def _origin_ok(self, request: web.Request) -> bool:
        origin = request.headers.get(hdrs.ORIGIN)
        if origin is None:
            return True  # not a browser: no page can have sent it
        origin = origin.rstrip("/").lower()
        if origin in self.origins:
            return True
        scheme = "https" if self.auth.served_over_tls(request) else "http"
        host = request.headers.get(hdrs.X_FORWARDED_HOST) if self._proxied(request) else None
        return origin == f"{scheme}://{(host or request.host).lower()}"

    def _proxied(self, request: web.Request) -> bool:
        return self.auth.caller_of(request) != request.remote

    async def handle(self, request: web.Request) -> web.StreamResponse:
        context = self.routes.context(request)
        session = None
        if token_name(context) is None:
            session = self.auth.sessions.get(
                request.cookies.get(SESSION_COOKIE, ""), self.auth.store.password_hash
            )
            if not self._origin_ok(request):
                return self.auth.refuse(
                    request, 403, "origin", Text("ws.error.origin"), context=context
                )
        if len(self.clients) >= self.max_clients:
            return self.routes.error(request, 503, "busy", Text("ws.error.busy"))
        ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_MESSAGE)
        if not ws.can_prepare(request).ok:
            return self.routes.error(request, 400, "bad_request", Text("ws.error.not_websocket"))
        await ws.prepare(request)
        _bound_send_buffer(request)
        client = Client(self, ws, request, context, session)
        self._still_valid(client)
        self._add(client)
        client.writer = asyncio.get_running_loop().create_task(client.write())
        try:
            # ends when the socket closes: by the client, or by close() below
            async for message in ws:
                if client.closing:
                    continue
                if message.type == WSMsgType.TEXT:
                    self._received(client, message.data)
                elif message.type == WSMsgType.BINARY:
                    client.answer(self._error(client, None, "bad_message", "ws.error.not_json"))
        finally:
            self._remove(client)
            client.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await client.writer
        return ws

    def _add(self, client: Client) -> None:
        self.clients.add(client)
        if self._unlisten is None:
            self._unlisten = self.hub.bus.listen(MATCH_ALL, self._on_event, owner="websocket")
        if self._cancel_check is None:
            self._cancel_check = self.hub.clock.call_later(CHECK_INTERVAL, self._check_all)

    def _remove(self, client: Client) -> None:
        self.clients.discard(client)
        if not self.clients:
            if self._unlisten is not None:
                self._unlisten()
                self._unlisten = None
            if self._cancel_check is not None:
                self._cancel_check()
                self._cancel_check = None

    # -- still signed in? ----------------------------------------------------------

    def _still_valid(self, client: Client) -> str | None:
        """Why the client's sign-in no longer holds, or None."""
        if client.token is not None:
            sites = self.auth.token_sites(client.token)
            if sites is None:
                return REVOKED
            client.scope = frozenset(sites) if sites else None
            return None
        session = client.session
        if session is None or not self.auth.sessions.still_open(
            session, self.auth.store.password_hash
        ):
            return SIGNED_OUT
        return None

    def _check_all(self) -> None:
        self._cancel_check = None
        for client in list(self.clients):
            why = self._still_valid(client)
            if why is not None:
                self.close(client, why)
        if self.clients:
            self._cancel_check = self.hub.clock.call_later(CHECK_INTERVAL, self._check_all)

    def _signed_out(self, session: Session) -> None:
        for client in list(self.clients):
            if client.session is not None and client.session.key == session.key:
                self.close(client, SIGNED_OUT)

    # -- closing -------------------------------------------------------------------

    def drop(self, client: Client, reason: str) -> None:
        """A client that does not keep up: closed, its queue thrown away."""
        if client.closing:
            return
        self.dropped += 1
        said = Text(
            "ws.dropped",
            who=shown(client.context.who, 60),
            caller=shown(client.caller, 60),
            queued=len(client.queue),
        )
        self._log.log(("ws", "dropped"), logging.WARNING, said)
        self.close(client, reason, WSCloseCode.TRY_AGAIN_LATER)

    def close(self, client: Client, reason: str, code: int = WSCloseCode.POLICY_VIOLATION) -> None:
        if client.closing:
            return
        client.closing = True
        client.close_reason = reason
        client.queue.clear()
        self._remove(client)  # nothing more is queued for it from now on
        task = asyncio.get_running_loop().create_task(self._close(client, reason, code))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close(self, client: Client, reason: str, code: int) -> None:
        if client.writer is not None:
            client.writer.cancel()
        try:
            async with asyncio.timeout(CLOSE_WAIT):
                await client.ws.close(code=code, message=reason.encode())
        except (TimeoutError, ConnectionError, RuntimeError):
            if client.transport is not None:
                client.transport.abort()  # a client that takes nothing more

    async def shutdown(self, _app: web.Application | None = None) -> None:
        """The server stops: every socket is closed (going away)."""
        for client in list(self.clients):
            self.close(client, "hub_stopping", WSCloseCode.GOING_AWAY)
        if self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)
        self.auth.sign_out_listeners[:] = [
            f for f in self.auth.sign_out_listeners if f != self._signed_out
        ]
        self._log.close()

    # -- what clients send ---------------------------------------------------------

    def _error(self, client: Client, message_id: Any, code: str, key: str, **values: Any) -> dict:
        return {
            "id": message_id,
            "type": "result",
            "success": False,
            "error": {"code": code, "message": render(Text(key, **values), client.lang)},
        }

    def _received(self, client: Client, text: str) -> None:
        why = self._still_valid(client)
        if why is not None:
            self.close(client, why)
            return
        try:
            message = json.loads(text)
        except ValueError:
            client.answer(self._error(client, None, "bad_message", "ws.error.not_json"))
            return
        if not isinstance(message, dict):
            client.answer(self._error(client, None, "bad_message", "ws.error.not_json"))
            return
        message_id = message.get("id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            client.answer(self._error(client, None, "bad_message", "ws.error.no_id"))
            return
        kind = message.get("type")
        if kind == "ping":
            client.answer({"id": message_id, "type": "pong"})
        elif kind == "subscribe":
            self._subscribe(client, message_id, message)
        elif kind == "unsubscribe":
            number = message.get("subscription")
            if client.subscriptions.pop(number, None) if isinstance(number, int) else None:
                client.answer({"id": message_id, "type": "result", "success": True, "result": None})
            else:
                client.answer(
                    self._error(client, message_id, "not_found", "ws.error.no_subscription")
                )
        else:
            client.answer(
                self._error(
                    client,
                    message_id,
                    "unknown_type",
                    "ws.error.unknown_type",
                    type=shown(kind, 40),
                )
            )

    def _subscribe(self, client: Client, message_id: int, message: Mapping[str, Any]) -> None:
        kinds = message.get("kinds", list(KINDS))
        filters = message.get("filters") or {}
        if (
            not isinstance(kinds, list)
            or not kinds
            or any(k not in KINDS for k in kinds)
            or not isinstance(filters, dict)
        ):
            client.answer(self._error(client, message_id, "invalid_format", "ws.error.subscribe"))
            return
        chosen: dict[str, frozenset[str]] = {}
        for name, values in filters.items():
            if isinstance(values, str):
                values = [values]
            if (
                name not in FILTERS
                or not isinstance(values, list)
                or len(values) > MAX_FILTER_VALUES
                or not all(isinstance(v, str) for v in values)
            ):
                client.answer(
                    self._error(client, message_id, "invalid_format", "ws.error.subscribe")
                )
                return
            if values:
                chosen[name] = frozenset(values)
        if len(client.subscriptions) >= MAX_SUBSCRIPTIONS:
            client.answer(
                self._error(
                    client,
                    message_id,
                    "too_many_subscriptions",
                    "ws.error.too_many",
                    most=MAX_SUBSCRIPTIONS,
                )
            )
            return
        number = client.new_subscription_id()
        client.subscriptions[number] = Subscription(number, frozenset(kinds), chosen)
        client.answer(
            {
                "id": message_id,
                "type": "result",
                "success": True,
                "result": {"subscription": number},
            }
        )

    # -- the stream ----------------------------------------------------------------

    def _may_see(self, client: Client, kind: str, about: _About) -> bool:
        policy, context = self.hub.policy, client.context
        if client.token is not None:
            # the token's narrowing from the client's own copy, then the
            # person's policy (the hub's asks the token file each time)
            if client.scope is not None and about.site not in client.scope:
                return False
            policy = getattr(policy, "inner", policy)
        if kind == "alarms":
            return bool(policy.may_site(context, about.site, "view"))
        if about.state is not None:
            return bool(policy.may_read(context, about.state))
        return bool(policy.may_site(context, about.site, "view"))

    def _on_event(self, event: Event) -> None:
        if not self.clients:
            return
        kind = (
            "states"
            if event.event_type == EVENT_STATE_CHANGED
            else "alarms"
            if event.event_type.startswith("alarm.")
            else "events"
        )
        about: _About | None = None
        payload: str | None = None
        for client in tuple(self.clients):
            if client.closing:
                continue
            seen: bool | None = None
            for subscription in tuple(client.subscriptions.values()):
                if kind not in subscription.kinds:
                    continue
                if about is None:
                    about = _About(event, self.routes.site_of, self.hub.states)
                if not subscription.wants(kind, about):
                    continue
                if seen is None:
                    seen = self._may_see(client, kind, about)
                if not seen:
                    break
                if payload is None:
                    payload = json.dumps(json_safe(event.as_dict()), ensure_ascii=False)
                client.send(
                    f'{{"type":"event","subscription":{subscription.id},'
                    f'"kind":"{kind}","event":{payload}}}'
                )


#: the app's WebSocket API (one per app: a test client's app has its own)
WEBSOCKETS: web.AppKey[WebSocketApi] = web.AppKey("websockets", WebSocketApi)


def _bound_send_buffer(request: web.Request) -> None:
    transport = request.transport
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
