"""Hikvision cameras and NVR channels over ISAPI: the alertStream for
events, the picture URL for snapshots, the RTSP main stream for clips."""

from hub import hookimpl

from .camera import HikvisionCamera


@hookimpl
def sigap_camera_platforms(hub):
    return [HikvisionCamera]
