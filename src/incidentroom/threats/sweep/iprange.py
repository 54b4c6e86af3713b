"""IP addresses and ranges as integer bounds (shared by value checking and the matcher)."""

from __future__ import annotations

import ipaddress


def ip_bounds(value: str) -> tuple[int, int, int]:
    """(version, first, last) as integers for an address, CIDR or ``first-last`` range."""
    if "-" in value:
        first, last = (ipaddress.ip_address(p.strip()) for p in value.split("-", 1))
        return first.version, int(first), int(last)
    net = ipaddress.ip_network(value.strip(), strict=False)
    return net.version, int(net.network_address), int(net.broadcast_address)
