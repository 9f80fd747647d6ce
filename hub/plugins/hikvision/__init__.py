"""Hikvision cameras and NVR channels over ISAPI: the alertStream for
events, the picture URL for snapshots, the RTSP main stream for clips."""

from pathlib import Path

from hub import hookimpl, i18n

# this plugin's words (locale/<lang>/LC_MESSAGES/hikvision.po), named before its
# modules are imported: a module may build a Text when it is loaded
i18n.add_domain("hikvision", Path(__file__).parent / "locale")

from .camera import HikvisionCamera  # noqa: E402


@hookimpl
def sigap_camera_platforms(hub):
    return [HikvisionCamera]
