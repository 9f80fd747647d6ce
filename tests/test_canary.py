"""The suite's canary check (tests/conftest.py: canary_never_seen) catches a
leak, and a hub that carries the canaries through secrets.yaml and the
environment, into errors, log lines, traces and `sigap` output, never shows
them."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from hub.core.services import ServiceCall
from hub.testing import canary
from hub.testing.canary import CANARY_ENV, CANARY_ENV_VALUE, CANARY_SECRET
from hub.testing.recorded import plant_traces, saved_traces

from .sigap_process import run_sigap, sigap_run

REPO = Path(__file__).resolve().parent.parent

CANARY_CONFIG = """\
hub: {name: Uji Kanari, id: kanari, language: en}
sites: [{id: dinkes, areas: [lobi]}]
camera: [{platform: demo, id: dinkes_lobi, site: dinkes, area: lobi, simulate: false}]
notify: [{platform: console, id: pusat_komando}]
automation:
  - id: kanari
    alias: Kanari
    variables:
      pin: !secret sigap_canary
      token: !env_var SIGAP_CANARY
    triggers: [{trigger: event, event_type: hub.started}]
    actions:
      - action: notify.send
        target: {entity_id: notify.pusat_komando}
        data:
          title: Kanari
          message: "PIN {{ pin }} token {{ token | lower }}"
      - action: test.refuse
        data: {pin: "{{ pin | upper }}"}
"""

BROKEN_CANARY_CONFIG = """\
hub:
  name: Uji Kanari
  language: !secret sigap_canary
  id: !env_var SIGAP_CANARY
sites:
  - id: !secret sigap_canary
    name: !env_var SIGAP_CANARY
camera:
  - {platform: !secret sigap_canary, id: lobi, site: !env_var SIGAP_CANARY}
"""


def canary_config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "configuration.yaml").write_text(text, encoding="utf-8")
    canary.plant(folder)
    return folder


# -- the check catches a leak -----------------------------------------------------

LEAKING_TESTS = """
import logging
from pathlib import Path

from hub.testing.canary import CANARY_ENV_VALUE, CANARY_SECRET
from tests.sigap_process import run_sigap


def test_a_log_line_leaks():
    logging.getLogger("hub.leaky").warning("connecting with %s", CANARY_ENV_VALUE.lower())


def test_a_trace_file_leaks(tmp_path):
    folder = tmp_path / "config" / ".storage" / "traces"
    folder.mkdir(parents=True)
    (folder / "x.json").write_text('{"message": "PIN %s"}' % CANARY_SECRET)


def test_sigap_output_leaks(tmp_path):
    import asyncio
    from hub.testing.recorded import plant_traces
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "configuration.yaml").write_text("hub: {language: en}\\n")
    document = {"id": "x", "traces": [{"pin": CANARY_SECRET, "run_id": 1}]}
    asyncio.run(plant_traces(folder, document))
    result = run_sigap("trace", "x", "--json", "-c", str(folder))
    assert result.returncode == 0
    (folder / "sigap.db").unlink()  # the output alone must be caught


def test_a_clean_test_passes(tmp_path):
    logging.getLogger("hub.clean").warning("connecting with ***")
"""


def test_the_check_fails_a_test_that_leaks_and_passes_a_clean_one(tmp_path: Path) -> None:
    """A real pytest run with the suite's own fixture: three leaks, three failures."""
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import canary_never_seen  # noqa: F401\n"
    )
    (tmp_path / "test_leaks.py").write_text(textwrap.dedent(LEAKING_TESTS))
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", str(tmp_path)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    # each test's own body passes; the check fails the three leaks at their teardown
    assert "4 passed, 3 errors" in out, out
    for name in ("test_a_log_line_leaks", "test_a_trace_file_leaks", "test_sigap_output_leaks"):
        assert f"ERROR test_leaks.py::{name}" in out, out
    assert out.count("a secret leaked") >= 3, out
    assert "log record of hub.leaky" in out
    assert "sigap trace x --json -c " in out and ".storage/traces/x.json shows" in out


def test_the_check_watches_this_suite(canary_never_seen: canary.CanaryCheck) -> None:
    assert canary_never_seen.watching and canary.current is canary_never_seen
    assert os.environ[CANARY_ENV] == CANARY_ENV_VALUE  # every hub and sigap sees it
    assert canary.canaries_in(f"x {CANARY_SECRET.upper()} y") == [CANARY_SECRET]


