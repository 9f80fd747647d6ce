"""Where the fake Telegram keeps updates until the bot takes them, and the
two exclusive ways it hands them over: `getUpdates` (offset confirms, long
polling, one poller: a newer request terminates the waiting one with 409)
and a webhook (each update POSTed in order with the secret token, again
after `retry` seconds until the receiver answers 2xx)."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from hub.core.clock import Clock

from .telegram_api import CONFLICT_POLLER, CONFLICT_WEBHOOK, ApiError


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class WebhookPost:
    """One POST of an update to the webhook, as the fake saw its answer."""

    update_id: int
    status: int  # 0: no HTTP answer (refused, timed out)
    error: str | None = None
    secret_token: str | None = None


class Updates:
    def __init__(
        self, clock: Clock, changed: Callable[[], None], *, retry: float, timeout: float
    ) -> None:
        self.clock = clock
        self.retry = retry  # seconds between webhook attempts at one update
        self.timeout = timeout  # how long a webhook POST may take
        self.pending: list[dict[str, Any]] = []
        self.webhook: Webhook | None = None
        self.posts: list[WebhookPost] = []
        self._changed = changed
        self._ids = itertools.count(500_000_001)
        self._poller: asyncio.Future[str] | None = None
        self._arrived = asyncio.Event()
        self._deliverer: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._ids), **body}
        self.pending.append(update)
        self._arrived.set()
        self._wake("update")
        self._changed()
        return update

    def _wake(self, why: str) -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(why)

    async def close(self) -> None:
        self._wake("stop")
        await self._stop_delivering()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- getUpdates -------------------------------------------------------------

    async def get(self, offset: int | None, limit: int, poll: int) -> list[dict[str, Any]]:
        """`poll`: getUpdates' timeout, the seconds a long poll may wait."""
        if self.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        if offset is not None:  # confirms every update before it
            if offset < 0:
                del self.pending[: max(0, len(self.pending) + offset)]
            else:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
        self._wake("conflict")  # the older request is the one terminated
        if not self.pending and poll > 0:
            waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._poller = waiter
            cancel = self.clock.call_later(
                poll, lambda: waiter.done() or waiter.set_result("timeout")
            )
            try:
                outcome = await waiter
            finally:
                cancel()
                if self._poller is waiter:
                    self._poller = None
            if outcome == "conflict":
                raise ApiError(409, CONFLICT_POLLER)
            if outcome == "webhook":
                raise ApiError(409, CONFLICT_WEBHOOK)
        return [dict(u) for u in self.pending[:limit]]

    # -- the webhook --------------------------------------------------------------

    async def set_webhook(self, hook: Webhook, *, drop_pending: bool) -> None:
        if drop_pending:
            self.pending.clear()
        await self._stop_delivering()
        self.webhook = hook
        self._wake("webhook")
        self._deliverer = asyncio.create_task(self._deliver(hook))
        self._changed()

    async def delete_webhook(self, *, drop_pending: bool) -> bool:
        """Whether there was one."""
        if drop_pending:
            self.pending.clear()
        was_set = self.webhook is not None
        await self._stop_delivering()
        self.webhook = None
        self._changed()
        return was_set

    async def _stop_delivering(self) -> None:
        task, self._deliverer = self._deliverer, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _deliver(self, hook: Webhook) -> None:
        while self.webhook is hook:
            if not self.pending:
                self._arrived.clear()
                await self._arrived.wait()
                continue
            update = self.pending[0]
            post = await self.post(update)
            if 200 <= post.status < 300:
                if self.pending and self.pending[0] is update:
                    self.pending.pop(0)
            else:
                hook.last_error_date = int(self.clock.timestamp())
                hook.last_error_message = post.error
                await self.clock.sleep(self.retry)
            self._changed()

    async def post(
        self,
        update: Mapping[str, Any],
        *,
        secret_token: str | None = None,
        url: str | None = None,
    ) -> WebhookPost:
        hook = self.webhook
        target = url or (hook.url if hook else None)
        if target is None:
            raise RuntimeError("no webhook is set and no url given")
        secret = secret_token if secret_token is not None else (hook.secret_token if hook else None)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        if self._session is None:
            self._session = aiohttp.ClientSession()
        post = WebhookPost(int(update.get("update_id", 0)), 0, secret_token=secret)
        try:
            async with self._session.post(
                target,
                data=json.dumps(update, ensure_ascii=False).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                post.status = response.status
                if not 200 <= response.status < 300:
                    said = f"{response.status} {response.reason}"
                    post.error = f"Wrong response from the webhook: {said}"
        except TimeoutError:
            post.error = "Read timeout expired"
        except aiohttp.ClientError:
            post.error = "Connection refused"
        self.posts.append(post)
        self._changed()
        return post
