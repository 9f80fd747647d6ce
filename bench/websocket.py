"""WebSocket fan-out: an alarm raised through the REST API reaching 200
dashboards over /api/websocket while 500 simulated cameras fire 50 events/s.

    .venv/bin/python bench/websocket.py            # about 2 minutes
    .venv/bin/python bench/websocket.py --quick    # about 1 minute, fewer alarms

Starts `sigap run` (uvloop) twice, each in a config folder of its own in a
temp dir: HTTP on a free port, the recorder on SQLite there, 10 sites with 50
demo cameras each (500 entities), an admin who raises the alarms and one
operator per dashboard (every site), each with an API token written as
`sigap user token add` writes them. The first hub's cameras are still (the
baseline), the second's simulate motion and line crossings, each every
10 s on average: 50 camera events/s, with the state changes that follow,
all written by the recorder.

In each hub, after two warm-up alarms: a rest with no client (the hub's
CPU and RSS with its entities), then 1 dashboard, then 200, each
subscribed to alarms and states as the Command Center's overview is; on
the second hub then 200 subscribed to events too (the event timeline:
every camera event to every socket). For every phase N alarms
are raised one by one through POST /api/services/alarm/raise with the
admin's token; an alarm's latency on a dashboard is from just before its
POST is sent to that dashboard reading the alarm.raised message. The
dashboards run in this process (not the hub's CPU); each reads every
message and parses only the alarms'. Printed per phase: p50/p95/p99/max
latency over every (dashboard, alarm), the alarms a dashboard still
connected never saw (lost), the dashboards the hub dropped as too slow
(close 1013), the messages each dashboard read per second, the hub's
event rate (/metrics), CPU (/proc/<pid>/stat, % of one core), the time
its loop thread was ready but had no CPU (/proc/<pid>/schedstat: on a
shared machine, what other processes took from it), RSS (VmRSS sampled
every 0.5 s), this process's CPU and the machine's load. Target
(issue 13): p95 < 1 s at 200 clients under load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.core.http.auth_store import (
    AuthData,
    AuthStore,
    Token,
    new_token_secret,
    token_digest,
)
from hub.testing.mosquitto import free_port

SITES = 10
CAMERAS = 500
RATE = 50.0  # camera events per second, all cameras together
CLIENTS = 200
OVERVIEW = ["alarms", "states"]  # what the overview page subscribes to
TIMELINE = ["alarms", "states", "events"]  # and the event timeline besides
SEEN_WITHIN = 10.0  # an alarm not read by then is lost
TICK = os.sysconf("SC_CLK_TCK")


def config(port: int, simulate: bool, dashboards: int) -> str:
    sites = [f"opd{s:02d}" for s in range(SITES)]
    lines = [
        "hub:",
        "  name: Bench WebSocket",
        "  id: benchws",
        "  language: id",
        "  time_zone: Asia/Makassar",
        "http:",
        "  server_host: 127.0.0.1",
        f"  server_port: {port}",
        f"  max_connections: {dashboards + 50}",
        "sites:",
        *(f"  - {{id: {s}, areas: [lobi, parkir]}}" for s in sites),
        "people:",
        "  - {id: rina, name: Rina Admin, role: admin}",
        *(
            f"  - {{id: op{i:03d}, name: Operator {i}, role: operator, sites: '*'}}"
            for i in range(dashboards)
        ),
        "camera:",
    ]
    interval = CAMERAS / RATE
    for i in range(CAMERAS):
        # the first wait drawn as the later ones are: 50/s from the start, not
        # a wave of 500 first events and then the steady rate
        first = random.Random(i).expovariate(1 / interval)
        lines.append(
            f"  - {{platform: demo, id: kamera{i:03d}, site: {sites[i % SITES]}, "
            f"area: {'lobi' if i % 2 else 'parkir'}, simulate: {str(simulate).lower()}, "
            f"events: [motion, line_crossed], mean_interval: {interval:g}, seed: {i}, "
            f"first_event_after: {first:.3f}}}"
        )
    return "\n".join(lines) + "\n"


def write_tokens(config_dir: Path, dashboards: int) -> tuple[str, list[str]]:
    """The admin's token and one per dashboard, as `sigap user token add` stores them."""
    data = AuthData()
    secrets = {}
    for name, user in [("raiser", "rina")] + [
        (f"wall{i:03d}", f"op{i:03d}") for i in range(dashboards)
    ]:
        secret = secrets[name] = new_token_secret()
        data.tokens[name] = Token(name, user, token_digest(secret), (), time.time())
    AuthStore(config_dir).save(data)
    return secrets["raiser"], [secrets[f"wall{i:03d}"] for i in range(dashboards)]


