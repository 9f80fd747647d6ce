"""One hub per config folder.

Two hubs on one folder would both drive the same sirens and doors, both
reconcile the same owed commands and both write the same files. The first
`sigap run` holds an advisory lock on `<config>/.storage/hub.lock` for its
lifetime; the kernel drops it when the process ends, however it ends
(SIGKILL included), so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from .i18n import Text
from .storage import FILE_MODE, storage_dir

LOCK_FILE = "hub.lock"


class HubAlreadyRunning(Exception):
    """Another process holds the folder's lock."""

    def __init__(self, folder: Path, pid: int | None) -> None:
        self.folder = folder
        self.pid = pid
        super().__init__(f"another hub (process {pid or '?'}) is already running on {folder}")

    def text(self) -> Text:
        return Text("instance.already_running", folder=str(self.folder), pid=self.pid or "?")


class FolderLock:
    """`with FolderLock(config_dir):` the hub of that folder, or HubAlreadyRunning."""

    def __init__(self, config_dir: str | os.PathLike[str]) -> None:
        self.folder = Path(config_dir)
        self._fd: int | None = None

    def acquire(self) -> None:
        path = storage_dir(self.folder) / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise HubAlreadyRunning(self.folder, holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # closing the descriptor drops the lock
        self._fd = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).split()[0])
    except (OSError, ValueError, IndexError):
        return None  # the holder is between truncating and writing its pid
