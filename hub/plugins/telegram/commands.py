"""Chat commands for known people, answered in their language and only
about their own sites: /status, /alarms, /ack <id>, /snapshot <camera>,
/arm and /disarm (for people whose role may arm there), /help. Each acts
through the hub's services as that person, so the hub's policy decides
as it does for the dashboard; a camera of another site is answered like
one that does not exist, and the try is on the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub import Context, i18n

from .html import CAPTION_LIMIT, escape

if TYPE_CHECKING:
    from .inbound import Inbox

MODES = {"away": "arm_away", "home": "arm_home", "night": "arm_night"}
COMMANDS = ("start", "help", "status", "alarms", "ack", "snapshot", "arm", "disarm")
PRIVATE_ONLY = {"status", "alarms", "snapshot", "arm", "disarm"}
UNAVAILABLE = "unavailable"


def _words(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


class Commands:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.hub = inbox.hub

    async def run(
        self, person: Any, user: dict[str, Any], chat: dict[str, Any], text: str, private: bool
    ) -> None:
        chat_id = chat.get("id")
        lang = person.language
        head, _, rest = text.strip().partition(" ")
        command, _, bot = head.lstrip("/").partition("@")
        command = command.lower()
        if bot and bot.lower() != str(self.inbox.notifier.username or "").lower():
            return  # a command for another bot in the group
        known = text.startswith("/") and command in COMMANDS
        handler = getattr(self, f"_{command}") if known else None
        if handler is None:
            await self.inbox.say(chat_id, escape(i18n.t("telegram.unknown_command", lang)))
            return
        if command in PRIVATE_ONLY and not private:
            await self.inbox.say(chat_id, escape(i18n.t("telegram.private_only", lang)))
            return
        context = self.inbox.context(person, int(user.get("id", 0)))
        await handler(person, context, chat_id, rest.strip(), lang)

    # -- the person's sites ------------------------------------------------------------

    def _sites(self, person: Any) -> list[Any]:
        return [s for s in self.hub.sites if self.hub.people.covers(person, s.id)]

    def _devices(self, domain: str, site_id: str) -> list[Any]:
        return [d for d in self.hub.devices.all(domain) if d.site == site_id]

    def _state(self, entity_id: str) -> str:
        state = self.hub.states.get(entity_id)
        return state.state if state is not None else UNAVAILABLE

    # -- the commands ------------------------------------------------------------------

    async def _start(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        await self._help(person, context, chat_id, args, lang)

    async def _help(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        lines = [escape(i18n.t("telegram.help", lang, name=person.name))]
        if any(self.hub.people.may_site(context, s.id, "arm") for s in self._sites(person)):
            lines.append(escape(i18n.t("telegram.help_arm", lang)))
        await self.inbox.say(chat_id, "\n".join(lines))

    async def _status(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        sites = self._sites(person)
        if not sites:
            await self.inbox.say(chat_id, escape(i18n.t("telegram.no_sites", lang)))
            return
        open_alarms = await self.hub.recorder.alarms.open()
        blocks = []
        for site in sites:
            cameras = self._devices("camera", site.id)
            online = sum(1 for c in cameras if self._state(c.entity_id) != UNAVAILABLE)
            alarms = sum(1 for a in open_alarms if a.get("site") == site.id)
            panels = [
                i18n.t(f"telegram.panel.{self._state(p.entity_id)}", lang)
                if i18n.has(f"telegram.panel.{self._state(p.entity_id)}")
                else self._state(p.entity_id)
                for p in self._devices("alarm_control_panel", site.id)
            ]
            arming = ", ".join(panels) if panels else i18n.t("telegram.panel.none", lang)
            said = i18n.t(
                "telegram.status_site",
                lang,
                cameras=len(cameras),
                online=online,
                alarms=alarms,
                arming=arming,
            )
            blocks.append(f"<b>{escape(site.name(lang))}</b>\n{escape(said)}")
        await self.inbox.say(chat_id, "\n\n".join(blocks))

    async def _alarms(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        covered = {s.id for s in self._sites(person)}
        mine = [a for a in await self.hub.recorder.alarms.open() if a.get("site") in covered]
        if not mine:
            await self.inbox.say(chat_id, escape(i18n.t("telegram.no_alarms", lang)))
            return
        lines = [escape(i18n.t("telegram.alarms_heading", lang, count=len(mine)))]
        for record in sorted(mine, key=lambda a: a.get("raised_at") or 0)[:30]:
            site = self.hub.sites.get(record.get("site"))
            line = i18n.t(
                "telegram.alarm_line",
                lang,
                title=_words(record.get("title"), lang),
                site=site.name(lang) if site is not None else record.get("site") or "-",
                priority=i18n.t(f"alarm.priority.{record.get('priority', 'medium')}", lang),
                state=i18n.t(f"telegram.alarm_state.{record.get('state')}", lang)
                if i18n.has(f"telegram.alarm_state.{record.get('state')}")
                else str(record.get("state")),
                time=i18n.format_time(record.get("raised_at") or 0, self.hub.time_zone, lang),
            )
            lines.append(f"• <code>{escape(record['id'])}</code> {escape(line)}")
        await self.inbox.say(chat_id, "\n".join(lines))

    async def _ack(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        alarm_id = args.split()[0] if args.split() else ""
        if not alarm_id:
            await self.inbox.say(chat_id, escape(i18n.t("telegram.ack_usage", lang)))
            return
        _, said = await self.inbox.acknowledge(person, context, alarm_id)
        await self.inbox.say(chat_id, escape(said or i18n.t("telegram.ack_failed", lang)))

    def _camera(self, person: Any, name: str) -> tuple[Any, bool]:
        """The camera `name` means (entity id, id or name) and whether it is
        on one of the person's sites."""
        wanted = name.strip().casefold()
        for camera in self.hub.devices.all("camera"):
            if wanted in (
                camera.entity_id.casefold(),
                camera.id.casefold(),
                camera.name.casefold(),
            ):
                return camera, self.hub.people.covers(person, camera.site)
        return None, False

    async def _snapshot(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        inbox = self.inbox
        camera, theirs = self._camera(person, args) if args else (None, False)
        if camera is not None and not theirs:
            inbox.audit(person.id, "telegram.snapshot_other_site", camera=camera.entity_id)
        if camera is None or not theirs:
            mine = [c.name for s in self._sites(person) for c in self._devices("camera", s.id)]
            said = i18n.t("telegram.no_such_camera", lang, cameras=", ".join(mine) or "-")
            await inbox.say(chat_id, escape(said))
            return
        try:
            answer = await self.hub.services.call(
                "camera",
                "snapshot",
                {"entity_id": camera.entity_id, "reason": f"telegram /snapshot ({person.id})"},
                context,
            )
            path = answer["files"][camera.entity_id]
        except Exception as err:
            said = i18n.t("telegram.snapshot_failed", lang, camera=camera.name,
                          error=i18n.render(i18n.message(err), lang))  # fmt: skip
            await inbox.say(chat_id, escape(said))
            return
        when = i18n.format_time(self.hub.clock.timestamp(), self.hub.time_zone, lang)
        caption = escape(i18n.t("telegram.snapshot_caption", lang, camera=camera.name, time=when))
        n = inbox.notifier
        params = {"chat_id": chat_id, "caption": caption[:CAPTION_LIMIT], "parse_mode": "HTML"}
        try:
            await n.patiently(lambda: n.api.upload("sendPhoto", params, "photo", path))
        except Exception as err:
            n.log.warning(
                "%s", i18n.Text("telegram.reply_failed", entity_id=n.entity_id, error=err)
            )

    # -- arming ------------------------------------------------------------------------

    def _panels(self, person: Any, context: Context) -> list[Any]:
        return [
            p
            for s in self._sites(person)
            if self.hub.people.may_site(context, s.id, "arm")
            for p in self._devices("alarm_control_panel", s.id)
        ]

    async def _arm(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        words = args.lower().split()
        mode = next((w for w in words if w in MODES), "away")
        rest = [w for w in words if w not in MODES]
        await self._panel(person, context, chat_id, rest, lang, MODES[mode])

    async def _disarm(self, person: Any, context: Context, chat_id: Any, args: str, lang: str):
        await self._panel(person, context, chat_id, args.lower().split(), lang, "disarm")

    async def _panel(
        self, person: Any, context: Context, chat_id: Any, words: list[str], lang: str, service: str
    ) -> None:
        inbox = self.inbox
        panels = self._panels(person, context)
        if not panels:
            inbox.audit(person.id, "telegram.arm_not_allowed", service=service)
            await inbox.say(chat_id, escape(i18n.t("telegram.arm_not_allowed", lang)))
            return
        if words:
            wanted = words[0]
            panels = [
                p
                for p in panels
                if wanted in (p.entity_id.lower(), p.id.lower(), str(p.site).lower())
            ]
        if len(panels) != 1:
            names = ", ".join(f"{p.id} ({p.site})" for p in self._panels(person, context))
            await inbox.say(chat_id, escape(i18n.t("telegram.which_panel", lang, panels=names)))
            return
        [panel] = panels
        try:
            await self.hub.services.call(
                "alarm_control_panel", service, {"entity_id": panel.entity_id}, context
            )
        except Exception as err:
            said = i18n.t("telegram.arm_failed", lang, error=i18n.render(i18n.message(err), lang))
            await inbox.say(chat_id, escape(said))
            return
        state = self._state(panel.entity_id)
        shown = (
            i18n.t(f"telegram.panel.{state}", lang)
            if i18n.has(f"telegram.panel.{state}")
            else state
        )
        await inbox.say(
            chat_id, escape(i18n.t("telegram.panel_now", lang, panel=panel.name, state=shown))
        )
