"""The system name databases iptables consults: /etc/services, /etc/protocols,
/etc/passwd, /etc/group and /etc/hosts.

iptables asks the C library (getservbyname, getprotobyname,
getprotobynumber, getpwnam, getgrnam, getaddrinfo); on a Linux host with the
usual `files` entries in nsswitch.conf that is these files, read here
directly so the answers are the same from one run to the next (Python has no
getprotobynumber, and pyip never asks DNS).  Each file is read once, on
first use.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

SERVICES = "/etc/services"
PROTOCOLS = "/etc/protocols"
PASSWD = "/etc/passwd"
GROUP = "/etc/group"
HOSTS = "/etc/hosts"


def _fields(path: str) -> list[list[str]]:
    """The whitespace-separated fields of each line, `#` comments dropped."""
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return [line.split("#", 1)[0].split() for line in file if line.split("#", 1)[0].strip()]
    except OSError:
        return []


@lru_cache(maxsize=None)
def _services() -> dict[tuple[str, str], int]:
    """(name or alias, protocol) -> port; the first line naming it wins, as in getservbyname."""
    table: dict[tuple[str, str], int] = {}
    for fields in _fields(SERVICES):
        if len(fields) < 2 or "/" not in fields[1]:
            continue
        port, _, protocol = fields[1].partition("/")
        if not port.isdigit():
            continue
        for name in [fields[0], *fields[2:]]:
            table.setdefault((name, protocol), int(port))
    return table


def service_port(name: str, protocol: str) -> int | None:
    """getservbyname(name, protocol): `www` -> 80 for tcp; None when unknown."""
    return _services().get((name, protocol))


@lru_cache(maxsize=None)
def _protocols() -> tuple[dict[str, int], dict[int, str]]:
    by_name: dict[str, int] = {}
    by_number: dict[int, str] = {}
    for fields in _fields(PROTOCOLS):
        if len(fields) < 2 or not fields[1].isdigit():
            continue
        number = int(fields[1])
        for name in [fields[0], *fields[2:]]:
            by_name.setdefault(name, number)
        by_number.setdefault(number, fields[0])
    return by_name, by_number


def protocol_number(name: str) -> int | None:
    """getprotobyname(name), or None."""
    return _protocols()[0].get(name)


def protocol_name(number: int) -> str | None:
    """getprotobynumber(number)->p_name, or None."""
    return _protocols()[1].get(number)


@lru_cache(maxsize=None)
def _ids(path: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    for line in _lines(path):
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            ids.setdefault(parts[0], int(parts[2]))
    return ids


def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read().splitlines()
    except OSError:
        return []


def user_id(name: str) -> int | None:
    """getpwnam(name)->pw_uid, or None."""
    return _ids(PASSWD).get(name)


def group_id(name: str) -> int | None:
    """getgrnam(name)->gr_gid, or None."""
    return _ids(GROUP).get(name)


@lru_cache(maxsize=None)
def _hosts() -> dict[str, tuple]:
    table: dict[str, list] = {}
    for fields in _fields(HOSTS):
        try:
            address = ipaddress.IPv4Address(fields[0])
        except ValueError:
            continue  # IPv6 lines: iptables asks for IPv4 only
        for name in fields[1:]:
            if address not in table.setdefault(name, []):
                table[name].append(address)
    return {name: tuple(addresses) for name, addresses in table.items()}


def host_addresses(name: str) -> tuple:
    """The IPv4 addresses /etc/hosts gives a name (what the resolver answers first)."""
    return _hosts().get(name, ())


def resolve_host(name: str) -> tuple:
    """host_to_ipaddr(): /etc/hosts, then the system's resolver (getaddrinfo, IPv4), in its order; () if the name
    does not resolve."""
    known = host_addresses(name)
    if known:
        return known
    import socket

    try:
        answers = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_RAW)
    except (OSError, UnicodeError):
        return ()
    return tuple(dict.fromkeys(ipaddress.IPv4Address(answer[4][0]) for answer in answers))
