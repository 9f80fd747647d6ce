"""Fake Hikvision (ISAPI alertStream) and Dahua (eventManager attach) event
streams, shaped like the real ones: digest auth, multipart parts, heartbeats,
and the quirks: parts split across TCP writes anywhere, parts without
Content-Length, event types nobody asked for, a camera that drops the
connection or falls silent."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

from aiohttp import web

from . import SAMPLE_JPEG
from .digest import DigestGuard


class FakeStreamCamera:
    boundary = "boundary"
    content_type = "multipart/mixed"
    stream_path = ""
    snapshot_path = ""

    def __init__(
        self,
        *,
        username: str = "admin",
        password: str = "sandi123",
        heartbeat: float = 1.0,
        split: bool = False,
        content_length: bool = True,
        realm: str = "IP Camera",
    ) -> None:
        self.guard = DigestGuard(username, password, realm)
        self.heartbeat = heartbeat
        self.split = split  # write every part in small random pieces
        self.content_length = content_length
        self.silent = False  # stop heartbeats and events (a wedged camera)
        self.port = 0
        self.connections = 0  # event streams opened (logged in)
        self.refused_logins = 0  # requests with credentials answered 401
        self._queues: list[asyncio.Queue[bytes | None]] = []
        self._runner: web.AppRunner | None = None
        self._rng = random.Random(7)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._count_refusals, self.guard.middleware])
        app.router.add_get(self.stream_path, self._stream)
        app.router.add_get(self.snapshot_path, self._snapshot)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self.drop()
        if self._runner is not None:
            await self._runner.cleanup()

    def drop(self) -> None:
        """Close every open event stream (as a camera does when it reboots)."""
        for q in self._queues:
            q.put_nowait(None)

    @property
    def listeners(self) -> int:
        return len(self._queues)

    def send_raw(self, body: bytes, content_type: str = "application/xml") -> None:
        part = self._part(body, content_type)
        for q in self._queues:
            q.put_nowait(part)

    def send_bytes(self, data: bytes) -> None:
        """Write `data` on every open stream as it is, in one write (a
        hostile camera's bytes, or many parts at once)."""
        for q in self._queues:
            q.put_nowait(data)

    def _part(self, body: bytes, content_type: str) -> bytes:
        head = f"--{self.boundary}\r\nContent-Type: {content_type}\r\n"
        if self.content_length:
            head += f"Content-Length: {len(body)}\r\n"
        return head.encode() + b"\r\n" + body + b"\r\n"

    def heartbeat_part(self) -> bytes:
        raise NotImplementedError

    @web.middleware
    async def _count_refusals(self, request: web.Request, handler) -> web.StreamResponse:
        response = await handler(request)
        if response.status == 401 and "Authorization" in request.headers:
            self.refused_logins += 1
        return response

    async def _snapshot(self, request: web.Request) -> web.Response:
        return web.Response(body=SAMPLE_JPEG, content_type="image/jpeg")

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(
            headers={"Content-Type": f"{self.content_type}; boundary={self.boundary}"}
        )
        await resp.prepare(request)
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._queues.append(queue)
        self.connections += 1
        try:
            while True:
                try:
                    async with asyncio.timeout(self.heartbeat):
                        data = await queue.get()
                except TimeoutError:
                    if self.silent:
                        continue
                    data = self.heartbeat_part()
                if data is None:
                    break
                if self.silent:
                    continue
                await self._write(resp, data)
        finally:
            self._queues.remove(queue)
        request.transport.close() if request.transport else None  # drop, not a clean end
        return resp

    async def _write(self, resp: web.StreamResponse, data: bytes) -> None:
        if not self.split:
            await resp.write(data)
            return
        at = 0
        while at < len(data):
            n = self._rng.randint(1, 17)
            await resp.write(data[at : at + n])
            at += n
            await asyncio.sleep(0)


class FakeHikvision(FakeStreamCamera):
    boundary = "boundary"
    content_type = "multipart/mixed"
    stream_path = "/ISAPI/Event/notification/alertStream"
    snapshot_path = "/ISAPI/Streaming/channels/101/picture"

    def alert(self, event_type: str, state: str = "active", channel: int = 1) -> bytes:
        now = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\r\n'
            '<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\r\n'
            f"<ipAddress>127.0.0.1</ipAddress>\r\n<portNo>{self.port}</portNo>\r\n"
            "<protocol>HTTP</protocol>\r\n<macAddress>44:19:b6:00:00:01</macAddress>\r\n"
            f"<channelID>{channel}</channelID>\r\n<dateTime>{now}</dateTime>\r\n"
            "<activePostCount>1</activePostCount>\r\n"
            f"<eventType>{event_type}</eventType>\r\n<eventState>{state}</eventState>\r\n"
            f"<eventDescription>{event_type} alarm</eventDescription>\r\n"
            "</EventNotificationAlert>\r\n"
        ).encode()

    def emit(self, event_type: str, state: str = "active", channel: int = 1) -> None:
        self.send_raw(self.alert(event_type, state, channel))

    def heartbeat_part(self) -> bytes:
        # Hikvision's keep-alive: a "videoloss inactive" alert
        return self._part(self.alert("videoloss", "inactive", 0), "application/xml")


class FakeDahua(FakeStreamCamera):
    boundary = "myboundary"
    content_type = "multipart/x-mixed-replace"
    stream_path = "/cgi-bin/eventManager.cgi"
    snapshot_path = "/cgi-bin/snapshot.cgi"

    def emit(
        self, code: str, action: str = "Start", index: int = 0, data: str | None = None
    ) -> None:
        line = f"Code={code};action={action};index={index}"
        if data is not None:
            line += f";data={data}"
        self.send_raw(line.encode() + b"\r\n", "text/plain")

    def heartbeat_part(self) -> bytes:
        return self._part(b"Heartbeat", "text/plain")

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("action") != "attach":
            return web.Response(status=400, text="Error\r\nBad Request!\r\n")
        if "heartbeat" in request.query:
            self.heartbeat = float(request.query["heartbeat"])
        return await super()._stream(request)
