"""The `binary_sensor` and `sensor` domains: inputs that devices of other
plugins own (a camera's motion sensor, an access panel's tamper switch) or
that stand alone. Declared here, through the same hook a vendor uses for a
domain of its own; the base classes come from the public API."""

from hub import BinarySensor, EntityDomain, Sensor, hookimpl

DOMAINS = (
    EntityDomain("binary_sensor", BinarySensor, {"en": "sensor", "id": "sensor"}),
    EntityDomain("sensor", Sensor, {"en": "measurement", "id": "pengukuran"}),
)


@hookimpl
def sigap_entity_domains(hub):
    return DOMAINS