def waited_seconds(pid: int) -> float:
    """How long a process's main thread (the hub's loop) was ready to run but
    had no CPU, the scheduler's run delay: what a busy machine took from it."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9


# -- the hub process -----------------------------------------------------------------


class HubProcess:
    def __init__(self, label: str, work: Path, simulate: bool, dashboards: int) -> None:
        self.label = label
        self.dir = work / label / "config"
        self.dir.mkdir(parents=True)
        self.simulate = simulate
        self.port = free_port()
        (self.dir / "configuration.yaml").write_text(config(self.port, simulate, dashboards))
        self.admin, self.tokens = write_tokens(self.dir, dashboards)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / label / "hub.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "hub", "run", "-c", str(self.dir), "--log-level", "WARNING"]
        print("$", shlex.join(cmd), "&", flush=True)
        env = {**os.environ, "SIGAP_DISABLE_PLUGIN_AUTOLOAD": "1"}
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)

    async def ready(self) -> float:
        """Seconds from the start to the first /healthz answer."""
        assert self.process is not None
        t0 = self.started
        async with aiohttp.ClientSession() as session:
            while time.monotonic() - t0 < 90:
                if self.process.poll() is not None:
                    raise SystemExit(f"{self.label}: the hub exited; see {self.log}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{self.url}/healthz") as response:
                        if response.status == 200:
                            return time.monotonic() - t0
                await asyncio.sleep(0.2)
        raise SystemExit(f"{self.label}: no /healthz after 90 s; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu_seconds(self) -> float:
        assert self.process is not None
        stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime

    def waited_seconds(self) -> float:
        assert self.process is not None
        return waited_seconds(self.process.pid)

    def rss_mib(self) -> float:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    async def metrics(self, session: aiohttp.ClientSession) -> dict[str, float]:
        headers = {"Authorization": f"Bearer {self.admin}"}
        async with session.get(f"{self.url}/metrics", headers=headers) as response:
            text = await response.text()
        figures: dict[str, float] = {"events": 0.0, "state_changed": 0.0, "camera": 0.0}
        for line in text.splitlines():
            if line.startswith("sigap_events_total{"):
                kind = line[line.index('"') + 1 : line.rindex('"')]
                value = float(line.rsplit(" ", 1)[1])
                figures["events"] += value
                if kind == "state_changed":
                    figures["state_changed"] += value
                elif kind.startswith("camera."):
                    figures["camera"] += value
            elif line.startswith(("sigap_websocket_dropped", "sigap_loop_max_lag_seconds")):
                name, value = line.rsplit(" ", 1)
                figures[name.removesuffix("_total")] = float(value)
        return figures


class Sampler:
    """The hub's RSS every 0.5 s, for a phase's largest."""

    def __init__(self, hub: HubProcess) -> None:
        self.hub = hub
        self.peak = 0.0
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self.hub.rss_mib())
            await asyncio.sleep(0.5)

    def reset(self) -> None:
        self.peak = self.hub.rss_mib()

    def stop(self) -> None:
        self.task.cancel()


# -- the dashboards ------------------------------------------------------------------


@dataclass
class Dashboard:
    """One browser's socket: counts what it reads, times the alarms."""

    token: str
    seen: dict[str, float] = field(default_factory=dict)  # alarm title -> read at
    # alarm title -> (read at, wall clock; the hub's time_fired, wall clock)
    walls: dict[str, tuple[float, float]] = field(default_factory=dict)
    messages: int = 0
    closed: tuple[int | None, str] | None = None
    ws: aiohttp.ClientWebSocketResponse | None = None
    task: asyncio.Task[None] | None = None
    expect: int = 0  # alarms raised so far: done once it read them all, or closed
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def connect(self, session: aiohttp.ClientSession, url: str, kinds: list[str]) -> None:
        self.ws = await session.ws_connect(
            f"{url}/api/websocket",
            headers={"Authorization": f"Bearer {self.token}"},
            heartbeat=None,
            max_msg_size=0,
        )
        await self.ws.send_json({"id": 1, "type": "subscribe", "kinds": kinds})
        answer = await self.ws.receive_json(timeout=30)
        if not answer.get("success"):
            raise SystemExit(f"subscribe refused: {answer}")
        self.task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            now, wall = time.monotonic(), time.time()
            self.messages += 1
            text = message.data
            if '"kind":"alarms"' in text and "alarm.raised" in text:
                event = json.loads(text)["event"]
                self.seen[event["data"]["title"]] = now
                self.walls[event["data"]["title"]] = (wall, event["time_fired"])
                if len(self.seen) >= self.expect:
                    self.done.set()
        error = self.ws.exception()
        self.closed = (self.ws.close_code, repr(error) if error else "")
        self.done.set()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


