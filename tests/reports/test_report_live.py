"""The commands read the demo's SQLite database from another process while
`sigap run` writes it (WAL, read-only), as an admin does on the server."""

from __future__ import annotations

import asyncio
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..sigap_process import TROUBLE, copy_demo_config, run_sigap, sigap_run

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


async def test_history_and_report_while_sigap_run_writes(tmp_path: Path) -> None:
    config = copy_demo_config(REPO_CONFIG, tmp_path / "config")
    env = {**os.environ, "SIGAP_LANG": "en"}
    async with sigap_run(config, env=env) as hub:
        await hub.until(r"started: \d+ devices")
        await hub.until(r"camera\.dinkes_lobi \(dinkes/lobi\): motion")
        # the recorder commits within commit_interval (1 s): wait for it, not for luck
        async with asyncio.timeout(20):
            while True:
                history = await asyncio.to_thread(
                    run_sigap, "history", "-c", str(config), "camera.dinkes_lobi", lang="en"
                )
                assert history.returncode == 0, history.stderr
                if " motion " in history.stdout:
                    break
        today = datetime.now(ZoneInfo("Asia/Makassar")).date().isoformat()
        report = await asyncio.to_thread(
            run_sigap, "report", "-c", str(config), "--from", today, "--to", today, lang="en"
        )
        assert report.returncode == 0, report.stderr
        dinkes = report.stdout.split("Dinas Kesehatan (dinkes)\n", 1)[1]
        lobi = next(line for line in dinkes.splitlines() if "camera.dinkes_lobi" in line)
        # a share (the demo camera may have had a simulated spell offline)
        assert re.search(r"camera\.dinkes_lobi\s+\d+\.\d %", lobi), lobi
        assert await hub.interrupt() == 0, hub.output
    for trouble in TROUBLE:
        assert trouble not in hub.output, hub.output
