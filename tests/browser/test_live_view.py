"""Live view in the page: an operator presses "Tonton langsung" on a camera
tile and its RTSP stream (a local test source) plays in the <img> as MJPEG;
once the operator leaves the page, the hub's ffmpeg for it is gone within
30 s. The screenshot of a site with a live view is taken here."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import expect

from hub.core.live import LIVE
from hub.testing.cameras.rtsp import RtspSource
from tests.test_media import StreamPlugin

from .conftest import CONFIG, screenshot

CAMERAS = CONFIG["camera"]
#: the frame an <img> shows now, as a data URL (an MJPEG <img> draws its current frame)
PICTURE = """img => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    return canvas.toDataURL("image/png");
}"""


@pytest.fixture
async def rtsp():
    async with RtspSource(mounts=1, fps=10, gop=10) as source:
        yield source


async def test_a_camera_plays_live_on_demand_and_stops_when_the_viewer_leaves(
    serve_dashboard, rtsp
):
    camera = {
        "platform": "stream",
        "id": "lobi_live",
        "name": "Kamera Lobi (langsung)",
        "site": "dinkes",
        "area": "lobi",
        "stream_url": rtsp.url(1),
    }
    more = {
        "camera": [*CAMERAS, camera],
        "media": {"live_linger": 1, "rtsp_timeout": 5},
    }
    async with serve_dashboard(more, plugins=(StreamPlugin(),)) as dashboard:
        hub = dashboard.hub
        await hub.services.call(
            "camera", "snapshot", {"entity_id": "camera.dinkes_lobi"}, hub.context
        )
        page = await dashboard.signed_in("sari")
        await page.goto(dashboard.url + "#/site/dinkes")
        tile = page.locator('figure.tile[data-entity="camera.lobi_live"]')
        await tile.locator("button.watch").click()
        await expect(tile.locator("button.watch")).to_have_attribute("aria-pressed", "true")
        image = tile.locator("img")
        # frames arrive: the picture has a size, and it changes (a clock runs in it)
        await expect(image).to_have_js_property("complete", True, timeout=20_000)
        handle = await image.element_handle()
        await page.wait_for_function("img => img.naturalWidth > 0", arg=handle, timeout=20_000)
        first = await page.evaluate(f"img => ({PICTURE})(img)", handle)
        # a later frame differs from the first (the source's picture moves):
        # the stream goes on, it is not one still frame
        await page.wait_for_function(
            f"([img, first]) => ({PICTURE})(img) !== first", arg=[handle, first], timeout=20_000
        )
        assert "camera.lobi_live" in hub.data[LIVE].streams
        await screenshot(page, "site-live")

        stream = hub.data[LIVE].streams["camera.lobi_live"]
        await page.goto(dashboard.url + "#/")  # the viewer leaves the site page
        async with asyncio.timeout(30):
            await stream.ended.wait()
        assert "camera.lobi_live" not in hub.data[LIVE].streams
        audit = await hub.recorder.audit_trail(entity_id="camera.lobi_live")
        assert [r["who"] for r in audit if r["reason"] == "dasbor: siaran langsung"] == ["sari"]