# -- one phase -----------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Phase:
    hub: str
    name: str
    clients: int
    kinds: list[str] = field(default_factory=lambda: OVERVIEW)
    seconds: float = 0.0
    alarms: int = 0
    latencies: list[float] = field(default_factory=list)
    intake: dict[str, float] = field(default_factory=dict)  # POST sent -> fired, per alarm
    fan_out: list[float] = field(default_factory=list)  # fired -> read, per (dashboard, alarm)
    posts: list[float] = field(default_factory=list)
    lost: int = 0
    dropped: int = 0
    dropped_metric: float = 0.0
    closed_other: int = 0
    per_client_rate: float = 0.0
    events_rate: float = 0.0
    camera_rate: float = 0.0
    states_rate: float = 0.0
    cpu: float = 0.0  # % of one core
    rss_end: float = 0.0
    rss_peak: float = 0.0
    max_lag: float = 0.0
    bench_cpu: float = 0.0
    waited: float = 0.0  # ms per second the hub's loop waited for a CPU
    bench_waited: float = 0.0  # the same for this process (the dashboards)
    load: float = 0.0  # the machine's 1-minute load average at the end

    def split(self) -> str:
        if not self.latencies:
            return ""
        intake = list(self.intake.values())
        return (
            f"| {self.hub} | {self.name} | {pct(intake, 50) * 1000:.1f} "
            f"| {pct(intake, 95) * 1000:.1f} | {pct(self.fan_out, 50) * 1000:.1f} "
            f"| {pct(self.fan_out, 95) * 1000:.1f} | {max(self.fan_out) * 1000:.1f} "
            f"| {self.bench_waited:.0f} |"
        )

    def row(self) -> str:
        if self.latencies:
            lat = (
                " | ".join(f"{pct(self.latencies, p) * 1000:.1f}" for p in (50, 95, 99))
                + f" | {max(self.latencies) * 1000:.1f}"
            )
            post = f"{pct(self.posts, 50) * 1000:.1f}"
        else:
            lat, post = "- | - | - | -", "-"
        return (
            f"| {self.hub} | {self.name} | {self.clients} | {self.alarms} | {lat} | {post} "
            f"| {self.lost} | {self.dropped} | {self.per_client_rate:.1f} "
            f"| {self.events_rate:.1f} ({self.camera_rate:.1f} cam, {self.states_rate:.1f} st) "
            f"| {self.cpu:.1f} | {self.waited:.0f} | {self.rss_end:.1f} / {self.rss_peak:.1f} "
            f"| {self.bench_cpu:.0f} | {self.load:.1f} |"
        )


