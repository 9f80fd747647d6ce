"""The project's tests. tests/fixtures holds packages the tests install or
run on their own (a vendor's plugin and its own tests): never collected here."""

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hub.testing import canary

collect_ignore = ["fixtures"]

# The suite asserts the English wording of what the hub and `sigap` print;
# the default is Indonesian. Tests of the Indonesian texts set SIGAP_LANG
# (or hub.language) themselves.
os.environ["SIGAP_LANG"] = "en"

# The canary env var every hub and `sigap` of the suite sees (configs read it
# with `!env_var SIGAP_CANARY`); its value must never show (see below).
os.environ[canary.CANARY_ENV] = canary.CANARY_ENV_VALUE


@pytest.fixture(autouse=True)
def canary_never_seen(request: pytest.FixtureRequest) -> Iterator[canary.CanaryCheck]:
    """Fail the test in which a canary secret (secrets.yaml's or the env var's)
    shows in a log record, a `sigap` process's output or a file the hub
    keeps in .storage (traces): tests/test_canary.py proves it catches one."""
    # taken now, so the folder is still there when this fixture ends
    folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    check = canary.current = canary.CanaryCheck()
    check.start()
    try:
        yield check
    finally:
        check.stop()
        canary.current = None
    if folder is not None:
        check.read_storage(folder)
    sightings = check.sightings()
    if sightings:
        pytest.fail("a secret leaked:\n" + "\n".join(sightings), pytrace=False)


@pytest.fixture(autouse=True)
async def no_mqtt_client_left_connected() -> AsyncIterator[None]:
    """Fail the test that leaves an MQTT client connected, not the later one
    in which the garbage collector finds its socket on a closed loop."""
    yield
    left = {
        task
        for task in asyncio.all_tasks()
        if not task.done() and task.get_coro().__qualname__.endswith("_misc_loop")
    }
    if left:
        # a client that just disconnected has its task's cancel scheduled, not yet run
        _, left = await asyncio.wait(left, timeout=2)
    assert not left, f"an MQTT client is still connected after the test: {left}"


REPO_CONFIG = Path(__file__).resolve().parent.parent / "config"


def _config_files() -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in REPO_CONFIG.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True, scope="session")
def repository_config_untouched() -> Iterator[None]:
    """The suite never writes into the repository's own config/: a test run
    must not overwrite the traces and storage a user's `make run` saved."""
    before = _config_files()
    yield
    after = _config_files()
    changed = sorted(p for p in after.keys() | before.keys() if after.get(p) != before.get(p))
    assert not changed, f"tests wrote into the repository's config/: {changed}"
