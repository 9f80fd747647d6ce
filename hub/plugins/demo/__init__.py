"""Demo devices: simulated cameras, doors and sirens in OPD buildings and a
console messenger, so a fresh hub shows life without any hardware."""

from pathlib import Path

from hub import hookimpl, i18n

from .camera import DemoCamera
from .door import DemoDoor
from .notify import ConsoleNotifier
from .siren import DemoSiren

# this plugin's words: locale/<lang>/LC_MESSAGES/demo.po
i18n.add_domain("demo", Path(__file__).parent / "locale")


@hookimpl
def sigap_camera_platforms(hub):
    return [DemoCamera]


@hookimpl
def sigap_door_platforms(hub):
    return [DemoDoor]


@hookimpl
def sigap_siren_platforms(hub):
    return [DemoSiren]


@hookimpl
def sigap_notify_platforms(hub):
    return [ConsoleNotifier]
