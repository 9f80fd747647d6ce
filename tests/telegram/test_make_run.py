"""#12 acceptance 3: `make run` (sigap run on config/) with a Telegram bot
configured sends the demo alarm through Telegram too: config/'s commented
telegram notifier switched on against FakeTelegram (as docs/messengers.md
says to try it without Telegram), Andi on duty gets the photo with the
button, the Command Center's Sari gets the escalation, and when the demo's
Sari acknowledges (the console notifier's answer:) Andi's alert is edited."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from hub.testing.messengers import FakeTelegram
from tests.sigap_process import TROUBLE, copy_demo_config, sigap_run

CONFIG = Path(__file__).resolve().parents[2] / "config"
ANDI, SARI, DEWI = 5550456, 5550123, 5550789


def with_telegram(config: Path, tg: FakeTelegram) -> None:
    """Uncomment config/'s telegram notifier, pointed at the fake."""
    main = config / "configuration.yaml"
    text, found = re.subn(
        r"^  # - platform: telegram\n  #   id: telegram_piket\n  #   name: Telegram piket\n"
        r"  #   bot_token: !secret telegram_bot_token\n",
        "  - platform: telegram\n    id: telegram_piket\n    name: Telegram piket\n"
        f"    bot_token: !secret telegram_bot_token\n    api_url: {tg.url}\n",
        main.read_text("utf-8"),
        flags=re.M,
    )
    assert found == 1, "config/configuration.yaml lost its commented telegram notifier"
    main.write_text(text, "utf-8")
    (config / "secrets.yaml").write_text(f'telegram_bot_token: "{tg.token}"\n', "utf-8")


@pytest.mark.slow
async def test_make_run_sends_the_demo_alarm_through_telegram_too(tmp_path: Path) -> None:
    async with FakeTelegram() as tg:
        for user, name in ((ANDI, "Andi"), (SARI, "Sari"), (DEWI, "Dewi")):
            tg.add_user(user, name)
        config = copy_demo_config(CONFIG, tmp_path / "config")
        with_telegram(config, tg)
        env = {k: v for k, v in os.environ.items() if k != "SIGAP_LANG"}
        async with sigap_run(config, env=env) as hub:
            raised = await hub.until(r"hub\.alarms: alarm (\w+) terjadi di lokasi dinkes")
            alarm_id = re.search(r"alarm (\w+) terjadi", raised)[1]
            [alert, *_] = await tg.wait_for(lambda: tg.messages(ANDI), 30)
            assert "photo" in alert and "Gerakan di lobi Dinkes" in alert["caption"]
            [[button]] = alert["reply_markup"]["inline_keyboard"]
            assert button["callback_data"].startswith(f"ack:{alarm_id}|")
            await hub.until(rf"alarm {alarm_id} diterima oleh Sari Wulandari", 60)
            # the Command Center's escalation reached Sari on Telegram as well
            assert any("photo" in m for m in tg.messages(SARI))

            def edited() -> bool:
                caption = tg.message(ANDI, alert["message_id"]).get("caption", "")
                return "Diterima oleh Sari" in caption

            await tg.wait_for(edited, 30)
            assert "reply_markup" not in tg.message(ANDI, alert["message_id"])
            assert await hub.interrupt() == 0, hub.output
        for trouble in TROUBLE:
            assert trouble not in hub.output, hub.output
        assert tg.token not in hub.output  # the token reaches no log line
