"""HTTPS from the hub itself (`ssl_certificate`, `ssl_key`): the browser
talks TLS to the hub's own listener, the session cookie is Secure, plain
HTTP gets nothing, and a certificate that cannot be used stops start-up
with a message naming the files, never their contents."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import aiohttp
import pytest

from hub.core.http import HTTP
from hub.core.http.auth import SESSION_COOKIE
from hub.core.hub import StartupFailed
from tests.sigap_process import run_sigap

from .auth_hub import PASSWORD, PEOPLE, SITES, write_users


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by Debian's openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "hub.crt", folder / "hub.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_the_hub_serves_https_from_its_certificate(hub_factory, tmp_path, certificate):
    cert, key = certificate
    write_users(tmp_path, {})
    http = {"server_port": 0, "ssl_certificate": str(cert), "ssl_key": str(key)}
    hub = await hub_factory(config={"sites": SITES, "people": PEOPLE, "http": http})
    port = hub.data[HTTP].port
    trust = ssl.create_default_context(cafile=str(cert))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as browser:
        async with browser.get(f"https://127.0.0.1:{port}/healthz", ssl=trust) as answer:
            assert answer.status == 200
        login = {"user": "andi", "password": PASSWORD["andi"]}
        async with browser.post(
            f"https://127.0.0.1:{port}/api/auth/login", json=login, ssl=trust
        ) as answer:
            assert answer.status == 200
            cookies = [c for c in answer.headers.getall("Set-Cookie") if SESSION_COOKIE in c]
            assert cookies and all("Secure" in c for c in cookies)
        # plain HTTP to a TLS port: no answer a browser would take
        with pytest.raises(aiohttp.ClientError):
            async with browser.get(f"http://127.0.0.1:{port}/healthz") as answer:
                await answer.read()


async def test_a_certificate_that_cannot_be_used_stops_start_up(hub_factory, tmp_path, certificate):
    cert, _ = certificate
    wrong_key = tmp_path / "not-a-key.pem"
    wrong_key.write_text("kunci-rahasia-yang-bukan-kunci\n")
    http = {"server_port": 0, "ssl_certificate": str(cert), "ssl_key": str(wrong_key)}
    hub = await hub_factory(config={"http": http}, start=False)
    with pytest.raises(StartupFailed) as failed:
        await hub.start()
    said = failed.value.args[0]
    assert str(wrong_key) in str(said) and str(cert) in str(said)
    assert "tidak dapat dipakai" in said.render("id")
    assert "kunci-rahasia" not in str(said) and "kunci-rahasia" not in said.render("id")


def test_a_certificate_without_its_key_is_a_config_error(tmp_path):
    (tmp_path / "configuration.yaml").write_text("http:\n  ssl_certificate: hub.crt\n")
    result = run_sigap("check-config", "-c", str(tmp_path), lang="en")
    assert result.returncode != 0
    assert "configuration.yaml:2: http.ssl_key: ssl_certificate needs ssl_key" in result.stderr
