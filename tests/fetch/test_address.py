"""SSRF address parser: every IP spelling a resolver accepts is read, and non-public ones are refused."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.fetch.address import AllowList, blocked_reason, parse_ip_host, refusal


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f000001", "127.0.0.1"),  # hex
        ("0X7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),  # octal part
        ("0177.0000.0000.0001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # short form: the last part fills the rest
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),  # trailing dot
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("[::ffff:7f00:1]", "::ffff:7f00:1"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_ip_spellings_are_read(host, expected):
    assert parse_ip_host(host) == ipaddress.ip_address(expected)


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "127.0.0.1.example.com",
        "256.1.1.1",
        "1.2.3.4.5",
        "08.1.1.1",
        "0x",
        "4294967296",
        "1.2.65536",
        "",
        "x:y",
    ],
)
def test_names_and_invalid_forms_are_not_ips(host):
    assert parse_ip_host(host) is None


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not global"),  # carrier-grade NAT
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("2002:7f00:0001::", "tunnels to loopback"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a00:1", "tunnels to private"),  # NAT64 of 10.0.0.1
    ],
)
def test_non_public_addresses_are_blocked(ip, reason):
    assert blocked_reason(ipaddress.ip_address(ip)) == reason


@pytest.mark.parametrize("ip", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_pass(ip):
    assert blocked_reason(ipaddress.ip_address(ip)) is None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_spelling_reads_back(number):
    ip = ipaddress.IPv4Address(number)
    a, b, c, d = ip.packed
    for spelling in (
        str(number),
        hex(number),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
        f"0{a:o}.0x{b:x}.{c}.{d}",
    ):
        assert parse_ip_host(spelling) == ip, spelling


def test_allow_list_by_host_port_host_and_cidr():
    allow = AllowList(("127.0.0.1:8080", "intranet.local", "10.0.0.0/8", "[::1]:9000"))
    loop = ipaddress.ip_address("127.0.0.1")
    assert refusal("127.0.0.1", 8080, loop, allow) is None
    assert refusal("127.1", 8080, loop, allow) is None  # same host, other spelling
    assert "loopback" in (refusal("127.0.0.1", 8081, loop, allow) or "")  # other port: refused
    assert refusal("intranet.local", 443, ipaddress.ip_address("192.168.0.5"), allow) is None
    assert refusal("anything.example", 80, ipaddress.ip_address("10.9.8.7"), allow) is None
    assert refusal("evil.example", 80, loop, allow) is not None
    assert refusal("::1", 9000, ipaddress.ip_address("::1"), allow) is None
    assert not AllowList(())
