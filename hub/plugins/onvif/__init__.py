"""ONVIF cameras (onvif-zeep-async): events through PullPoint, stream and
snapshot URIs for the media layer, PTZ presets."""

from hub import HubKey, hookimpl

from .camera import OnvifCamera, _SetupGate

SETUP_GATE: HubKey[_SetupGate] = HubKey("onvif.setup_gate")


@hookimpl
def sigap_camera_platforms(hub):
    return [OnvifCamera]
