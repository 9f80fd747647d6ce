"""First-party plugins. They are loaded through the same hooks as a vendor's
entry-point plugin; this list only says which ones `sigap` loads by default."""

FIRST_PARTY_PLUGINS: tuple[str, ...] = (
    "hub.plugins.sensors",
    "hub.plugins.demo",
    "hub.plugins.onvif",
    "hub.plugins.hikvision",
    "hub.plugins.dahua",
    "hub.plugins.mqtt_devices",
    "hub.plugins.arming",
    "hub.plugins.whatsapp",
    "hub.plugins.telegram",
)
