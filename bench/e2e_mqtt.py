"""End to end over MQTT: camera event -> Sigap automation -> siren command.

    .venv/bin/python bench/e2e_mqtt.py                 # the full run (about 3 minutes)
    .venv/bin/python bench/e2e_mqtt.py --quick         # shorter runs, no 60 s soak

Starts its own Mosquitto on a free port, then runs the black-box harness
(../shared/bench/mqtt_roundtrip.py, beside the repository) against

- the echo floor (../shared/bench/echo.py: aiomqtt republishing each event),
- `sigap run` (uvloop) with this automation, written in Sigap's YAML:

      trigger: mqtt on bench/cam/+/motion
      action:  mqtt.publish to bench/siren/<camera>/set, payload = the seq

at 200/s, 1,000/s, 3,000/s and the maximum rate (a bounded window), and a
60 s run at 1,000/s for RSS flatness. Prints each command line and the
figures, and a summary table; `--json FILE` keeps the harness's JSON lines.
Targets (issue 4): zero loss everywhere; at 1,000/s p99 < 10 ms and hub CPU
per event < 0.3 ms and within 1.3x of the echo floor; 3,000/s sustained
without loss; RSS growth < 10 % over the 60 s run.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from hub.testing.mosquitto import Mosquitto

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "bench"

CONFIG = """\
hub:
  name: Bench
  id: bench
mqtt:
  host: 127.0.0.1
  port: {port}
automation:
  - id: bench_echo
    alias: Kamera ke sirene (bench)
    mode: parallel
    max: 100000
    max_exceeded: silent
    triggers:
      - trigger: mqtt
        topic: bench/cam/+/motion
        qos: 0
    actions:
      - action: mqtt.publish
        data:
          topic: "bench/siren/{{{{ trigger.topic.split('/')[2] }}}}/set"
          payload: "{{{{ trigger.payload_json.seq }}}}"
"""


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    print("$", shlex.join(cmd), flush=True)
    return subprocess.run(cmd, text=True, check=False, **kw)  # type: ignore[call-overload]


class System:
    """A system under test: a process answering bench/cam/+/motion."""

    def __init__(self, label: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
        self.label = label
        self.cmd = cmd
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, shared: Path, broker: Mosquitto, log: Path) -> int:
        print("$", shlex.join(self.cmd), "&", flush=True)
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                self.cmd, stdout=out, stderr=subprocess.STDOUT, env=self.env
            )
        ready = run(
            [
                sys.executable,
                str(shared / "wait_ready.py"),
                "--port",
                str(broker.port),
                "--timeout",
                "60",
            ],
        )
        if ready.returncode != 0:
            raise SystemExit(f"{self.label} did not answer; see {log}")
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def harness(
    shared: Path,
    broker: Mosquitto,
    pid: int,
    label: str,
    json_file: Path,
    rate: float,
    count: int,
    extra: list[str] = (),  # type: ignore[assignment]
) -> dict:
    before = json_file.stat().st_size if json_file.exists() else 0
    run(
        [
            sys.executable,
            str(shared / "mqtt_roundtrip.py"),
            "--port",
            str(broker.port),
            "--rate",
            f"{rate:g}",
            "--count",
            str(count),
            "--warmup",
            "500",
            "--pid",
            str(pid),
            "--label",
            label,
            "--json",
            str(json_file),
            *extra,
        ]
    )
    with json_file.open() as fh:
        fh.seek(before)
        lines = [json.loads(line) for line in fh if line.strip()]
    return lines[-1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the harness folder")
    p.add_argument("--quick", action="store_true", help="shorter runs, no 60 s soak")
    p.add_argument("--json", type=Path, help="append every harness JSON line here")
    p.add_argument("--only", choices=("echo", "sigap"), help="run one system only")
    p.add_argument("--rates", help="comma-separated subset of 200/s,1000/s,3000/s,max")
    args = p.parse_args()
    shared = args.shared.resolve()
    if not (shared / "mqtt_roundtrip.py").exists():
        raise SystemExit(f"harness not found in {shared} (use --shared DIR)")

    work = Path(tempfile.mkdtemp(prefix="sigap-e2e-"))
    json_file = args.json or work / "results.jsonl"
    broker = Mosquitto(work / "broker").start()
    config_dir = work / "config"
    config_dir.mkdir()
    (config_dir / "configuration.yaml").write_text(CONFIG.format(port=broker.port))
    print(f"# broker 127.0.0.1:{broker.port}, work dir {work}, cpus {os.cpu_count()}")

    scale = 0.25 if args.quick else 1.0
    plan = [
        ("200/s", 200, int(6000 * scale), []),
        ("1000/s", 1000, int(20000 * scale), []),
        ("3000/s", 3000, int(30000 * scale), []),
        ("max", 0, int(30000 * scale), ["--max-inflight", "200"]),
    ]
    if args.rates:
        plan = [step for step in plan if step[0] in args.rates.split(",")]
    env = {**os.environ, "SIGAP_DISABLE_PLUGIN_AUTOLOAD": "1"}
    systems = [
        System("echo", [sys.executable, str(shared / "echo.py"), "127.0.0.1", str(broker.port)]),
        System(
            "sigap",
            [sys.executable, "-m", "hub", "run", "-c", str(config_dir), "--log-level", "WARNING"],
            env,
        ),
    ]
    if args.only:
        systems = [s for s in systems if s.label == args.only]
    results: list[tuple[str, str, dict]] = []
    try:
        for system in systems:
            try:
                pid = system.start(shared, broker, work / f"{system.label}.log")
                for name, rate, count, extra in plan:
                    res = harness(
                        shared, broker, pid, f"{system.label} {name}", json_file, rate, count, extra
                    )
                    results.append((system.label, name, res))
                if system.label == "sigap" and not args.quick:
                    res = harness(shared, broker, pid, "sigap soak 60 s", json_file, 1000, 60000)
                    results.append((system.label, "soak 1000/s 60 s", res))
            finally:
                system.stop()
    finally:
        broker.stop()

    print(
        "\n| system | rate | sent | lost | dup | throughput/s | p50 ms | p95 ms | p99 ms "
        "| CPU ms/event | RSS MiB before -> after |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, name, r in results:
        lat, sut = r["lat_ms"], r.get("sut", {})
        print(
            f"| {label} | {name} | {r['sent']} | {r['lost']} | {r['duplicates']} "
            f"| {r['throughput']} | {lat['p50']} | {lat['p95']} | {lat['p99']} "
            f"| {sut.get('cpu_ms_per_event')} "
            f"| {sut.get('rss_mib_before')} -> {sut.get('rss_mib_after')} |"
        )
    by = {(label, name): r for label, name, r in results}
    echo, hub = by.get(("echo", "1000/s")), by.get(("sigap", "1000/s"))
    if echo and hub:
        ratio = hub["sut"]["cpu_ms_per_event"] / max(echo["sut"]["cpu_ms_per_event"], 1e-9)
        print(f"\nat 1000/s: sigap CPU/event is {ratio:.2f}x the echo floor's")
    soak = by.get(("sigap", "soak 1000/s 60 s"))
    if soak:
        before, after = soak["sut"]["rss_mib_before"], soak["sut"]["rss_mib_after"]
        print(f"soak: RSS {before} -> {after} MiB ({100 * (after - before) / before:+.1f} %)")
    print(f"JSON lines: {json_file}")
    return 0 if all(r["lost"] == 0 for _, _, r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
