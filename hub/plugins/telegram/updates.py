"""How updates (taps and chat commands) reach the hub: long polling
(`getUpdates`, one poller per bot) or a webhook Telegram POSTs to (set
with `setWebhook` and a secret token). Telegram allows only one of them,
and only one poller: a 409 Conflict means another program is polling this
bot (or a webhook is set), which is said once, in one line, until polling
works again."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from hub import DeliveryError, i18n

from .botapi import TelegramFailure
from .inbound import Inbox

if TYPE_CHECKING:
    from .notifier import TelegramNotifier

ALLOWED = ["message", "callback_query"]
BACKOFF_MIN, BACKOFF_MAX = 1.0, 60.0
CONFIRM_SECONDS = 3.0  # at stop, the confirming getUpdates may take this long
# one poller per bot in this process: the token's fingerprint -> who polls it
_POLLING: dict[str, Updates] = {}
_LOGGER = logging.getLogger("hub.notify.telegram")


def webhook_path(notifier_id: str) -> str:
    return f"/api/plugins/telegram/{notifier_id}/webhook"


class Updates:
    def __init__(self, notifier: TelegramNotifier) -> None:
        self.notifier = notifier
        self.hub = notifier.hub
        self.inbox = Inbox(notifier)
        self.mode = notifier.config["updates"]
        token = notifier.config["bot_token"].encode()
        self._fingerprint = hashlib.sha256(token).hexdigest()[:16]
        self._task: asyncio.Task[None] | None = None
        self.conflict = False
        self.offset: int | None = None  # the next update wanted: those before it are handled
        self.polls = 0  # answered getUpdates calls, for tests and the demo

    async def start(self) -> None:
        n = self.notifier
        if self.mode == "webhook":
            if not n.config.get("webhook"):
                n.log.error("%s", i18n.Text("telegram.webhook_missing", entity_id=n.entity_id))
                n.set_state("misconfigured")
                return
            self._task = self.hub.create_task(self._set_webhook(), f"{n.entity_id} setWebhook")
        elif self.mode == "polling":
            holder = _POLLING.get(self._fingerprint)
            if holder is not None and holder.polling:
                other = holder.notifier.entity_id
                n.log.error(
                    "%s", i18n.Text("telegram.second_poller", entity_id=n.entity_id, other=other)
                )
                n.set_state("conflict")
                return
            _POLLING[self._fingerprint] = self
            self._task = self.hub.create_task(self._poll(), f"{n.entity_id} getUpdates")
        n.set_state("ready")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self.mode == "polling" and self.offset is not None and not self.conflict:
            # confirm what was handled, or the next start would handle it again (an /arm twice)
            try:
                params = {"offset": self.offset, "timeout": 0, "limit": 1}
                await self.notifier.api.call("getUpdates", params, seconds=CONFIRM_SECONDS)
            except DeliveryError:
                pass  # the next start sees them again; taps and commands bear that
        if _POLLING.get(self._fingerprint) is self:
            del _POLLING[self._fingerprint]

    @property
    def polling(self) -> bool:
        """Whether this poller runs (a hub that was never stopped, its loop gone, does not)."""
        task = self._task
        if task is None or task.done():
            return False
        try:
            return task.get_loop() is asyncio.get_running_loop()
        except RuntimeError:
            return False

    # -- the webhook ---------------------------------------------------------------

    async def _who_am_i(self) -> None:
        n = self.notifier
        try:
            me = await n.api.call("getMe")
        except DeliveryError as err:
            n.log.warning("%s", i18n.Text("telegram.poll_failed", entity_id=n.entity_id, error=err))
            return
        n.username = str(me.get("username") or "") if isinstance(me, dict) else None

    async def _set_webhook(self) -> None:
        n = self.notifier
        await self._who_am_i()
        hook = n.config["webhook"]
        url = hook["url"].rstrip("/") + webhook_path(n.id)
        params = {
            "url": url,
            "secret_token": hook["secret_token"],
            "allowed_updates": ALLOWED,
            "drop_pending_updates": False,
        }
        delay = BACKOFF_MIN
        while True:
            try:
                await n.api.call("setWebhook", params)
            except DeliveryError as err:
                n.log.warning(
                    "%s", i18n.Text("telegram.webhook_not_set", entity_id=n.entity_id, error=err)
                )
                if err.permanent:
                    n.set_state("misconfigured")
                    return
                await self.hub.clock.sleep(err.retry_after or delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            n.log.info("%s", i18n.Text("telegram.webhook_set", entity_id=n.entity_id, url=url))
            return

    # -- long polling ----------------------------------------------------------------

    async def _poll(self) -> None:
        n = self.notifier
        poll = n.config["poll_timeout"]
        await self._who_am_i()
        try:  # a webhook left set (by another install) would make every poll a 409
            await n.api.call("deleteWebhook", {"drop_pending_updates": False})
        except DeliveryError as err:
            n.log.warning("%s", i18n.Text("telegram.poll_failed", entity_id=n.entity_id, error=err))
        delay = BACKOFF_MIN
        failing = False
        while True:
            params: dict[str, Any] = {"timeout": poll, "allowed_updates": ALLOWED}
            if self.offset is not None:
                params["offset"] = self.offset
            try:
                updates = await n.api.call("getUpdates", params, seconds=poll + n.config["timeout"])
            except TelegramFailure as err:
                if err.code == 409:
                    if not self.conflict:
                        self.conflict = True
                        n.set_state("conflict")
                        n.log.warning(
                            "%s",
                            i18n.Text(
                                "telegram.conflict", entity_id=n.entity_id, words=err.description
                            ),
                        )
                elif err.code in (401, 404):  # a wrong token does not heal: said once, stopped
                    n.log.error("%s", i18n.Text("telegram.poll_stopped", entity_id=n.entity_id,
                                                error=err))  # fmt: skip
                    n.set_state("misconfigured")
                    return
                elif not failing:
                    failing = True
                    n.log.warning(
                        "%s", i18n.Text("telegram.poll_failed", entity_id=n.entity_id, error=err)
                    )
                await self.hub.clock.sleep(err.retry_after or delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            self.polls += 1
            if self.conflict or failing:
                n.log.info("%s", i18n.Text("telegram.polling_again", entity_id=n.entity_id))
                self.conflict = failing = False
                n.set_state("ready")
            delay = BACKOFF_MIN
            for update in updates if isinstance(updates, list) else []:
                if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
                    continue
                await self.inbox.handle(update)
                self.offset = max(self.offset or 0, update["update_id"] + 1)
