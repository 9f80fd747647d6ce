"""ffmpeg processes that always end: every run is bounded by ffmpeg's own
socket timeout (`-timeout`, the only one that bounds a dead RTSP socket) and
by a wall-clock limit, and the process is killed and reaped whatever
happens, cancellation included. Command lines are built with ffmpeg-python."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import ffmpeg

from . import i18n
from .platform import DeviceError

FFMPEG = "ffmpeg"


class FfmpegError(DeviceError):
    pass


def with_credentials(url: str, username: str | None, password: str | None) -> str:
    """`rtsp://host/x` -> `rtsp://user:pass@host/x` (unless it has some already)."""
    if not username:
        return url
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return url
    userinfo = quote(username, safe="") + (":" + quote(password, safe="") if password else "")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def without_credentials(url: str) -> str:
    """What a log line or an error may show of a camera URL."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def input_options(url: str, socket_timeout: float) -> dict[str, Any]:
    if url.startswith(("rtsp://", "rtsps://")):
        # `-timeout` is in microseconds; for RTSP it bounds connect and every read
        return {"rtsp_transport": "tcp", "timeout": int(socket_timeout * 1_000_000)}
    return {"rw_timeout": int(socket_timeout * 1_000_000)}


def snapshot_args(url: str, socket_timeout: float) -> list[str]:
    stream = ffmpeg.input(
        url,
        # a short probe: a snapshot needs the video codec only (3 s -> 1 s)
        analyzeduration=500_000,
        probesize=65_536,
        **input_options(url, socket_timeout),
    )
    out = stream.output("pipe:", vframes=1, format="image2", vcodec="mjpeg", **{"q:v": 3})
    return out.global_args("-nostdin", "-loglevel", "error").compile(cmd=FFMPEG)


def clip_args(url: str, seconds: float, path: str, socket_timeout: float) -> list[str]:
    stream = ffmpeg.input(url, **input_options(url, socket_timeout))
    out = stream.output(path, t=seconds, c="copy", movflags="+faststart", map="0:v", format="mp4")
    return out.global_args("-nostdin", "-loglevel", "error", "-y").compile(cmd=FFMPEG)


def ring_args(
    url: str, pattern: str, segment_time: float, wrap: int, socket_timeout: float
) -> list[str]:
    stream = ffmpeg.input(url, **input_options(url, socket_timeout))
    out = stream.output(
        pattern,
        map="0:v",
        c="copy",
        f="segment",
        segment_time=segment_time,
        segment_wrap=wrap,
        reset_timestamps=1,
    )
    return out.global_args("-nostdin", "-loglevel", "error", "-y").compile(cmd=FFMPEG)


def concat_args(list_file: str, path: str) -> list[str]:
    stream = ffmpeg.input(list_file, f="concat", safe=0)
    out = stream.output(path, c="copy", movflags="+faststart", format="mp4")
    return out.global_args("-nostdin", "-loglevel", "error", "-y").compile(cmd=FFMPEG)


async def run(args: Sequence[str], limit: float, *, what: str, hide: Sequence[str] = ()) -> bytes:
    """Run ffmpeg; return its stdout. Raises FfmpegError (with `what` and
    ffmpeg's last words, credentials removed) on failure or after `limit`
    seconds; the process is gone when this returns or raises."""
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(limit):
            out, err = await proc.communicate()
    except TimeoutError:
        raise FfmpegError(
            i18n.Text("ffmpeg.no_picture", what=what, seconds=f"{limit:.0f}")
        ) from None
    finally:
        await reap(proc)
    if proc.returncode != 0:
        text = err.decode(errors="replace").strip().splitlines()
        last: str = text[-1] if text else i18n.Text("ffmpeg.exit_code", code=proc.returncode)
        for secret in hide:
            if secret and secret in last:
                last = last.replace(secret, "***")
        raise FfmpegError(i18n.Text("ffmpeg.failed", what=what, error=last))
    return out


async def reap(proc: asyncio.subprocess.Process, grace: float = 0.0) -> None:
    """Make sure `proc` has exited and is waited for (no zombie, no orphan)."""
    if proc.returncode is None:
        if grace > 0:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
            try:
                async with asyncio.timeout(grace):
                    await proc.wait()
                return
            except TimeoutError:
                pass
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    # shielded: a second cancellation must not leave the child unreaped
    await asyncio.shield(proc.wait())
