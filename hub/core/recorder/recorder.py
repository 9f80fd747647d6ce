"""The Recorder: every event, state change and audit record of the hub,
written to the database in batches by one writer task, off the event path.

The bus listener only appends the Event to a bounded deque (no encoding, no
I/O, no task); the writer wakes every `commit_interval` seconds, or as soon
as `batch_size` items wait, turns them into rows and commits them in one
transaction of at most `batch_size` rows per table.

When the database falls behind (or is away) the queue of events and states
keeps at most `max_queue` of them: the oldest are dropped first, counted in
`dropped`, and the log says so once a minute. Audit records (service calls,
footage taken or viewed) wait in their own queue and are never dropped;
alarms are not queued at all (`hub.recorder.alarms` writes at once).

The stores that moved from .storage (traces, the MQTT session's filters,
the media index) queue keyed writes (`store()`, writes.py): a newer write
of a key replaces the waiting one; beyond `max_queue` of them the oldest
go, counted in `dropped` too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from ..bus import MATCH_ALL, Event
from ..i18n import Text, format_time
from ..lograte import LogRate
from ..services import EVENT_CALL_SERVICE
from ..state import EVENT_STATE_CHANGED
from . import database, queries
from .alarms import AlarmRecords
from .media_index import MediaIndex
from .mqtt_filters import MqttFilters
from .outbox import OutboxRecords
from .rows import audit_row, call_service_rows, event_row, state_row
from .settings import RecorderSettings
from .spill import SPILL_AT, AuditSpill
from .tables import audit, events, states
from .traces import TraceRecords
from .writes import Write

if TYPE_CHECKING:
    from ..hub import Hub

_LOGGER = logging.getLogger("hub.recorder")

# How often, at most, the log says that events were dropped or writes fail.
REPORT_INTERVAL = 60.0
# The first retention purge after start (a hub restarted often still purges).
FIRST_PURGE_AFTER = 60.0
EVENT_PURGED = "recorder.purged"

# Seconds between attempts while the database does not answer, at most.
MAX_BACKOFF = 30.0

# The database is away (or full, or locked): the batch waits for the next try.
_UNAVAILABLE = (OperationalError, InterfaceError, OSError, ConnectionError, TimeoutError)


class RecorderUnavailable(Exception):
    """The database cannot be opened at start; args[0] is a Text saying why."""


class _Batch:
    __slots__ = ("audit", "events", "states", "writes")

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.states: list[dict[str, Any]] = []
        self.audit: list[dict[str, Any]] = []
        self.writes: list[Write] = []

    def __len__(self) -> int:
        return len(self.events) + len(self.states) + len(self.audit) + len(self.writes)


class Recorder:
    """`hub.recorder`: started in Hub.start before devices and automations,
    stopped after them with its queue written out."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self.settings: RecorderSettings | None = None
        self._engine: AsyncEngine | None = None
        #: alarms and their history, written at once
        self.alarms = AlarmRecords(self._require_engine)
        #: the automations' traces (`sigap trace`), saved through the queue
        self.traces = TraceRecords(self._require_engine, self.store)
        #: the filters of the hub's persistent MQTT session
        self.mqtt_filters = MqttFilters(self._require_engine, self.store)
        #: the index of the media folder (snapshots and clips)
        self.media = MediaIndex(self._require_engine, self.store, self.flush)
        #: the outgoing messages (hub/core/outbox.py), written in its own batches
        self.outbox = OutboxRecords(self._require_engine)
        self._queue: deque[Event] = deque(maxlen=100_000)
        self._audit: deque[Event | dict[str, Any]] = deque()
        #: audit rows past SPILL_AT while the database is away (spill.py)
        self._spill = AuditSpill(hub.config_dir)
        # rows neither the database nor the spill file took (a full disk too)
        self._unspilled: list[dict[str, Any]] = []
        # keyed writes of the stores (traces, MQTT filters, media index), oldest first
        self._writes: dict[tuple[str, str], Write] = {}
        self._max_writes = 100_000
        self._retry: _Batch | None = None
        self._batch_size = 1000
        self._exclude: frozenset[str] = frozenset()
        self._wake = asyncio.Event()
        # the writer waits with nothing queued (and no timer armed: a quiet
        # hub on a FakeClock moves through weeks without waking it)
        self._idle = False
        self._stopping = False
        self._progress = asyncio.Event()  # set at every commit (until_written)
        self._lock = asyncio.Lock()
        self._writer: asyncio.Task[None] | None = None
        self._unlisten: Any = None
        self._cancel_purge: Any = None
        self._purging: asyncio.Task[Any] | None = None
        self._log = LogRate(_LOGGER, REPORT_INTERVAL, language=lambda: hub.console_language)
        self._backoff = 0.0
        self._run_id: int | None = None
        #: events and states dropped, oldest first, because the queue was full
        self.dropped = 0
        self._dropped_said = 0
        self._dropped_said_at: float | None = None
        #: rows the database refused (a value it cannot store): left out
        self.rejected = 0
        #: rows committed since start
        self.written = 0
        #: entity_id -> {state, attributes, last_changed} as recorded before this start
        self.restored: dict[str, dict[str, Any]] = {}

    # -- start / stop --------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._engine is not None

    @property
    def engine(self) -> AsyncEngine:
        return self._require_engine()

    def _require_engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("the recorder is not started")
        return self._engine

    async def start(self, *, listen: bool = True) -> None:
        """Open the database (creating or migrating its schema), read the
        last known states, and (with `listen`) record the bus from now on.
        Raises RecorderUnavailable when the database cannot be opened."""
        hub = self._hub
        settings = self.settings = RecorderSettings.from_config(
            hub.config.get("recorder"), hub.config_dir
        )
        self._queue = deque(maxlen=settings.max_queue)
        self._max_writes = settings.max_queue
        self._stopping = False
        self._batch_size = settings.batch_size
        self._exclude = settings.exclude_events
        engine: AsyncEngine | None = None
        try:
            engine = database.create_engine(settings)
            async with engine.connect() as connection:
                before, after = await connection.run_sync(database.upgrade)
                await connection.commit()
            self._engine = engine
            self.restored = await self._read_last_states()
            # audit rows a previous run put on disk while the database was away
            await self._write_back_spilled()
            if listen:
                await self._begin_run()
        except Exception as err:
            self._engine = None
            if engine is not None:
                await engine.dispose()
            raise RecorderUnavailable(
                Text("recorder.cannot_open", url=settings.shown_url, error=_error(err))
            ) from err
        lang = hub.console_language
        if before != after:
            if before is None:
                said = Text("recorder.created", revision=after, url=settings.shown_url)
            else:
                said = Text("recorder.migrated", before=before, after=after, url=settings.shown_url)
            _LOGGER.info("%s", said.render(lang))
        if listen:
            self._unlisten = hub.bus.listen(MATCH_ALL, self._on_event, owner="hub.recorder")
            self._writer = asyncio.get_running_loop().create_task(
                self._run(), name="recorder writer"
            )
            self._schedule_purge(min(FIRST_PURGE_AFTER, settings.purge_interval))

    async def _begin_run(self) -> None:
        hub = self._hub
        self._run_id, cut_off = await queries.begin_run(self.engine, hub.clock.timestamp())
        if cut_off is None:
            return
        lang = hub.console_language
        last = cut_off["last_row"] or cut_off["started"]
        said = Text(
            "recorder.last_run_cut_off",
            started=format_time(cut_off["started"], hub.time_zone, lang),
            last=format_time(last, hub.time_zone, lang),
        )
        _LOGGER.warning("%s", said.render(lang))

    async def stop(self) -> None:
        """Stop listening, write what is queued, close the database."""
        if self._engine is None:
            return
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        if self._cancel_purge is not None:
            self._cancel_purge()
            self._cancel_purge = None
        # Never cancelled in the middle of a write: a transaction cut off in
        # the driver's thread would hold SQLite's lock against the last flush.
        self._stopping = True
        self._wake.set()
        for task in (self._writer, self._purging):
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
        self._writer = self._purging = None
        try:
            if await self.flush():
                if self._run_id is not None:
                    await queries.end_run(self._engine, self._run_id, self._hub.clock.timestamp())
                    self._run_id = None
            else:
                # the database is away at the end: the audit waits on disk for
                # the next start, which also marks this run as cut off
                await self._spill_audit(keep=0)
            self._report_drops(force=True)
        except (*_UNAVAILABLE, DBAPIError) as err:  # it went away between the two
            said = Text("recorder.write_failed", count=self.queued, error=_error(err))
            self._log.log("write", logging.ERROR, said)
        finally:
            self._log.close()
            engine, self._engine = self._engine, None
            await engine.dispose()

    # -- the event path ------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        # The hot path: an append, no copy, no encoding.
        if event.event_type == EVENT_CALL_SERVICE:
            self._audit.append(event)
        elif event.event_type in self._exclude:
            return
        else:
            queue = self._queue
            if len(queue) == queue.maxlen:
                self.dropped += 1  # the deque drops its oldest itself
            queue.append(event)
            if not self._idle and len(queue) < self._batch_size:
                return
        self._idle = False
        self._wake.set()

    def audit(self, record: Mapping[str, Any]) -> None:
        """Queue an audit record (written with the next batch, never
        dropped): who, action ("snapshot", "clip", "view", "export",
        "refused", ...), entity_id, site, reason, data, context_id, time
        (default now), alarm_id (default data["alarm_id"])."""
        entry = dict(record)
        # stamped as events and states are (Event.time_fired): one trail, one time line
        entry.setdefault("time", self._hub.clock.timestamp())
        self._audit.append(entry)
        if self._idle or len(self._audit) >= self._batch_size:
            self._idle = False
            self._wake.set()

    def store(self, write: Write) -> None:
        """Queue a keyed write (writes.py), applied with the next batch; one
        of the same key still waiting is replaced. Never waits, never fails:
        while the database is away it waits here, at most `max_queue` of
        them (then the oldest go, counted in `dropped`)."""
        writes = self._writes
        writes.pop(write.key, None)
        writes[write.key] = write
        if len(writes) > self._max_writes:
            del writes[next(iter(writes))]
            self.dropped += 1
        if self._idle or len(writes) >= self._batch_size:
            self._idle = False
            self._wake.set()

    @property
    def queued(self) -> int:
        """Items waiting to be written (events, states, audit records, and
        the stores' writes)."""
        waiting = len(self._queue) + len(self._audit) + len(self._writes) + len(self._unspilled)
        return waiting + (len(self._retry) if self._retry else 0)

    def oldest_waiting(self) -> float | None:
        """When the oldest event, state or audit record still waiting to be
        written happened (hub clock), or None with none waiting: now minus
        it is how far the database is behind (/metrics' recorder lag). The
        stores' keyed writes carry no time and are left out."""
        times: list[float] = []
        if self._retry is not None:  # taken first, so older than anything queued
            retry = self._retry
            times += [row["time_fired"] for row in retry.events[:1]]
            times += [row["last_updated"] for row in retry.states[:1]]
            times += [row["time"] for row in retry.audit[:1]]
        if self._queue:
            times.append(self._queue[0].time_fired)
        if self._audit:
            first = self._audit[0]
            times.append(first.time_fired if isinstance(first, Event) else first.get("time"))
        if self._unspilled:
            times.append(self._unspilled[0].get("time"))
        known = [t for t in times if isinstance(t, int | float)]
        return min(known) if known else None

    # -- the writer ------------------------------------------------------------------

    async def _run(self) -> None:
        clock = self._hub.clock
        assert self.settings is not None
        interval = self.settings.commit_interval
        while not self._stopping:
            self._wake.clear()
            if self.queued == 0 and not self._spill.waiting():
                self._idle = True
                await self._wake.wait()
                self._wake.clear()
            # something waits: it is committed within the interval, at once
            # when a batch is full (unless the database is being waited for),
            # or at once when the recorder stops
            full = max(len(self._queue), len(self._audit), len(self._writes)) >= self._batch_size
            if not self._stopping and (self._backoff or not full):
                cancel = clock.call_later(max(interval, self._backoff), self._wake.set)
                try:
                    await self._wake.wait()
                finally:
                    cancel()
            try:
                written = await self.flush()
            except Exception as err:  # the writer never dies: the next round tries again
                _LOGGER.exception("%s", Text("recorder.writer_failed", error=_error(err)))
                written = False
            self._report_drops()
            if written:
                self._backoff = 0.0
            else:
                self._backoff = min(MAX_BACKOFF, max(interval, self._backoff * 2))

    async def flush(self) -> bool:
        """Write everything queued now and commit it; returns False when the
        database did not take it (it stays queued for the next try)."""
        async with self._lock:
            if self._engine is None:
                return False
            todo = len(self._queue) + len(self._audit) + len(self._writes)
            while self._retry is not None or todo > 0:
                if self._retry is None:
                    self._retry = self._take()
                    todo -= len(self._retry)
                if not await self._write(self._retry):
                    await self._spill_audit()
                    return False
                self._retry = None
            return await self._write_back_spilled()

    async def _spill_audit(self, keep: int = SPILL_AT) -> None:
        """The database did not take a batch: audit records past `keep`
        wait on disk instead of in memory (never dropped)."""
        if keep == 0 and self._retry is not None:
            # what the failed batch held goes too (its events and states cannot)
            self._unspilled.extend(self._retry.audit)
            self._retry.audit = []
        extra = len(self._audit) - keep
        if extra <= 0 and not self._unspilled:
            return
        rows, self._unspilled = self._unspilled, []
        now = self._hub.clock.timestamp()
        for _ in range(max(extra, 0)):
            item = self._audit.popleft()
            if isinstance(item, Event):
                rows.extend(call_service_rows(item, self._site_of))
            else:
                rows.append(audit_row(item, now))
        try:
            await self._spill.append(rows)
        except OSError as err:
            # neither the database nor the disk: they stay in memory, said once a minute
            self._unspilled = rows
            said = Text("recorder.spill_failed", count=len(rows), error=_error(err))
            self._log.log("spill", logging.ERROR, said)

    async def _write_back_spilled(self) -> bool:
        if self._unspilled:
            rows, self._unspilled = self._unspilled, []
            if not await self._insert_audit(rows):
                self._unspilled = rows + self._unspilled
                return False
        if not self._spill.waiting():
            return True
        count = await self._spill.write_back(self._insert_audit)
        if count is None:
            return False
        _LOGGER.info("%s", Text("recorder.spill_written", count=count))
        return True

    async def _insert_audit(self, rows: list[dict[str, Any]]) -> bool:
        try:
            async with self._require_engine().begin() as connection:
                await connection.execute(audit.insert(), rows)
        except (*_UNAVAILABLE, DBAPIError) as err:
            said = Text("recorder.write_failed", count=len(rows), error=_error(err))
            self._log.log("write", logging.ERROR, said)
            return False
        self.written += len(rows)
        self._progress.set()
        return True

    def _take(self) -> _Batch:
        batch = _Batch()
        size = self._batch_size
        queue, pending_audit = self._queue, self._audit
        site_of = self._site_of
        for _ in range(min(size, len(queue))):
            event = queue.popleft()
            if event.event_type == EVENT_STATE_CHANGED:
                batch.states.append(state_row(event))
            else:
                batch.events.append(event_row(event))
        now = self._hub.clock.timestamp()
        for _ in range(min(size, len(pending_audit))):
            item = pending_audit.popleft()
            if isinstance(item, Event):
                batch.audit.extend(call_service_rows(item, site_of))
            else:
                batch.audit.append(audit_row(item, now))
        writes = self._writes
        for _ in range(min(size, len(writes))):
            batch.writes.append(writes.pop(next(iter(writes))))
        return batch

    def _site_of(self, entity_id: str) -> str | None:
        device = self._hub.devices.get(entity_id)
        return getattr(device, "site", None) if device is not None else None

    async def _write(self, batch: _Batch) -> bool:
        engine = self._require_engine()
        try:
            async with engine.begin() as connection:
                for table, rows in ((events, batch.events), (states, batch.states)):
                    if rows:
                        await connection.execute(table.insert(), rows)
                if batch.audit:
                    await connection.execute(audit.insert(), batch.audit)
                for write in batch.writes:
                    await write.apply(connection)
        except Exception as err:
            # the database away (or full, or locked) keeps the batch for the
            # next try; only a database that answers can refuse a row
            if not isinstance(err, (*_UNAVAILABLE, DBAPIError)):
                raise
            if isinstance(err, DBAPIError) and await self._reachable(err):
                if await self._write_one_by_one(batch, err):
                    return self._written(batch)
            said = Text("recorder.write_failed", count=len(batch), error=_error(err))
            self._log.log("write", logging.ERROR, said)
            return False
        self.written += len(batch)
        return self._written(batch)

    def _written(self, batch: _Batch) -> bool:
        self._progress.set()
        return True

    async def _reachable(self, err: DBAPIError) -> bool:
        """Whether the database answers (then the error was about a row)."""
        if err.connection_invalidated or isinstance(err, _UNAVAILABLE):
            return False
        try:
            async with self._require_engine().connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except Exception:
            return False
        return True

    async def until_written(self, count: int) -> None:
        """Return once `count` rows have been committed since start (a
        benchmark or a test waits on it, with a timeout of its own)."""
        while self.written < count:
            self._progress.clear()
            await self._progress.wait()

    async def _write_one_by_one(self, batch: _Batch, first: BaseException) -> bool:
        """Each row on its own: a row the database refuses is left out and
        counted. False if the database went away meanwhile (the rows not yet
        written stay in the batch, for the next try)."""
        engine = self._require_engine()

        def insert(table: sa.Table) -> Any:
            return lambda connection, row: connection.execute(table.insert(), [row])

        work: list[tuple[list[Any], Any]] = [
            (batch.events, insert(events)),
            (batch.states, insert(states)),
            (batch.audit, insert(audit)),
            (batch.writes, lambda connection, write: write.apply(connection)),
        ]
        refused = 0
        try:
            for items, apply in work:
                while items:
                    try:
                        async with engine.begin() as connection:
                            await apply(connection, items[0])
                    except DBAPIError as err:
                        if not await self._reachable(err):
                            return False
                        refused += 1
                    except _UNAVAILABLE:
                        return False
                    else:
                        self.written += 1
                    items.pop(0)
            return True
        finally:
            if refused:
                self.rejected += refused
                said = Text("recorder.rows_rejected", count=refused, error=_error(first))
                self._log.log("rejected", logging.ERROR, said)

    def _report_drops(self, *, force: bool = False) -> None:
        new = self.dropped - self._dropped_said
        if new <= 0:
            return
        clock = self._hub.clock
        said_at = self._dropped_said_at
        if not force and said_at is not None and clock.monotonic() - said_at < REPORT_INTERVAL:
            return
        self._dropped_said_at = clock.monotonic()
        self._dropped_said = self.dropped
        max_queue = self._queue.maxlen
        said = Text("recorder.dropped", count=new, total=self.dropped, max=max_queue)
        _LOGGER.warning("%s", said.render(self._hub.console_language))

    # -- retention -----------------------------------------------------------------

    def _schedule_purge(self, after: float) -> None:
        def due() -> None:
            self._cancel_purge = None
            self._purging = asyncio.get_running_loop().create_task(
                self._purge_and_reschedule(), name="recorder purge"
            )

        self._cancel_purge = self._hub.clock.call_later(after, due)

    async def _purge_and_reschedule(self) -> None:
        assert self.settings is not None
        try:
            await self.purge()
        except _UNAVAILABLE as err:
            self._log.log("purge", logging.ERROR, Text("recorder.purge_failed", error=_error(err)))
        finally:
            if not self._stopping:
                self._schedule_purge(self.settings.purge_interval)

    async def purge(self, now: float | None = None) -> dict[str, int]:
        """Delete what is older than its kind's retention (`keep_days`);
        returns how many rows of each kind went."""
        assert self.settings is not None
        now = self._hub.clock.timestamp() if now is None else now
        cutoff = {kind: now - days * 86400.0 for kind, days in self.settings.keep_days.items()}
        counts = await queries.purge(self.engine, cutoff)
        if any(counts.values()):
            said = Text("recorder.purged", **counts)
            _LOGGER.info("%s", said.render(self._hub.console_language))
        self._hub.bus.fire(EVENT_PURGED, {**counts, "at": now}, self._hub.context)
        return counts

    # -- reading -----------------------------------------------------------------------

    async def _read_last_states(self) -> dict[str, dict[str, Any]]:
        return await queries.last_states(self.engine)

    async def last_states(self) -> dict[str, dict[str, Any]]:
        """entity_id -> {state, attributes, last_changed}: each entity's last
        recorded state (what a restart restores from)."""
        await self.flush()
        return await queries.last_states(self.engine)

    def last_state(self, entity_id: str) -> dict[str, Any] | None:
        """The entity's state as recorded before this start (a device or an
        automation restoring itself at start), or None."""
        return self.restored.get(entity_id)

    async def history(
        self,
        entity_id: str,
        *,
        since: float | None = None,
        until: float | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """An entity's recorded states, oldest first."""
        await self.flush()
        return await queries.history(self.engine, entity_id, since, until, limit)

    async def events(
        self,
        event_type: str | None = None,
        *,
        context_id: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int | None = None,
        newest: bool = False,
    ) -> list[dict[str, Any]]:
        """Recorded events (state changes are in history()), oldest first;
        `newest`: the last `limit` of them."""
        await self.flush()
        return await queries.events_of(
            self.engine, event_type, context_id, since, until, limit, newest
        )

    async def audit_trail(
        self,
        *,
        alarm_id: str | None = None,
        entity_id: str | None = None,
        person: str | None = None,
        site: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Audit records of an alarm, an entity (a camera), a person (the
        `who` of a record) and/or a site, oldest first."""
        await self.flush()
        return await queries.audit_trail(
            self.engine,
            alarm_id=alarm_id,
            entity_id=entity_id,
            person=person,
            site=site,
            since=since,
            until=until,
            limit=limit,
        )


def error_line(err: BaseException) -> str:
    """A database error in one line, without the statement and parameters
    SQLAlchemy appends (they may hold event data): what a log line says."""
    if isinstance(err, DBAPIError) and err.orig is not None:
        err = err.orig
    said = str(err).strip().splitlines()
    return f"{type(err).__name__}: {said[0]}" if said else type(err).__name__


_error = error_line

__all__ = ["Recorder", "RecorderUnavailable", "error_line"]
