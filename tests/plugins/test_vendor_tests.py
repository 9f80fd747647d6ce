"""A vendor's test suite runs against the harness Sigap ships: the example
plugin's own tests (tests/fixtures/sigap_plugin_example/tests) use only
`hub_factory` from hub.testing, and pass when run as the vendor runs them."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import FIXTURES


def test_the_example_plugins_own_tests_pass() -> None:
    package = FIXTURES / "sigap_plugin_example"
    env = {**os.environ, "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=package,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
