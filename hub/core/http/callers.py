"""Who is calling: the peer's address, or behind a reverse proxy the address
the proxy forwarded, and whether that caller is on the building's network.

X-Forwarded-For is believed only from a peer in `http.trusted_proxies`. A
request that carries the header from any other peer has an unknown caller:
without the setting, a proxy on the same machine would make every caller on
the internet look like 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

import voluptuous as vol
from aiohttp import hdrs, web

from ..i18n import Text

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The building's own networks, named rather than taken from `is_private`,
# which also counts documentation and benchmark ranges (192.0.2.0/24,
# 198.18.0.0/15, 240.0.0.0/4, 2001:db8::/32) that no building uses.
LOCAL_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",  # loopback
        "10.0.0.0/8",  # RFC 1918
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",  # link-local
        "::1/128",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
    )
)


def network(value: Any) -> Network:
    """A `trusted_proxies` entry: one address or a network."""
    try:
        return ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        raise vol.Invalid(Text("http.expected_network", value=repr(value))) from None


def address(text: str | None) -> Address | None:
    """An address as a peer or a header gives it (IPv6 zone and IPv4-mapped
    forms included), or None when it is not one."""
    if not text:
        return None
    try:
        ip = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _within(ip: Address, networks: Iterable[Network]) -> bool:
    return any(ip.version == n.version and ip in n for n in networks)


def is_local(text: str | None) -> bool:
    """Loopback, private (RFC 1918, unique local) or link-local."""
    ip = address(text)
    return ip is not None and _within(ip, LOCAL_NETWORKS)


def caller(request: web.BaseRequest, trusted_proxies: Sequence[Network]) -> str | None:
    """The caller's address as text, or None when it cannot be known."""
    peer = request.remote
    forwarded = request.headers.getall(hdrs.X_FORWARDED_FOR, [])
    if not forwarded:
        return peer
    peer_ip = address(peer)
    if peer_ip is None or not _within(peer_ip, trusted_proxies):
        return None  # a header nobody we trust wrote
    # Right to left: each trusted proxy appended the address it saw; the
    # first one that is not a trusted proxy is the caller.
    hops = [hop.strip() for value in forwarded for hop in value.split(",")]
    for hop in reversed(hops):
        ip = address(hop)
        if ip is None:
            return None
        if not _within(ip, trusted_proxies):
            return str(ip)
    return str(address(hops[0])) if hops else peer
