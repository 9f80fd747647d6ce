"""Commands the hub owes devices: a siren's switch-off, a door's relock.

A command that makes things safe is owed from the moment the command that
creates the debt (the siren on for 60 s, the door unlocked for 10 s) is
decided, until the device's own state topic confirms it. It is written to
`<config>/.storage/owed_commands.json` before that command is sent, so a hub
that crashes (SIGKILL, out of memory) still knows at its next start what it
left sounding or unlocked, and pays it at once: when in doubt, silence what
it sounded for a time and relock what it unlocked for a time. What the hub
did not time is never owed (a door an evacuation switch released stays as
it was told).

`OwedCommands` only remembers (one file for the hub; a later issue moves it
to the database); `Debt` is one device's: when to pay, and paying again each
time the device comes back until it confirms.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hub import (
    EVENT_HUB_STARTED,
    MQTT,
    Context,
    DeviceError,
    HubKey,
    i18n,
    storage_dir,
)
from hub import write_atomic as _write_atomic

_LOGGER = logging.getLogger("hub.mqtt_devices")

OWED_FILE = "owed_commands.json"
# An owed command the device did not confirm is sent again after the
# device's confirm_timeout, doubling up to this many seconds.
RETRY_MAX = 60.0


@dataclass(frozen=True, slots=True)
class OwedCommand:
    command: str  # "turn_off" or "lock": what makes the device safe
    due: float  # wall-clock time (epoch seconds) it is to be sent
    context_id: str | None = None  # the service call that created it


class OwedCommands:
    """The hub's owed commands by entity id, kept in one JSON file written
    whole (fsynced) on every change that adds a debt."""

    def __init__(self, path: Path, language: Callable[[], str] = lambda: "en") -> None:
        self.path = path
        self._language = language  # of the log lines
        self._owed: dict[str, OwedCommand] = {}
        #: what the file held at start: the debts of a run that did not end them
        self.left_over: dict[str, OwedCommand] = self._read()
        self._owed.update(self.left_over)
        self._version = 0  # bumped on every change
        self._saved = 0  # the version on disk
        self._lock = asyncio.Lock()
        self._background: set[asyncio.Future[None]] = set()

    def get(self, entity_id: str) -> OwedCommand | None:
        return self._owed.get(entity_id)

    async def owe(self, entity_id: str, owed: OwedCommand) -> None:
        """Record the debt and return once it is on disk (raises OSError)."""
        self._owed[entity_id] = owed
        self.left_over.pop(entity_id, None)
        self._version += 1
        await self.save()

    def replace(self, entity_id: str, owed: OwedCommand) -> None:
        """Change a debt's terms; saved in the background."""
        self._owed[entity_id] = owed
        self._version += 1
        self._save_later()

    def settle(self, entity_id: str) -> None:
        """The device confirmed: nothing is owed. Saved in the background
        (a debt still on disk only costs one more command at the next start)."""
        self.left_over.pop(entity_id, None)
        if self._owed.pop(entity_id, None) is None:
            return
        self._version += 1
        self._save_later()

    def _save_later(self) -> None:
        task = asyncio.ensure_future(self._save_quietly())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def flush(self) -> None:
        """Until every change is on disk (or could not be written)."""
        await self._save_quietly()

    async def save(self) -> None:
        """Write the current debts unless a save already wrote this version."""
        wanted = self._version
        async with self._lock:
            if self._saved >= wanted:
                return  # a save that started after our change covered it
            version = self._version
            text = json.dumps(
                {"version": 1, "owed": {k: asdict(v) for k, v in sorted(self._owed.items())}},
                indent=1,
            )
            await asyncio.to_thread(_write_atomic, self.path, text, durable=True)
            self._saved = version

    async def _save_quietly(self) -> None:
        try:
            await self.save()
        except OSError as err:
            _LOGGER.warning(
                "%s",
                i18n.t(
                    "mqtt_devices.owed_not_cleared", self._language(), path=self.path, error=err
                ),
            )

    def _read(self) -> dict[str, OwedCommand]:
        try:
            data = json.loads(self.path.read_text())
            return {
                str(entity_id): OwedCommand(
                    str(item["command"]), float(item["due"]), item.get("context_id")
                )
                for entity_id, item in data["owed"].items()
            }
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as err:
            # fail loud: these are sirens and doors the last run may have left on
            _LOGGER.error(
                "%s",
                i18n.t("mqtt_devices.owed_unreadable", self._language(), path=self.path, error=err),
            )
            return {}


