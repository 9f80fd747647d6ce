"""`sigap run` as a subprocess that a test reads line by line: wait (with a
timeout) for the log line you expect, then Ctrl-C it and check how it ended."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from hub.testing import canary


def sigap_command() -> list[str]:
    """The installed console script next to this Python (as an admin runs it)."""
    script = Path(sys.executable).with_name("sigap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "hub"]


_AS_IS = object()


def run_sigap(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    lang: str | object | None = _AS_IS,
) -> subprocess.CompletedProcess[str]:
    """`sigap ARGS` run to its end (60 s at most), its output captured.
    `lang` sets SIGAP_LANG; None removes it, so hub.language decides."""
    environment = dict(os.environ if env is None else env)
    if lang is None:
        environment.pop("SIGAP_LANG", None)
    elif lang is not _AS_IS:
        environment["SIGAP_LANG"] = str(lang)
    result = subprocess.run(
        [*sigap_command(), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    canary.seen(result.stdout + result.stderr, f"sigap {' '.join(args)}")
    return result


class SigapRun:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.returncode: int | None = None

    @property
    def output(self) -> str:
        return "".join(self.lines)

    async def until(self, pattern: str, seconds: float = 30.0) -> str:
        """The next log line matching `pattern`; fails if the hub exits first."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(seconds):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    raise AssertionError(f"sigap run ended before {pattern!r}:\n{self.output}")
                line = raw.decode()
                self.lines.append(line)
                if re.search(pattern, line):
                    return line

    async def interrupt(self, seconds: float = 20.0) -> int:
        """Ctrl-C, then the exit code once it has stopped."""
        self.proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(seconds):
            rest, _ = await self.proc.communicate()
        self.lines.append(rest.decode())
        self.returncode = self.proc.returncode
        return self.returncode


@asynccontextmanager
async def sigap_run(
    config: Path, *args: str, env: Mapping[str, str] | None = None
) -> AsyncIterator[SigapRun]:
    """Start `sigap run -c config`; it is killed at the end if still running."""
    proc = await asyncio.create_subprocess_exec(
        *sigap_command(),
        "run",
        "-c",
        str(config),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**(env if env is not None else os.environ), "PYTHONWARNINGS": "default"},
    )
    run = SigapRun(proc)
    try:
        yield run
    finally:
        if proc.returncode is None:
            proc.kill()
            rest, _ = await proc.communicate()
            run.lines.append(rest.decode(errors="replace"))
        canary.seen(run.output, f"sigap run -c {config}")


# What a clean run and stop never print.
TROUBLE = ("Traceback", "ERROR", "Warning", "never awaited", "Task was destroyed")


def copy_demo_config(source: Path, dest: Path, *, http_port: int = 0, **copy_options: Any) -> Path:
    """config/ copied for a test run: its HTTP server on `http_port` (0: a
    free one), so a test never fights a `make run` on 8123 for it."""
    shutil.copytree(source, dest, **copy_options)
    main = dest / "configuration.yaml"
    text, found = re.subn(
        r"^(  server_port:) 8123$", rf"\g<1> {http_port}", main.read_text("utf-8"), flags=re.M
    )
    assert found == 1, "config/configuration.yaml has no http: server_port: 8123 line"
    main.write_text(text, "utf-8")
    return dest
