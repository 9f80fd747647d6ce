"""A real full disk: a small tmpfs mounted under the test's folder and
filled to the last byte (the tests run as root, here and in CI)."""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.testing.required import missing_service


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system with no byte left; writing a file in it
    fails with ENOSPC, as on a hub whose SD card or NAS is full."""
    mount = tmp_path / "full"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        missing_service(f"cannot mount a tmpfs for the full-disk tests: {made.stderr.strip()}")
    try:
        (mount / "media").mkdir()
        with open(mount / "filler", "wb", buffering=0) as filler:
            with contextlib.suppress(OSError):
                while filler.write(b"\0" * 4096):
                    pass
        with pytest.raises(OSError) as refused:
            (mount / "probe").write_bytes(b"x" * 8192)
        assert refused.value.errno == errno.ENOSPC
        (mount / "probe").unlink(missing_ok=True)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
