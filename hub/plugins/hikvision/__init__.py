"""Hikvision cameras and NVR channels over ISAPI: the alertStream for
events, the picture URL for snapshots, the RTSP main stream for clips."""

from pathlib import Path

from hub import hookimpl, i18n

from .camera import HikvisionCamera

# this plugin's words: locale/<lang>/LC_MESSAGES/hikvision.po
i18n.add_domain("hikvision", Path(__file__).parent / "locale")


@hookimpl
def sigap_camera_platforms(hub):
    return [HikvisionCamera]
