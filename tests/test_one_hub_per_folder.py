"""A second `sigap run` on a folder a hub already runs on refuses to start
and names the process that holds it; a crashed hub leaves no stale lock."""

import os
import shutil
import signal
from pathlib import Path

import pytest

from hub.core.instance import FolderLock, HubAlreadyRunning

from .sigap_process import copy_demo_config, run_sigap, sigap_run

CONFIG = Path(__file__).resolve().parent.parent / "config"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns(".storage", "media")
    return copy_demo_config(CONFIG, tmp_path / "config", ignore=ignore)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "Sigap is already running on"), ("id", "Sigap sudah berjalan di")],
)
async def test_a_second_hub_on_the_same_folder_refuses(config: Path, lang: str, words: str):
    async with sigap_run(config) as first:
        await first.until(r"started: \d+ devices")
        second = run_sigap("run", "-c", str(config), lang=lang)
        assert second.returncode == 1, second.stderr
        assert words in second.stderr
        assert f"{first.proc.pid}" in second.stderr  # which process holds it
        assert "Traceback" not in second.stderr
        # the first hub was not disturbed
        assert await first.interrupt() == 0, first.output


async def test_a_killed_hub_leaves_no_stale_lock(config: Path):
    async with sigap_run(config) as first:
        await first.until(r"started: \d+ devices")
        first.proc.send_signal(signal.SIGKILL)
        await first.proc.wait()
    async with sigap_run(config) as again:
        await again.until(r"started: \d+ devices")
        assert await again.interrupt() == 0, again.output


def test_the_lock_is_held_until_released(tmp_path: Path):
    with FolderLock(tmp_path):
        with pytest.raises(HubAlreadyRunning) as refused:
            FolderLock(tmp_path).acquire()
        assert refused.value.pid == os.getpid()
    with FolderLock(tmp_path):  # free again once released
        pass