def test_plant_adds_the_canary_to_secrets_yaml_once(tmp_path: Path) -> None:
    (tmp_path / "secrets.yaml").write_text("mqtt_password: x")
    canary.plant(tmp_path)
    canary.plant(tmp_path)
    assert (tmp_path / "secrets.yaml").read_text() == (
        f"mqtt_password: x\nsigap_canary: {CANARY_SECRET}\n"
    )


# -- a hub carrying the canaries shows none --------------------------------------


async def test_a_hub_carrying_the_canaries_logs_and_traces_them_redacted(
    hub_factory, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    folder = canary_config(tmp_path / "config", CANARY_CONFIG)
    hub = await hub_factory(config_dir=folder, plugins=["hub.plugins.demo"], start=False)
    refused = asyncio.Event()

    async def refuse(call: ServiceCall) -> None:
        refused.set()
        raise RuntimeError(f"relay refused PIN {call.data['pin']}")

    hub.services.register("test", "refuse", refuse)
    await hub.start()
    async with asyncio.timeout(10):
        await refused.wait()  # the run's last step: its error is in the trace now
    assert hub.config_errors == []
    notifier = hub.devices.get("notify.pusat_komando")
    assert notifier.sent[0].message == f"PIN {CANARY_SECRET} token {CANARY_ENV_VALUE.lower()}"
    assert "ALERT: [Kanari] PIN *** token ***" in caplog.text  # written, redacted
    assert "relay refused PIN ***" in caplog.text
    await hub.stop()
    saved = json.dumps(await saved_traces(folder), ensure_ascii=False)
    assert "PIN *** token ***" in saved and "relay refused PIN ***" in saved
    # the autouse check reads every log record, the .storage files and the
    # recorder's database of this test


async def test_sigap_run_check_config_and_trace_never_print_a_canary(tmp_path: Path) -> None:
    folder = canary_config(tmp_path / "config", CANARY_CONFIG)
    async with sigap_run(folder, "--log-level", "DEBUG") as hub:
        await hub.until(r"ALERT: \[Kanari\] PIN \*\*\* token \*\*\*")
        assert await hub.interrupt() == 0, hub.output
    shown = run_sigap("trace", "kanari", "-c", str(folder), lang="en")
    assert shown.returncode == 0 and "kanari" in shown.stdout, shown.stderr
    assert run_sigap("trace", "kanari", "--json", "-c", str(folder)).returncode == 0

    broken = canary_config(tmp_path / "broken", BROKEN_CANARY_CONFIG)
    checked = run_sigap("check-config", "-c", str(broken), lang="en")
    assert checked.returncode == 1
    assert "<secret sigap_canary>" in checked.stderr
    assert "<env_var SIGAP_CANARY>" in checked.stderr
    # every output above went through the autouse check (tests/sigap_process.py)


async def test_sigap_trace_redacts_a_trace_saved_before_redaction(tmp_path: Path) -> None:
    """A trace an older version saved with the secret in it: what sigap prints hides it,
    in whichever language (with SIGAP_LANG set, the config used to go unread)."""
    folder = canary_config(
        tmp_path / "config",
        "hub: {name: !secret sigap_canary, language: en}\n"
        "notify: [{platform: console, id: pusat_komando, name: !env_var SIGAP_CANARY}]\n",
    )
    document = {
        "id": "lama",
        "alias": "Lama",
        "traces": [
            {
                "run_id": 1,
                "timestamp": {"start": 1764000000.0, "finish": 1764000001.0},
                "script_execution": "error",
                "error": f"relay refused PIN {CANARY_SECRET} token {CANARY_ENV_VALUE}",
                "trigger": {"description": "event door.forced"},
                "context": {"id": "c1", "parent_id": None},
                "trace": {},
            }
        ],
    }
    await plant_traces(folder, document)
    for args in (("trace", "lama"), ("trace", "lama", "--json")):
        result = await asyncio.to_thread(run_sigap, *args, "-c", str(folder), lang="en")
        assert result.returncode == 0, result.stderr
        assert "relay refused PIN *** token ***" in result.stdout, result.stdout
    (folder / "sigap.db").unlink()  # what was printed is the point; the trace was planted
