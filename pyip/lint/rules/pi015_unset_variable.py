from __future__ import annotations

import difflib
import re

from ..model import ERROR, WARNING, Rule, register

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
# Set by the shell or the login environment, not by scripts.
ENVIRONMENT = {"HOME", "PATH", "USER", "LOGNAME", "PWD", "OLDPWD", "SHELL", "IFS", "HOSTNAME", "TERM",
               "RANDOM", "LINENO", "SECONDS", "UID", "EUID", "PPID", "BASH", "TMPDIR", "LANG", "OPTARG", "OPTIND"}
_SOURCES = re.compile(r"^\s*(?:\.|source)\s", re.MULTILINE)
# Names that the program calling a hook script gives it: dhclient-script and dhcpcd (reason, interface,
# new_ip_address, old_routers, ...), udhcpc (ip, router, subnet, ...), pppd's ip-up (PPP_IFACE,
# IPLOCAL, ...), ifupdown (IFACE, IF_ADDRESS, ...), NetworkManager's dispatcher (DEVICE_IFACE, IP4_*),
# OpenVPN (dev, ifconfig_local, route_vpn_gateway, ...).
CALLER_GIVEN = frozenset({
    "reason", "interface", "medium", "ifmetric", "ifcarrier", "ifwireless", "ifssid", "protocol", "pid",
    "ip", "subnet", "mask", "router", "dns", "domain", "broadcast", "serverid", "lease", "siaddr", "sname",
    "boot_file", "staticroutes", "msstaticroutes", "ntpsrv", "wins", "hostname", "mtu", "opt53", "ipv6",
    "PPP_IFACE", "PPP_TTY", "PPP_SPEED", "PPP_LOCAL", "PPP_REMOTE", "PPP_IPPARAM", "IPLOCAL", "IPREMOTE",
    "DNS1", "DNS2", "PEERNAME", "LINKNAME", "IFNAME", "DEVICE", "SPEED", "CONNECT_TIME", "BYTES_SENT",
    "BYTES_RCVD", "USEPEERDNS", "MACREMOTE", "CALL_FILE", "ORIG_UID", "PPPLOGNAME",
    "IFACE", "LOGICAL", "ADDRFAM", "METHOD", "MODE", "PHASE", "VERBOSITY",
    "DEVICE_IFACE", "DEVICE_IP_IFACE", "CONNECTION_ID", "CONNECTION_UUID", "CONNECTION_FILENAME",
    "NM_DISPATCHER_ACTION",
    "dev", "dev_type", "script_type", "tun_mtu", "link_mtu", "ifconfig_local", "ifconfig_remote",
    "ifconfig_netmask", "ifconfig_broadcast", "route_vpn_gateway", "route_net_gateway", "trusted_ip",
    "trusted_port", "untrusted_ip", "untrusted_port", "common_name", "ifconfig_pool_remote_ip",
    "ifconfig_pool_netmask", "ifconfig_ipv6_local", "ifconfig_ipv6_remote", "ifconfig_ipv6_netbits",
})
_CALLER_GIVEN_PATTERN = re.compile(
    r"(?:new|old|cur|alias|requested)_[a-z0-9_]+|IF_[A-Z0-9_]+|(?:IP4|IP6|DHCP4|DHCP6)_[A-Z0-9_]+"
    r"|route_(?:network|netmask|gateway|metric|ipv6_network|ipv6_gateway)_\d+|foreign_option_\d+")
# Two caller-given names make a script a hook: its caller sets them, there is nothing to report.
HOOK_NAMES = 2
# How alike a set name must be to call an unset one its typo (difflib's ratio): EXT_IFAC/EXT_IFACE 0.94.
TYPO_LIKENESS = 0.8


def caller_given(name: str) -> bool:
    return name in CALLER_GIVEN or _CALLER_GIVEN_PATTERN.fullmatch(name) is not None


@register
class UnsetVariable(Rule):
    """A variable used in a command but set nowhere in the script.

    It expands to nothing, and the command changes meaning or fails.  An
    error when a variable of a near name is set (a typo), else a warning
    (it may come from the environment or a sourced file).  Names a hook's
    caller gives it (dhclient's `$interface` and `$new_ip_address`, pppd's
    `$PPP_IFACE`, ifupdown's `$IFACE`, ...) are never reported in a script
    that uses two or more of them, and are never called typos.

    Bad:  EXT_IFACE=eth1
          iptables -A INPUT -i $EXT_IFAC -j DROP
    Good: EXT_IFACE=eth1
          iptables -A INPUT -i $EXT_IFACE -j DROP
    """

    code = "PI015"
    name = "unset-variable"

    def check(self, script):
        sources_files = bool(_SOURCES.search(script.text))
        unset = {}  # (name, location) -> word: each place once, in source order
        for command in script.commands:
            if command.program is None:
                continue
            for word in command.words:
                if word.symbol is None:
                    continue
                for name in _VARIABLE.findall(word.symbol.name):
                    if name not in script.variables and name not in ENVIRONMENT:
                        unset.setdefault((name, word.location), word)
        hook = len({name for name, _ in unset if caller_given(name)}) >= HOOK_NAMES
        return [self.unset(script, word, name, sources_files) for (name, _), word in unset.items()
                if not (hook and caller_given(name))]

    def unset(self, script, word, name, sources_files):
        near = [] if caller_given(name) or sources_files else \
            difflib.get_close_matches(name, sorted(script.variables), n=1, cutoff=TYPO_LIKENESS)
        if near:
            return self.finding(script, word.location, f"${name} is never set; did you mean ${near[0]}?", ERROR)
        where = " (it may come from a sourced file)" if sources_files else " (it may come from the environment)"
        return self.finding(script, word.location, f"${name} is never set in the script{where}", WARNING)
