"""Site arming: the `alarm_control_panel` domain and its `manual` platform,
one panel per site (disarmed / arming / armed_home / armed_night /
armed_away / pending / triggered), with exit and entry delays, a code or a
person allowed to arm, a lockout after wrong codes, and a schedule in the
hub's time zone. Declared through the same hooks as a vendor's domain,
with only the public API."""

from pathlib import Path

import voluptuous as vol

from hub import EntityDomain, EntityService, hookimpl, i18n

from .panel import ARMED_MODES, EVENT_LOCKED_OUT, EVENT_WRONG_CODE, AlarmControlPanel, ManualPanel

i18n.add_domain("arming", Path(__file__).parent / "locale")

_CODE = {vol.Optional("code"): vol.All(vol.Coerce(str), vol.Length(max=64))}


def _arm(mode: str) -> EntityService:
    return EntityService(_CODE, lambda panel, call: panel.arm(mode, call), permission="view")


# "view": whoever may see the site's panel may try a code; the panel itself
# asks for the code or for a person whose role may "arm" there
DOMAIN = EntityDomain(
    "alarm_control_panel",
    AlarmControlPanel,
    services={
        **{f"arm_{mode.removeprefix('armed_')}": _arm(mode) for mode in ARMED_MODES},
        "disarm": EntityService(_CODE, lambda p, c: p.disarm(c), permission="view"),
        "trigger": EntityService(_CODE, lambda p, c: p.trigger(c), permission="view"),
    },
)


@hookimpl
def sigap_entity_domains(hub):
    return [DOMAIN]


@hookimpl
def sigap_platforms(hub):
    return [ManualPanel]


__all__ = ["EVENT_LOCKED_OUT", "EVENT_WRONG_CODE", "AlarmControlPanel", "ManualPanel"]
