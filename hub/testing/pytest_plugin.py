"""The `hub_factory` fixture: build a started hub from a config dict (or a
config folder) with only the plugins a test names, stopped at teardown; and
`hub_client`: pytest-aiohttp's test client on a hub's HTTP app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from hub.core.clock import Clock
from hub.core.config import install_log_redaction
from hub.core.eventdata import not_plain
from hub.core.http import make_app, runner_options, settings_of
from hub.core.hub import Hub
from hub.core.lograte import LogRate

HubFactory = Callable[..., Awaitable[Hub]]
HubClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def hub_factory(tmp_path: Path) -> AsyncIterator[HubFactory]:
    """`hub = await hub_factory(config={...}, plugins=["hub.plugins.demo"])`.

    `config` is the parsed YAML (a dict) or None to read `config_dir`;
    entry-point autoload is off unless `autoload=True`; `clock=FakeClock()`
    drives every timer of the hub by hand. The hub is started
    unless `start=False`, and always stopped at the end of the test. A
    plugin failure the hub recorded (what `sigap plugins` shows as FAILED)
    fails the test, unless it passed `expect_failures=True`: a fault a user
    would see is never passed over in silence."""
    hubs: list[Hub] = []
    tolerant: set[int] = set()
    not_plain_events: list[str] = []

    async def factory(
        config: Mapping[str, Any] | None = None,
        *,
        plugins: Sequence[Any] = (),
        config_dir: Path | str | None = None,
        autoload: bool = False,
        block: Sequence[str] = (),
        start: bool = True,
        expect_failures: bool = False,
        clock: Clock | None = None,
    ) -> Hub:
        hub = Hub(
            config_dir if config_dir is not None else tmp_path,
            plugins=plugins,
            autoload=autoload,
            block=block,
            config=config,
        )
        if clock is not None:  # a FakeClock: the test moves time itself
            hub.clock = clock
        _check_event_data(hub, not_plain_events)
        hubs.append(hub)
        # As `sigap` does: every handler (pytest's capture too) hides known secrets.
        install_log_redaction(language=lambda: hub.console_language)
        if expect_failures:
            tolerant.add(id(hub))
        if start:
            await hub.start()
        return hub

    yield factory
    for hub in reversed(hubs):
        await hub.stop()
    unexpected = [
        str(failure) for hub in hubs if id(hub) not in tolerant for failure in hub.plugins.failures
    ]
    if unexpected:
        pytest.fail("plugin failures the test did not expect:\n" + "\n".join(unexpected))
    if not_plain_events:
        pytest.fail(
            "events whose data is not plain JSON (send ids and plain values; a Text goes"
            " as its words plus <name>_text = text.as_dict()):\n" + "\n".join(not_plain_events)
        )


@pytest.fixture
async def hub_client(aiohttp_server: Any, aiohttp_client: Any) -> AsyncIterator[HubClient]:
    """`client = await hub_client(hub)`: pytest-aiohttp's TestClient on the
    hub's HTTP app (`make_app(hub)`, or the `app` given, e.g. one whose
    authentication slot a test has filled), served with the options `sigap run`
    serves it with (header timeout, the log that escapes what callers send).
    The hub needs an `http:` section and to be started: webhooks live on it.
    Further keyword arguments go to the client's session
    (`connector=aiohttp.TCPConnector(local_addr=...)`); a second client on the
    same server is `aiohttp_client(client.server, ...)`. Needs pytest-aiohttp
    (sigap-hub's `test` extra)."""
    made: list[tuple[TestClient, LogRate]] = []

    async def make(hub: Hub, app: web.Application | None = None, **session: Any) -> TestClient:
        log = LogRate(logging.getLogger("hub.core.http"), language=lambda: hub.console_language)
        served = app if app is not None else make_app(hub)
        server = await aiohttp_server(served, **runner_options(settings_of(hub), log))
        client: TestClient = await aiohttp_client(server, **session)
        made.append((client, log))
        return client

    yield make
    for client, log in reversed(made):
        await client.close()  # the server first, as `sigap run` stops: then the held counts
        log.close()


def _check_event_data(hub: Hub, problems: list[str]) -> None:
    """Every event the hub fires carries plain JSON data: what the recorder,
    the WebSocket API and another hub receive as they are."""
    fire = hub.bus.fire

    def checked_fire(event_type: str, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        found = not_plain(dict(data), event_type) if data else None
        if found and len(problems) < 20:
            problems.append(found)
        return fire(event_type, data, *args, **kwargs)

    hub.bus.fire = checked_fire  # type: ignore[method-assign]
