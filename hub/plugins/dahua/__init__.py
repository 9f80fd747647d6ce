"""Dahua cameras and NVR channels: eventManager attach for events, the
snapshot CGI for pictures, the RTSP main stream for clips."""

from hub import hookimpl

from .camera import DahuaCamera


@hookimpl
def sigap_camera_platforms(hub):
    return [DahuaCamera]
