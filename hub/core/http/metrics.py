"""/metrics: the hub's figures in the Prometheus text format.

    sigap_events_total{event_type}        events on the bus (rate() gives events/s)
    sigap_automation_runs_total           automation runs started
    sigap_automation_failures_total       runs that ended in an error
    sigap_device_available{entity_id,domain,site}   1 available, 0 not
    sigap_websocket_clients               WebSocket clients connected
    sigap_websocket_dropped_total         WebSocket clients dropped for not keeping up
    sigap_loop_lag_seconds                the event loop's lag now (hub/core/watchdog.py)
    sigap_loop_max_lag_seconds            the largest lag seen since start
    sigap_recorder_queued                 events, states and audit records not yet written
    sigap_recorder_lag_seconds            how old the oldest of them is (0 with none waiting)
    sigap_outbox_pending                  outgoing messages waiting or being sent (the depth)
    sigap_outbox_delivered_total          messages the messengers took (this run)
    sigap_outbox_failed_total             messages given up or refused for good (this run)
    sigap_http_sessions                   browser sessions open
    sigap_alarms_open{state,priority,site}          alarms not closed yet
    sigap_alarm_time_to_acknowledge_seconds         histogram: raised -> first acknowledgement

Counting an event is one dict increment in a listener; everything else is
read when Prometheus scrapes, from a registry of this hub's own (two hubs in
one process never mix figures). Who may read it: a signed-in admin, an API
token of an admin (`sigap user token add prometheus --user <admin>`), or a
caller from `http.metrics_allow` (addresses or networks, e.g. the Prometheus
server's); anyone else is refused like any other request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..alarms import ALARMS
from ..automation.runner import EVENT_AUTOMATION_FAILED, EVENT_AUTOMATION_TRIGGERED
from ..bus import MATCH_ALL, Event
from ..i18n import Text
from ..keys import HubKey
from ..outbox import OUTBOX
from .auth import CONTEXT, Auth
from .auth_scope import token_name
from .callers import Network, address, caller

if TYPE_CHECKING:
    from ..hub import Hub

METRICS_PATH = "/metrics"

# Event types are named by the hub and its plugins, but a fired event's type may
# come from outside (the API, another hub): past this many, the rest count as one.
MAX_EVENT_TYPES = 500
OTHER = "_other"

EVENT_ALARM_ACKNOWLEDGED = "alarm.acknowledged"
#: time to acknowledge, in seconds: a minute, five (a typical respond_within), an hour
ACK_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, float("inf"))


class Metrics:
    """The figures of one hub; `close()` stops counting."""

    def __init__(self, hub: Hub) -> None:
        from prometheus_client import CollectorRegistry  # only where metrics are served

        self.hub = hub
        self.events: Counter[str] = Counter()
        #: how many WebSocket clients are connected (the WebSocket API sets it)
        self.websocket_clients: Callable[[], int] = lambda: 0
        self.websocket_dropped: Callable[[], int] = lambda: 0
        self.sessions: Callable[[], int] = lambda: 0
        #: acknowledgements per ACK_BUCKETS upper bound (not cumulative), and their sum
        self.ack_counts = [0] * len(ACK_BUCKETS)
        self.ack_sum = 0.0
        self._unlisten = hub.bus.listen(MATCH_ALL, self._count, owner="metrics")
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_Collector(self))

    def _count(self, event: Event) -> None:
        kind = event.event_type
        if kind not in self.events and len(self.events) >= MAX_EVENT_TYPES:
            kind = OTHER
        self.events[kind] += 1
        if kind == EVENT_ALARM_ACKNOWLEDGED:
            seconds = event.data.get("seconds")
            if isinstance(seconds, int | float) and seconds >= 0:
                self.ack_sum += seconds
                index = next(i for i, bound in enumerate(ACK_BUCKETS) if seconds <= bound)
                self.ack_counts[index] += 1

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return bytes(generate_latest(self.registry))

    def close(self) -> None:
        self._unlisten()


class _Collector:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        metrics, hub = self.metrics, self.metrics.hub
        events = CounterMetricFamily(
            "sigap_events", "Events fired on the hub's bus, by type.", labels=["event_type"]
        )
        for kind, count in sorted(metrics.events.items()):
            events.add_metric([kind], count)
        yield events
        yield CounterMetricFamily(
            "sigap_automation_runs",
            "Automation runs started.",
            value=metrics.events.get(EVENT_AUTOMATION_TRIGGERED, 0),
        )
        yield CounterMetricFamily(
            "sigap_automation_failures",
            "Automation runs that ended in an error.",
            value=metrics.events.get(EVENT_AUTOMATION_FAILED, 0),
        )
        available = GaugeMetricFamily(
            "sigap_device_available",
            "Whether a device is available (1) or not (0).",
            labels=["entity_id", "domain", "site"],
        )
        for device in hub.devices.all():
            labels = [device.entity_id, device.domain, device.site or ""]
            available.add_metric(labels, 1.0 if device.available else 0.0)
        yield available
        yield GaugeMetricFamily(
            "sigap_websocket_clients",
            "WebSocket clients connected.",
            value=metrics.websocket_clients(),
        )
        yield CounterMetricFamily(
            "sigap_websocket_dropped",
            "WebSocket clients dropped because they did not keep up.",
            value=metrics.websocket_dropped(),
        )
        watch = hub.loop_watch
        yield GaugeMetricFamily(
            "sigap_loop_lag_seconds", "The event loop's lag now.", value=watch.lag
        )
        yield GaugeMetricFamily(
            "sigap_loop_max_lag_seconds", "The largest loop lag seen.", value=watch.max_lag
        )
        recorder = getattr(hub, "recorder", None)
        queued = getattr(recorder, "queued", 0)
        yield GaugeMetricFamily(
            "sigap_recorder_queued",
            "Events, states and audit records waiting to be written.",
            value=float(queued if isinstance(queued, int) else 0),
        )
        oldest = recorder.oldest_waiting() if recorder is not None else None
        yield GaugeMetricFamily(
            "sigap_recorder_lag_seconds",
            "Seconds since the oldest event, state or audit record still waiting to be written.",
            value=max(0.0, hub.clock.timestamp() - oldest) if oldest is not None else 0.0,
        )
        yield from _outbox_figures(hub)
        yield GaugeMetricFamily(
            "sigap_http_sessions", "Browser sessions open.", value=metrics.sessions()
        )
        yield from _alarm_figures(metrics, hub)


def _outbox_figures(hub: Hub) -> Iterator[Any]:
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    outbox = hub.data.get(OUTBOX)
    yield GaugeMetricFamily(
        "sigap_outbox_pending",
        "Outgoing messages waiting or being sent.",
        value=outbox.pending() if outbox is not None else 0,
    )
    yield CounterMetricFamily(
        "sigap_outbox_delivered",
        "Outgoing messages a messenger took since start.",
        value=outbox.delivered if outbox is not None else 0,
    )
    yield CounterMetricFamily(
        "sigap_outbox_failed",
        "Outgoing messages given up or refused for good since start.",
        value=outbox.failed if outbox is not None else 0,
    )


def _alarm_figures(metrics: Metrics, hub: Hub) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

    opened = GaugeMetricFamily(
        "sigap_alarms_open",
        "Alarms not closed yet, by state, priority and site.",
        labels=["state", "priority", "site"],
    )
    manager = hub.data.get(ALARMS)
    counted: Counter[tuple[str, str, str]] = Counter()
    for alarm in manager.open.values() if manager is not None else ():
        counted[(alarm.state, str(alarm.record.get("priority", "")), alarm.site or "")] += 1
    for labels, count in sorted(counted.items()):
        opened.add_metric(list(labels), count)
    yield opened
    cumulative, buckets = 0, []
    for bound, count in zip(ACK_BUCKETS, metrics.ack_counts, strict=True):
        cumulative += count
        buckets.append(("+Inf" if bound == float("inf") else f"{bound:g}", cumulative))
    yield HistogramMetricFamily(
        "sigap_alarm_time_to_acknowledge_seconds",
        "Seconds from an alarm's raising to its first acknowledgement.",
        buckets=buckets,
        sum_value=metrics.ack_sum,
    )


METRICS: HubKey[Metrics] = HubKey("http.metrics")


def metrics_of(hub: Hub) -> Metrics:
    metrics = hub.data.get(METRICS)
    if metrics is None:
        metrics = hub.data[METRICS] = Metrics(hub)
    return metrics


def _allowed_address(request: web.BaseRequest, auth: Auth, allow: tuple[Network, ...]) -> bool:
    ip = address(caller(request, auth.trusted_proxies))
    return ip is not None and any(ip.version == n.version and ip in n for n in allow)


def handler(hub: Hub, auth: Auth, allow: tuple[Network, ...]) -> Any:
    """GET /metrics for an admin, an admin's token, or an allowed address."""
    metrics = metrics_of(hub)
    metrics.sessions = lambda: len(auth.sessions)

    async def serve(request: web.Request) -> web.Response:
        from prometheus_client import CONTENT_TYPE_LATEST

        context = request.get(CONTEXT)
        if not _allowed_address(request, auth, allow):
            if context is None:
                return auth.refuse(request, 401, "unauthorized", Text("auth.error.unauthorized"))
            admin = hub.people.may_site(context, None, "admin")
            if not admin or (token_name(context) and auth.token_sites(token_name(context) or "")):
                return auth.refuse(
                    request, 403, "forbidden", Text("auth.error.metrics"), context=context
                )
        headers = {"Content-Type": CONTENT_TYPE_LATEST}
        return web.Response(body=metrics.render(), headers=headers)

    return serve
