"""Simulated MQTT devices that behave as the real firmware does on a broker:
Tasmota, Shelly Gen2, Zigbee2MQTT and ESPHome sirens, and an ESPHome door
(relay + contact). Each has its own connection with a last will, so it can
also fail as real ones do: never confirm a command (`confirms = False`),
confirm late (`confirm_delay = 1.0`), or drop off the network (`await
go_offline()`, the broker then sends its will; the device's own timers keep
running, as a relay's do, and `await start()` brings it back). With
`reconnects=True` a device also comes back by itself after the broker went
away, as firmware does; the relay keeps its state meanwhile.

    async with TasmotaSiren("127.0.0.1", 1883, "sirene_halaman") as siren: ...

`python -m hub.plugins.mqtt_devices.simulator --port 1883` runs one of each
for a demo (`sigap run` with an `mqtt:` section and the matching devices).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
from collections.abc import Callable
from typing import Any

import aiomqtt

# How long stop() waits for the device's own tasks once its connection is closed.
_STOP_TIMEOUT = 5.0
# How often a device with `reconnects` tries the broker again.
_RECONNECT_EVERY = 0.1


class SimulatedDevice:
    """One device's connection; subclasses answer commands in `handle`."""

    def __init__(self, host: str, port: int, client_id: str, *, reconnects: bool = False) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self.reconnects = reconnects  # back by itself after losing the broker
        self.online = asyncio.Event()  # set while connected
        self._wanted = False  # started and not stopped or taken off the network
        self._connecting = False
        self.confirms = True  # False: acts but never reports its state
        self.confirm_delay = 0.0  # seconds between acting and reporting it (a slow relay)
        self.commands: list[tuple[str, bytes, bool]] = []  # topic, payload, retained
        self.received = asyncio.Event()
        self._moved = asyncio.Event()  # set whenever the device handled or timed something
        self._off_timer = 0  # which switching the device's own off timer belongs to
        self._client: aiomqtt.Client | None = None
        self._reader: asyncio.Task[None] | None = None
        self._timers: list[asyncio.TimerHandle] = []
        self._tasks: set[asyncio.Task[None]] = set()  # the work `later` started

    # what subclasses define
    def will(self) -> aiomqtt.Will | None:
        return None

    def command_filters(self) -> list[str]:
        return []

    async def birth(self) -> None:
        pass

    async def handle(self, topic: str, payload: bytes) -> None:
        pass

    # -- lifetime --------------------------------------------------------------------

    async def start(self) -> SimulatedDevice:
        self._wanted = True
        client = await self._connect()
        assert client is not None
        self._reader = asyncio.get_running_loop().create_task(self._serve(client))
        await self.birth()
        return self

    async def _connect(self) -> aiomqtt.Client | None:
        # aiomqtt waits forever by default (a DISCONNECT or PUBACK that never
        # comes would hang a test's teardown): bound every wait
        client = aiomqtt.Client(
            self.host, self.port, identifier=self.client_id, will=self.will(), timeout=5
        )
        self._connecting = True  # a cancel in here would leave the socket open
        try:
            await client.__aenter__()
        finally:
            self._connecting = False
        if not self._wanted:  # stopped meanwhile
            with contextlib.suppress(aiomqtt.MqttError, OSError):
                await client.__aexit__(None, None, None)
            return None
        self._client = client
        for topic in self.command_filters():
            await client.subscribe(topic, qos=1)
        self.online.set()
        return client

    async def _serve(self, client: aiomqtt.Client) -> None:
        """Read commands; with `reconnects`, connect again after the broker went
        away, and say online again (the relay and the timers carry on)."""
        while True:
            try:
                await self._read(client)
            except aiomqtt.MqttError:
                if not self.reconnects or self._client is not client:
                    raise
            self.online.clear()
            if self._client is not client:
                return  # stopped, or off the network on purpose
            _seen(client)
            self._client = None
            while self._client is None:
                await asyncio.sleep(_RECONNECT_EVERY)
                with contextlib.suppress(aiomqtt.MqttError, OSError):
                    if await self._connect() is None:
                        return  # stopped while it connected
            client = self._client
            await self.birth()

    async def stop(self) -> None:
        """Power off: the connection closes cleanly and the device's timers stop."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        await self._disconnect(list(self._tasks))

    async def go_offline(self) -> None:
        """Lose the network: no DISCONNECT, so the broker publishes the will.
        The device keeps working (a PulseTime still switches the relay off);
        what it reports meanwhile is lost. `await start()` reconnects it."""
        if self._client is not None:
            sock = self._client._client.socket()
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        await self._disconnect([])

    async def _disconnect(self, tasks: list[asyncio.Task[None]]) -> None:
        self._wanted = False
        self.online.clear()
        client, reader = self._client, self._reader
        self._client, self._reader = None, None
        if reader is not None and self._connecting:
            # reconnecting: its attempt (bounded by `timeout`) ends by itself
            await asyncio.wait([reader], timeout=_STOP_TIMEOUT + 1)
        # Disconnect first: that ends the reader's message loop whatever it
        # awaits. Cancelling the reader first is not enough: Python 3.11's
        # asyncio.wait_for (aiomqtt's publish waits through it) drops a
        # cancel that arrives in the same loop turn as the PUBACK, and the
        # reader then waited for the next message forever (a hung teardown).
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, OSError):
                await client.__aexit__(None, None, None)  # bounded by `timeout`
        pending = [t for t in (reader, *tasks) if t is not None]
        for task in pending:
            task.cancel()
        if pending:
            _, stuck = await asyncio.wait(pending, timeout=_STOP_TIMEOUT)
            if stuck:
                raise RuntimeError(
                    f"simulated device {self.client_id}: {len(stuck)} task(s) still "
                    f"running {_STOP_TIMEOUT} s after stop: {stuck}"
                )
            for task in pending:
                err = None if task.cancelled() else task.exception()
                if err is not None and not isinstance(err, aiomqtt.MqttError):
                    raise err  # a fault in the simulation itself, not a lost broker
        if client is not None:
            _seen(client)

    async def __aenter__(self) -> SimulatedDevice:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            topic = message.topic.value
            payload = message.payload if isinstance(message.payload, bytes) else b""
            self.commands.append((topic, payload, message.retain))
            self.received.set()
            await self.handle(topic, payload)
            self._moved.set()

    async def wait_command(self, count: int = 1) -> None:
        """Until at least `count` commands arrived."""
        while len(self.commands) < count:
            self.received.clear()
            await self.received.wait()

    def changed(self) -> None:
        """The device's own state moved (a timer ran out): wake `wait_until`
        before the report, which a lost network may hold for seconds."""
        self._moved.set()

    async def wait_until(self, done: Callable[[], bool]) -> None:
        """Until `done()` is true of the device (checked whenever it handled a
        command, a timer of its ran or its state moved); bound it with
        asyncio.timeout."""
        while not done():
            self._moved.clear()
            await self._moved.wait()

    async def publish(self, topic: str, payload: str, retain: bool = False) -> None:
        """Send, if connected: a device off the network loses what it says."""
        if self._client is None or not self.online.is_set():
            return
        try:
            await self._client.publish(topic, payload, qos=1, retain=retain)
        except aiomqtt.MqttError:
            if not self.reconnects:
                raise
            # the broker went away meanwhile: lost, as a real report would be

    async def report(self, topic: str, payload: str, retain: bool = False) -> None:
        """A state report, unless this device is set never to confirm; after
        `confirm_delay` seconds when it is a slow one."""
        if not self.confirms:
            return
        if self.confirm_delay > 0:
            self.later(self.confirm_delay, lambda: self.publish(topic, payload, retain))
        else:
            await self.publish(topic, payload, retain)

    def off_timer(self, seconds: float | None, off: Any) -> None:
        """(Re)start the device's own off timer as firmware does: every
        switching replaces the timer of the one before (None: no timer now),
        so an old pulse never cuts a new alarm short."""
        self._off_timer += 1
        mine = self._off_timer
        if not seconds:
            return

        async def run_out() -> None:
            if mine == self._off_timer:
                await off()

        self.later(seconds, run_out)

    def later(self, seconds: float, coro_factory: Any) -> None:
        loop = asyncio.get_running_loop()

        def run() -> None:
            task = loop.create_task(coro_factory())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            task.add_done_callback(lambda _: self._moved.set())

        self._timers.append(loop.call_later(seconds, run))


def _seen(client: aiomqtt.Client) -> None:
    lost = client._disconnected
    if lost.done() and not lost.cancelled():
        lost.exception()  # seen: no "exception never retrieved" at exit


class TasmotaSiren(SimulatedDevice):
    """Tasmota: cmnd/<t>/POWER, PulseTime as its own off timer. A command
    without a payload is a question: Tasmota answers with the state it has."""

    def __init__(self, host: str, port: int, topic: str, **options: Any) -> None:
        super().__init__(host, port, f"tasmota_{topic}", **options)
        self.topic = topic
        self.pulse_time = 0
        self.power = False

    def will(self) -> aiomqtt.Will:
        return aiomqtt.Will(f"tele/{self.topic}/LWT", "Offline", qos=1, retain=True)

    def command_filters(self) -> list[str]:
        return [f"cmnd/{self.topic}/#"]

    async def birth(self) -> None:
        await self.publish(f"tele/{self.topic}/LWT", "Online", retain=True)

    async def handle(self, topic: str, payload: bytes) -> None:
        command = topic.rsplit("/", 1)[-1].lower()
        value = payload.strip().upper()
        if command == "pulsetime":
            if value:
                self.pulse_time = int(value)
            await self.report(
                f"stat/{self.topic}/RESULT",
                json.dumps({"PulseTime1": {"Set": self.pulse_time, "Remaining": 0}}),
            )
        elif command == "power":
            if not value:  # `cmnd/<t>/POWER` with no payload: report, change nothing
                await self._report()
                return
            if value in (b"ON", b"1", b"TRUE"):
                self.power = True
            elif value in (b"OFF", b"0", b"FALSE"):
                self.power = False
            elif value in (b"TOGGLE", b"2"):
                self.power = not self.power
            else:
                await self.report(f"stat/{self.topic}/RESULT", json.dumps({"Command": "Error"}))
                return
            # the timer runs from the switching on
            self.off_timer(self.pulse_seconds if self.power else None, self._pulse_over)
            await self._report()

    @property
    def pulse_seconds(self) -> float:
        t = self.pulse_time
        return t / 10 if t <= 111 else t - 100

    async def _pulse_over(self) -> None:
        self.power = False
        self.changed()
        await self._report()

    async def _report(self) -> None:
        state = "ON" if self.power else "OFF"
        await self.report(f"stat/{self.topic}/RESULT", json.dumps({"POWER": state}))
        await self.report(f"stat/{self.topic}/POWER", state)


class ShellySiren(SimulatedDevice):
    """Shelly Gen2: RPC Switch.Set and Switch.GetStatus on <prefix>/rpc, the
    answer on <src>/rpc. Like the firmware, it publishes its status (and
    NotifyStatus) only when the output changes: switching off an output that
    is off is answered `{"was_on": false}` and nothing else."""

    def __init__(self, host: str, port: int, prefix: str, **options: Any) -> None:
        super().__init__(host, port, f"shelly_{prefix}", **options)
        self.prefix = prefix
        self.output = False

    def will(self) -> aiomqtt.Will:
        return aiomqtt.Will(f"{self.prefix}/online", "false", qos=1, retain=True)

    def command_filters(self) -> list[str]:
        return [f"{self.prefix}/rpc"]

    async def birth(self) -> None:
        await self.publish(f"{self.prefix}/online", "true", retain=True)

    async def handle(self, topic: str, payload: bytes) -> None:
        request = json.loads(payload)
        params = request.get("params", {})
        method = request.get("method")
        if method not in ("Switch.Set", "Switch.GetStatus"):
            await self._answer(request, error={"code": 404, "message": f"No handler for {method}"})
            return
        if params.get("id") != 0:  # one relay: switch:0
            error = {"code": -105, "message": f"Argument 'id', value {params.get('id')} not found!"}
            await self._answer(request, error=error)
            return
        if method == "Switch.GetStatus":
            await self._answer(
                request, result={"id": 0, "source": "init", "output": self.output, "apower": 0.0}
            )
            return
        was_on = self.output
        self.output = bool(params.get("on"))
        toggle_after = params.get("toggle_after") if self.output else None
        self.off_timer(float(toggle_after) if toggle_after else None, self._toggle_back)
        await self._answer(request, result={"was_on": was_on})
        if self.output != was_on:
            await self._report()

    async def _answer(
        self, request: dict[str, Any], *, result: Any = None, error: Any = None
    ) -> None:
        """The RPC answer, on <src>/rpc (a device set never to confirm does
        not answer either)."""
        answer = {"id": request["id"], "src": self.prefix, "dst": request["src"]}
        answer.update({"error": error} if error is not None else {"result": result})
        await self.report(f"{request['src']}/rpc", json.dumps(answer))

    async def _toggle_back(self) -> None:
        if self.output:
            self.output = False
            self.changed()
            await self._report()

    async def _report(self) -> None:
        await self.report(
            f"{self.prefix}/status/switch:0", json.dumps({"id": 0, "output": self.output})
        )
        await self.report(
            f"{self.prefix}/events/rpc",
            json.dumps(
                {
                    "src": self.prefix,
                    "method": "NotifyStatus",
                    "params": {"switch:0": {"id": 0, "output": self.output}},
                }
            ),
        )


#: the IAS warning modes and levels Zigbee2MQTT knows (zigbee-herdsman-converters `warning`)
Z2M_WARNING_MODES = (
    "stop", "burglar", "fire", "emergency", "police_panic", "fire_panic", "emergency_panic",
)  # fmt: skip
Z2M_WARNING_LEVELS = ("low", "medium", "high", "very_high")


class Zigbee2MqttSiren(SimulatedDevice):
    """A Zigbee siren behind Zigbee2MQTT: warning command, `alarm` in its
    state, `/get` answered with the state. A mode or level the converter
    does not know is refused as Zigbee2MQTT does: an error on
    `<base>/bridge/logging`, and the siren does nothing. A warning with
    duration 0 sounds until it is stopped (the IAS warning duration)."""

    def __init__(
        self, host: str, port: int, name: str, base: str = "zigbee2mqtt", **options: Any
    ) -> None:
        super().__init__(host, port, f"z2m_{name}", **options)
        self.name, self.base = name, base
        self.device = f"{base}/{name}"
        self.alarm = False
        self.refused: list[str] = []  # the errors Zigbee2MQTT logged

    def will(self) -> aiomqtt.Will:
        # in real life the bridge publishes this when the device stops answering
        return aiomqtt.Will(
            f"{self.device}/availability", json.dumps({"state": "offline"}), qos=1, retain=True
        )

    def command_filters(self) -> list[str]:
        return [f"{self.device}/set", f"{self.device}/get"]

    async def birth(self) -> None:
        await self.publish(f"{self.device}/availability", json.dumps({"state": "online"}), True)

    async def handle(self, topic: str, payload: bytes) -> None:
        if topic.endswith("/get"):
            await self._report()
            return
        warning = json.loads(payload).get("warning")
        if not isinstance(warning, dict):
            return
        mode = str(warning.get("mode") or "emergency").lower()
        level = str(warning.get("level") or "medium").lower()
        for value, known in ((mode, Z2M_WARNING_MODES), (level, Z2M_WARNING_LEVELS)):
            if value not in known:
                error = f"Error: Expected one of: {', '.join(known)}, got: '{value}'"
                message = f"Publish 'set' 'warning' to '{self.name}' failed: '{error}'"
                self.refused.append(message)
                await self.publish(
                    f"{self.base}/bridge/logging",
                    json.dumps({"level": "error", "message": message}),
                )
                return
        self.alarm = mode != "stop"
        duration = warning.get("duration", 10)
        self.off_timer(float(duration) if self.alarm and duration else None, self._silence)
        await self._report()

    async def _silence(self) -> None:
        self.alarm = False
        self.changed()
        await self._report()

    async def _report(self) -> None:
        await self.report(self.device, json.dumps({"alarm": self.alarm, "linkquality": 120}))


class GenericSiren(SimulatedDevice):
    """A home-made relay: `<base>/set` takes `{"state": "ON", "duration": s}`
    or `OFF`, reports `<base>/state`, and `<base>/status` online/offline."""

    def __init__(self, host: str, port: int, base: str, **options: Any) -> None:
        super().__init__(host, port, f"generic_{base}", **options)
        self.base = base
        self.on = False

    def will(self) -> aiomqtt.Will:
        return aiomqtt.Will(f"{self.base}/status", "offline", qos=1, retain=True)

    def command_filters(self) -> list[str]:
        return [f"{self.base}/set"]

    async def birth(self) -> None:
        await self.publish(f"{self.base}/status", "online", retain=True)

    async def handle(self, topic: str, payload: bytes) -> None:
        text = payload.decode().strip()
        command = json.loads(text) if text.startswith("{") else {"state": text}
        self.on = command.get("state") == "ON"
        duration = command.get("duration") if self.on else None
        self.off_timer(float(duration) if duration else None, self._time_out)
        await self.report(f"{self.base}/state", "ON" if self.on else "OFF")

    async def _time_out(self) -> None:
        self.on = False
        self.changed()
        await self.report(f"{self.base}/state", "OFF")


class ESPHomeSwitch(SimulatedDevice):
    """An ESPHome node with one switch (a siren relay). On connecting it
    publishes its switch's state (retained), as ESPHome does."""

    def __init__(
        self, host: str, port: int, node: str, switch: str = "siren", **options: Any
    ) -> None:
        super().__init__(host, port, f"esphome_{node}", **options)
        self.node = node
        self.switch = switch
        self.on = False

    def will(self) -> aiomqtt.Will:
        return aiomqtt.Will(f"{self.node}/status", "offline", qos=1, retain=True)

    def command_filters(self) -> list[str]:
        return [f"{self.node}/switch/+/command"]

    async def birth(self) -> None:
        await self.publish(f"{self.node}/status", "online", retain=True)
        state = "ON" if self.on else "OFF"
        await self.publish(f"{self.node}/switch/{self.switch}/state", state, retain=True)

    async def handle(self, topic: str, payload: bytes) -> None:
        name = topic.split("/")[2]
        self.on = payload.strip().upper() == b"ON"
        await self.report(f"{self.node}/switch/{name}/state", "ON" if self.on else "OFF", True)


