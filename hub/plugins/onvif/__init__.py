"""ONVIF cameras (onvif-zeep-async): events through PullPoint, stream and
snapshot URIs for the media layer, PTZ presets."""

from pathlib import Path

from hub import HubKey, hookimpl, i18n

# this plugin's words (locale/<lang>/LC_MESSAGES/onvif.po), named before its
# modules are imported: a module may build a Text when it is loaded
i18n.add_domain("onvif", Path(__file__).parent / "locale")

from .camera import OnvifCamera, _SetupGate  # noqa: E402

SETUP_GATE: HubKey[_SetupGate] = HubKey("onvif.setup_gate")


@hookimpl
def sigap_camera_platforms(hub):
    return [OnvifCamera]
