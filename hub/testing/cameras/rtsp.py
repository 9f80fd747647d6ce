"""Start the local RTSP test source (rtsp_source.py) from tests and benches:
`async with RtspSource(mounts=20) as rtsp: rtsp.url(3)`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"  # python3-gi is Debian's, bound to this interpreter
SCRIPT = Path(__file__).with_name("rtsp_source.py")
_HAVE_SYSTEM_PYTHON = os.path.exists(SYSTEM_PYTHON)


class RtspSourceError(RuntimeError):
    pass


class RtspSource:
    def __init__(self, mounts: int = 1, *, port: int = 0, fps: int = 10, gop: int = 10) -> None:
        self.mounts = mounts
        self.port = port
        self.fps = fps
        self.gop = gop
        self._proc: asyncio.subprocess.Process | None = None

    def url(self, n: int = 1) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam/{n}"

    async def __aenter__(self) -> RtspSource:
        if not _HAVE_SYSTEM_PYTHON:
            raise RtspSourceError(f"{SYSTEM_PYTHON} is missing (apt install python3-gi)")
        args = [
            SYSTEM_PYTHON, str(SCRIPT), "--port", str(self.port), "--mounts", str(self.mounts),
            "--fps", str(self.fps), "--gop", str(self.gop),
        ]  # fmt: skip
        self._proc = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            async with asyncio.timeout(15):
                line = (await self._proc.stdout.readline()).decode().strip()  # type: ignore[union-attr]
        except TimeoutError:
            line = ""
        if not line.startswith("READY "):
            await self._end()
            err = await self._proc.stderr.read()  # type: ignore[union-attr]
            raise RtspSourceError(
                f"the RTSP test source did not start ({line or 'no answer'}): "
                f"{err.decode(errors='replace')[-500:]}"
                " (needs gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-*)"
            )
        self.port = int(line.split()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._end()

    async def _end(self) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            async with asyncio.timeout(5):
                await proc.wait()
        except TimeoutError:
            proc.kill()
            await proc.wait()
