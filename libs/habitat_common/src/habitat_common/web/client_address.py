"""Who sent a request: the peer, or what a trusted proxy says in X-Forwarded-For, never what anyone else says."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, IPvAnyNetwork
from pydantic_settings import NoDecode
from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = ["127.0.0.1/32", "::1/128"]
MAX_ADDRESS_LENGTH = 64


def _split(value: Any) -> Any:
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


def _no_wildcard(networks: list[Network]) -> list[Network]:
    if any(network.prefixlen == 0 for network in networks):
        raise ValueError("trusting every address as a proxy lets any client forge its address; name the proxies")
    return networks


# A setting: addresses or networks, comma-separated in the environment ("172.30.0.10, 10.1.0.0/24").
# `*`, 0.0.0.0/0 and ::/0 are refused: trusting everyone is trusting no one.
TrustedProxies = Annotated[list[IPvAnyNetwork], NoDecode, BeforeValidator(_split), AfterValidator(_no_wildcard)]


def client_address(request: Request, trusted: Sequence[Network]) -> str:
    """The client's address: X-Forwarded-For is read from the right only while each hop is a trusted proxy.

    A trusted proxy appends the address it saw, so the rightmost address not of a trusted proxy is the
    client; anything further left was written by the client itself and is ignored. An untrusted peer's
    header is ignored altogether.
    """
    peer = request.client.host if request.client else ""
    forwarded = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    address = peer
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted(address, trusted):
            break
        address = hop
    return address[:MAX_ADDRESS_LENGTH] or "unknown"


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
