"""`sigap run` with eight hostile camera streams at once (entity bombs, a
boundary without its newline, endless headers, steady junk, fast bad XML,
Dahua lines that make a regex quadratic), served by a process of their own:
a healthy camera's line crossing still reaches its automation within 1 s,
the HTTP server answers within 1 s (eight hostile streams once made its
answers take 21-27 s), and Ctrl-C stops the hub within 5 s."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
import yaml

from hub.testing.cameras.vendor_streams import FakeHikvision

from .sigap_process import sigap_run

HOSTILE = [
    "entity_bomb",
    "entity_bomb",
    "no_newline",
    "endless_headers",
    "junk",
    "bad_xml",
    "bad_xml",
    "dahua_lines",
]


def hub_config(folder: Path, healthy: FakeHikvision, hostile: list[tuple[str, int]]) -> Path:
    cameras = [
        {
            "platform": "hikvision",
            "id": "gerbang",
            "site": "dishub",
            "area": "gerbang",
            "host": healthy.host,
            "port": healthy.port,
            "username": "admin",
            "password": "sandi123",
        }
    ]
    for n, (kind, port) in enumerate(hostile):
        dahua = kind == "dahua_lines"
        cameras.append(
            {
                "platform": "dahua" if dahua else "hikvision",
                "id": f"rusak_{n}",
                "site": "dishub",
                "area": "gerbang",
                "host": "127.0.0.1",
                "port": port,
                "username": "admin",
                "password": "sandi123",
                "retry_max": 2,
                **({"heartbeat": 1} if dahua else {"silence": 3}),
            }
        )
    config = {
        "hub": {"name": "Uji", "id": "uji", "language": "en"},
        "sites": [{"id": "dishub", "name": "Dinas Perhubungan", "areas": ["gerbang"]}],
        "camera": cameras,
        "notify": [{"platform": "console", "id": "pusat"}],
        "http": {"server_port": 0},
        "automation": [
            {
                "id": "garis_gerbang",
                "mode": "queued",
                "triggers": [
                    {
                        "trigger": "event",
                        "event_type": "camera.line_crossed",
                        "event_data": {"entity_id": "camera.gerbang"},
                    }
                ],
                "actions": [
                    {
                        "action": "notify.send",
                        "target": {"entity_id": "notify.pusat"},
                        "data": {"title": "Dishub", "message": "Garis gerbang dilewati"},
                    }
                ],
            }
        ],
    }
    folder.mkdir()
    (folder / "configuration.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder


class Hostile:
    """The hostile streams in a process of their own (their writing does not
    compete with this test's loop, which times the healthy camera), and
    how often the hub has opened each."""

    def __init__(self, proc: asyncio.subprocess.Process, cameras: list[tuple[str, int]]) -> None:
        self.proc = proc
        self.cameras = cameras
        self.connections: Counter[int] = Counter()
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            what, _, port, *_ = json.loads(line)
            if what == "connected":
                self.connections[port] += 1
            self._changed.set()

    async def until(self, test, seconds: float) -> None:
        async with asyncio.timeout(seconds):
            while not test(self.connections):
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def hostile_cameras():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub.testing.cameras.hostile", *HOSTILE,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    try:
        async with asyncio.timeout(30):
            line = await proc.stdout.readline()
        hostile = Hostile(proc, [(kind, port) for kind, port in json.loads(line)])
        yield hostile
        hostile._reader.cancel()
    finally:
        proc.stdin.close()  # its end
        try:
            async with asyncio.timeout(10):
                await proc.wait()
        except TimeoutError:
            proc.kill()
            await proc.wait()


@pytest.fixture
async def healthy():
    fake = FakeHikvision(heartbeat=1)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.mark.slow
async def test_hostile_streams_neither_delay_a_healthy_camera_nor_ctrl_c(
    tmp_path, healthy, hostile_cameras
):
    hostile = hostile_cameras
    config = hub_config(tmp_path / "config", healthy, hostile.cameras)
    ports = [port for _, port in hostile.cameras]
    junk = next(port for kind, port in hostile.cameras if kind == "junk")
    loop = asyncio.get_running_loop()
    async with sigap_run(config) as hub:
        await hub.until(r"started: \d+ devices")
        listening = re.compile(r"Dashboard and API: (http://[^/\s]+)")
        found = listening.search(hub.output)
        base = (found or listening.search(await hub.until(listening.pattern))).group(1)
        # every hostile stream is being read before the healthy camera speaks
        await hostile.until(lambda seen: all(seen[p] for p in ports), 20)
        async with asyncio.timeout(10):
            while not healthy.listeners:  # noqa: ASYNC110 - nothing on the bus says "connected"
                await asyncio.sleep(0.05)
        late = []
        for _ in range(10):
            sent = loop.time()
            healthy.emit("linedetection")
            await hub.until(r"ALERT: \[Dishub\] Garis gerbang dilewati", seconds=30)
            late.append(round(loop.time() - sent, 3))
            await asyncio.sleep(0.4)
        assert max(late) < 1.0, f"the healthy camera's alerts took {late} s"
        answered = []
        async with aiohttp.ClientSession() as session:
            for _ in range(10):
                sent = time.monotonic()
                async with session.get(f"{base}/healthz") as response:
                    await response.read()
                    assert response.status == 200
                answered.append(round(time.monotonic() - sent, 3))
        assert max(answered) < 1.0, f"the hub's HTTP answers took {answered} s"
        # steady junk is silence: 3 s of it and the hub opens that stream again
        await hostile.until(lambda seen: seen[junk] >= 2, 10)
        stopping = loop.time()
        assert await hub.interrupt(seconds=60) == 0, hub.output[-3000:]
        assert loop.time() - stopping < 5.0, loop.time() - stopping
    assert "Traceback" not in hub.output, hub.output[-3000:]
    # the flood is a few lines a minute per stream, not one a part
    assert len(hub.lines) < 200, len(hub.lines)
