"""Dahua cameras and NVR channels: eventManager attach for events, the
snapshot CGI for pictures, the RTSP main stream for clips."""

from pathlib import Path

from hub import hookimpl, i18n

from .camera import DahuaCamera

# this plugin's words: locale/<lang>/LC_MESSAGES/dahua.po
i18n.add_domain("dahua", Path(__file__).parent / "locale")


@hookimpl
def sigap_camera_platforms(hub):
    return [DahuaCamera]
