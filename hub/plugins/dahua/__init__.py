"""Dahua cameras and NVR channels: eventManager attach for events, the
snapshot CGI for pictures, the RTSP main stream for clips."""

from pathlib import Path

from hub import hookimpl, i18n

# this plugin's words (locale/<lang>/LC_MESSAGES/dahua.po), named before its
# modules are imported: a module may build a Text when it is loaded
i18n.add_domain("dahua", Path(__file__).parent / "locale")

from .camera import DahuaCamera  # noqa: E402


@hookimpl
def sigap_camera_platforms(hub):
    return [DahuaCamera]
