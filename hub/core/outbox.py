"""The outbox: every outgoing message is written to the recorder's database
first, then delivered by workers, at least once.

One lane per (messenger, recipient) keeps that recipient's order: a lane
sends its head, and the next only once the head is delivered, failed or
superseded. Each messenger's `rate_limits` pace the lanes (per recipient
and overall); a `retry_after` is waited out; a 5xx or a time-out is
retried with doubling, jittered back-off; a permanent refusal (blocked,
chat not found, no template outside the 24-hour window) ends the message
as failed at once. Each end is an event: `notify.delivered`,
`notify.failed` (the alarm room escalates on a permanent one).

A row is marked `sending` (committed) before its attempt: a hub killed
in the middle finds it so at the next start and asks the messenger
whether it went (`Notifier.sent_before`, where the service lets us ask);
if it cannot say, the message goes again and is counted in `resent`.
A check registered by the room that wrote a message (the alarm room)
may find it stale before it is sent: it is marked `superseded`, visible
in `sigap outbox`, and never sent.

Writes are grouped: what many lanes ask meanwhile is one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .context import SYSTEM, Context, new_id
from .hookspecs import hookimpl
from .i18n import Text, message
from .keys import HubKey
from .lograte import LogRate, shown
from .pacing import Pace, backoff
from .platform import DeliveryError, Notification, Notifier
from .recorder.outbox import DELIVERED, FAILED, PENDING, SENDING, SUPERSEDED

if TYPE_CHECKING:
    from .hub import Hub

_LOGGER = logging.getLogger("hub.outbox")

EVENT_DELIVERED = "notify.delivered"
EVENT_FAILED = "notify.failed"

#: a send that has not answered in this long (hub clock) is a time-out
SEND_TIMEOUT = 120.0
#: 5xx and time-outs in a row before a message is given up (failed)
MAX_FAILURES = 12
#: concurrent sends per messenger (lanes beyond it queue)
MAX_IN_FLIGHT = 32
#: finished messages are kept this long for `sigap outbox` and audits
KEEP_FINISHED = 30 * 86400.0
PURGE_EVERY = 86400.0
#: at a clean stop, how long (real seconds) due messages may still go out
DRAIN_SECONDS = 5.0
#: a database that does not answer is tried again after at most this long
MAX_WRITE_BACKOFF = 30.0
REASON_LIMIT = 500


class _Deferred:
    """What a first try says when the message waits (rate limit, back-off)."""

    def __repr__(self) -> str:
        return "DEFERRED"


DEFERRED: Any = _Deferred()


@dataclass(slots=True, eq=False)
class Message:
    """One message for one recipient on one messenger, as stored."""

    id: str
    notifier: str
    recipient: str
    body: dict[str, Any]
    person_id: str | None = None
    alarm_id: str | None = None
    kind: str | None = None
    state: str = PENDING
    attempts: int = 0
    failures: int = 0
    not_before: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    provider_id: str | None = None
    reason: Any = None
    context_id: str | None = None
    #: the first try's outcome, for whoever put it (not stored)
    tried: asyncio.Future[Any] | None = field(default=None, repr=False)

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "notifier": self.notifier,
            "recipient": self.recipient,
            "person_id": self.person_id,
            "alarm_id": self.alarm_id,
            "kind": self.kind,
            "state": self.state,
            "attempts": self.attempts,
            "failures": self.failures,
            "not_before": self.not_before,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "provider_id": self.provider_id,
            "reason": self.reason,
            "context_id": self.context_id,
            "body": self.body,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Message:
        names = set(cls.__dataclass_fields__) - {"tried"}
        return cls(**{k: v for k, v in row.items() if k in names})

    def notification(self) -> Notification:
        body = self.body
        return Notification(
            message=body.get("message", ""),
            title=body.get("title"),
            targets=[self.recipient] if self.recipient else [],
            buttons=[tuple(b) for b in body.get("buttons") or ()],  # type: ignore[misc]
            data=dict(body.get("data") or {}),
            photo_path=body.get("photo_path"),
            message_id=self.id,
            language=body.get("language", "id"),
            person_id=self.person_id,
            alarm_id=self.alarm_id,
        )

    def settle(self, outcome: Any) -> None:
        tried = self.tried
        if tried is not None and not tried.done():
            if isinstance(outcome, BaseException):
                tried.set_exception(outcome)
                tried.exception()  # nobody may be waiting: never "never retrieved"
            else:
                tried.set_result(outcome)


def reason_of(err: BaseException | str | Text) -> dict[str, Any]:
    """A failure as stored: a Text's key and values (rendered in the
    reader's language later), or the provider's words, made safe to show."""
    said = message(err) if isinstance(err, BaseException) else err
    if isinstance(said, Text):
        return said.as_dict()
    text = shown(said, REASON_LIMIT) if said else ""
    if isinstance(err, BaseException) and not text:
        text = type(err).__name__
    return {"text": text}


def reason_text(reason: Any, lang: str) -> str:
    """A stored reason in `lang`."""
    if not reason:
        return ""
    if isinstance(reason, dict) and "key" in reason:
        return Text.from_dict(reason).render(lang)
    if isinstance(reason, dict):
        return str(reason.get("text", ""))
    return str(reason)


class _Writer:
    """Group commit: inserts and changes asked while a transaction runs go
    together in the next one."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._inserts: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        self._changes: dict[str, dict[str, Any]] = {}
        self._waiting: list[asyncio.Future[None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._backoff = 0.0
        self.closing = False
        #: a transaction is being written
        self.busy = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox writer")

    def insert(self, rows: list[dict[str, Any]]) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        self._inserts.append((rows, future))
        self._wake.set()
        return future

    def change(self, row: dict[str, Any], *, wait: bool = False) -> asyncio.Future[None] | None:
        self._changes.pop(row["id"], None)  # the latest change of a row wins, in order
        self._changes[row["id"]] = row
        future = None
        if wait:
            future = asyncio.get_running_loop().create_future()
            self._waiting.append(future)
        self._wake.set()
        return future

    @property
    def idle(self) -> bool:
        return not self._inserts and not self._changes

    async def _run(self) -> None:
        while True:
            if self.idle:
                if self.closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            inserts, self._inserts = self._inserts, []
            changes, self._changes = self._changes, {}
            waiting, self._waiting = self._waiting, []
            rows = [row for batch, _ in inserts for row in batch]
            self.busy = True
            try:
                await self._outbox.records.write(rows, list(changes.values()))
            except asyncio.CancelledError:
                raise
            except Exception as err:
                self.busy = False
                # who put a message learns it is not stored; changes wait
                # for the database (a send never waits on them past this)
                for _, future in inserts:
                    if not future.done():
                        future.set_exception(err)
                for key, row in changes.items():
                    self._changes.setdefault(key, row)
                for future in waiting:
                    if not future.done():
                        future.set_result(None)
                self._outbox.write_failed(err)
                if self.closing:
                    return
                self._backoff = min(MAX_WRITE_BACKOFF, max(0.1, self._backoff * 2))
                await self._outbox.hub.clock.sleep(self._backoff)
                continue
            self.busy = False
            self._backoff = 0.0
            for future in [f for _, f in inserts] + waiting:
                if not future.done():
                    future.set_result(None)

    async def close(self) -> None:
        self.closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None


class _Lane:
    __slots__ = ("key", "queue", "task")

    def __init__(self, key: tuple[str, str]) -> None:
        self.key = key
        self.queue: deque[Message] = deque()
        self.task: asyncio.Task[None] | None = None

    def defer(self) -> None:
        """The lane waits on the clock: whoever waits on a first try hears so."""
        for msg in self.queue:
            msg.settle(DEFERRED)


Check = Callable[[Message], Text | None]


class Outbox:
    """`hub.data[OUTBOX]`: put messages in; they go out in the background."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._lanes: dict[tuple[str, str], _Lane] = {}
        self._writer = _Writer(self)
        self._paces: dict[str, Pace] = {}
        self._in_flight: dict[str, asyncio.Semaphore] = {}
        self._checks: list[Check] = []
        self._running = False
        self._draining = False
        self._cancel_purge: Callable[[], Any] | None = None
        self._purging: asyncio.Task[Any] | None = None
        self._log = LogRate(_LOGGER, 60.0, language=lambda: hub.console_language)
        self._waiting_lanes = 0  # lanes asleep on the clock
        self._changed = asyncio.Event()
        #: messages found `sending` at start and sent again (the service could not say)
        self.resent = 0
        #: messages found `sending` at start that the messenger said had gone
        self.confirmed = 0
        self.delivered = 0
        self.failed = 0

    @property
    def records(self) -> Any:
        return self.hub.recorder.outbox

    @property
    def running(self) -> bool:
        """The lanes run (from hub.started until the stop drains them)."""
        return self._running and not self._draining

    # -- lifetime ---------------------------------------------------------------

    async def load(self) -> None:
        """Take up what a previous run left unsent (in order)."""
        self._writer.start()
        rows = await self.records.unfinished()
        for row in rows:
            self._lane(row["notifier"], row["recipient"]).queue.append(Message.from_row(row))
        if rows:
            _LOGGER.info("%s", Text("outbox.loaded", count=len(rows)))

    def start(self) -> None:
        """The messengers run: the lanes start (at hub.started)."""
        if self._running:
            return
        self._running = True
        for lane in self._lanes.values():
            self._kick(lane)
        self._schedule_purge(60.0)

    async def drain(self) -> None:
        """At a clean stop, before the messengers stop: what is due goes
        out (a few seconds at most); what waits stays stored."""
        self._draining = True
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
        await self._stop_lanes()

    async def _stop_lanes(self) -> None:
        self._running = False
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for lane in self._lanes.values():
            lane.defer()

    async def close(self) -> None:
        await self._stop_lanes()
        if self._cancel_purge is not None:
            self._cancel_purge()
            self._cancel_purge = None
        if self._purging is not None:
            await asyncio.gather(self._purging, return_exceptions=True)
        await self._writer.close()
        self._log.close()

    def add_check(self, check: Check) -> Callable[[], None]:
        """`check(message)` returns why a message is stale (a Text) or None;
        asked before each attempt. Returns the function that removes it."""
        self._checks.append(check)
        return lambda: self._checks.remove(check) if check in self._checks else None

    # -- putting messages in ------------------------------------------------------

    def message(
        self,
        notifier: str,
        recipient: str,
        *,
        text: str,
        title: str | None = None,
        photo_path: str | None = None,
        buttons: Sequence[tuple[str, str]] = (),
        data: dict[str, Any] | None = None,
        language: str = "id",
        person_id: str | None = None,
        alarm_id: str | None = None,
        kind: str | None = None,
        context: Context | None = None,
    ) -> Message:
        """A new message (not yet stored: `put` it)."""
        now = self.hub.clock.timestamp()
        return Message(
            id=new_id(),
            notifier=notifier,
            recipient=recipient,
            body={
                "title": title,
                "message": text,
                "photo_path": str(photo_path) if photo_path else None,
                "buttons": [list(b) for b in buttons],
                "data": dict(data or {}),
                "language": language,
            },
            person_id=person_id,
            alarm_id=alarm_id,
            kind=kind,
            created_at=now,
            updated_at=now,
            context_id=context.id if context is not None else None,
        )

    async def put(self, messages: Sequence[Message]) -> None:
        """Store `messages` (committed when this returns) and queue them,
        each behind what its recipient already has waiting."""
        if not messages:
            return
        await self._writer.insert([m.row() for m in messages])
        loop = asyncio.get_running_loop()
        for msg in messages:
            msg.tried = loop.create_future()
            lane = self._lane(msg.notifier, msg.recipient)
            lane.queue.append(msg)
            if self._running and not self._draining:
                self._kick(lane)
            else:
                msg.settle(DEFERRED)

    async def first_try(self, messages: Iterable[Message]) -> list[Any]:
        """What came of each message's first try: the provider's id when it
        went, DEFERRED when it waits (a limit, a back-off, the hub not
        running yet), the exception when it failed for good."""
        futures = [m.tried for m in messages if m.tried is not None]
        return list(await asyncio.gather(*futures, return_exceptions=True))

    def pending(self) -> int:
        return sum(len(lane.queue) for lane in self._lanes.values())

    def supersede(self, match: Callable[[Message], Text | None]) -> int:
        """Mark every waiting message `match` finds stale (returning why)
        superseded now, but the one each lane has in hand."""
        count = 0
        for lane in list(self._lanes.values()):
            keep: deque[Message] = deque()
            for index, msg in enumerate(lane.queue):
                why = None if (index == 0 and lane.task is not None) else match(msg)
                if why is None:
                    keep.append(msg)
                else:
                    self._superseded(msg, why)
                    count += 1
            lane.queue = keep
        return count

    # -- the lanes ----------------------------------------------------------------

    def _lane(self, notifier: str, recipient: str) -> _Lane:
        key = (notifier, recipient)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(key)
        return lane

    def _kick(self, lane: _Lane) -> None:
        if lane.task is None and lane.queue:
            lane.task = asyncio.get_running_loop().create_task(
                self._run_lane(lane), name=f"outbox {lane.key[0]}"
            )

    async def _run_lane(self, lane: _Lane) -> None:
        try:
            while lane.queue and self._running:
                msg = lane.queue[0]
                if await self._attempt(lane, msg):
                    if lane.queue and lane.queue[0] is msg:
                        lane.queue.popleft()
                elif self._draining:
                    return
        except Exception as err:  # a lane never takes the outbox down
            _LOGGER.exception("%s", Text("outbox.lane_failed", error=message(err)))
        finally:
            lane.task = None
            if not lane.queue and self._lanes.get(lane.key) is lane:
                del self._lanes[lane.key]
            self._changed.set()

    def _pace(self, notifier: Notifier) -> Pace:
        pace = self._paces.get(notifier.entity_id)
        if pace is None:
            pace = self._paces[notifier.entity_id] = Pace(
                notifier.rate_limits, self.hub.clock, notifier.is_group
            )
        return pace

    async def _wait(self, lane: _Lane, seconds: float) -> bool:
        """Wait on the hub's clock; False when draining (the lane stops)."""
        lane.defer()
        if self._draining:
            return False
        self._waiting_lanes += 1
        self._changed.set()
        try:
            await self.hub.clock.sleep(seconds)
        finally:
            self._waiting_lanes -= 1
        return True

    async def idle(self) -> None:
        """Return once nothing is in flight: every lane waits on the clock
        (or is done) and the database has every change (a test on a
        FakeClock waits here before moving time on)."""
        while True:
            running = sum(1 for lane in self._lanes.values() if lane.task is not None)
            if running <= self._waiting_lanes and self._writer.idle and not self._writer.busy:
                return
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 0.01)
            except TimeoutError:
                pass

    async def _attempt(self, lane: _Lane, msg: Message) -> bool:
        """One try of the lane's head; True when it is done with (delivered,
        failed or superseded), False when it waits for another try."""
        clock = self.hub.clock
        why = self._stale(msg)
        if why is not None:
            self._superseded(msg, why)
            return True
        notifier = self.hub.devices.get(msg.notifier)
        if not isinstance(notifier, Notifier):
            self._failed(msg, Text("outbox.no_notifier", notifier=msg.notifier), permanent=True)
            return True
        if msg.not_before is not None and msg.not_before > clock.timestamp():
            await self._wait(lane, msg.not_before - clock.timestamp())
            return False  # looked at again: it may be stale by then
        if msg.state == SENDING and await self._went_before(notifier, msg):
            return True
        pace = self._pace(notifier)
        while (wait := pace.wait(msg.recipient)) > 0:
            if not await self._wait(lane, wait):
                return False
            if (why := self._stale(msg)) is not None:
                self._superseded(msg, why)
                return True
        semaphore = self._in_flight.setdefault(msg.notifier, asyncio.Semaphore(MAX_IN_FLIGHT))
        async with semaphore:
            pace.take(msg.recipient)
            msg.state, msg.attempts = SENDING, msg.attempts + 1
            msg.updated_at = clock.timestamp()
            marked = self._writer.change(msg.row(), wait=True)
            if marked is not None:
                await marked  # on disk before it may reach anyone
            try:
                provider_id = await self._send(notifier, msg)
            except DeliveryError as err:
                return self._refused(msg, err)
            except asyncio.CancelledError:
                raise
            except Exception as err:  # a 5xx, a time-out, a messenger's own fault
                return self._transient(msg, err)
            written = self._delivered(msg, provider_id)
            if written is not None:
                # the slot is held until the mark is on disk: a kill can
                # leave at most MAX_IN_FLIGHT messages sent but unmarked
                await written
        return True

    async def _send(self, notifier: Notifier, msg: Message) -> str | None:
        task = asyncio.ensure_future(notifier.send(msg.notification(), context=self._context(msg)))
        timed_out = False

        def expire() -> None:
            nonlocal timed_out
            timed_out = True
            task.cancel()

        cancel = self.hub.clock.call_later(SEND_TIMEOUT, expire)
        try:
            return await task
        except asyncio.CancelledError:
            if timed_out:
                raise TimeoutError(
                    Text("outbox.timed_out", notifier=msg.notifier, seconds=SEND_TIMEOUT)
                ) from None
            raise
        finally:
            cancel()

    async def _went_before(self, notifier: Notifier, msg: Message) -> bool:
        """A message found `sending` after a crash: did it go? Asks the
        messenger when it can tell; True (and delivered) if it went."""
        ask = getattr(notifier, "sent_before", None)
        found = None
        if ask is not None:
            try:
                found = await ask(msg.id, msg.notification())
            except Exception:
                found = None
        if found:
            self.confirmed += 1
            self._delivered(msg, str(found))
            return True
        self.resent += 1
        msg.state = PENDING
        return False

    def _stale(self, msg: Message) -> Text | None:
        for check in self._checks:
            why = check(msg)
            if why is not None:
                return why
        return None

    # -- what came of it ------------------------------------------------------------

    def _finish(
        self, msg: Message, state: str, reason: Any = None, *, wait: bool = False
    ) -> asyncio.Future[None] | None:
        msg.state = state
        msg.reason = reason
        msg.not_before = None
        msg.updated_at = self.hub.clock.timestamp()
        return self._writer.change(msg.row(), wait=wait)

    def _event(self, msg: Message, **more: Any) -> dict[str, Any]:
        data = msg.body.get("data") or {}
        return {
            "message_id": msg.id,
            "notifier": msg.notifier,
            "person": msg.person_id,
            "alarm_id": msg.alarm_id,
            "kind": msg.kind,
            "tier": data.get("tier"),
            "attempts": msg.attempts,
            **more,
        }

    def _delivered(self, msg: Message, provider_id: str | None) -> asyncio.Future[None] | None:
        msg.provider_id = provider_id
        written = self._finish(msg, DELIVERED, msg.reason, wait=True)
        self.delivered += 1
        msg.settle(provider_id)
        self.hub.bus.fire(
            EVENT_DELIVERED, self._event(msg, provider_id=provider_id), self._context(msg)
        )
        return written

    def _failed(self, msg: Message, err: BaseException | Text, *, permanent: bool) -> None:
        reason = reason_of(err)
        self._finish(msg, FAILED, reason)
        self.failed += 1
        lang = self.hub.console_language
        said = Text(
            "outbox.failed",
            notifier=msg.notifier,
            person=msg.person_id or msg.recipient or "-",
            alarm_id=msg.alarm_id or "-",
            reason=reason_text(reason, lang),
        )
        _LOGGER.warning("%s", said)
        error = err if isinstance(err, BaseException) else DeliveryError(err, permanent=True)
        msg.settle(error)
        self.hub.bus.fire(
            EVENT_FAILED,
            self._event(
                msg, reason=reason_text(reason, "en"), permanent=permanent, source="outbox"
            ),
            self._context(msg),
        )

    def _superseded(self, msg: Message, why: Text) -> None:
        self._finish(msg, SUPERSEDED, why.as_dict())
        msg.settle(DEFERRED)

    def _refused(self, msg: Message, err: DeliveryError) -> bool:
        if err.permanent:
            self._failed(msg, err, permanent=True)
            return True
        if err.retry_after is not None:
            # the service said when: that is no failure of ours to count
            return self._again(msg, err, max(0.0, float(err.retry_after)))
        return self._transient(msg, err)

    def _transient(self, msg: Message, err: BaseException) -> bool:
        msg.failures += 1
        if msg.failures >= MAX_FAILURES:
            self._failed(
                msg, Text("outbox.gave_up", count=msg.failures, error=message(err)), permanent=True
            )
            return True
        said = Text("outbox.retrying", notifier=msg.notifier, error=shown(message(err)))
        self._log.log(("retry", msg.notifier), logging.WARNING, said)
        return self._again(msg, err, backoff(msg.failures))

    def _again(self, msg: Message, err: BaseException, after: float) -> bool:
        msg.state = PENDING
        msg.reason = reason_of(err)
        msg.updated_at = now = self.hub.clock.timestamp()
        msg.not_before = now + after
        self._writer.change(msg.row())
        return False

    def _context(self, msg: Message) -> Context:
        return Context(actor=SYSTEM, parent_id=msg.context_id)

    async def failed_later(self, event: Any) -> None:
        """notify.failed from a messenger (a `failed` delivery status that
        came after the service took the message): its row says so too."""
        data = event.data
        if data.get("source") == "outbox" or not data.get("message_id"):
            return
        row = await self.records.get(str(data["message_id"]))
        if row is None or row["state"] != DELIVERED:
            return
        row.update(
            state=FAILED,
            reason=reason_of(str(data.get("reason") or "")),
            updated_at=self.hub.clock.timestamp(),
        )
        self._writer.change(row)

    def write_failed(self, err: BaseException) -> None:
        said = Text("outbox.write_failed", error=message(err))
        self._log.log("write", logging.ERROR, said)

    # -- retention -------------------------------------------------------------------

    def _schedule_purge(self, after: float) -> None:
        def due() -> None:
            self._purging = asyncio.get_running_loop().create_task(self._purge())

        self._cancel_purge = self.hub.clock.call_later(after, due)

    async def _purge(self) -> None:
        try:
            await self.records.purge(self.hub.clock.timestamp() - KEEP_FINISHED)
        except Exception as err:
            self.write_failed(err)
        finally:
            if self._running:
                self._schedule_purge(PURGE_EVERY)


OUTBOX: HubKey[Outbox] = HubKey("outbox")


@hookimpl
def sigap_lifespan(hub: Hub) -> Any:
    @asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        outbox = Outbox(hub)
        await outbox.load()
        hub.data[OUTBOX] = outbox
        undo = [
            # the lanes wait for the messengers: they start with the devices
            hub.bus.listen("hub.started", lambda _e: outbox.start(), owner="hub.core.outbox"),
            hub.before_devices_stop(outbox.drain),
            hub.bus.listen(EVENT_FAILED, outbox.failed_later, owner="hub.core.outbox"),
        ]
        try:
            yield
        finally:
            for unregister in undo:
                unregister()
            await outbox.close()
            hub.data.pop(OUTBOX, None)

    return lifespan()


__all__ = [
    "DEFERRED",
    "EVENT_DELIVERED",
    "EVENT_FAILED",
    "OUTBOX",
    "Message",
    "Outbox",
    "reason_text",
]
