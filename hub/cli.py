"""The `sigap` command."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .core import i18n
from .core.config import ConfigErrors, install_log_redaction
from .core.hub import Hub
from .plugins import FIRST_PARTY_PLUGINS

i18n.register(
    {
        "cli.description": {
            "en": (
                "Sigap: an integration hub for building security "
                "(CCTV, doors, sirens, chat alerts)."
            ),
            "id": "Sigap: hub integrasi keamanan gedung (CCTV, pintu, sirene, peringatan chat).",
        },
        "cli.epilog": {
            "en": (
                "examples:\n"
                "  sigap check-config -c config   check config/ and list every mistake\n"
                "  sigap run -c config            run the hub (the demo runs as it is)\n"
                "  sigap plugins                  what is loaded, and what failed\n"
                "Messages are in Indonesian unless SIGAP_LANG=en (or hub.language: en)."
            ),
            "id": (
                "contoh:\n"
                "  sigap check-config -c config   periksa config/ dan tampilkan semua kesalahan\n"
                "  sigap run -c config            jalankan hub (demo langsung jalan)\n"
                "  sigap plugins                  plugin yang dimuat, dan yang gagal\n"
                "Pesan dalam bahasa Indonesia kecuali SIGAP_LANG=en (atau hub.language: en)."
            ),
        },
        "cli.config_ok": {
            "en": "Configuration in {path} is valid: {devices} devices, {sites} sites.",
            "id": "Konfigurasi di {path} valid: {devices} perangkat, {sites} lokasi.",
        },
        "cli.config_bad": {
            "en": "Configuration in {path} has {count} error(s):",
            "id": "Konfigurasi di {path} memiliki {count} kesalahan:",
        },
        "cli.no_config_dir": {
            "en": (
                "Config folder {path} does not exist "
                "(use -c DIR, or copy config/ from the Sigap sources)."
            ),
            "id": (
                "Folder konfigurasi {path} tidak ada "
                "(pakai -c DIR, atau salin config/ dari sumber Sigap)."
            ),
        },
        "cli.warning": {"en": "warning", "id": "peringatan"},
        "cli.plugins_header": {
            "en": "Loaded plugins:",
            "id": "Plugin yang dimuat:",
        },
        "cli.plugins_failed": {
            "en": "Failed plugins:",
            "id": "Plugin yang gagal:",
        },
        "cli.stopping": {
            "en": "Stopping Sigap...",
            "id": "Menghentikan Sigap...",
        },
        "cli.plugin_failures_at_start": {
            "en": "{count} plugin fault(s) at start; the rest of the hub runs. Plugins:",
            "id": "{count} kegagalan plugin saat mulai; bagian hub lainnya tetap jalan. Plugin:",
        },
    }
)


def _parser(lang: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sigap",
        description=i18n.t("cli.description", lang),
        epilog=i18n.t("cli.epilog", lang),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sigap {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-c",
            "--config",
            default="config",
            metavar="DIR",
            type=Path,
            help="config folder holding configuration.yaml (default: ./config)",
        )
        p.add_argument(
            "--block",
            action="append",
            default=[],
            metavar="NAME",
            help="do not load plugin NAME (repeatable)",
        )

    run = sub.add_parser("run", help="run the hub until Ctrl-C / SIGTERM")
    common(run)
    run.add_argument(
        "--log-level",
        default=os.environ.get("SIGAP_LOG_LEVEL", "INFO"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
    )
    check = sub.add_parser("check-config", help="validate the configuration and list every error")
    common(check)
    plugins = sub.add_parser("plugins", help="list loaded plugins, their platforms and failures")
    common(plugins)
    trace = sub.add_parser("trace", help="show the last runs of an automation, step by step")
    common(trace)
    trace.add_argument("automation", metavar="AUTOMATION", help="its id, entity id or alias")
    trace.add_argument("--json", action="store_true", help="print the traces as JSON")
    return parser


def _language() -> str:
    return i18n.console_language(i18n.DEFAULT_LANGUAGE)


def _hub_language(hub: Hub) -> str:
    """SIGAP_LANG when set, else the loaded hub's `hub.language` (default id)."""
    return i18n.console_language(hub.language)


def _setup_logging(level: str, hub: Hub) -> None:
    handler = logging.StreamHandler(sys.stderr)
    # the hub's zone, asked per line: it is known once the config is read
    handler.setFormatter(
        i18n.ZonedLogFormatter(
            "%(asctime)s %(levelname)-7s %(name)s: %(message)s", lambda: hub.time_zone
        )
    )
    logging.basicConfig(level=level, handlers=[handler])
    install_log_redaction()


def _hub(args: argparse.Namespace) -> Hub:
    return Hub(args.config, plugins=FIRST_PARTY_PLUGINS, block=args.block)


