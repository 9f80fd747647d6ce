"""The hub's one MQTT connection: a persistent QoS 1 session that reconnects
by itself, re-subscribes, announces the hub on its status topic, and hands
each message to every subscriber of every matching filter.

The protocol is paho-mqtt's, driven on the event loop through its public
calls (link.py); this module keeps the session: subscriptions, routing,
the held start-up messages, the back-off on the hub's clock.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import paho.mqtt.client as paho

from .. import i18n
from ..bus import Unsubscribe
from ..clock import Clock
from .errors import MqttError, MqttNotConnected
from .link import Link
from .topics import check_filter, check_topic, has_wildcard, matches

__all__ = ["Message", "MessageCallback", "MqttConnection", "MqttError", "MqttNotConnected"]

_LOGGER = logging.getLogger("hub.mqtt")

# How many distinct topics the router remembers the matching filters of.
_ROUTE_CACHE_SIZE = 4096
# At most this many messages wait for their subscribers while the hub starts.
_MAX_HELD = 100_000
# stop() waits this long for the runner and handlers; longer than the 10 s
# bound on the broker's answers, which the runner may be waiting through.
_STOP_TIMEOUT = 15.0


class Message:
    """One received MQTT message. `payload` is the raw bytes; `text` decodes it."""

    __slots__ = ("payload", "qos", "retain", "topic")

    def __init__(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<Message {self.topic} {self.payload[:60]!r} qos={self.qos}>"


MessageCallback = Callable[[Message], Awaitable[Any] | None]


class _Subscriber:
    __slots__ = ("callback", "is_coroutine", "qos")

    def __init__(self, callback: MessageCallback, qos: int) -> None:
        self.callback = callback
        self.qos = qos
        self.is_coroutine = inspect.iscoroutinefunction(callback)


class _Filter:
    """One broker subscription shared by every subscriber of the same filter."""

    __slots__ = ("filter", "granted_qos", "subscribers")

    def __init__(self, topic_filter: str) -> None:
        self.filter = topic_filter
        self.subscribers: tuple[_Subscriber, ...] = ()
        self.granted_qos = -1  # the QoS we subscribed with on this connection

    @property
    def qos(self) -> int:
        return max(s.qos for s in self.subscribers)


class MqttConnection:
    """The shared connection. `await subscribe(filter, callback, qos)` returns
    the unsubscribe; `await publish(topic, payload, qos, retain)` sends."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        status_topic: str,
        username: str | None = None,
        password: str | None = None,
        tls_ca_file: str | None = None,
        tls: bool = False,
        keepalive: int = 30,
        reconnect_min: float = 0.25,
        reconnect_max: float = 4.0,
        on_state: Callable[[bool, str], None] | None = None,
        last_filters: set[str] | None = None,
        save_filters: Callable[[str, set[str], bool], None] | None = None,
        language: Callable[[], str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.host, self.port = host, port
        # the language of the warnings the admin reads (the hub's console language)
        self._language = language or (lambda: i18n.console_language(i18n.DEFAULT_LANGUAGE))
        # the filters the hub's persistent session held when it last ran (None:
        # not known, so saves only add: none is forgotten before it is dropped)
        self._last_filters = last_filters
        # hands the session's filters to whoever keeps them (the recorder):
        # save_filters(client_id, filters, replace); it must not block
        self._save_filters = save_filters
        self._stale: set[str] = set()
        self.client_id = client_id
        self.status_topic = status_topic
        self.reconnect_min, self.reconnect_max = reconnect_min, reconnect_max
        self._on_state = on_state
        self._clock = clock or Clock()  # the back-off between attempts waits on it
        tls_context = None
        if tls or tls_ca_file:
            tls_context = ssl.create_default_context(cafile=tls_ca_file)
        self._client = Link(
            host=host,
            port=port,
            client_id=client_id,
            keepalive=keepalive,
            username=username,
            password=password,
            tls_context=tls_context,
            will_topic=status_topic,
            will_payload="offline",
            on_message=self._on_paho_message,
            on_connected=self._on_connack,
            on_lost=self._on_lost,
            logger=logging.getLogger("hub.mqtt.client"),
        )
        self._filters: dict[str, _Filter] = {}
        self._exact: dict[str, _Filter] = {}
        self._wild: tuple[_Filter, ...] = ()
        self._routes: dict[str, tuple[_Filter, ...]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = asyncio.Event()  # usable: a publish is written at once
        self._session_up = False  # a connection was made and not yet reported lost
        self._first_attempt = asyncio.Event()  # set once the first connect succeeded or failed
        self._runner: asyncio.Task[None] | None = None
        self._stopping = False
        self._stop_requested = asyncio.Event()
        self._keep_broker_subscriptions = False
        # Until the hub has started, messages nobody subscribed to yet are
        # held: the broker hands over the session's queue right after the
        # connect, before the automations and devices have subscribed.
        self._held: list[Message] | None = []
        self.connects = 0  # how many times a connection was established

    # -- lifetime -------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def wait_connected(self) -> None:
        await self._connected.wait()

    async def wait_first_attempt(self) -> bool:
        """Until the first connection attempt ended; True if it connected."""
        await self._first_attempt.wait()
        return self.connected

    def start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self._run(), name="mqtt connection")

    def hub_started(self) -> None:
        """Everyone has subscribed: hand over the held messages, hold no more,
        and drop the broker subscriptions nobody has any more."""
        held, self._held = self._held, None
        for message in held or ():
            self._dispatch(message, self._routes.get(message.topic) or self._route(message.topic))
        # A filter of the last run that no one subscribed to this time (an
        # automation removed, a device renamed) would stay in the persistent
        # session for ever, the broker queueing its messages for nobody.
        self._stale = set(self._last_filters or ()) - set(self._filters)
        self._save_subscriptions()
        if self._stale and self.connected:
            self._spawn(self._drop_stale())

    def hub_stopping(self) -> None:
        """From now on subscribers leaving do not unsubscribe at the broker:
        the persistent session keeps queueing their messages for our return."""
        self._keep_broker_subscriptions = True
        self._save_subscriptions()  # what reloads added since the start

    @property
    def stale_filters(self) -> frozenset[str]:
        """Filters of the last run still to be unsubscribed at the broker."""
        return frozenset(self._stale)

    def _save_subscriptions(self) -> None:
        if self._save_filters is None:
            return
        filters = set(self._filters) | self._stale
        self._save_filters(self.client_id, filters, self._last_filters is not None)

    async def _drop_stale(self) -> None:
        for topic_filter in sorted(self._stale):
            if topic_filter in self._filters:
                self._stale.discard(topic_filter)  # subscribed again meanwhile
                continue
            try:
                await self._client.unsubscribe(topic_filter)
            except MqttError as err:
                _LOGGER.debug("MQTT: unsubscribing %s failed: %s", topic_filter, err)
                return  # tried again on the next connect
            self._stale.discard(topic_filter)
            _LOGGER.info("MQTT: unsubscribed from %s, which nothing uses any more", topic_filter)
        self._save_subscriptions()

    async def stop(self) -> None:
        """Say goodbye (status offline, retained) and disconnect cleanly."""
        self._stopping = True
        if self.connected:
            self._connected.clear()
            try:
                self._client.publish(self.status_topic, "offline", 1, True, late=True)
                self._session_up = False
                async with asyncio.timeout(5):
                    await self._client.disconnect()
            except (MqttError, TimeoutError, OSError) as err:
                _LOGGER.warning(
                    "MQTT: no clean disconnect from %s:%s: %s", self.host, self.port, err
                )
        # only now: a runner woken by it closes the socket, which must not
        # cut the goodbye short
        self._stop_requested.set()
        # The runner also ends by itself once it sees `_stop_requested`: on
        # Python 3.11 a cancel can be lost (asyncio.wait_for drops it when the
        # answer lands in the same loop turn; a subscriber's code may do the
        # same), and the runner then waited on a live connection forever.
        tasks = [t for t in (self._runner, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=_STOP_TIMEOUT)
            if stuck:
                _LOGGER.error(
                    "MQTT: %d task(s) still running %s s after stopping: %s",
                    len(stuck),
                    _STOP_TIMEOUT,
                    stuck,
                )
            for task in tasks:
                if task.done() and not task.cancelled():
                    task.exception()  # seen (a handler's fault was logged by _task_done)
        await self._client.close()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                await self._client.connect()
                failures = 0
                await self._after_connect()
                await self._client.wait_lost(self._stop_requested)
            except MqttError as err:
                said: object = i18n.message(err)  # rendered in the reader's language
            except OSError as err:
                said = f"{type(err).__name__}: {err}"
            else:
                said = i18n.Text("mqtt.link_lost", reason="DISCONNECT")
            finally:
                # every attempt ends with its socket closed, even a cancelled one
                self._connected.clear()
                await self._client.close()
            reason = str(said)  # the event's, in English
            self._first_attempt.set()
            if self._stopping:
                return
            if self._session_up:
                self._session_up = False
                _LOGGER.warning(
                    "%s",
                    i18n.t(
                        "mqtt.lost",
                        self._language(),
                        host=self.host,
                        port=self.port,
                        error=i18n.render(said, self._language()),
                    ),
                )
                self._state_changed(False, reason)
            # capped exponential back-off with jitter, so a city of hubs does
            # not reconnect in lock-step after a broker restart
            delay = min(self.reconnect_max, self.reconnect_min * 2**failures)
            delay = random.uniform(delay / 2, delay)
            failures += 1
            if failures == 1 or failures % 20 == 0:
                _LOGGER.warning(
                    "%s",
                    i18n.t(
                        "mqtt.unreachable",
                        self._language(),
                        host=self.host,
                        port=self.port,
                        error=i18n.render(said, self._language()),
                        seconds=f"{self.reconnect_max:.0f}",
                    ),
                )
            await self._clock.sleep(delay)

    def _on_connack(self) -> None:
        # Usable from the CONNACK on, not from the end of _after_connect: the
        # QoS 1 messages the broker queued for the session arrive before our
        # subscriptions are renewed, and their actions publish at once (they
        # failed with "not connected": 47 of 1,500 lost over a 3 s outage).
        if not self._stopping:
            self._session_up = True
            self._connected.set()

    def _on_lost(self) -> None:
        self._connected.clear()

    async def _after_connect(self) -> None:
        self.connects += 1
        for f in self._filters.values():
            f.granted_qos = -1
        # the broker may already hold these (persistent session), but it may
        # also have lost them (broker without persistence): subscribe again
        if self._filters:
            await self._client.subscribe([(f.filter, f.qos) for f in self._filters.values()])
            for f in self._filters.values():
                f.granted_qos = f.qos
        if self._stale:
            await self._drop_stale()
        if self._stopping:
            return  # stop() came while we subscribed: never announce online after it
        self._client.publish(self.status_topic, "online", 1, True, late=True)
        self._first_attempt.set()
        _LOGGER.info(
            "MQTT: connected to %s:%s as %s (%d subscriptions)",
            self.host,
            self.port,
            self.client_id,
            len(self._filters),
        )
        self._state_changed(True, "")

    def _state_changed(self, connected: bool, reason: str) -> None:
        if self._on_state is not None:
            self._on_state(connected, reason)

    def drop_connection(self) -> None:
        """Cut the connection without a DISCONNECT, as a network fault would
        (tests use it to make the broker send the hub's last will)."""
        self._client.drop()

    # -- subscribing ------------------------------------------------------------

    async def subscribe(
        self, topic_filter: str, callback: MessageCallback, qos: int = 1
    ) -> Unsubscribe:
        """Call `callback(message)` for each message matching `topic_filter`.

        A plain function runs on the read loop and must not block; a coroutine
        function runs as its own task, so a slow one never delays the others.
        Subscribers of the same filter share one broker subscription. Returns
        once the broker granted it (or at once while disconnected: it is then
        made on reconnect)."""
        check_filter(topic_filter)
        if qos not in (0, 1, 2):
            raise ValueError(f"qos must be 0, 1 or 2, not {qos!r}")
        sub = _Subscriber(callback, qos)
        entry = self._filters.get(topic_filter)
        if entry is None:
            entry = self._filters[topic_filter] = _Filter(topic_filter)
            entry.subscribers = (sub,)
            self._rebuild_routes()
        else:
            entry.subscribers = (*entry.subscribers, sub)

        def unsubscribe() -> None:
            current = self._filters.get(topic_filter)
            if current is None or sub not in current.subscribers:
                return
            current.subscribers = tuple(s for s in current.subscribers if s is not sub)
            if not current.subscribers:
                del self._filters[topic_filter]
                self._rebuild_routes()
                if self.connected and not self._keep_broker_subscriptions:
                    self._spawn(self._broker_unsubscribe(topic_filter))

        if self.connected and entry.granted_qos < entry.qos:
            wanted = entry.qos
            try:
                await self._client.subscribe([(topic_filter, wanted)])
            except MqttError as err:
                # not fatal: the subscription is made again on reconnect
                _LOGGER.warning("MQTT: subscribing to %s failed: %s", topic_filter, err)
            else:
                entry.granted_qos = max(entry.granted_qos, wanted)
        return unsubscribe

    async def _broker_unsubscribe(self, topic_filter: str) -> None:
        if topic_filter in self._filters:
            return  # someone subscribed again meanwhile
        try:
            await self._client.unsubscribe(topic_filter)
        except MqttError as err:
            _LOGGER.debug("MQTT: unsubscribing %s failed: %s", topic_filter, err)

    def _rebuild_routes(self) -> None:
        self._exact = {k: f for k, f in self._filters.items() if not has_wildcard(k)}
        self._wild = tuple(f for k, f in self._filters.items() if has_wildcard(k))
        self._routes = {}

    def _route(self, topic: str) -> tuple[_Filter, ...]:
        found = [f for f in self._wild if matches(f.filter, topic)]
        exact = self._exact.get(topic)
        if exact is not None:
            found.append(exact)
        route = tuple(found)
        if len(self._routes) >= _ROUTE_CACHE_SIZE:
            self._routes.clear()
        self._routes[topic] = route
        return route

    # -- receiving: runs inside paho's read, on the event loop -----------------

    def _on_paho_message(self, raw: paho.MQTTMessage) -> None:
        try:
            topic = raw.topic
        except UnicodeDecodeError:
            _LOGGER.warning("MQTT: dropped a message whose topic is not UTF-8")
            return
        route = self._routes.get(topic)
        if route is None:
            route = self._route(topic)
        if not route:
            if self._held is not None and len(self._held) < _MAX_HELD:
                self._held.append(Message(topic, raw.payload, raw.qos, raw.retain))
            return
        self._dispatch(Message(topic, raw.payload, raw.qos, raw.retain), route)

    def _dispatch(self, message: Message, route: tuple[_Filter, ...]) -> None:
        topic = message.topic
        for entry in route:
            for sub in entry.subscribers:
                try:
                    if sub.is_coroutine:
                        self._spawn(sub.callback(message))  # type: ignore[arg-type]
                    else:
                        sub.callback(message)
                except Exception:
                    _LOGGER.exception("MQTT: subscriber of %s failed on %s", entry.filter, topic)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (err := task.exception()) is not None:
            _LOGGER.error("MQTT: a message handler failed: %r", err, exc_info=err)

    # -- publishing ---------------------------------------------------------------

    async def publish(
        self,
        topic: str,
        payload: str | bytes | int | float | None = None,
        qos: int = 0,
        retain: bool = False,
        *,
        late: bool = True,
    ) -> None:
        """Send a message: written at the end of this loop turn, nothing is
        awaited (a handler publishing on the hot path waits for no broker).
        QoS 1 messages are kept by the session and sent again after a
        reconnect until the broker acknowledges them. Raises
        MqttNotConnected while the broker is away.

        `late=False` is for a command that acts (a siren on, a door unlocked),
        which must never arrive late: it is sent now or never. It raises
        MqttNotConnected when it cannot be written at once, and if the
        connection is lost before the broker acknowledged it, it is not sent
        again after the reconnect."""
        if not self._connected.is_set():
            raise MqttNotConnected(self.host, self.port, topic)
        try:
            rc = self._client.publish(topic, payload, qos, retain, late=late).rc
        except ValueError as err:
            check_topic(topic)
            raise MqttError(i18n.Text("mqtt.cannot_publish", topic=topic, error=str(err))) from None
        if rc == paho.MQTT_ERR_NO_CONN:
            # lost in this very turn: a late QoS 1/2 message waits in the
            # session for the next connection; the rest is not sent
            if qos == 0 or not late:
                raise MqttNotConnected(self.host, self.port, topic)
        elif rc != paho.MQTT_ERR_SUCCESS:
            raise MqttError(
                i18n.Text("mqtt.cannot_publish", topic=topic, error=paho.error_string(rc))
            )
