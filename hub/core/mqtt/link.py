"""paho-mqtt run on the hub's event loop through the calls paho documents
for an external loop, as Home Assistant's MQTT client does: the socket's
readable events call `loop_read`, a write paho asks for
(`on_socket_register_write`) is one `loop_write` at the end of the loop
turn, `loop_misc` gets a turn every second for the keep-alive, and the
blocking part of a connect (DNS, TCP, the TLS handshake) runs in a thread.

Why paho and not aiomqtt: the guarantees of the hub's connection need what
aiomqtt does not offer publicly: a command that acts must not be sent again
on the next connection (paho's `drop_out_messages`), a stop mid-connect
must close the socket, and a message must reach its subscribers without a
task and a queue per message. Only documented names are used (Client
methods and callbacks, MQTTMessage/MQTTMessageInfo/ReasonCode attributes);
tests/test_architecture.py fails on a private one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import paho.mqtt.client as paho

from .. import i18n
from .errors import MqttError

_LOGGER = logging.getLogger("hub.mqtt")

# How long the broker may take to answer a CONNECT, SUBSCRIBE or UNSUBSCRIBE.
ANSWER_TIMEOUT = 10.0
# The name of the task that gives paho's keep-alive its turn.
HOUSEKEEPING = "mqtt housekeeping"
# Packets read in one readable event before the loop's other work (the
# handlers' tasks, the flush of their publishes) has a turn.
_MAX_PACKETS_PER_WAKE = 64
# "Now or never" messages remembered before the acknowledged ones are pruned.
_PRUNE_AT = 256
# QoS 1 messages paho sends at once; the rest wait in its queue for acknowledgements.
_MAX_INFLIGHT = 1000


class _ClosingSSLSocket(ssl.SSLSocket):
    """An SSL socket that closes itself when its handshake fails. paho leaves
    the socket of a failed handshake (a certificate the CA did not sign) to
    the garbage collector: one leaked socket per retry. Set as the context's
    documented `sslsocket_class`."""

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except BaseException:
            self.close()
            raise


class Link:
    """One paho client for the hub's whole life (the persistent session's
    in-flight state lives in it), connected again and again by `connect()`.

    Callbacks: `on_message(MQTTMessage)` for every message, inside the read;
    `on_connected()` when the broker accepted the session, before the
    messages it queued for the session (they follow in the same read);
    `on_lost()` when paho closed the socket."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        keepalive: int,
        username: str | None,
        password: str | None,
        tls_context: ssl.SSLContext | None,
        will_topic: str,
        will_payload: str,
        on_message: Callable[[paho.MQTTMessage], None],
        on_connected: Callable[[], None],
        on_lost: Callable[[], None],
        logger: logging.Logger,
    ) -> None:
        self.host, self.port, self.keepalive = host, port, keepalive
        self._deliver = on_message
        self._connected_cb = on_connected
        self._lost_cb = on_lost
        client = paho.Client(
            paho.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            # a persistent session: the broker keeps our subscriptions and
            # queues QoS 1 messages while we are away
            clean_session=False,
            protocol=paho.MQTTv311,
        )
        if username is not None:
            client.username_pw_set(username, password)
        if tls_context is not None:
            tls_context.sslsocket_class = _ClosingSSLSocket
            client.tls_set_context(tls_context)
        client.will_set(will_topic, will_payload, qos=1, retain=True)
        client.max_inflight_messages_set(_MAX_INFLIGHT)
        client.enable_logger(logger)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_answer
        client.on_unsubscribe = self._on_answer
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        # No on_publish: nothing awaits a PUBACK, and without the callback
        # paho builds no ReasonCode and Properties per message.
        self._paho = client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = threading.get_ident()
        self._connecting: asyncio.Future[Any] | None = None  # paho's connect, in a thread
        self._connack: asyncio.Future[None] | None = None
        self._answers: dict[int, asyncio.Future[Any]] = {}
        self._housekeeping: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._lost_error: i18n.Text | None = None
        self._disconnecting = False
        self._closing = False
        self._flush_pending = False
        # QoS 1/2 messages sent "now or never" (publish late=False) the broker
        # may not have acknowledged: dropped instead of sent on the next connection
        self._now_or_never: dict[int, paho.MQTTMessageInfo] = {}

    @property
    def connect_timeout(self) -> float:
        return self._paho.connect_timeout

    # -- connecting ---------------------------------------------------------------

    async def connect(self) -> None:
        """Connect and wait for the broker's CONNACK. Raises MqttError or
        OSError. Whatever happens, `close()` ends the attempt."""
        loop = self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._lost = asyncio.Event()
        self._lost_error = None
        self._disconnecting = self._closing = False
        self._connack = connack = loop.create_future()
        self._connecting = loop.run_in_executor(
            None, self._paho.connect, self.host, self.port, self.keepalive
        )
        # a cancel does not stop the thread: close() waits for it
        rc = await asyncio.shield(self._connecting)
        sock = self._paho.socket()
        if rc != paho.MQTT_ERR_SUCCESS or sock is None:
            raise MqttError(
                i18n.Text("mqtt.link_failed", packet="CONNECT", error=paho.error_string(rc))
            )
        loop.add_reader(sock, self._read)
        self._housekeeping = loop.create_task(self._keep_alive(), name=HOUSEKEEPING)
        self._flush()  # the CONNECT paho queued in the thread
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                await connack
        except TimeoutError:
            raise MqttError(_no_answer("CONNECT")) from None

    async def wait_lost(self, stopping: asyncio.Event) -> None:
        """Until the connection is lost (raises MqttError with the reason) or
        `stopping` is set."""
        waits = {asyncio.ensure_future(self._lost.wait()), asyncio.ensure_future(stopping.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        if self._lost.is_set() and self._lost_error is not None:
            raise MqttError(self._lost_error)

    async def disconnect(self) -> None:
        """Say DISCONNECT and wait until paho closed the socket after it
        (bound it with asyncio.timeout: a hung broker never reads it)."""
        self._disconnecting = True
        if self._paho.disconnect() != paho.MQTT_ERR_SUCCESS:
            return  # no connection
        await self._lost.wait()

    async def close(self) -> None:
        """End the connection attempt, whatever state it is in: wait for a
        connect still running in its thread (paho bounds it by its connect
        timeout; its socket would open after this close), then close the
        socket and the housekeeping, so nothing outlives the event loop."""
        connecting = self._connecting
        if connecting is not None:
            if not connecting.done():
                await asyncio.wait({connecting}, timeout=self.connect_timeout + 1)
            if connecting.done() and not connecting.cancelled():
                connecting.exception()  # seen: the runner may not have awaited it
        self._closing = True  # what is still read is not delivered (never acknowledged)
        client = self._paho
        sock = client.socket()
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            # paho reads to the end of the stream and closes its socket itself
            # (on_socket_close and on_disconnect follow)
            for _ in range(10_000):
                if client.socket() is None:
                    break
                self._guarded(client.loop_read)
        task = self._housekeeping
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1)
        connack = self._connack
        if connack is not None and connack.done() and not connack.cancelled():
            connack.exception()

    def drop(self) -> None:
        """Cut the connection without a DISCONNECT, as a network fault would
        (the broker then sends our last will)."""
        sock = self._paho.socket()
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- subscribing and publishing -----------------------------------------------

    async def subscribe(self, filters: list[tuple[str, int]]) -> None:
        rc, mid = self._paho.subscribe(filters)
        codes = await self._answer(rc, mid, "SUBSCRIBE")
        refused = [f for (f, _), code in zip(filters, codes, strict=False) if code.is_failure]
        if refused:
            raise MqttError(i18n.Text("mqtt.subscription_refused", filters=", ".join(refused)))

    async def unsubscribe(self, topic_filter: str) -> None:
        rc, mid = self._paho.unsubscribe(topic_filter)
        await self._answer(rc, mid, "UNSUBSCRIBE")

    async def _answer(self, rc: int, mid: int | None, packet: str) -> Any:
        if rc != paho.MQTT_ERR_SUCCESS or mid is None or self._loop is None:
            raise MqttError(
                i18n.Text("mqtt.link_failed", packet=packet, error=paho.error_string(rc))
            )
        # registered before the packet is written (at the end of this turn)
        answer = self._answers[mid] = self._loop.create_future()
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                return await answer
        except TimeoutError:
            raise MqttError(_no_answer(packet)) from None
        finally:
            if self._answers.get(mid) is answer:
                del self._answers[mid]

    def publish(
        self, topic: str, payload: Any, qos: int, retain: bool, *, late: bool
    ) -> paho.MQTTMessageInfo:
        """paho's publish. A QoS 1/2 message not acknowledged when the
        connection ends is sent again on the next one, unless `late` is
        False (then it is dropped)."""
        info = self._paho.publish(topic, payload, qos, retain)
        if qos and not late:
            waiting = self._now_or_never
            if len(waiting) >= _PRUNE_AT:
                for mid in [m for m, i in waiting.items() if i.is_published()]:
                    del waiting[mid]
            waiting[info.mid] = info
        return info

    def _send_again_only_what_may_be_late(self, client: paho.Client) -> None:
        # Called from on_connect, where paho's documentation places it: before
        # paho sends again what the last connection left unacknowledged. A
        # command that acts, written to a broker that hung and was restarted,
        # would otherwise sound a siren minutes after the alarm.
        waiting, self._now_or_never = self._now_or_never, {}
        for message in client.drop_out_messages():
            if waiting.get(message.mid) is message.info:
                continue
            client.publish(message.topic, message.payload, message.qos, message.retain)

    # -- paho's callbacks (on the loop thread, inside loop_read/write/misc) -------

    def _on_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        connack = self._connack
        if reason.is_failure:
            if connack is not None and not connack.done():
                connack.set_exception(MqttError(i18n.Text("mqtt.link_refused", reason=str(reason))))
            return
        self._send_again_only_what_may_be_late(client)
        # usable from here on: the messages the broker queued for the session
        # are read right after this, and their handlers may publish
        self._connected_cb()
        if connack is not None and not connack.done():
            connack.set_result(None)

    def _on_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        error = None if self._disconnecting else i18n.Text("mqtt.link_lost", reason=str(reason))
        self._lost_error = error
        self._lost.set()
        failure = MqttError(error or i18n.Text("mqtt.link_lost", reason="DISCONNECT"))
        connack = self._connack
        if connack is not None and not connack.done():
            connack.set_exception(failure)
        for answer in self._answers.values():
            if not answer.done():
                answer.set_exception(failure)
        self._lost_cb()

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        if not self._closing:
            self._deliver(message)

    def _on_answer(
        self, client: paho.Client, userdata: Any, mid: int, codes: Any, properties: Any
    ) -> None:
        answer = self._answers.get(mid)
        if answer is not None and not answer.done():
            answer.set_result(codes)

    def _on_socket_close(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        # close() runs before every connect, so paho never closes a socket
        # in the connect thread; only the loop thread added it to the loop
        if threading.get_ident() != self._loop_thread or self._loop is None:
            return
        self._loop.remove_reader(sock)
        self._loop.remove_writer(sock)
        task = self._housekeeping
        if task is not None and not task.done():
            task.cancel()

    def _on_register_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        # paho has bytes to write. From the connect thread (the CONNECT):
        # connect() writes them once the thread is back. On the loop thread
        # (a publish from a handler): once at the end of this loop turn, so a
        # burst of publishes is one send and no change to the selector.
        if threading.get_ident() != self._loop_thread or self._loop is None:
            return
        if not self._flush_pending:
            self._flush_pending = True
            self._loop.call_soon(self._flush)

    def _on_unregister_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        if threading.get_ident() == self._loop_thread and self._loop is not None:
            self._loop.remove_writer(sock)

    # -- moving the bytes -----------------------------------------------------------

    def _read(self) -> None:
        client = self._paho
        for _ in range(_MAX_PACKETS_PER_WAKE):
            if not self._guarded(client.loop_read):
                return
            sock = client.socket()
            if sock is None or not _more_to_read(sock):
                return

    def _flush(self) -> None:
        self._flush_pending = False
        client = self._paho
        if client.socket() is None or not self._guarded(client.loop_write):
            return
        sock = client.socket()
        if sock is not None and client.want_write() and self._loop is not None:
            # the kernel's buffer is full: write when the socket can take more
            # (on_socket_unregister_write removes this once all is out)
            self._loop.add_writer(sock, self._guarded, client.loop_write)

    async def _keep_alive(self) -> None:
        # paho's keep-alive (its PINGREQ, and giving up on a broker that no
        # longer answers) runs on paho's own monotonic clock; this only gives
        # it a turn each second, as a network timer, not a hub timer
        while True:
            if not self._guarded(self._paho.loop_misc):
                return
            await asyncio.sleep(1)

    def _guarded(self, step: Callable[[], int]) -> bool:
        """Run one of paho's loop calls; True if the connection goes on. paho
        reports network faults by its return code (it has then closed the
        socket and called on_disconnect); an exception is one of ours."""
        try:
            return step() == paho.MQTT_ERR_SUCCESS
        except Exception:
            _LOGGER.exception("MQTT: handling the broker's traffic failed")
            self.drop()
            return False


def _no_answer(packet: str) -> i18n.Text:
    return i18n.Text("mqtt.link_no_answer", packet=packet, seconds=f"{ANSWER_TIMEOUT:.0f}")


def _more_to_read(sock: Any) -> bool:
    """Whether another packet may be read now. One readable event then reads
    every packet the kernel holds; TLS's decrypted bytes would not wake the
    selector again."""
    if isinstance(sock, ssl.SSLSocket):
        return sock.pending() > 0
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True  # loop_read meets the fault and reports the loss
