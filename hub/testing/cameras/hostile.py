"""Hostile camera event streams: what a broken or malicious Hikvision or
Dahua box can send on its alertStream / eventManager attach, for the tests
and bench/hostile.py. Each kind is a never-ending stream:

- ``entity_bomb``: parts of 819-byte XML defining nested entities
  (a "billion laughs" that expat stops only after about 130 ms each)
- ``no_newline``: a boundary, then bytes that never end the boundary line
- ``endless_headers``: a boundary, then header lines that never end
- ``junk``: steady random bytes, no boundary at all
- ``bad_xml``: well-framed parts of broken XML (tags that do not match), as fast as they go
- ``dahua_lines``: Dahua parts of ``Code=`` repeated, no ``;`` (a regex that
  looks for ``Code=[^;]+;`` anywhere goes quadratic on them)

Run as a program it serves one camera for each kind named (a kind may be
named twice), prints ``[[kind, port], ...]`` as one JSON line, then
``["connected", kind, port]`` each time a client opens a stream, and serves
until its stdin (a pipe) closes or SIGTERM/SIGINT (so a test or a bench
keeps its own loop free of them); then ``["sent", kind, port, bytes]``
for each camera::

    python -m hub.testing.cameras.hostile entity_bomb no_newline junk
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import signal
import sys
from collections.abc import Callable, Iterator

from aiohttp import web

HIKVISION_PATH = "/ISAPI/Event/notification/alertStream"
DAHUA_PATH = "/cgi-bin/eventManager.cgi"
KINDS = ("entity_bomb", "no_newline", "endless_headers", "junk", "bad_xml", "dahua_lines")
#: a write of this size, then a yield (about 30 MB/s per stream on this machine)
WRITE = 32 * 1024

# "billion laughs": lol9 would be 10^9 "lol"s; expat gives up only after
# expanding megabytes of them.
ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE EventNotificationAlert [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n<EventNotificationAlert><eventType>VMD</eventType><eventState>active</eventState>"
    b"<eventDescription>&lol9;</eventDescription></EventNotificationAlert>\n"
)


def part(body: bytes, content_type: str = "application/xml", boundary: str = "boundary") -> bytes:
    return (
        (
            f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )


# framed as an alert, so the reader has to parse it to find it broken
BAD_XML = part(
    b"<EventNotificationAlert><eventType>VMD</eventState><eventState>active"
    b"</eventType></EventNotificationAlert>"
)
DAHUA_LINES = part(b"Code=" * 4000 + b"\r\n", "text/plain", "myboundary")


def stream(kind: str, rng: random.Random | None = None) -> Iterator[bytes]:
    """The bytes of one hostile stream, write after write, without end."""
    rng = rng or random.Random(9)
    if kind == "entity_bomb":
        block = part(ENTITY_BOMB) * (WRITE // len(part(ENTITY_BOMB)))
        while True:
            yield block
    elif kind == "no_newline":
        yield b"--boundary"
        while True:
            yield b"A" * WRITE
    elif kind == "endless_headers":
        yield b"--boundary\r\n"
        while True:
            yield b"X-Sigap-Junk: 1\r\n" * (WRITE // 17)
    elif kind == "junk":
        while True:
            yield rng.randbytes(WRITE).replace(b"--", b"-_")
    elif kind == "bad_xml":
        block = BAD_XML * (WRITE // len(BAD_XML))
        while True:
            yield block
    elif kind == "dahua_lines":
        while True:
            yield DAHUA_LINES
    else:
        raise ValueError(f"unknown hostile stream {kind!r}; known: {', '.join(KINDS)}")


class HostileCamera:
    """One hostile camera on 127.0.0.1: answers both the Hikvision and the
    Dahua event URL with `kind`'s stream (no password asked), writing
    `WRITE` bytes then pausing `pause` seconds, until the client goes."""

    def __init__(
        self, kind: str, *, pause: float = 0.0, on_connect: Callable[[], None] | None = None
    ) -> None:
        stream(kind)  # a typo fails here, not in the first request
        self.kind = kind
        self.pause = pause
        self.on_connect = on_connect
        self.port = 0
        self.connections = 0
        self.sent = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(HIKVISION_PATH, self._stream)
        app.router.add_get(DAHUA_PATH, self._stream)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        boundary = "myboundary" if request.path == DAHUA_PATH else "boundary"
        resp = web.StreamResponse(headers={"Content-Type": f"multipart/mixed; boundary={boundary}"})
        await resp.prepare(request)
        self.connections += 1
        if self.on_connect is not None:
            self.on_connect()
        try:
            for data in stream(self.kind):
                await resp.write(data)
                self.sent += len(data)
                await asyncio.sleep(self.pause)
        except (ConnectionError, RuntimeError):
            pass  # the hub hung up: it may
        return resp


async def serve(kinds: list[str], pause: float, ports: list[int] | None = None) -> None:
    cameras = [HostileCamera(kind, pause=pause) for kind in kinds]
    for camera, port in zip(cameras, ports or [0] * len(cameras), strict=True):
        camera.port = port
        await camera.start()
        camera.on_connect = functools.partial(_say, "connected", camera.kind, camera.port)
    print(json.dumps([[c.kind, c.port] for c in cameras]), flush=True)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.buffer.read1() or done.set())
    try:
        await done.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        for camera in cameras:
            await camera.stop()
            _say("sent", camera.kind, camera.port, camera.sent)


def _say(*words: object) -> None:
    print(json.dumps(words), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kinds", nargs="+", choices=KINDS)
    p.add_argument("--pause", type=float, default=0.0, help="seconds between writes")
    p.add_argument("--ports", help="comma-separated, one per kind (default: free ones)")
    args = p.parse_args()
    ports = [int(port) for port in args.ports.split(",")] if args.ports else None
    if ports is not None and len(ports) != len(args.kinds):
        p.error("--ports needs one port for each kind")
    asyncio.run(serve(args.kinds, args.pause, ports))


if __name__ == "__main__":
    main()
