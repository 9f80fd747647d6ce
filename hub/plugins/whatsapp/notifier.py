"""The WhatsApp messenger: one Notification to one person over the Cloud
API. Inside the person's 24-hour window it sends a free-form image (or
text) with reply buttons; outside it, the approved UTILITY template with a
quick-reply "Terima" button. Graph's 131047 (the window shut after all)
re-sends as the template at once; other refusals become DeliveryError."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import voluptuous as vol

from hub import Context, DeliveryError, Notification, Notifier, RateLimits, i18n

from .graph import OUTSIDE_WINDOW, Graph, GraphFailure
from .statuses import Statuses
from .window import Windows

GRAPH_URL = "https://graph.facebook.com/v21.0"
TITLE_LIMIT, BODY_LIMIT, CAPTION_LIMIT, PARAM_LIMIT = 20, 1024, 1024, 500
ACK_KINDS = ("raised", "reminder", "escalated")
# alarms whose uploaded picture is remembered for their later messages
ALARM_PICTURES = 500


def wa_id(number: str) -> str:
    """Graph's form of a number: digits only (E.164 without the plus)."""
    return "".join(c for c in str(number) if c.isdigit())


def _param(text: str) -> dict[str, str]:
    # Graph refuses new lines, tabs and more than 4 spaces in a template parameter
    flat = " ".join(str(text).split()) or "-"
    if len(flat) > PARAM_LIMIT:
        # cut between words: half a word (or half the dashboard's link) misleads
        flat = flat[: PARAM_LIMIT - 1].rsplit(" ", 1)[0] + "…"
    return {"type": "text", "text": flat}


