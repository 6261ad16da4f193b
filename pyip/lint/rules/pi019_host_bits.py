from __future__ import annotations

from ...ast import Prefix
from ..model import Rule, register

ADDING = ("add", "change", "replace", "prepend", "append", "test", "delete")


@register
class HostBits(Rule):
    """An IPv4 route prefix with host bits set.

    `ip` does not check; the kernel refuses it with "Invalid prefix for
    given prefix length".  (IPv6 host bits are masked silently, and rule
    prefixes are kept as typed, so only IPv4 routes are reported.)

    Bad:  ip route add 10.0.0.1/8 via 192.168.1.1
    Good: ip route add 10.0.0.0/8 via 192.168.1.1
    """

    code = "PI019"
    name = "host-bits"

    def check(self, script):
        findings = []
        for command in script.ip_commands("route"):
            parsed = command.ip
            dst = getattr(parsed.body, "dst", None)
            if parsed.verb in ADDING and isinstance(dst, Prefix) and dst.family == 4 and dst.has_host_bits:
                word = next((w for w in command.words if w.text.startswith(str(dst.address))), command.words[0])
                findings.append(self.finding(
                    script, word.location,
                    f"{dst} has host bits set: the kernel refuses it; the network is {dst.network}"))
        return findings
