"""The `mqtt` automation trigger: fires on each message matching a topic
filter (`+` and `#` allowed), optionally only for one payload.

Trigger variables, as in Home Assistant: `platform`, `topic`, `payload`
(text), `payload_json` (when the payload is JSON), `qos`, `description`.
With `value_template`, the template is rendered with `value` (the payload)
and `value_json`, and its result is what `payload:` is compared with.

A payload over `max_payload` (256 KiB unless set) is refused with a
warning before it is decoded: what a template makes of a 10 MB payload
held the hub's loop for seconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import voluptuous as vol

from .. import i18n
from ..automation.limits import PayloadLimit, byte_size
from ..automation.templates import TemplateError, template_env
from ..bus import Unsubscribe
from ..context import Context
from ..lograte import LogRate
from ..platform import TriggerAction, TriggerPlatform
from .connection import Message
from .topics import InvalidTopic, check_filter

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.automation")


def _topic_filter(value: Any) -> str:
    try:
        return check_filter(str(value))
    except InvalidTopic as err:
        raise vol.Invalid(i18n.message(err)) from None


class MqttTrigger(TriggerPlatform):
    platform = "mqtt"
    CONFIG_SCHEMA = {
        vol.Required("topic"): _topic_filter,
        vol.Optional("payload"): vol.Coerce(str),
        vol.Optional("value_template"): str,
        vol.Optional("qos", default=1): vol.In((0, 1, 2)),
        vol.Optional("encoding", default="utf-8"): str,
        vol.Optional("max_payload"): byte_size,
    }

    def __init__(self, hub: Hub, config: Mapping[str, Any]) -> None:
        super().__init__(hub, config)
        self._tasks: set[asyncio.Task[Any]] = set()

    async def attach(self, action: TriggerAction) -> Unsubscribe:
        from . import MQTT

        connection = self.hub.data.get(MQTT)
        if connection is None:
            raise RuntimeError(
                f"trigger mqtt on {self.config['topic']!r} needs a connection: "
                "add an `mqtt:` section (host, port) to configuration.yaml"
            )
        topic = self.config["topic"]
        wanted = self.config.get("payload")
        encoding = self.config.get("encoding", "utf-8")
        template = self.config.get("value_template")
        render = template_env(self.hub).template(template).render_text if template else None
        description = f"mqtt topic {topic}"
        tasks = self._tasks
        limit = PayloadLimit(self.hub, self.config, f"mqtt {topic!r}")
        failures = LogRate(_LOGGER, language=lambda: self.hub.console_language)

        def on_message(message: Message) -> None:
            if not limit.allows(len(message.payload)):
                return
            payload = message.payload.decode(encoding, "replace")
            payload_json = _json_or_none(payload)
            if render is not None:
                try:
                    value = render({"value": payload, "value_json": payload_json}).strip()
                except TemplateError as err:  # what a device sent, not the hub's fault
                    said = i18n.Text(
                        "mqtt.value_template_failed",
                        topic=repr(topic),
                        where=limit.where,
                        error=i18n.message(err),
                    )
                    failures.log("value_template", logging.WARNING, said)
                    return
                if wanted is not None and value != wanted:
                    return
            elif wanted is not None and payload != wanted:
                return
            variables = {
                "platform": "mqtt",
                "topic": message.topic,
                "payload": payload,
                "payload_json": payload_json,
                "qos": message.qos,
                "description": description,
            }
            result = action(variables, Context())
            if asyncio.iscoroutine(result):
                task = asyncio.get_running_loop().create_task(result)
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        unsubscribe = await connection.subscribe(topic, on_message, self.config.get("qos", 1))

        def detach() -> None:
            unsubscribe()
            limit.close()
            failures.close()

        return detach


def _json_or_none(text: str) -> Any:
    # only what can be JSON is parsed: a failed parse costs an exception
    if not text or text[0] not in '{["-0123456789tfn':
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: [[[[... nested too deep
        return None
