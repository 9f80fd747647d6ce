"""`sigap user ...`: passwords and API tokens in `<config>/.storage/auth.json`.

    sigap user add <person>            # the first admin too: there is no default password
    sigap user passwd <person>
    sigap user token add <name> --user <person> [--sites a,b]
    sigap user token revoke <name>
    sigap user token list

A password is asked twice without echo, or read from standard input with
`--password-stdin` (one line). A token's secret is printed once and stored
only as its hash. The person must be in the config's `people:`, and a
token's sites in `sites:`. The running hub reads the file again when it
changes: a revoked token stops working with its next request.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import i18n
from .auth_store import (
    AuthStore,
    Token,
    hash_password,
    new_token_secret,
    password_problem,
    token_digest,
)

if TYPE_CHECKING:
    from ..hub import Hub


def add_parser(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: Callable[[argparse.ArgumentParser], None],
    lang: str,
) -> None:
    """The `user` command and its subcommands, in `lang`."""
    user = sub.add_parser("user", help=i18n.t("cli.help.user", lang))
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    for name in ("add", "passwd"):
        action = actions.add_parser(name, help=i18n.t(f"cli.help.user_{name}", lang))
        common(action)
        action.add_argument("person", metavar="PERSON", help=i18n.t("cli.help.person", lang))
        action.add_argument(
            "--password-stdin",
            action="store_true",
            help=i18n.t("cli.help.password_stdin", lang),
        )
    token = actions.add_parser("token", help=i18n.t("cli.help.user_token", lang))
    what = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    add = what.add_parser("add", help=i18n.t("cli.help.token_add", lang))
    common(add)
    add.add_argument("name", metavar="NAME", help=i18n.t("cli.help.token_name", lang))
    add.add_argument(
        "--user", required=True, metavar="PERSON", help=i18n.t("cli.help.token_user", lang)
    )
    add.add_argument(
        "--sites", default="", metavar="A,B", help=i18n.t("cli.help.token_sites", lang)
    )
    revoke = what.add_parser("revoke", help=i18n.t("cli.help.token_revoke", lang))
    common(revoke)
    revoke.add_argument("name", metavar="NAME", help=i18n.t("cli.help.token_name", lang))
    listing = what.add_parser("list", help=i18n.t("cli.help.token_list", lang))
    common(listing)


def _say(key: str, lang: str, **values: object) -> None:
    print(i18n.t(key, lang, **values))


def _fail(key: str, lang: str, **values: object) -> int:
    print(i18n.t(key, lang, **values), file=sys.stderr)
    return 1


def _new_password(args: argparse.Namespace, person_id: str, name: str, lang: str) -> str | None:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(i18n.t("cli.user.password_prompt", lang, person=person_id))
        again = getpass.getpass(i18n.t("cli.user.password_again", lang))
        if password != again:
            _fail("cli.user.password_mismatch", lang)
            return None
    problem = password_problem(password, person_id, name)
    if problem is not None:
        print(i18n.render(problem, lang), file=sys.stderr)
        return None
    return password


def user_command(args: argparse.Namespace, hub: Hub, lang: str) -> int:
    """Run `sigap user ...` on a loaded hub (its people and sites)."""
    store = AuthStore(args.config)
    data = store.read()
    if args.user_command in ("add", "passwd"):
        person = hub.people.get(args.person)
        if person is None:
            known = ", ".join(p.id for p in hub.people) or "-"
            return _fail("cli.user.no_person", lang, person=args.person, known=known)
        has = person.id in data.passwords
        if args.user_command == "add" and has:
            return _fail("cli.user.exists", lang, person=person.id)
        if args.user_command == "passwd" and not has:
            return _fail("cli.user.not_a_user", lang, person=person.id)
        password = _new_password(args, person.id, person.name, lang)
        if password is None:
            return 1
        data.passwords[person.id] = hash_password(password)
        store.save(data)
        key = "cli.user.added" if args.user_command == "add" else "cli.user.changed"
        _say(key, lang, person=person.id, role=person.role)
        return 0
    if args.token_command == "add":
        return _add_token(args, hub, store, lang)
    if args.token_command == "revoke":
        if data.tokens.pop(args.name, None) is None:
            known = ", ".join(sorted(data.tokens)) or "-"
            return _fail("cli.token.not_found", lang, name=args.name, known=known)
        store.save(data)
        _say("cli.token.revoked", lang, name=args.name)
        return 0
    if not data.tokens:
        _say("cli.token.none", lang)
        return 0
    _say("cli.token.list_header", lang)
    for token in sorted(data.tokens.values(), key=lambda t: t.name):
        sites = ",".join(token.sites) or "*"
        created = i18n.format_time(token.created_at, hub.time_zone, lang)
        print(f"  {token.name:<24} {token.user:<16} {sites:<24} {created}")
    return 0


def _add_token(args: argparse.Namespace, hub: Hub, store: AuthStore, lang: str) -> int:
    import time

    data = store.read()
    name = args.name.strip()
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").isalnum():
        return _fail("cli.token.bad_name", lang, name=args.name)
    if name in data.tokens:
        return _fail("cli.token.exists", lang, name=name)
    person = hub.people.get(args.user)
    if person is None:
        known = ", ".join(p.id for p in hub.people) or "-"
        return _fail("cli.user.no_person", lang, person=args.user, known=known)
    sites = tuple(dict.fromkeys(s.strip() for s in args.sites.split(",") if s.strip()))
    known_sites = {site.id for site in hub.sites}
    unknown = [s for s in sites if s not in known_sites]
    if unknown:
        known = ", ".join(sorted(known_sites)) or "-"
        return _fail("cli.token.unknown_site", lang, sites=", ".join(unknown), known=known)
    secret = new_token_secret()
    data.tokens[name] = Token(name, person.id, token_digest(secret), sites, time.time())
    store.save(data)
    _say("cli.token.added", lang, name=name, person=person.id, sites=",".join(sites) or "*")
    print(secret)
    return 0
