"""Demo devices: simulated cameras, doors and sirens in OPD buildings and a
console messenger, so a fresh hub shows life without any hardware."""

from pathlib import Path

from hub import hookimpl, i18n

# this plugin's words (locale/<lang>/LC_MESSAGES/demo.po), named before its
# modules are imported: a module may build a Text when it is loaded
i18n.add_domain("demo", Path(__file__).parent / "locale")

from .camera import DemoCamera  # noqa: E402
from .door import DemoDoor  # noqa: E402
from .notify import ConsoleNotifier  # noqa: E402
from .siren import DemoSiren  # noqa: E402


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