async def run_phase(
    hub: HubProcess,
    sampler: Sampler,
    session: aiohttp.ClientSession,
    phase: Phase,
    alarms: int,
    spacing: float,
    rest: float,
    prefix: str,
) -> Phase:
    dashboards = [Dashboard(token) for token in hub.tokens[: phase.clients]]
    limit = asyncio.Semaphore(20)

    async def connect(dashboard: Dashboard) -> None:
        async with limit:
            await dashboard.connect(session, hub.url, phase.kinds)

    async with asyncio.timeout(120):
        await asyncio.gather(*(connect(d) for d in dashboards))
    await asyncio.sleep(1.0)  # the connections' own work settles
    before = await hub.metrics(session)
    sampler.reset()
    cpu0, wall0, bench0 = hub.cpu_seconds(), time.monotonic(), time.process_time()
    waited0, bench_waited0 = hub.waited_seconds(), waited_seconds(os.getpid())
    read0 = sum(d.messages for d in dashboards)
    raised: dict[str, float] = {}
    sent_at: dict[str, float] = {}  # wall clock, beside the hub's time_fired
    headers = {"Authorization": f"Bearer {hub.admin}"}
    if alarms == 0:
        await asyncio.sleep(rest)
    for n in range(alarms):
        title = f"{prefix} {n}"
        body = {"title": title, "site": f"opd{n % SITES:02d}", "priority": "high"}
        for d in dashboards:
            d.expect = n + 1
            d.done.clear()
        t0 = raised[title] = time.monotonic()
        sent_at[title] = time.time()
        async with session.post(
            f"{hub.url}/api/services/alarm/raise", json=body, headers=headers
        ) as response:
            if response.status != 200:
                raise SystemExit(f"alarm.raise: {response.status} {await response.text()}")
            await response.read()
        phase.posts.append(time.monotonic() - t0)
        await asyncio.sleep(max(0.0, t0 + spacing - time.monotonic()))
    if raised:  # until every dashboard read every alarm (or closed), or SEEN_WITHIN
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SEEN_WITHIN):
                await asyncio.gather(*(d.done.wait() for d in dashboards))
    wall = time.monotonic() - wall0
    phase.seconds = wall
    phase.cpu = 100 * (hub.cpu_seconds() - cpu0) / wall
    phase.bench_cpu = 100 * (time.process_time() - bench0) / wall
    phase.waited = 1000 * (hub.waited_seconds() - waited0) / wall
    phase.bench_waited = 1000 * (waited_seconds(os.getpid()) - bench_waited0) / wall
    phase.load = os.getloadavg()[0]
    phase.rss_end = hub.rss_mib()
    phase.rss_peak = max(sampler.peak, phase.rss_end)
    after = await hub.metrics(session)
    phase.events_rate = (after["events"] - before["events"]) / wall
    phase.camera_rate = (after["camera"] - before["camera"]) / wall
    phase.states_rate = (after["state_changed"] - before["state_changed"]) / wall
    phase.dropped_metric = after.get("sigap_websocket_dropped", 0.0) - before.get(
        "sigap_websocket_dropped", 0.0
    )
    phase.max_lag = after.get("sigap_loop_max_lag_seconds", 0.0)
    phase.alarms = len(raised)
    if dashboards:
        phase.per_client_rate = (
            (sum(d.messages for d in dashboards) - read0) / wall / len(dashboards)
        )
    for d in dashboards:
        if d.closed is not None:
            if d.closed[0] == 1013:
                phase.dropped += 1
            else:
                phase.closed_other += 1
            continue
        for title, t0 in raised.items():
            if title in d.seen:
                phase.latencies.append(d.seen[title] - t0)
                read, fired = d.walls[title]
                phase.intake.setdefault(title, fired - sent_at[title])
                phase.fan_out.append(read - fired)
            else:
                phase.lost += 1
    await asyncio.gather(*(d.close() for d in dashboards))
    return phase


async def warm_up(hub: HubProcess, session: aiohttp.ClientSession) -> None:
    """Two alarms raised and one socket opened before anything is measured:
    the first of each pays for code paths run once (not a dashboard's wait)."""
    headers = {"Authorization": f"Bearer {hub.admin}"}
    for n in range(2):
        body = {"title": f"warm-up {n}", "site": "opd00"}
        async with session.post(
            f"{hub.url}/api/services/alarm/raise", json=body, headers=headers
        ) as response:
            await response.read()
    dashboard = Dashboard(hub.tokens[0])
    await dashboard.connect(session, hub.url, TIMELINE)
    await dashboard.close()


async def bench_hub(hub: HubProcess, args: argparse.Namespace, phases: list[Phase]) -> None:
    hub.start()
    took = await hub.ready()
    print(f"# {hub.label}: /healthz answered {took:.1f} s after the start, pid {hub.process.pid}")  # type: ignore[union-attr]
    sampler = Sampler(hub)
    try:
        # no connector limit: aiohttp's default of 100 would hold the 101st socket back
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.sleep(args.settle)  # the start's own work settles
            await warm_up(hub, session)
            plan = [
                ("rest", 0, 0, OVERVIEW),
                ("1 client", 1, args.alarms, OVERVIEW),
                (f"{args.clients} clients", args.clients, args.alarms, OVERVIEW),
            ]
            if hub.simulate:
                plan.append(
                    (f"{args.clients} clients +events", args.clients, args.alarms, TIMELINE)
                )
            for name, clients, alarms, kinds in plan:
                phase = Phase(hub.label, name, clients, kinds)
                await run_phase(
                    hub,
                    sampler,
                    session,
                    phase,
                    alarms,
                    args.spacing,
                    args.rest,
                    f"{hub.label} {name}",
                )
                phases.append(phase)
                print(phase.row(), flush=True)
                if phase.dropped or phase.closed_other or phase.dropped_metric:
                    print(
                        f"#   dropped as too slow: {phase.dropped} (metric "
                        f"{phase.dropped_metric:g}), closed otherwise: {phase.closed_other}"
                    )
    finally:
        sampler.stop()
        hub.stop()


