"""The client's address, one rule for HTTP requests and for sockets.

X-Forwarded-For is believed only when the connection itself comes from a proxy listed in
`ATELIER_TRUSTED_PROXIES`; then the rightmost address that is not a trusted proxy is the
client (everything left of it could have been written by the client). Otherwise anyone could
send the header and pick the address their requests are limited under.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.ATELIER_TRUSTED_PROXIES))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _clean(address: str) -> str:
    """One address as a proxy wrote it: without brackets or a port (`[::1]:80`, `1.2.3.4:80`)."""
    address = address.strip().strip('"')
    if address.startswith("["):
        return address[1:].partition("]")[0]
    if address.count(":") == 1:
        return address.partition(":")[0]
    return address


def client_ip(remote_addr: str | None, forwarded_for: str | None) -> str | None:
    """The address to count the client under, from the connection's address and the
    X-Forwarded-For header it carried (if any)."""
    networks = trusted_networks()
    if not remote_addr or not forwarded_for or not networks or not _is_trusted(remote_addr, networks):
        return remote_addr or None
    hops = [_clean(hop) for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    # Every hop is one of ours: the leftmost is the closest we know to the client.
    return hops[0] if hops else remote_addr


def request_client_ip(request) -> str | None:
    return client_ip(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"))


def scope_client_ip(scope) -> str | None:
    """The same for an ASGI scope (a socket): its `client` and its headers."""
    client = scope.get("client")
    remote_addr = client[0] if client else None
    forwarded = [value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"x-forwarded-for"]
    return client_ip(remote_addr, ",".join(forwarded) or None)
