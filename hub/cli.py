"""The `sigap` command."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import re
import signal
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .core import i18n
from .core.config import ConfigErrors, RedactingWriter, install_log_redaction
from .core.hub import Hub, StartupFailed
from .core.instance import FolderLock, HubAlreadyRunning
from .core.plugins import Quarantined, read_quarantined
from .plugins import FIRST_PARTY_PLUGINS

# argparse's error messages (Python 3.11+), as patterns: what they say in our words.
_ARGPARSE_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<names>.*)"), "cli.error.required"),
    (
        re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)"),
        "cli.error.choice",
    ),
    (re.compile(r"unrecognized arguments: (?P<names>.*)"), "cli.error.unrecognized"),
    (re.compile(r"expected one argument"), "cli.error.one_argument"),
)
_ARGUMENT_ERROR = re.compile(r"argument (?P<name>[^:]+): (?P<message>.*)", re.DOTALL)


def _argparse_error(message: str, lang: str) -> str:
    match = _ARGUMENT_ERROR.fullmatch(message)
    if match:
        inner = _argparse_error(match["message"], lang)
        return i18n.t("cli.error.argument", lang, name=match["name"], message=inner)
    for pattern, key in _ARGPARSE_ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return i18n.t(key, lang, **match.groupdict())
    return message


def _parser_class(lang: str) -> type[argparse.ArgumentParser]:
    """An ArgumentParser whose own words (usage, section titles, -h, errors)
    are in `lang`: argparse has them only in English, through gettext."""

    class Formatter(argparse.RawDescriptionHelpFormatter):
        def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
            prefix = i18n.t("cli.usage", lang) if prefix is None else prefix
            super().add_usage(usage, actions, groups, prefix)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", Formatter)
            kwargs["add_help"] = False
            super().__init__(*args, **kwargs)
            self._positionals.title = i18n.t("cli.positionals", lang)
            self._optionals.title = i18n.t("cli.options", lang)
            self.add_argument(
                "-h",
                "--help",
                action="help",
                default=argparse.SUPPRESS,
                help=i18n.t("cli.help", lang),
            )

        def error(self, message: str) -> NoReturn:
            self.print_usage(sys.stderr)
            said = i18n.t("cli.error", lang, prog=self.prog, message=_argparse_error(message, lang))
            self.exit(2, said + "\n")

    return Parser


def _parser(lang: str) -> argparse.ArgumentParser:
    parser = _parser_class(lang)(
        prog="sigap",
        description=i18n.t("cli.description", lang),
        epilog=i18n.t("cli.epilog", lang),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sigap {__version__}",
        help=i18n.t("cli.version", lang),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-c",
            "--config",
            default="config",
            metavar="DIR",
            type=Path,
            help=i18n.t("cli.help.config", lang),
        )
        p.add_argument(
            "--block",
            action="append",
            default=[],
            metavar="NAME",
            help=i18n.t("cli.help.block", lang),
        )

    run = sub.add_parser("run", help=i18n.t("cli.help.run", lang))
    common(run)
    run.add_argument(
        "--log-level",
        default=os.environ.get("SIGAP_LOG_LEVEL", "INFO"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help=i18n.t("cli.help.log_level", lang),
    )
    check = sub.add_parser("check-config", help=i18n.t("cli.help.check_config", lang))
    common(check)
    plugins = sub.add_parser("plugins", help=i18n.t("cli.help.plugins", lang))
    common(plugins)
    trace = sub.add_parser("trace", help=i18n.t("cli.help.trace", lang))
    common(trace)
    trace.add_argument("automation", metavar="AUTOMATION", help=i18n.t("cli.help.automation", lang))
    trace.add_argument("--json", action="store_true", help=i18n.t("cli.help.json", lang))
    from .core.http import auth_cli
    from .core.reports import cli as reports_cli

    auth_cli.add_parser(sub, common, lang)
    reports_cli.add_parsers(sub, common, lang)
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
    install_log_redaction(language=lambda: hub.console_language)


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


def _source(source: str, lang: str) -> str:
    """Where a plugin came from ("core", "builtin", "entry point <dist>"), in `lang`."""
    if source.startswith("entry point "):
        return i18n.t("cli.plugin.source.entry_point", lang, name=source[len("entry point ") :])
    key = f"cli.plugin.source.{source}"
    return i18n.t(key, lang) if i18n.has(key) else source


def plugin_table(hub: Hub, lang: str = "en", quarantined: Sequence[Quarantined] = ()) -> list[str]:
    """One line per plugin: name, ok/FAILED/QUARANTINED, where it came from,
    what it provides. A plugin that failed to load is listed too, as FAILED;
    one with a listener switched off (in this hub, or in `quarantined`: the
    running hub's, read from its folder) as QUARANTINED."""
    ok, failed = i18n.t("cli.plugin.ok", lang), i18n.t("cli.plugin.failed", lang)
    switched_off = {q.plugin for q in (*hub.plugins.quarantined, *quarantined)}
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
        status = failed if hub.plugins.failed(name) else ok
        if name in switched_off:
            status = i18n.t("cli.plugin.quarantined", lang)
        version = f" {info.version}" if info.version else ""
        source = _source(info.source, lang)
        lines.append(f"  {name:<16} {status:<6} {source}{version}  {' '.join(provides)}")
    not_loaded = dict.fromkeys(
        f.plugin for f in hub.plugins.failures if f.plugin not in hub.plugins.info
    )
    for name in not_loaded:
        lines.append(f"  {name:<16} {failed:<6} {i18n.t('cli.plugin.not_loaded', lang)}")
    for name in dict.fromkeys(q.plugin for q in quarantined):
        if name not in hub.plugins.info and name not in not_loaded:
            word = i18n.t("cli.plugin.quarantined", lang)
            lines.append(f"  {name:<16} {word:<6} {i18n.t('cli.plugin.only_running', lang)}")
    return lines


def list_plugins(args: argparse.Namespace, lang: str) -> int:
    hub = _hub(args)
    hub.load()
    lang = _hub_language(hub)
    quarantined = read_quarantined(args.config)
    print(i18n.t("cli.plugins_header", lang))
    for line in plugin_table(hub, lang, quarantined):
        print(line)
    if hub.plugins.failures:
        print(i18n.t("cli.plugins_failed", lang))
        for failure in hub.plugins.failures:
            times = i18n.t("cli.failure_count", lang, count=failure.count)
            print(f"  {failure.render(lang)}{times if failure.count > 1 else ''}")
    if quarantined:
        print(i18n.t("cli.plugins_quarantined", lang))
        for record in quarantined:
            since = i18n.format_time(record.when, hub.time_zone, lang)
            said = i18n.t("cli.quarantined_since", lang, since=since)
            print(f"  {record.text().render(lang)} {said}")
    return 1 if hub.plugins.failures or quarantined else 0


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
    except StartupFailed as failed:
        print(i18n.render(failed.args[0], _hub_language(hub)), file=sys.stderr)
        return 1
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
        lang = _hub_language(hub)
        log.warning(i18n.t("cli.plugin_failures_at_start", lang, count=len(hub.plugins.failures)))
        for line in plugin_table(hub, lang):
            log.warning("%s", line)
    await stop.wait()
    logging.getLogger("hub").info(i18n.t("cli.stopping", _hub_language(hub)))
    await hub.stop()
    return 0


def run(args: argparse.Namespace, lang: str) -> int:
    if not args.config.is_dir():
        print(i18n.t("cli.no_config_dir", lang, path=args.config), file=sys.stderr)
        return 2
    hub = _hub(args)
    lock = FolderLock(args.config)
    try:
        lock.acquire()
    except HubAlreadyRunning as err:
        hub.load()
        print(i18n.render(err.text(), _hub_language(hub)), file=sys.stderr)
        return 1
    try:
        _setup_logging(args.log_level, hub)
        try:
            import uvloop  # the faster loop where it is installed
        except ImportError:
            return asyncio.run(_run(hub, args))
        return uvloop.run(_run(hub, args))
    finally:
        lock.release()


def show_trace(args: argparse.Namespace, lang: str) -> int:
    """The traces the hub saved in its recorder's database (the hub may be
    running in another process: SQLite's WAL and PostgreSQL let it write on)."""
    import json

    from .core.automation.trace_files import format_document
    from .core.recorder import RecorderSettings, database, traces
    from .core.recorder.recorder import error_line

    hub = _hub(args)
    hub.load()  # its secrets (a trace saved with one prints it hidden) and its database
    if not i18n.console_language(""):  # no SIGAP_LANG: the hub's configured language
        lang = _hub_language(hub)
    wanted = args.automation
    try:
        settings = RecorderSettings.from_config(hub.config.get("recorder"), args.config)
    except Exception:  # `sigap check-config` says what is wrong with the section
        settings = RecorderSettings.from_config(None, args.config)

    async def read() -> tuple[list[dict[str, Any]], list[str]]:
        if settings.sqlite_file is not None and not settings.sqlite_file.exists():
            return [], []  # no hub has run here yet: nothing to show, nothing created
        engine = database.create_engine(settings)
        try:
            return await traces.documents(engine, wanted), await traces.automation_ids(engine)
        finally:
            await engine.dispose()

    try:
        found, known = _run_coroutine(read)
    except Exception as err:  # the database away, or older than this hub (not yet upgraded)
        said = i18n.t("trace.unreadable", lang, url=settings.shown_url, error=error_line(err))
        print(said, file=sys.stderr)
        return 1
    if not found:
        print(
            i18n.t(
                "trace.not_found",
                lang,
                name=wanted,
                folder=settings.shown_url,
                known=", ".join(known) or "-",
            ),
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(found[0], ensure_ascii=False, indent=2))
        return 0
    print("\n".join(format_document(found[0], lang, i18n.DEFAULT_TIME_ZONE)))
    return 0


def _run_coroutine(make: Any) -> Any:
    """asyncio.run(make()); on a thread of its own when the caller has a
    loop running (main() called by a program or a test that is async)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def user(args: argparse.Namespace, lang: str) -> int:
    """`sigap user ...`: passwords and API tokens (hub/core/http/auth_cli.py)."""
    from .core.http import auth_cli

    if not args.config.is_dir():
        print(i18n.t("cli.no_config_dir", lang, path=args.config), file=sys.stderr)
        return 2
    hub = _hub(args)
    errors = hub.load()
    lang = _hub_language(hub)
    if errors:  # the people and sites it names must be the ones the hub will run with
        print(i18n.t("cli.config_bad", lang, path=args.config, count=len(errors)), file=sys.stderr)
        for err in errors:
            print(f"  {err.render(lang)}", file=sys.stderr)
        return 1
    return auth_cli.user_command(args, hub, lang)


def records(args: argparse.Namespace, lang: str) -> int:
    """`sigap report|history|alarms|audit`: the recorder's database, read
    only (hub/core/reports/cli.py)."""
    from .core.reports import cli as reports_cli

    if not args.config.is_dir():
        print(i18n.t("cli.no_config_dir", lang, path=args.config), file=sys.stderr)
        return 2
    hub = _hub(args)
    errors = hub.load()
    lang = _hub_language(hub)
    if errors:  # its recorder settings, sites and cameras are the ones the hub runs with
        print(i18n.t("cli.config_bad", lang, path=args.config, count=len(errors)), file=sys.stderr)
        for err in errors:
            print(f"  {err.render(lang)}", file=sys.stderr)
        return 1
    return reports_cli.command(args, hub, lang)


def main(argv: Sequence[str] | None = None) -> int:
    # Whatever a command prints (an error, a plugin failure, a trace) hides known secrets.
    with redirect_stdout(RedactingWriter(sys.stdout)), redirect_stderr(RedactingWriter(sys.stderr)):
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    lang = _language()
    args = _parser(lang).parse_args(argv)
    commands = {
        "run": run,
        "check-config": check_config,
        "plugins": list_plugins,
        "trace": show_trace,
        "user": user,
        "report": records,
        "history": records,
        "alarms": records,
        "audit": records,
        "outbox": records,
    }
    if args.command != "run":
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        install_log_redaction(language=lambda: i18n.console_language(lang))
    return commands[args.command](args, lang)


if __name__ == "__main__":
    sys.exit(main())
