"""Who may call: the default bind address, the building's own networks, and
callers behind a reverse proxy (`http.trusted_proxies`)."""

from __future__ import annotations

import aiohttp
import pytest

from hub.core.config import ConfigErrors
from hub.core.http import HTTP
from hub.core.http.webhooks import is_local

from .conftest import http_lines, http_section, path


async def test_the_server_listens_on_loopback_unless_told(automation_hub):
    # the hub's own bind is the point: no test client here
    # nothing on the server asks for a login yet: it must not face the network by default
    hub = await automation_hub("[]", devices=http_section(host=None))
    assert hub.data[HTTP].site._server.sockets[0].getsockname()[0] == "127.0.0.1"


@pytest.mark.parametrize(
    "address",
    [
        "192.0.2.10",  # TEST-NET-1 (documentation)
        "198.51.100.7",  # TEST-NET-2
        "203.0.113.9",  # TEST-NET-3
        "198.18.0.1",  # benchmarking
        "198.19.255.254",
        "240.0.0.1",  # reserved
        "255.255.255.254",
        "2001:db8::1",  # IPv6 documentation
        "::ffff:192.0.2.10",
        "100.64.0.1",  # carrier-grade NAT: the provider's network, not the building's
        "0.0.0.0",
    ],
)
def test_documentation_and_reserved_ranges_are_not_local(address):
    assert is_local(address) is False


@pytest.mark.parametrize(
    "address", ["172.16.0.1", "172.31.255.1", "169.254.10.1", "fd00::5", "127.0.0.2"]
)
def test_the_buildings_networks_are_local(address):
    assert is_local(address) is True


async def _post(client, headers: dict[str, str]) -> int:
    async with client.post(path(), json={"n": 1}, headers=headers) as response:
        return response.status


async def test_a_forwarded_caller_is_not_local_without_trusted_proxies(
    webhook_hub, recorder, caplog
):
    # A reverse proxy on the same machine: every caller arrives from 127.0.0.1.
    served = await webhook_hub()
    assert await _post(served.client, {"X-Forwarded-For": "8.8.8.8"}) == 200
    assert recorder.calls == []
    said = " ".join(r.getMessage() for r in http_lines(caplog))
    assert "refused a caller outside the local network" in said
    assert "http.trusted_proxies" in said  # the line says what to set


async def test_trusted_proxy_forwards_the_real_caller(webhook_hub, recorder, caplog):
    served = await webhook_hub(trusted_proxies="[127.0.0.1]")
    client = served.client
    assert await _post(client, {"X-Forwarded-For": "8.8.8.8"}) == 200
    # a chain: the internet caller is the right-most address that is not a trusted proxy
    assert await _post(client, {"X-Forwarded-For": "192.168.1.20, 8.8.8.8, 127.0.0.1"}) == 200
    assert recorder.calls == []
    assert "(8.8.8.8)" in caplog.text
    assert await _post(client, {"X-Forwarded-For": "192.168.1.20"}) == 200
    await recorder.next()
    assert len(recorder.calls) == 1


async def test_forwarded_for_from_a_peer_not_trusted_is_not_believed(
    webhook_hub, recorder, aiohttp_client
):
    # 127.0.0.2 is the proxy; a caller on 127.0.0.1 claiming to be forwarded is not it
    served = await webhook_hub(trusted_proxies="[127.0.0.2/32]")
    proxy = await aiohttp_client(
        served.client.server, connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    )
    assert await _post(served.client, {"X-Forwarded-For": "192.168.1.20"}) == 200
    assert recorder.calls == []
    assert await _post(proxy, {"X-Forwarded-For": "192.168.1.20"}) == 200
    await recorder.next()
    # no header at all: the peer itself is the caller
    assert await _post(served.client, {}) == 200
    await recorder.next()
    assert len(recorder.calls) == 2


async def test_trusted_proxies_must_be_addresses(automation_hub):
    with pytest.raises(ConfigErrors) as raised:
        await automation_hub("[]", devices=http_section(trusted_proxies="[proksi.lokal]"))
    assert "expected an IP address or network" in str(raised.value.errors[0])
