"""Run the messenger fakes on their own, for the demo or a hub in another
process: `python -m hub.testing.messengers --telegram-port 8081
--whatsapp-port 8082 --user 111111:Andi:id --contact +6281234567890:Andi`.
It prints where each fake listens and with which token, then serves until
interrupted; people are played through the /fake/ routes (control.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .telegram import FakeTelegram, TelegramLimits
from .whatsapp import FakeWhatsApp


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hub.testing.messengers")
    parser.add_argument("--telegram-port", type=int, default=None, help="0: a free port")
    parser.add_argument("--whatsapp-port", type=int, default=None, help="0: a free port")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        help="a Telegram user ID:NAME[:LANG] who pressed Start",
    )
    parser.add_argument(
        "--contact", action="append", default=[], help="a WhatsApp contact PHONE[:NAME]"
    )
    parser.add_argument(
        "--template",
        action="append",
        default=[],
        help="an approved WhatsApp template NAME:LANG:BODY_PARAMS[:image]",
    )
    parser.add_argument("--no-limits", action="store_true", help="lift every rate limit")
    return parser


async def serve(args: argparse.Namespace) -> None:
    async with contextlib.AsyncExitStack() as stack:
        if args.telegram_port is not None:
            tg = FakeTelegram(limits=None if args.no_limits else TelegramLimits(), control=True)
            tg.port = args.telegram_port
            await stack.enter_async_context(tg)
            for spec in args.user:
                user_id, name, *lang = spec.split(":")
                tg.add_user(int(user_id), name, language_code=lang[0] if lang else "id")
            print(f"telegram {tg.url} token {tg.token}", flush=True)
        if args.whatsapp_port is not None:
            wa = FakeWhatsApp(control=True, auto_statuses=("sent", "delivered"))
            if args.no_limits:
                wa.lift_limits()
            wa.port = args.whatsapp_port
            await stack.enter_async_context(wa)
            for spec in args.contact:
                phone, *name = spec.split(":")
                wa.add_contact(phone, name[0] if name else "Petugas")
            for spec in args.template:
                name, language, params, *header = spec.split(":")
                wa.add_template(
                    name, language, body_params=int(params), header=header[0] if header else None
                )
            print(
                f"whatsapp {wa.graph_url} token {wa.token} phone_number_id {wa.phone_number_id} "
                f"app_secret {wa.app_secret} verify_token {wa.verify_token}",
                flush=True,
            )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.telegram_port is None and args.whatsapp_port is None:
        print("nothing to serve: give --telegram-port and/or --whatsapp-port", file=sys.stderr)
        return 2
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
