"""The listening socket, with a cap on open connections.

aiohttp bounds how long a connection may sit without sending a whole request
head (its keep-alive timer runs from the connection's start), but not how many
connections are open: a thousand slow callers would hold a thousand file
descriptors, and the hub's own files (traces, snapshots) would fail to open.
Past `max_connections`, a new connection gets `503` and is closed at once.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl

from aiohttp import web

from ..i18n import Text
from ..lograte import LogRate

_LOGGER = logging.getLogger(__package__)


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Connection: close\r\nContent-Length: 0\r\nRetry-After: 5\r\n\r\n"
)


class _Refused(asyncio.Protocol):
    """A connection over the cap: answered 503 and closed, nothing read."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(_BUSY)
        transport.close()


class CappedSite(web.BaseSite):
    """A TCP site that accepts at most `max_connections` at a time."""

    __slots__ = ("_host", "_log", "_max", "_port", "_tls")

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        max_connections: int,
        log: LogRate,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(runner)
        self._host = host
        self._port = port
        self._max = max_connections
        self._log = log
        self._tls = tls

    @property
    def name(self) -> str:
        return f"{'https' if self._tls else 'http'}://{self._host}:{self.port}"

    @property
    def port(self) -> int:
        sockets = self._sockets()
        return int(sockets[0].getsockname()[1]) if sockets else self._port

    @property
    def host(self) -> str:
        sockets = self._sockets()
        return str(sockets[0].getsockname()[0]) if sockets else self._host

    def _sockets(self) -> list[socket.socket]:
        # asyncio's Server or uvloop's (sigap run's loop), which is no
        # asyncio.Server: with port 0 the log said the hub was on port 0
        return list(getattr(self._server, "sockets", None) or ())

    def _protocol(self) -> asyncio.Protocol:
        server = self._runner.server
        assert server is not None
        if len(server.connections) >= self._max:
            said = Text("http.too_many_connections", limit=self._max)
            self._log.log(("http", "connections"), logging.WARNING, said)
            return _Refused()
        return server()

    async def start(self) -> None:
        await super().start()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._protocol, self._host, self._port, ssl=self._tls
        )
