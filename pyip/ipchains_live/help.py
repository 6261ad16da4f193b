"""`ipchains -h` and `ipchains -h icmp`: ipchains 1.3.10's help text and its list of ICMP names."""

from __future__ import annotations

from ..parser.ipchains import ICMP_NAMES

# ipchains printed its package_version here, "ipchains VERSION, DATE"; the date of 1.3.10 is not known to pyip.
PACKAGE = "ipchains 1.3.10"

USAGE = """\
Usage: {p} -[ADC] chain rule-specification [options]
       {p} -[RI] chain rulenum rule-specification [options]
       {p} -D chain rulenum [options]
       {p} -[LFZNX] [chain] [options]
       {p} -P chain target [options]
       {p} -M [ -L | -S ] [options]
       {p} -h [icmp] (print this help information, or ICMP list)

Commands:
  -A chain      Append to chain
  -D chain      Delete matching rule from chain
  -D chain rulenum
                Delete rule rulenum (1 = first) from chain
  -I chain [rulenum]
                Insert in chain as rulenum (default = 1 = first)
  -R chain rulenum
                Replace rule rulenum (1 = first) in chain
  -L [chain]    List the rules in a chain (or all chains)
  -F [chain]    Flush (delete all rules) chain or all chains
  -Z [chain]    Zero counters in chain (or all chains)
  -C chain      Test this packet on chain
  -N chain      Create a new user-defined chain
  -X chain      Delete a user-defined chain
  -P chain target
                Change policy on chain to target
  -M -L         List current masqerading connections
  -M -S tcp tcpfin udp
\t\tSet masquerading timeout values

Options:
  -b\t\tinsert two rules: one with -s & -d reversed
  -p [!] proto\tprotocol (tcp, udp, icmp, all or a number)
  -s [!] address[/mask] [!] [port ...]
\t\tsource specification
  -d [!] address[/mask] [!] [port ...]
\t\tdestination specification
  -i [!] name[+]
\t\tnetwork interface name (or wildcard)
  -j target [port]
\t\ttarget for rule if it matches ([port] for REDIRECT)
  -m [+-]mark   number to mark on matching packet
  -n\t\tnumeric output of addresses and ports
  -l\t\tturn on kernel logging for matching packets
  -o [maxsize]  output matching packet to netdev
  -t and xor\tand/xor masks for TOS field
  -v\t\tverbose mode
  -x\t\texpand numbers (display exact values)
[!] -f\t\tmatch second or further fragments only
[!] -y\t\tmatch TCP packets only when SYN set
"""


def help_text(icmp: bool, program: str = "ipchains") -> str:
    if icmp:
        return icmp_help()
    return f"{PACKAGE}\n\n" + USAGE.format(p=program)


def icmp_help() -> str:
    """Each type's names on one line; a code of it on its own line, its aliases in parentheses."""
    text = f"{PACKAGE}\n\nValid ICMP Types:"
    previous = None
    for name, icmp_type, code_min, code_max, _ in ICMP_NAMES:
        if previous is not None and previous[1] == icmp_type:
            if (previous[2], previous[3]) == (code_min, code_max):
                text += f" ({name})"
            else:
                text += f"\n   {name}"
        else:
            text += f"\n{name}"
        previous = (name, icmp_type, code_min, code_max)
    return text + "\n"