HEADER = (
    "| hub | phase | clients | alarms | p50 ms | p95 ms | p99 ms | max ms | POST p50 ms "
    "| lost | dropped | msgs/s per client | hub events/s | hub CPU % of a core "
    "| hub waited for a CPU ms/s | hub RSS MiB end / peak | dashboards' CPU % | load 1 min |\n"
    "|" + " --- |" * 18
)


async def bench(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="sigap-ws-"))
    print(
        f"# {CAMERAS} demo cameras in {SITES} sites, {args.alarms} alarms per phase "
        f"{args.spacing:g} s apart; "
        f"work dir {work}, cpus {os.cpu_count()}, load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    phases: list[Phase] = []
    quiet = HubProcess("still", work, simulate=False, dashboards=args.clients)
    loaded = HubProcess("50ev/s", work, simulate=True, dashboards=args.clients)
    print(HEADER, flush=True)
    for hub in (quiet, loaded):
        await bench_hub(hub, args, phases)
    print()
    print(HEADER)
    for phase in phases:
        print(phase.row())
    print(
        "\nwhere an alarm's time went: POST sent -> the hub fired alarm.raised (per alarm), "
        "fired -> a dashboard read it (per dashboard and alarm; wall clocks, one machine)\n"
        "| hub | phase | to fired p50 ms | to fired p95 ms | fired -> read p50 ms "
        "| fired -> read p95 ms | fired -> read max ms | dashboards waited for a CPU ms/s |\n"
        "|" + " --- |" * 8
    )
    for phase in phases:
        if phase.latencies:
            print(phase.split())
    by = {(p.hub, p.name): p for p in phases}
    base = by[("still", "1 client")]
    target = by[("50ev/s", f"{args.clients} clients")]
    rest_q, rest_l = by[("still", "rest")], by[("50ev/s", "rest")]
    p95 = pct(target.latencies, 95) if target.latencies else float("inf")
    print(
        f"\n{args.clients} clients under {target.camera_rate:.0f} camera events/s: "
        f"alarm p95 {p95 * 1000:.1f} ms (target < 1000 ms: "
        f"{'MET' if p95 < 1 and not target.lost else 'NOT MET'}), against "
        f"{pct(base.latencies, 95) * 1000:.1f} ms for 1 client on the still hub; "
        f"lost {target.lost}, dropped as too slow {target.dropped}"
    )
    print(
        f"hub CPU: {rest_q.cpu:.1f} % of a core at rest (still) -> {rest_l.cpu:.1f} % with "
        f"the cameras' load and no client -> {target.cpu:.1f} % with {args.clients} clients; "
        f"RSS {rest_q.rss_end:.1f} MiB (still, rest) -> {rest_l.rss_end:.1f} MiB (load, rest) "
        f"-> peak {target.rss_peak:.1f} MiB ({args.clients} clients); the hub's largest loop "
        f"lag since its start {target.max_lag * 1000:.0f} ms; this process (the dashboards) "
        f"{target.bench_cpu:.0f} % of a core in that phase"
    )
    timeline = by[("50ev/s", f"{args.clients} clients +events")]
    timeline_p95 = pct(timeline.latencies, 95) if timeline.latencies else float("inf")
    print(
        f"{args.clients} clients subscribed to events too "
        f"({timeline.per_client_rate:.0f} messages/s each): alarm p95 "
        f"{timeline_p95 * 1000:.1f} ms, lost {timeline.lost}, "
        f"dropped as too slow {timeline.dropped}, hub CPU {timeline.cpu:.1f} % of a core, "
        f"RSS peak {timeline.rss_peak:.1f} MiB; this process {timeline.bench_cpu:.0f} % of a core"
    )
    print(f"work dir (hub logs): {work}")
    return 0 if p95 < 1 and not target.lost and not target.dropped else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer alarms, shorter rests")
    p.add_argument("--clients", type=int, default=CLIENTS)
    p.add_argument("--alarms", type=int, help="alarms per phase (default 30, quick 10)")
    p.add_argument("--spacing", type=float, default=0.4, help="seconds between two alarms")
    args = p.parse_args()
    if args.alarms is None:
        args.alarms = 10 if args.quick else 30
    args.rest = 4.0 if args.quick else 10.0
    args.settle = 3.0 if args.quick else 5.0
    try:
        import uvloop  # as `sigap run` does

        return uvloop.run(bench(args))
    except ImportError:
        return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
