"""WhatsApp Business Cloud API messenger (`notify:` platform `whatsapp`):
photo alerts with a "Terima" button, the 24-hour window, the signed
webhook for taps and delivery statuses. Only the public API is used."""

from pathlib import Path

from hub import hookimpl, i18n

i18n.add_domain("whatsapp", Path(__file__).parent / "locale")

from .notifier import WhatsAppNotifier  # noqa: E402
from .webhook import routes  # noqa: E402


@hookimpl
def sigap_notify_platforms(hub):
    return [WhatsAppNotifier]


@hookimpl
def sigap_http_routes(hub):
    return routes(hub)


__all__ = ["WhatsAppNotifier"]