class ESPHomeDoor(ESPHomeSwitch):
    """An ESPHome door controller: `lock_relay` switch and `door_contact`
    binary sensor (ON = open). `open_door()` / `close_door()` move the door."""

    def __init__(self, host: str, port: int, node: str, **options: Any) -> None:
        super().__init__(host, port, node, "lock_relay", **options)
        self.contact_open = False

    @property
    def unlocked(self) -> bool:
        return self.on  # the relay energised

    async def birth(self) -> None:
        await super().birth()  # the relay as it really is (it kept its state offline)
        state = "ON" if self.contact_open else "OFF"
        await self.publish(f"{self.node}/binary_sensor/door_contact/state", state, retain=True)

    async def open_door(self) -> None:
        self.contact_open = True
        await self.publish(f"{self.node}/binary_sensor/door_contact/state", "ON", retain=True)

    async def close_door(self) -> None:
        self.contact_open = False
        await self.publish(f"{self.node}/binary_sensor/door_contact/state", "OFF", retain=True)


async def _demo(host: str, port: int) -> None:
    devices: list[SimulatedDevice] = [
        TasmotaSiren(host, port, "sirene_dinkes_halaman"),
        ShellySiren(host, port, "shelly-diskominfo"),
        Zigbee2MqttSiren(host, port, "sirene_disdukcapil"),
        ESPHomeDoor(host, port, "pintu-server"),
    ]
    for device in devices:
        await device.start()
    print(f"simulating {len(devices)} devices on {host}:{port}; Ctrl-C stops")
    try:
        await asyncio.Event().wait()
    finally:
        for device in devices:
            await device.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Simulated MQTT sirens and a door")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_demo(args.host, args.port))
