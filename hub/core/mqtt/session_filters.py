"""The filters of the hub's persistent MQTT session, kept in the recorder
(`hub.recorder.mqtt_filters`) between runs; once, the file an older hub kept
(.storage/mqtt_subscriptions.json) is imported and renamed *.imported."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import t
from ..recorder.recorder import error_line

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.mqtt")

# Where an older hub kept them.
SUBSCRIPTIONS_FILE = Path(".storage") / "mqtt_subscriptions.json"


def _read_old_file(path: Path) -> dict[str, Any] | None:
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or not isinstance(saved.get("client_id"), str):
        return None
    filters = [f for f in saved.get("filters", ()) if isinstance(f, str)]
    return {"client_id": saved["client_id"], "filters": filters}


async def last_filters(hub: Hub, client_id: str) -> set[str] | None:
    """The filters the session of `client_id` held when the hub last ran
    (the old file imported first); None when they cannot be known (no
    recorder, or its database does not answer): then nothing is dropped."""
    recorder = hub.recorder
    if not recorder.running:
        return None
    lang = hub.console_language
    path = hub.config_dir / SUBSCRIPTIONS_FILE
    saved = await asyncio.to_thread(_read_old_file, path)
    try:
        if saved is not None:
            await recorder.mqtt_filters.save_now(saved["client_id"], saved["filters"])
            await asyncio.to_thread(os.replace, path, path.with_name(path.name + ".imported"))
            count = len(saved["filters"])
            _LOGGER.info("%s", t("mqtt.filters_imported", lang, count=count, path=path))
        return await recorder.mqtt_filters.of(client_id)
    except Exception as err:  # the hub runs on; the stale filters wait for a later start
        _LOGGER.warning("%s", t("mqtt.filters_unknown", lang, error=error_line(err)))
        return None


def saver(hub: Hub) -> Any:
    """save_filters for MqttConnection: queued in the recorder (never blocks)."""
    if not hub.recorder.running:
        return None

    def save(client_id: str, filters: set[str], replace: bool) -> None:
        hub.recorder.mqtt_filters.save(client_id, filters, replace=replace)

    return save
