"""Graph's refusals as the outbox needs them: rate limits with retry_after,
a bad token said plainly (and never logged), an oversized webhook body."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from hub import Context, DeliveryError, Notification
from hub.testing.messengers.whatsapp_webhook import signature_256

from .conftest import ANDI

JPEG = (Path(__file__).parents[2] / "hub/plugins/demo/snapshot.jpg").read_bytes()


def _alert(tmp_path, **kw) -> Notification:
    photo = tmp_path / "snap.jpg"
    photo.write_bytes(JPEG)
    return Notification(
        "Gerakan di lobi",
        title="Alarm",
        targets=[ANDI],
        photo_path=str(photo),
        buttons=[("Terima / Acknowledge", "ack:a1")],
        person_id="andi",
        alarm_id="a1",
        **kw,
    )


async def test_send_returns_the_wamid_and_the_pair_limit_says_when(world, tmp_path):
    w = await world()
    notifier = w.hub.devices.get("notify.wa")
    wamid = await notifier.send(_alert(tmp_path), context=Context())
    assert wamid == w.wa.sent_to(ANDI)[0].id
    with pytest.raises(DeliveryError) as refused:
        await notifier.send(_alert(tmp_path), context=Context())
    assert refused.value.retry_after == 6.0 and not refused.value.permanent
    assert "131056" in str(refused.value)
    w.wa.faults.throttle_next(1)
    await w.clock.advance(7)
    with pytest.raises(DeliveryError) as throttled:
        await notifier.send(_alert(tmp_path), context=Context())
    assert throttled.value.retry_after == 1.0 and "130429" in str(throttled.value)


async def test_a_bad_token_is_permanent_said_plainly_and_never_logged(world, tmp_path, caplog):
    w = await world()
    caplog.set_level(logging.DEBUG)
    w.wa.token_expired = True
    notifier = w.hub.devices.get("notify.wa")
    with pytest.raises(DeliveryError) as refused:
        await notifier.send(_alert(tmp_path), context=Context())
    assert refused.value.permanent
    assert "access token (error 190)" in str(refused.value)
    assert w.wa.token not in str(refused.value)
    assert w.wa.token not in caplog.text


async def test_a_5xx_is_retried_later_not_permanent(world, tmp_path):
    w = await world()
    w.wa.faults.fail_next(1, method="messages")
    notifier = w.hub.devices.get("notify.wa")
    with pytest.raises(DeliveryError) as refused:
        await notifier.send(_alert(tmp_path), context=Context())
    assert not refused.value.permanent and refused.value.retry_after is None


async def test_an_oversized_webhook_body_is_refused_unread(world):
    w = await world()
    body = b'{"entry":[' + b" " * (300 * 1024) + b"]}"
    headers = {"X-Hub-Signature-256": signature_256(w.wa.app_secret, body)}
    async with (
        aiohttp.ClientSession() as session,
        session.post(w.url, data=body, headers=headers) as response,
    ):
        assert response.status == 413


async def test_131047_on_the_send_goes_out_as_the_template_at_once(world, tmp_path):
    w = await world()
    notifier = w.hub.devices.get("notify.wa")
    # the hub believes Andi wrote an hour ago; WhatsApp has no such message
    notifier.windows._last["6281234567890"] = w.clock.timestamp() - 3600
    wamid = await notifier.send(_alert(tmp_path), context=Context())
    [sent] = w.wa.sent_to(ANDI)
    assert sent.id == wamid and sent.type == "template"
    assert [c.response.get("error", {}).get("code") for c in w.wa.calls("messages")] == [
        131047,
        None,
    ]
    assert not notifier.windows.is_open("6281234567890")


def test_a_long_template_text_is_cut_between_words() -> None:
    from hub.plugins.whatsapp.notifier import PARAM_LIMIT, _param

    text = _param("kata\n" * 200 + "https://sigap.example.go.id/#/alarms/abc")["text"]
    assert len(text) <= PARAM_LIMIT and text.endswith("kata…") and "\n" not in text
    assert _param("") == {"type": "text", "text": "-"}
