"""`sigap user ...` as an admin runs it: the first admin's password (read
from standard input here; asked twice without echo at a terminal), weak and
unknown refused, tokens shown once and stored hashed, listed without their
secret, revoked; and the hub signs in with what the CLI wrote."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import aiohttp
import yaml

from hub.core.http.auth_store import AUTH_FILE
from tests.sigap_process import sigap_command

from .auth_hub import PEOPLE, SITES

GOOD = "Pusat-Komando-Bontang-2026"


def sigap(*args: str, stdin: str = "", lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIGAP_LANG": lang}
    return subprocess.run(
        [*sigap_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    config = {"hub": {"language": "id"}, "sites": SITES, "people": PEOPLE}
    (folder / "configuration.yaml").write_text(yaml.safe_dump(config))
    return folder


def stored(folder: Path) -> dict:
    return json.loads((folder / ".storage" / AUTH_FILE).read_text())


def test_user_add_writes_an_argon2_hash_in_a_private_file(tmp_path):
    folder = config_dir(tmp_path)
    for weak, why in (("", "empty"), ("pendek", "too short"), ("password123", "too easy")):
        refused = sigap("user", "add", "rina", "-c", str(folder), "--password-stdin", stdin=weak)
        assert refused.returncode == 1 and why in refused.stderr, refused.stderr
    assert not (folder / ".storage" / AUTH_FILE).exists()
    unknown = sigap("user", "add", "budi", "-c", str(folder), "--password-stdin", stdin=GOOD)
    assert unknown.returncode == 1
    assert "budi is not a person" in unknown.stderr and "rina" in unknown.stderr
    added = sigap("user", "add", "rina", "-c", str(folder), "--password-stdin", stdin=GOOD + "\n")
    assert added.returncode == 0, added.stderr
    assert "rina (admin) can now sign in" in added.stdout
    path = folder / ".storage" / AUTH_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert GOOD not in text and stored(folder)["users"]["rina"]["password"].startswith("$argon2id$")
    again = sigap("user", "add", "rina", "-c", str(folder), "--password-stdin", stdin=GOOD)
    assert again.returncode == 1 and "sigap user passwd rina" in again.stderr
    # in Indonesian too
    said = sigap("user", "passwd", "andi", "-c", str(folder), "--password-stdin", lang="id")
    assert said.returncode == 1 and "belum punya kata sandi" in said.stderr


def test_tokens_are_shown_once_listed_without_secrets_and_revoked(tmp_path):
    folder = config_dir(tmp_path)
    bad_site = sigap(
        "user", "token", "add", "erp", "--user", "sari", "--sites", "x", "-c", str(folder)
    )
    assert bad_site.returncode == 1 and "unknown sites: x" in bad_site.stderr
    made = sigap(
        "user",
        "token",
        "add",
        "erp-dinkes",
        "--user",
        "sari",
        "--sites",
        "dinkes",
        "-c",
        str(folder),
    )
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("sgp_") and len(secret) > 40
    assert secret not in (folder / ".storage" / AUTH_FILE).read_text()
    assert stored(folder)["tokens"]["erp-dinkes"]["sites"] == ["dinkes"]
    listed = sigap("user", "token", "list", "-c", str(folder))
    assert "erp-dinkes" in listed.stdout and "sari" in listed.stdout
    assert secret not in listed.stdout
    revoked = sigap("user", "token", "revoke", "erp-dinkes", "-c", str(folder))
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert stored(folder)["tokens"] == {}
    gone = sigap("user", "token", "revoke", "erp-dinkes", "-c", str(folder))
    assert gone.returncode == 1


async def test_the_hub_signs_in_with_what_the_cli_wrote_and_forgets_a_revoked_token(
    tmp_path, hub_factory, hub_client
):
    folder = config_dir(tmp_path)
    with (folder / "configuration.yaml").open("a") as file:
        file.write("http:\n  server_port: 0\n")
    # before `sigap user add` there is no password at all: nothing signs in
    # (no default, no empty one, not the name), and no token file exists
    fresh = await hub_factory(config_dir=folder)
    browser = await hub_client(fresh, cookie_jar=aiohttp.DummyCookieJar())
    for password in ("", "admin", "sigap", "rina", "password", "123456"):
        tried = await browser.post("/api/auth/login", json={"user": "rina", "password": password})
        assert tried.status in (400, 401, 429), (password, tried.status)
    assert (await browser.get("/api/me")).status == 401
    await fresh.stop()
    assert (
        sigap("user", "add", "rina", "-c", str(folder), "--password-stdin", stdin=GOOD).returncode
        == 0
    )
    made = sigap("user", "token", "add", "monitor", "--user", "rina", "-c", str(folder))
    secret = made.stdout.strip().splitlines()[-1]
    hub = await hub_factory(config_dir=folder)
    client = await hub_client(hub, cookie_jar=aiohttp.DummyCookieJar())
    signed_in = await client.post("/api/auth/login", json={"user": "rina", "password": GOOD})
    assert signed_in.status == 200
    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/me", headers=bearer)).status == 200
    # the running hub is not restarted: the CLI's change is read on the next request
    assert sigap("user", "token", "revoke", "monitor", "-c", str(folder)).returncode == 0
    assert (await client.get("/api/me", headers=bearer)).status == 401
