"""The `binary_sensor` and `sensor` domains: inputs that devices of other
plugins own (a camera's motion sensor, an access panel's tamper switch) or
that stand alone. Declared here, through the same hook a vendor uses for a
domain of its own; the base classes come from the public API."""

from pathlib import Path

from hub import BinarySensor, EntityDomain, Sensor, hookimpl, i18n

i18n.add_domain("sensors", Path(__file__).parent / "locale")

DOMAINS = (
    EntityDomain("binary_sensor", BinarySensor),
    EntityDomain("sensor", Sensor),
)


@hookimpl
def sigap_entity_domains(hub):
    return DOMAINS
