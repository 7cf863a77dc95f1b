"""SSRF guard: read every spelling of an IP host and refuse non-public addresses unless allow-listed."""

from __future__ import annotations

import ipaddress
import re

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_IPV4_PART_RE = re.compile(r"^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")
# NAT64 and friends embed an IPv4 address that the packet really goes to
_NAT64_NETS = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def parse_ip_host(host: str) -> IPAddress | None:
    """Return the address a URL host denotes if it is any IP spelling (inet_aton forms too), else None."""
    h = host.strip().lower()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    if ":" in h:
        try:
            return ipaddress.IPv6Address(h.split("%", 1)[0])
        except ValueError:
            return None
    if h.endswith("."):
        h = h[:-1]
    parts = h.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART_RE.match(p) for p in parts):
        return None
    if "0x" in parts:
        return None
    # inet_aton rules: 0x.. hex, leading 0 octal, the last part fills the remaining bytes
    values = [_ipv4_part(p) for p in parts]
    last_bits = 8 * (5 - len(parts))
    if any(v > 255 for v in values[:-1]) or values[-1] >= 1 << last_bits:
        return None
    number = 0
    for v in values[:-1]:
        number = number << 8 | v
    number = number << last_bits | values[-1]
    return ipaddress.IPv4Address(number)


def _ipv4_part(part: str) -> int:
    """Read one inet_aton part: 0x hex, leading-0 octal, else decimal."""
    if part.startswith("0x"):
        return int(part, 16)
    if part.startswith("0") and len(part) > 1:
        return int(part, 8)
    return int(part)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address tunnels to (mapped, 6to4, Teredo, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64_NETS):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_reason(ip: IPAddress) -> str | None:
    """Say why an address is not a public unicast one (loopback, private, ...), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return "IPv4-mapped"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = blocked_reason(inner)
            if reason:
                return f"tunnels to {reason}"
    for attr, reason in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(ip, attr):
            return reason
    if not ip.is_global:
        return "not global"
    return None


class AllowList:
    """Hosts exempt from the SSRF guard: entries 'host:port', 'host' or a CIDR like '127.0.0.0/8'."""

    def __init__(self, entries: tuple[str, ...] | list[str]) -> None:
        self.hosts: set[str] = set()
        self.host_ports: set[tuple[str, int]] = set()
        self.networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            if "/" in entry:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            host, port = _split_host_port(entry)
            if port is None:
                self.hosts.add(_canonical_host(host))
            else:
                self.host_ports.add((_canonical_host(host), port))

    def __bool__(self) -> bool:
        return bool(self.hosts or self.host_ports or self.networks)

    def allows_name(self, host: str, port: int) -> bool:
        """True if the host (by name or host:port) is listed, whatever it resolves to."""
        h = _canonical_host(host)
        return h in self.hosts or (h, port) in self.host_ports

    def allows_ip(self, ip: IPAddress) -> bool:
        """True if the address lies in a listed network."""
        return any(ip in net for net in self.networks if net.version == ip.version)


def _split_host_port(entry: str) -> tuple[str, int | None]:
    """Split 'host:port' / '[v6]:port' / 'host' / bare IPv6 into host and optional port."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _canonical_host(host: str) -> str:
    """Lower-case a host and write an IP spelling in its standard form, so '127.1' matches '127.0.0.1'."""
    h = host.strip().lower().rstrip(".")
    ip = parse_ip_host(h)
    return str(ip) if ip is not None else h


def refusal(host: str, port: int, ip: IPAddress, allow: AllowList) -> str | None:
    """Return why connecting to ip (for host:port) is refused, or None when it is allowed."""
    reason = blocked_reason(ip)
    if reason is None or allow.allows_name(host, port) or allow.allows_ip(ip):
        return None
    return f"{host}:{port} is {ip}, a {reason} address"