def check_config(args: argparse.Namespace, lang: str) -> int:
    if not args.config.is_dir():
        print(i18n.t("cli.no_config_dir", lang, path=args.config), file=sys.stderr)
        return 2
    hub = _hub(args)
    errors = hub.load()
    lang = _hub_language(hub)
    if errors:
        print(i18n.t("cli.config_bad", lang, path=args.config, count=len(errors)), file=sys.stderr)
        for err in errors:
            print(f"  {err.render(lang)}", file=sys.stderr)
        return 1
    devices = sum(len(hub.config.get(d, ())) for d in hub.platforms)
    from .core.automation.engine import configured_reference_warnings

    for warning in configured_reference_warnings(hub):
        print(f"  {i18n.t('cli.warning', lang)}: {i18n.render(warning, lang)}", file=sys.stderr)
    print(
        i18n.t(
            "cli.config_ok",
            lang,
            path=args.config,
            devices=devices,
            sites=len(hub.config.get("sites", ())),
        )
    )
    return 0


def plugin_table(hub: Hub) -> list[str]:
    """One line per plugin: name, ok/FAILED, where it came from, what it
    provides. A plugin that failed to load is listed too, as FAILED."""
    lines = []
    for name, info in hub.plugins.info.items():
        provides = [
            f"{domain}:{p}"
            for domain, platforms in hub.platforms.items()
            for p, cls in platforms.items()
            if hub.plugins.plugin_of(cls.__module__) == name
        ]
        provides += [
            f"trigger:{p}"
            for p, cls in hub.trigger_platforms.items()
            if hub.plugins.plugin_of(cls.__module__) == name
        ]
        status = "FAILED" if hub.plugins.failed(name) else "ok"
        version = f" {info.version}" if info.version else ""
        lines.append(f"  {name:<16} {status:<6} {info.source}{version}  {' '.join(provides)}")
    not_loaded = dict.fromkeys(
        f.plugin for f in hub.plugins.failures if f.plugin not in hub.plugins.info
    )
    for name in not_loaded:
        lines.append(f"  {name:<16} {'FAILED':<6} not loaded")
    return lines


def list_plugins(args: argparse.Namespace, lang: str) -> int:
    hub = _hub(args)
    hub.load()
    print(i18n.t("cli.plugins_header", lang))
    for line in plugin_table(hub):
        print(line)
    if hub.plugins.failures:
        print(i18n.t("cli.plugins_failed", lang))
        for failure in hub.plugins.failures:
            print(f"  {failure}")
        return 1
    return 0


async def _run(hub: Hub, args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await hub.start()
        # What start-up built lives as long as the hub: keep it out of the
        # collector's full passes, which would otherwise stall event handling.
        gc.freeze()
    except ConfigErrors as errors:
        lang = _hub_language(hub)
        print(
            i18n.t("cli.config_bad", lang, path=args.config, count=len(errors.errors)),
            file=sys.stderr,
        )
        for err in errors.errors:
            print(f"  {err.render(lang)}", file=sys.stderr)
        await hub.stop()
        return 1
    if hub.plugins.failures:
        # The table, not a pointer to `sigap plugins`: setup and device faults
        # happen only here, when the hub starts.
        log = logging.getLogger("hub")
        log.warning(
            i18n.t("cli.plugin_failures_at_start", hub.language, count=len(hub.plugins.failures))
        )
        for line in plugin_table(hub):
            log.warning("%s", line)
    await stop.wait()
    logging.getLogger("hub").info(i18n.t("cli.stopping", hub.language))
    await hub.stop()
    return 0


def run(args: argparse.Namespace, lang: str) -> int:
    if not args.config.is_dir():
        print(i18n.t("cli.no_config_dir", lang, path=args.config), file=sys.stderr)
        return 2
    hub = _hub(args)
    _setup_logging(args.log_level, hub)
    try:
        import uvloop  # the faster loop where it is installed
    except ImportError:
        return asyncio.run(_run(hub, args))
    return uvloop.run(_run(hub, args))


def show_trace(args: argparse.Namespace, lang: str) -> int:
    """The traces the running hub saved in <config>/.storage/traces."""
    import json

    from .core.automation.trace_files import format_document, read_traces, trace_folder

    folder = trace_folder(args.config)
    documents = read_traces(folder)
    wanted = args.automation
    found = [d for d in documents if wanted in (d.get("id"), d.get("entity_id"), d.get("alias"))]
    if not found:
        known = ", ".join(str(d.get("id")) for d in documents) or "-"
        print(
            i18n.t("trace.not_found", lang, name=wanted, folder=folder, known=known),
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(found[0], ensure_ascii=False, indent=2))
        return 0
    print("\n".join(format_document(found[0], lang, i18n.DEFAULT_TIME_ZONE)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    lang = _language()
    args = _parser(lang).parse_args(argv)
    commands = {
        "run": run,
        "check-config": check_config,
        "plugins": list_plugins,
        "trace": show_trace,
    }
    if args.command != "run":
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        install_log_redaction()
    return commands[args.command](args, lang)


if __name__ == "__main__":
    sys.exit(main())