class WhatsAppNotifier(Notifier):
    platform = "whatsapp"
    # PROTOCOLS.md: about one message per 6 s to one person (131056), 80/s per number (130429)
    rate_limits = RateLimits(per_chat=1 / 6, overall=80.0, per_chat_burst=1, overall_burst=80)
    CONFIG_SCHEMA = {
        vol.Required("phone_number_id"): vol.All(vol.Coerce(str), vol.Match(r"^\d+$")),
        vol.Required("access_token"): str,
        vol.Required("app_secret"): str,
        vol.Required("verify_token"): str,
        vol.Optional("graph_url", default=GRAPH_URL): vol.Url(),
        vol.Optional("timeout", default=15.0): vol.All(vol.Coerce(float), vol.Range(min=1)),
        vol.Required("template"): {
            vol.Required("name"): str,
            # one code for every reader, or a code per hub language: {id: id, en: en_US}
            vol.Optional("language", default="id"): vol.Any(str, {vol.In(("id", "en")): str}),
            # header: an IMAGE (the snapshot); body {{1}} title, {{2}} text, {{3}} alarm id
            vol.Optional("image_header", default=True): bool,
        },
    }

    async def start(self) -> None:
        self.graph = Graph(
            self.config["graph_url"],
            self.config["phone_number_id"],
            self.config["access_token"],
            self.config["timeout"],
        )
        self.windows = Windows(self.hub, self.id)
        await self.windows.load()
        self.statuses = Statuses(self)
        self.refused_strangers: set[str] = set()
        # alarm id -> the media id of its picture: a reminder or an "acknowledged
        # by" notice carries no photo, and a template with an image header
        # cannot go without one (Graph keeps an upload for 30 days)
        self.alarm_pictures: OrderedDict[str, str] = OrderedDict()
        self.set_state("ready")

    async def stop(self) -> None:
        await self.statuses.close()
        await self.graph.close()

    def address(self, person: Any) -> str | None:
        return getattr(person, "whatsapp", None) or None

    # -- sending ------------------------------------------------------------------

    def _recipient(self, notification: Notification) -> tuple[str, str | None]:
        """(wa_id, person id) of the one recipient: an E.164 target, or a person id."""
        people = getattr(self.hub, "people", None)
        person_id = notification.person_id or notification.data.get("person")
        for target in notification.targets or []:
            if str(target).startswith("+") or str(target).isdigit():
                return wa_id(target), person_id
            person = people.get(str(target)) if people is not None else None
            if person is not None and self.address(person):
                return wa_id(self.address(person)), person.id
        if person_id and people is not None:
            person = people.get(person_id)
            if person is not None and self.address(person):
                return wa_id(self.address(person)), person.id
        raise DeliveryError(
            f"{self.entity_id}: no WhatsApp number for this recipient", permanent=True
        )

    async def _upload(self, notification: Notification) -> str | None:
        """The media id of the message's picture: its file, the alarm's first
        snapshot (the seam before the outbox), or an old caller's bytes."""
        snapshots = notification.data.get("snapshots") or []
        path = notification.photo_path or (str(snapshots[0]) if snapshots else None)
        alarm_id = notification.alarm_id or notification.data.get("alarm_id")
        media_id = None
        if path is not None:
            media_id = await self.graph.upload(path)
        elif notification.photo:
            media_id = await self.graph.upload(None, notification.photo)
        if media_id is not None and alarm_id:
            self._remember(str(alarm_id), media_id)
        return media_id

    def _remember(self, alarm_id: str, media_id: str) -> None:
        self.alarm_pictures[alarm_id] = media_id
        self.alarm_pictures.move_to_end(alarm_id)
        while len(self.alarm_pictures) > ALARM_PICTURES:
            self.alarm_pictures.popitem(last=False)

    async def _header_picture(self, n: Notification, media_id: str | None) -> str | None:
        """The image a template's header needs: the message's own, else the
        alarm's picture (a reminder or an "acknowledged by" notice has none
        of its own): its upload remembered, or its file uploaded now (after
        a restart)."""
        if media_id is not None or not self.config["template"]["image_header"]:
            return media_id
        alarm_id = str(n.alarm_id or n.data.get("alarm_id") or "")
        if alarm_id and alarm_id in self.alarm_pictures:
            return self.alarm_pictures[alarm_id]
        for path in n.data.get("pictures") or []:
            try:
                media_id = await self.graph.upload(str(path))
            except OSError:
                continue  # taken away by the media retention meanwhile
            if alarm_id:
                self._remember(alarm_id, media_id)
            return media_id
        return None

    @staticmethod
    def _buttons(notification: Notification) -> list[tuple[str, str]]:
        if notification.buttons:
            return list(notification.buttons)[:3]
        alarm_id = notification.alarm_id or notification.data.get("alarm_id")
        if alarm_id and notification.data.get("kind", "raised") in ACK_KINDS:
            return [("Terima / Acknowledge", f"ack:{alarm_id}")]
        return []

    async def send(self, notification: Notification, *, context: Context) -> str | None:
        to, person_id = self._recipient(notification)
        media_id = await self._upload(notification)
        wamid: str | None = None
        if self.windows.is_open(to):
            try:
                wamid = await self.graph.send(self._free_form(to, notification, media_id))
            except GraphFailure as err:
                if err.code != OUTSIDE_WINDOW:
                    raise
                await self.windows.closed(to)  # not the person's fault: use the template
        if wamid is None:
            media_id = await self._header_picture(notification, media_id)
            wamid = await self.graph.send(self._template(to, notification, media_id))
        self.statuses.sent(wamid, to, person_id, notification, media_id)
        return wamid

    async def resend_as_template(
        self, to: str, notification: Notification, media_id: str | None
    ) -> str:
        await self.windows.closed(to)
        media_id = await self._header_picture(notification, media_id)
        return await self.graph.send(self._template(to, notification, media_id))

    def _text(self, notification: Notification) -> str:
        title = f"*{notification.title}*\n" if notification.title else ""
        return f"{title}{notification.message}"

    def _free_form(self, to: str, n: Notification, media_id: str | None) -> dict[str, Any]:
        text = self._text(n)
        buttons = self._buttons(n)
        if buttons:
            interactive: dict[str, Any] = {
                "type": "button",
                "body": {"text": text[:BODY_LIMIT]},
                "action": {
                    "buttons": [
                        {
                            "type": "reply",
                            "reply": {"id": action[:256], "title": label[:TITLE_LIMIT]},
                        }
                        for label, action in buttons
                    ]
                },
            }
            if media_id:
                interactive["header"] = {"type": "image", "image": {"id": media_id}}
            return {"to": to, "type": "interactive", "interactive": interactive}
        if media_id:
            return {
                "to": to,
                "type": "image",
                "image": {"id": media_id, "caption": text[:CAPTION_LIMIT]},
            }
        return {"to": to, "type": "text", "text": {"body": text[:4096]}}

    def _template(self, to: str, n: Notification, media_id: str | None) -> dict[str, Any]:
        settings = self.config["template"]
        alarm_id = n.alarm_id or n.data.get("alarm_id") or ""
        language = settings["language"]
        if isinstance(language, dict):
            lang = n.data.get("language") or n.language
            language = language.get(lang) or next(iter(language.values()))
        components: list[dict[str, Any]] = []
        if settings["image_header"]:
            if media_id is None:
                raise DeliveryError(
                    f"{self.entity_id}: template {settings['name']} needs a photo", permanent=True
                )
            components.append(
                {"type": "header", "parameters": [{"type": "image", "image": {"id": media_id}}]}
            )
        components.append(
            {
                "type": "body",
                "parameters": [_param(n.title or ""), _param(n.message), _param(str(alarm_id))],
            }
        )
        ack = next((action for _, action in self._buttons(n) if action.startswith("ack:")), None)
        if ack:
            components.append(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": "0",
                    "parameters": [{"type": "payload", "payload": ack}],
                }
            )
        return {
            "to": to,
            "type": "template",
            "template": {
                "name": settings["name"],
                "language": {"code": language},
                "components": components,
            },
        }

    async def edit(
        self, provider_message_id: str, notification: Notification, *, context: Context
    ) -> None:
        """WhatsApp cannot edit a sent message. The alarm room already sends
        every recipient its own "acknowledged by X at 02:13 WITA" notice, so a
        follow-up here would say it twice: nothing is sent. A tap on the old
        button still works and is answered "already acknowledged"."""
        return None

    async def say(self, to: str, text: str) -> None:
        """A short free-form reply to someone who has just written (window open)."""
        try:
            await self.graph.send({"to": to, "type": "text", "text": {"body": text[:4096]}})
        except DeliveryError as err:
            self.log.warning(
                "%s", i18n.Text("whatsapp.reply_failed", entity_id=self.entity_id, error=err)
            )
