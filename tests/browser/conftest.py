"""A real hub serving the dashboard, and Debian's Chromium (/usr/bin/chromium)
driven by Playwright for Python: no browser download, the package the
project's setup installs (scripts/debian-packages.txt). Without it the tests
skip, and under CI=true they fail.

The hub has two sites with a camera, a door, a siren and an alarm panel
each, an automation that runs when `test.tombol` fires, and the people of
tests/http/auth_hub.py with their passwords; it records to SQLite in the
test's folder and is served on a free port of 127.0.0.1, where the browser
opens it as anyone would."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from hub.testing.required import missing_service
from tests.http.auth_hub import DOORS, PASSWORD, PEOPLE, SITES, write_users

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WALL = {"width": 1920, "height": 1080}  # the Command Center's wall screen
PHONE = {"width": 390, "height": 844}

CONFIG: dict[str, Any] = {
    "hub": {"language": "id", "time_zone": "Asia/Makassar"},
    "sites": SITES,
    "people": PEOPLE,
    "door": DOORS,
    "camera": [
        {
            "platform": "demo",
            "id": "dinkes_lobi",
            "name": "Kamera Lobi Dinkes",
            "site": "dinkes",
            "area": "lobi",
            "simulate": False,
        },
        {
            "platform": "demo",
            "id": "server",
            "name": "Kamera Ruang Server",
            "site": "diskominfo",
            "area": "ruang_server",
            "simulate": False,
        },
    ],
    "siren": [
        {"platform": "demo", "id": "dinkes_lobi", "name": "Sirene Lobi Dinkes", "site": "dinkes"},
        {"platform": "demo", "id": "server", "name": "Sirene Server", "site": "diskominfo"},
    ],
    "alarm_control_panel": [
        {"platform": "manual", "id": site, "site": site, "arming_time": 0}
        for site in ("dinkes", "diskominfo")
    ],
    "automation": [
        {
            "id": "tombol_panik",
            "alias": "Tombol panik lobi Dinkes",
            "triggers": [{"trigger": "event", "event_type": "test.tombol"}],
            "actions": [
                {"action": "siren.turn_on", "target": {"entity_id": "siren.dinkes_lobi"}},
                {"event": "test.tercatat", "event_data": {"site": "dinkes"}},
            ],
        }
    ],
}


@dataclass
class Dashboard:
    hub: Any
    url: str  # http://127.0.0.1:<port>/
    browser: Any
    app: Any  # the hub's aiohttp application being served

    def sockets(self) -> Any:
        """The app's WebSocket API."""
        from hub.core.http.websocket import WEBSOCKETS

        return self.app[WEBSOCKETS]

    async def page(self, viewport: dict[str, int] = WALL, **options: Any) -> Any:
        context = await self.browser.new_context(viewport=viewport, **options)
        return await context.new_page()

    async def signed_in(self, user: str, **options: Any) -> Any:
        """A page signed in as `user` through the sign-in form, live stream open."""
        from playwright.async_api import expect

        page = await self.page(**options)
        await page.goto(self.url)
        await page.locator("#user").fill(user)
        await page.locator("#password").fill(PASSWORD[user])
        await page.locator("form.signin button[type=submit]").click()
        await expect(page.locator("#top")).to_be_visible(timeout=10_000)
        # the socket subscribed: from here on nothing the hub does is missed
        await expect(page.locator("#live.on")).to_be_visible(timeout=10_000)
        return page

    async def raise_alarm(self, site: str, title: dict[str, str], **more: Any) -> str:
        data = {"title": title, "priority": "high", "site": site, **more}
        answer = await self.hub.services.call("alarm", "raise", data, self.hub.context)
        return str(answer["alarm_id"])


def chromium() -> Path:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        missing_service("Debian's chromium is not installed (scripts/debian-packages.txt)")
    return CHROMIUM


@pytest.fixture(autouse=True)
def _patient_expectations():
    """Every page condition gets 10 s (Playwright's default is 5): the CI
    machine's two cores also run the hub, its recorder and ffmpeg."""
    try:
        from playwright.async_api import expect
    except ImportError:
        return
    expect.set_options(timeout=10_000)


@pytest.fixture
def serve_dashboard(hub_factory, hub_client, tmp_path):
    """`async with serve_dashboard(more_config, plugins) as dashboard:` a hub of
    CONFIG (updated with `more`) served to a Chromium."""
    path = chromium()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        missing_service("playwright is not installed (the test extra: make setup)")

    @asynccontextmanager
    async def serve(more: dict[str, Any] | None = None, plugins: tuple = ()):
        write_users(tmp_path, {})
        config = {**CONFIG, **(more or {}), "http": {"server_port": 0}}
        hub = await hub_factory(
            config=config, plugins=["hub.plugins.demo", "hub.plugins.arming", *plugins]
        )
        client = await hub_client(hub, cookie_jar=aiohttp.DummyCookieJar())
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(path))
            try:
                yield Dashboard(hub, str(client.make_url("/")), browser, client.server.app)
            finally:
                await browser.close()

    return serve


@pytest.fixture
async def dashboard(serve_dashboard) -> AsyncIterator[Dashboard]:
    async with serve_dashboard() as served:
        yield served


async def screenshot(page: Any, name: str) -> None:
    """docs/screenshots/<name>.png: the docs show what the tests saw."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