OWED: HubKey[OwedCommands] = HubKey("mqtt_devices.owed")


def owed_commands(hub: Any) -> OwedCommands:
    """The hub's store, made by the first MQTT device that needs it; once
    the hub has started, debts left over for devices no longer configured
    are dropped (with a warning)."""
    store = hub.data.get(OWED)
    if store is None:
        store = hub.data[OWED] = OwedCommands(
            storage_dir(hub.config_dir) / OWED_FILE, lambda: hub.console_language
        )

        def started(event: Any) -> None:
            for entity_id, owed in list(store.left_over.items()):
                if hub.devices.get(entity_id) is None:
                    _LOGGER.warning(
                        "%s",
                        i18n.t(
                            "mqtt_devices.owed_dropped",
                            hub.console_language,
                            command=owed.command,
                            entity_id=entity_id,
                        ),
                    )
                    store.settle(entity_id)

        hub.bus.listen_once(EVENT_HUB_STARTED, started)
    return store


class Debt:
    """What one device is owed. `pay(context)` sends the command (and starts
    its confirmation); the device calls `settled()` when its state topic
    confirms it, `refused_or_unconfirmed()` when it did not, and `back()`
    whenever it is heard to be online again."""

    def __init__(
        self,
        device: Any,
        command: str,
        pay: Callable[[Context], Awaitable[None]],
        *,
        confirm_timeout: float,
    ) -> None:
        self.device = device
        self.command = command
        self.store = owed_commands(device.hub)
        self._pay = pay
        self._confirm_timeout = confirm_timeout
        self._timer: Callable[[], None] | None = None  # the due timer's cancel
        self._paying: asyncio.Task[None] | None = None
        self._retries = 0
        self._context: Context | None = None
        self._undo_started: Callable[[], None] | None = None

    @property
    def owed(self) -> OwedCommand | None:
        return self.store.get(self.device.entity_id)

    def _text(self, key: str, **values: Any) -> str:
        device = self.device
        return i18n.t(
            key,
            device.hub.console_language,
            entity_id=device.entity_id,
            site=device.site,
            command=self.command,
            **values,
        )

    def _when(self, moment: float) -> str:
        hub = self.device.hub
        return i18n.format_time(moment, hub.time_zone, hub.console_language)

    async def owe(
        self, seconds: float, context: Context, *, for_command: str
    ) -> OwedCommand | None:
        """Owe the command `seconds` from now; on disk when this returns, so
        the caller may send `for_command` (which creates the debt). Raises
        DeviceError when it cannot be saved: then nothing may be sent.
        Returns what was owed before (for `not_sent`)."""
        earlier = self.owed
        owed = OwedCommand(self.command, self._now() + seconds, context.id)
        try:
            await self.store.owe(self.device.entity_id, owed)
        except OSError as err:
            raise DeviceError(
                i18n.Text(
                    "mqtt_devices.owed_not_saved",
                    entity_id=self.device.entity_id,
                    command=for_command,
                    owed=self.command,
                    error=str(err),
                )
            ) from None
        self._context = context
        self._retries = 0
        self._arm(owed.due)
        return earlier

    def not_sent(self, earlier: OwedCommand | None) -> None:
        """`for_command` was not sent after all: the debt falls due when the
        earlier one did (an earlier unlock's time), or at once when there was
        none (one command more, never one less)."""
        due = earlier.due if earlier is not None else self._now()
        owed = OwedCommand(self.command, due, earlier.context_id if earlier else None)
        self.store.replace(self.device.entity_id, owed)
        self._arm(due)

    async def owe_now(self, context: Context) -> None:
        """The command itself was asked for (siren.turn_off, door.lock): owed
        until confirmed, sent at once if the device can be reached. A disk
        that cannot keep it never holds back the command itself."""
        try:
            await self.owe(0, context, for_command=self.command)
        except DeviceError as err:
            self.device.log.error(err.args[0])
            self._context = context
        if not self._reachable():
            self.device.log.warning("%s", self._text("mqtt_devices.owed_waiting"))
        self.pay_if_due()

    def resume(self) -> None:
        """At start: a debt the last run left is due at once (the run that
        would have paid it was cut off), as soon as the hub has started and
        the devices' retained availability is in."""
        owed = self.store.left_over.get(self.device.entity_id)
        if owed is None:
            return
        self.device.log.warning(
            "%s", self._text("mqtt_devices.owed_left_over", due=self._when(owed.due))
        )
        if owed.due > self._now():
            now = OwedCommand(owed.command, self._now(), owed.context_id)
            self.store.replace(self.device.entity_id, now)
        self._undo_started = self.device.hub.bus.listen_once(
            EVENT_HUB_STARTED, lambda event: self.pay_if_due(force=True)
        )

    def _arm(self, due: float) -> None:
        self._cancel_timer()
        # The moment is kept in wall time (it must mean the same after a
        # restart); within a run it is waited for as a duration, so an NTP
        # correction neither cuts nor stretches a siren's on-time.
        delay = max(0.0, due - self._now())
        self._timer = self.device.hub.clock.call_later(delay, self._time_up)

    def _now(self) -> float:
        return float(self.device.hub.clock.timestamp())

    def _time_up(self) -> None:
        self._timer = None
        owed = self.owed
        if owed is not None and owed.due > self._now():
            # the wall clock was set back while the time ran: it has run all
            # the same, so the debt is due now (here, on return, after a restart)
            due_now = OwedCommand(owed.command, self._now(), owed.context_id)
            self.store.replace(self.device.entity_id, due_now)
        self.pay_if_due()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None

    def _reachable(self) -> bool:
        connection = self.device.hub.data.get(MQTT)
        return bool(self.device.available and connection is not None and connection.connected)

    def pay_if_due(self, *, force: bool = False) -> None:
        """Send the owed command if it is due (or `force`) and the device can
        be reached now; otherwise it waits for `back()` or its timer."""
        owed = self.owed
        if owed is None or (owed.due > self._now() and not force):
            return
        if not self._reachable() or (self._paying is not None and not self._paying.done()):
            return
        self.device.log.info("%s", self._text("mqtt_devices.owed_paying", due=self._when(owed.due)))
        context = self._context or Context()
        self._paying = self.device.hub.create_task(
            self._pay(context), f"owed {self.command} {self.device.entity_id}"
        )
        self._paying.add_done_callback(self._paid)

    def _paid(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and isinstance(task.exception(), DeviceError):
            # not sent: the broker went away meanwhile; paid when the device is back
            self.device.log.warning("%s", self._text("mqtt_devices.owed_waiting"))

    def back(self) -> None:
        """The device is online again (its will topic, or the broker): what
        is due is sent at once."""
        self._retries = 0
        self.pay_if_due()

    def unconfirmed(self) -> None:
        """The device did not confirm the owed command: it stays owed and is
        sent again after a while (and whenever the device comes back)."""
        if self.owed is None:
            return
        delay = min(RETRY_MAX, self._confirm_timeout * 2**self._retries)
        self._retries += 1
        self._cancel_timer()
        self._timer = self.device.hub.clock.call_later(delay, self._time_up)

    @property
    def retrying(self) -> bool:
        """True once an owed command went unconfirmed at least once."""
        return self._retries > 0

    def settled(self) -> None:
        """The device's state topic confirmed it: nothing is owed."""
        self._cancel_timer()
        self._retries = 0
        self.store.settle(self.device.entity_id)

    async def stop(self) -> None:
        """The hub stops: it will not be here to pay when due, so a debt is
        paid now where the device can be reached (and stays on disk until a
        confirmation, for the next start)."""
        self._cancel_timer()
        if self._undo_started is not None:
            self._undo_started()
        if self.owed is not None and self._reachable():
            if self._paying is None or self._paying.done():
                try:
                    await self._pay(self._context or Context())
                except DeviceError:
                    pass  # the next start pays it
        await self.store.flush()
