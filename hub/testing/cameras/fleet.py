"""Many fake ONVIF cameras in one process, driven over stdin/stdout (JSON
lines), so a bench or a demo runs them beside the hub, not inside it:

    python -m hub.testing.cameras.fleet --cameras 500 [--dead 50] [--rtsp-port P --rtsp-mounts 20]

`--dead N`: N of the cameras, spread through the list, take every request
and never answer (a camera that is switched off behind a switch that still
accepts the connection, or wedged).

prints {"ready": true, "cameras": [{"port": ..., "username": ..., "dead": false, ...}, ...]}
then answers commands, one JSON object per line:

    {"cmd": "events", "rate": 10, "seconds": 60, "kind": "motion"}
        -> {"sent": N, "seconds": S}   (motion on, then off 0.5 s later)
    {"cmd": "cpu"}  -> {"cpu": seconds of CPU this process used}
    {"cmd": "reboot", "indices": [3, 7], "down_for": 2} -> {"rebooted": [3, 7]}
    {"cmd": "emit", "indices": [3, 7], "kind": "motion", "active": true} -> {"emitted": 2}
    {"cmd": "quit"}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time

from .onvif_device import FakeOnvifCamera


async def _events(cameras: list[FakeOnvifCamera], rate: float, seconds: float, kind: str) -> dict:
    # each camera in turn (shuffled), so no event lands on a camera whose motion is still on
    order = [c for c in cameras if not c.faults.mute]
    random.Random(5).shuffle(order)
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while True:
        due = start + sent / rate
        now = loop.time()
        if due - start >= seconds:
            break
        if due > now:
            await asyncio.sleep(due - now)
        camera = order[sent % len(order)]
        camera.emit(kind, True)
        loop.call_later(0.5, camera.emit, kind, False)
        sent += 1
    await asyncio.sleep(0.6)
    return {"sent": sent, "seconds": round(loop.time() - start, 2)}


def dead_indices(cameras: int, dead: int) -> list[int]:
    """`dead` indices spread evenly, the first camera among them (a dead
    camera first in the config is the worst case for a setup queue)."""
    if dead <= 0:
        return []
    return sorted({n * cameras // dead for n in range(min(dead, cameras))})


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=10)
    parser.add_argument("--dead", type=int, default=0, help="cameras that never answer")
    parser.add_argument("--rtsp-port", type=int, default=0)
    parser.add_argument("--rtsp-mounts", type=int, default=0)
    parser.add_argument("--password", default="sandi123")
    args = parser.parse_args(argv)

    cameras = []
    for n in range(args.cameras):
        rtsp = None
        if args.rtsp_port and args.rtsp_mounts:
            rtsp = f"rtsp://127.0.0.1:{args.rtsp_port}/cam/{n % args.rtsp_mounts + 1}"
        cameras.append(FakeOnvifCamera(f"fleet{n}", password=args.password, rtsp_url=rtsp))
    for n in dead_indices(args.cameras, args.dead):
        cameras[n].faults.mute = True
    await asyncio.gather(*(c.start() for c in cameras))
    info = [
        {
            "port": c.port,
            "username": c.username,
            "password": c.password,
            "name": c.name,
            "dead": c.faults.mute,
        }
        for c in cameras
    ]
    _say({"ready": True, "cameras": info})

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        cmd = json.loads(line)
        if cmd["cmd"] == "events":
            _say(await _events(cameras, cmd["rate"], cmd["seconds"], cmd.get("kind", "motion")))
        elif cmd["cmd"] == "cpu":
            t = os.times()
            _say({"cpu": t.user + t.system, "time": time.time()})
        elif cmd["cmd"] == "reboot":
            indices = cmd["indices"]
            await asyncio.gather(*(cameras[i].reboot(cmd.get("down_for", 1.0)) for i in indices))
            _say({"rebooted": indices})
        elif cmd["cmd"] == "emit":
            for i in cmd["indices"]:
                cameras[i].emit(cmd.get("kind", "motion"), cmd.get("active", True))
            _say({"emitted": len(cmd["indices"])})
        elif cmd["cmd"] == "quit":
            break
    await asyncio.gather(*(c.stop() for c in cameras))


def _say(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
