"""Files the hub keeps in `<config>/.storage`: written whole or not at all.

Every file the hub writes goes through `write_atomic`: a full disk or a crash
mid-write leaves the previous version, never a truncated one (a full disk once
truncated mqtt_subscriptions.json to 0 bytes). What the hub stores may hold
rendered data, so the folder is 0700 and its files 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

STORAGE_FOLDER = ".storage"
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def storage_dir(config_dir: str | os.PathLike[str], *parts: str) -> Path:
    """`<config>/.storage[/parts...]`, created 0700 (every level below .storage)."""
    folder = Path(config_dir) / STORAGE_FOLDER
    make_private_dir(folder)
    for part in parts:
        folder = folder / part
        make_private_dir(folder)
    return folder


def make_private_dir(folder: Path) -> None:
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    # mkdir's mode is masked by the umask and ignored for a folder that exists
    with contextlib.suppress(OSError):
        os.chmod(folder, FOLDER_MODE)


def write_atomic(
    path: str | os.PathLike[str],
    data: bytes | str,
    *,
    mode: int = FILE_MODE,
    durable: bool = True,
) -> None:
    """Replace `path` with `data` in one step; on any error the old file stays.

    `durable` fsyncs the data and the folder, so the new content survives a
    power cut (owed commands, the outbox); traces may pass False.
    Blocking: call it off the event loop (`asyncio.to_thread`) for anything
    larger than a few kilobytes.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as file:
            file.write(payload)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    if durable:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
