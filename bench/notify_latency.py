"""Alert latency: a camera event -> the fake Telegram receiving sendPhoto
with the snapshot attached, on loopback, through the whole hub:

    camera.motion -> automation -> alarm.raise -> camera.snapshot over the
    camera's HTTP snapshot URL -> notify -> sendPhoto (multipart) at FakeTelegram

    .venv/bin/python bench/notify_latency.py            # 200 alerts, one at a time
    .venv/bin/python bench/notify_latency.py --count 50

The `--part latency` of bench/notify.py (its outbox parts are another
helper's); runnable on its own. The camera is the demo camera with its
`snapshot_url` pointed at a loopback HTTP server serving a 1080p-sized JPEG,
so the media room takes the HTTP path as with a real camera. Alerts go
to 5 people in turn, each at most once a second: the outbox keeps
Telegram's 1 message a second per chat (measured is the latency of one
alert, not that limit); FakeTelegram's own limits are lifted.
Baselines in the same run: a bare GET of the snapshot URL, and a bare
multipart sendPhoto of the same JPEG to the same fake (the floor of the
two network legs). Target (issue 12): p95 < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from hub.core.hub import Hub
from hub.core.media import MEDIA
from hub.testing.messengers import FakeTelegram

CHAT = 5550456
PEOPLE = 5
SPACING = 1.05  # seconds between two alerts to one chat: above the per-chat limit
JPEG = (Path(__file__).parents[1] / "hub/plugins/demo/snapshot.jpg").read_bytes()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(values: list[float]) -> str:
    return (
        f"p50 {pct(values, 50) * 1000:7.1f} ms  p95 {pct(values, 95) * 1000:7.1f} ms"
        f"  p99 {pct(values, 99) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
        f"  (n={len(values)})"
    )


def config(tg: FakeTelegram) -> dict:
    return {
        "hub": {"name": "Bench", "language": "id", "time_zone": "Asia/Makassar"},
        "sites": [{"id": "dinkes", "name": "Dinas Kesehatan"}],
        "camera": [
            {
                "platform": "demo",
                "id": f"lobi{i}",
                "name": f"Lobi {i}",
                "site": "dinkes",
                "simulate": False,
            }
            for i in range(PEOPLE)
        ],
        "notify": [
            {
                "platform": "telegram",
                "id": "tg",
                "bot_token": tg.token,
                "api_url": tg.url,
                "updates": "off",
            }
        ],
        "people": [
            {
                "id": f"p{i}",
                "name": f"Petugas {i}",
                "role": "staff",
                "sites": ["dinkes"],
                "telegram": CHAT + i,
            }
            for i in range(PEOPLE)
        ],
        "automation": [
            {
                "id": f"gerakan{i}",
                "mode": "parallel",
                "triggers": [
                    {
                        "trigger": "event",
                        "event_type": "camera.motion",
                        "event_data": {"entity_id": f"camera.lobi{i}"},
                    }
                ],
                "actions": [
                    {
                        "action": "alarm.raise",
                        "data": {
                            "title": "Gerakan di lobi",
                            "site": "dinkes",
                            "cameras": [f"camera.lobi{i}"],
                            "recipients": [f"p{i}"],
                        },
                    }
                ],
            }
            for i in range(PEOPLE)
        ],
    }


async def snapshot_server() -> tuple[web.AppRunner, str]:
    async def picture(_request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/snapshot.jpg", picture)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/snapshot.jpg"


async def baselines(tg: FakeTelegram, url: str, count: int) -> tuple[list[float], list[float]]:
    gets, posts = [], []
    async with aiohttp.ClientSession() as session:
        for _ in range(count):
            t0 = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
            gets.append(time.perf_counter() - t0)
            form = aiohttp.FormData()
            form.add_field("chat_id", str(CHAT))
            form.add_field("caption", "<b>baseline</b>")
            form.add_field("parse_mode", "HTML")
            form.add_field("photo", JPEG, filename="s.jpg", content_type="image/jpeg")
            t0 = time.perf_counter()
            async with session.post(f"{tg.api_url}/sendPhoto", data=form) as response:
                assert (await response.json())["ok"]
            posts.append(time.perf_counter() - t0)
    return gets, posts


async def bench(args: argparse.Namespace) -> dict:
    logging.basicConfig(level=logging.ERROR)
    runner, url = await snapshot_server()
    results: dict = {"count": args.count, "jpeg_bytes": len(JPEG)}
    async with FakeTelegram(limits=None) as tg:
        for i in range(PEOPLE):
            tg.add_user(CHAT + i, f"Petugas {i}")
        gets, posts = await baselines(tg, url, args.count)
        print(f"baseline, bare GET of the snapshot URL:        {ms(gets)}")
        print(f"baseline, bare multipart sendPhoto to the fake: {ms(posts)}")
        with tempfile.TemporaryDirectory() as tmp:
            hub = Hub(
                Path(tmp),
                plugins=["hub.plugins.demo", "hub.plugins.telegram"],
                autoload=False,
                config=config(tg),
            )
            await hub.start()
            cameras = [hub.devices.get(f"camera.lobi{i}") for i in range(PEOPLE)]
            for camera in cameras:
                camera.snapshot_url = url  # the HTTP path, as a Hikvision/ONVIF camera has
            latencies = []
            last = [0.0] * PEOPLE
            for n in range(args.warmup + args.count):
                who = n % PEOPLE
                await asyncio.sleep(max(0.0, last[who] + SPACING - time.perf_counter()))
                before = len(tg.calls("sendPhoto"))
                t0 = last[who] = time.perf_counter()
                cameras[who].detect("motion")
                await tg.wait_for(lambda b=before: len(tg.calls("sendPhoto")) > b, within=10)
                latencies.append(time.perf_counter() - t0)
            if args.verbose:
                print(" ".join(f"{x * 1000:.0f}" for x in latencies))
            latencies = latencies[args.warmup :]
            sources = {record.source for record in hub.data[MEDIA].recent}
            assert sources == {"http"}, sources  # every snapshot over the camera's HTTP URL
            await hub.stop()
        sent = [c for c in tg.calls("sendPhoto") if c.ok and c.files.get("photo")]
        assert all(c.files["photo"].data == JPEG for c in sent[args.count :])
    await runner.cleanup()
    print(
        f"camera event -> sendPhoto at the fake, whole hub: {ms(latencies)}  (target p95 < 1000 ms)"
    )
    results["snapshot_sources"] = sorted(sources)
    results.update(
        baseline_get_ms={"p50": pct(gets, 50) * 1e3, "p95": pct(gets, 95) * 1e3},
        baseline_send_photo_ms={"p50": pct(posts, 50) * 1e3, "p95": pct(posts, 95) * 1e3},
        event_to_send_photo_ms={
            "p50": pct(latencies, 50) * 1e3,
            "p95": pct(latencies, 95) * 1e3,
            "p99": pct(latencies, 99) * 1e3,
            "max": max(latencies) * 1e3,
        },
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--verbose", action="store_true", help="print every latency")
    args = parser.parse_args()
    try:
        import uvloop  # as `sigap run` does

        results = uvloop.run(bench(args))
    except ImportError:
        results = asyncio.run(bench(args))
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
