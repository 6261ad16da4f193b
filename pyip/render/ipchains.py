"""ipchains AST -> text: canonical `ipchains` commands, and the ipchains-save format.

A rule is written in one fixed order, the man page's: `-p [!] PROTO`,
`-s [!] ADDR [[!] PORT]`, `-d [!] ADDR [[!] PORT]`, `-i [!] IF`, `[!] -f`,
`[!] -y`, `-j TARGET [PORT]`, then the actions `-l`, `-t AND XOR`,
`-m MARK`, `-o [SIZE]`.  Values are written as the kernel holds them:
addresses masked (`10/8` prints as 0.0.0.0/8, what ipchains made of it),
ports as numbers, an ICMP type by its name when the type and codes are
exactly a name's, else as numbers; a port or ICMP type goes after
`-s 0.0.0.0/0` when the rule has no source address.  Reading the text back
gives the same AST (tests/test_ipchains_properties.py).
"""

from __future__ import annotations

from .. import netdb
from ..ast import firewall as fw
from ..extensions.redirect import Redirect
from ..extensions.masquerade import Masquerade
from ..extensions.log import Log
from ..extensions.reject import Reject
from ..extensions.icmp import IcmpMatch
from ..extensions.udp import UdpMatch
from ..extensions.tcp import TcpMatch
from ..extensions.tos import Tos
from ..extensions.mark import Mark
from ..ast import ipchains as ch
from ..ast.base import Symbol
from ..parser.ipchains import CHAIN_PROTOCOLS, ICMP_NAMES
from .iptables_save import shell_word

ANY = "0.0.0.0/0"
TARGET_NAMES = {Reject: "REJECT", Masquerade: "MASQ"}


def command_line(command: fw.Command) -> str:
    """The canonical `ipchains ...` line of a command."""
    return " ".join(shell_word(item) for item in ["ipchains", *command_words(command)])


def rule_line(rule: fw.Rule) -> str:
    """`-A CHAIN spec`: a rule as an ipchains-save line (blank-separated words, no shell quoting)."""
    return " ".join(str(item) for item in ["-A", rule.chain, *rule_words(rule)])


def save_file(ruleset) -> str:
    """A ruleset (pyip.ruleset_ipchains) as ipchains-save writes it: `:CHAIN POLICY` lines, then the rules."""
    chains = list(ruleset.chains.values())
    lines = [f":{chain.name} {chain.policy or '-'}" for chain in chains]
    lines += [rule_line(rule) for chain in chains for rule in chain.rules]
    return "".join(line + "\n" for line in lines)


# -- rules ---------------------------------------------------------------------------------------


def rule_words(rule: fw.Rule) -> list:
    source_port, destination_port, syn = ports_of(rule)
    words: list = []
    negatable(words, "-p", rule.protocol, protocol_text)
    side(words, "-s", rule.source, source_port)
    side(words, "-d", rule.destination, destination_port)
    negatable(words, "-i", rule.in_interface, str)
    flag(words, "-f", rule.fragment)
    flag(words, "-y", syn)
    if rule.target is not None:
        words += target_words(rule.target)
    for action in rule.actions:
        words += action_words(action)
    return words


def ports_of(rule: fw.Rule) -> tuple:
    """The tests written after -s and -d (ports, or ICMP type and code), and -y."""
    for match in rule.matches:
        if isinstance(match, TcpMatch):
            return match.sport, match.dport, match.flags
        if isinstance(match, UdpMatch):
            return match.sport, match.dport, None
        if isinstance(match, ch.IcmpRanges):
            return icmp_name(match.types, match.codes) + (None,)
        if isinstance(match, IcmpMatch):
            return icmp_name(*icmp_type_tests(match.icmp_type)) + (None,)
    return None, None, None


def icmp_type_tests(test: fw.Test) -> tuple:
    """IcmpType(t, low, high): type t after -s; codes after -d unless every code (0-255)."""
    icmp = test.value
    if isinstance(icmp, Symbol):
        return test, None
    types = fw.Test(fw.PortRange(icmp.type, icmp.type), test.negated)
    codes = None if (icmp.code_min, icmp.code_max) == (0, 0xFF) else fw.Test(fw.PortRange(icmp.code_min, icmp.code_max))
    return types, codes


def icmp_name(types: fw.Test | None, codes: fw.Test | None) -> tuple:
    """The ICMP name whose type and codes these are exactly (no codes: 0:65535), else the tests as they are."""
    if types is None or types.negated or not isinstance(types.value, fw.PortRange):
        return types, codes
    if codes is not None and (codes.negated or not isinstance(codes.value, fw.PortRange)):
        return types, codes
    low, high = (codes.value.first, codes.value.last) if codes is not None else (0, 0xFFFF)
    for name, icmp_type, code_min, code_max, _ in ICMP_NAMES:
        if (types.value.first, types.value.last, low, high) == (icmp_type, icmp_type, code_min, code_max):
            return fw.Test(name), None
    return types, codes


def side(words: list, option: str, address: fw.Test | None, port: fw.Test | None) -> None:
    """`-s [!] ADDR [[!] PORT]`; a port needs an address before it."""
    if address is None and port is None:
        return
    words.append(option)
    if address is None:
        words.append(ANY)
    else:
        words += (["!"] if address.negated else []) + [addresses_text(address.value)]
    if port is not None:
        words += (["!"] if port.negated else []) + [word(port.value)]


def word(value):
    """A value as a word; a Symbol stays one, so that it is written as the script wrote it."""
    return value if isinstance(value, Symbol) else str(value)


def addresses_text(addresses: tuple):
    """One address; a name /etc/hosts gave several addresses is written as that name again."""
    if len(addresses) == 1:
        return address_text(addresses[0])
    text = getattr(addresses[0], "text", None)
    return text if text is not None else ",".join(address_text(a) for a in addresses)


def address_text(address):
    if isinstance(address, fw.Address) and address.mask == 0xFFFFFFFF:
        return str(address.address)
    return word(address)


def negatable(words: list, option: str, test: fw.Test | None, text) -> None:
    """`OPTION [!] VALUE`, the `!` where ipchains' usage puts it."""
    if test is None:
        return
    value = test.value if isinstance(test.value, Symbol) else text(test.value)
    words += [option, *(["!"] if test.negated else []), value]


def flag(words: list, option: str, test: fw.Test | None) -> None:
    if test is not None:
        words += (["!"] if test.negated else []) + [option]


def protocol_text(protocol: fw.Protocol) -> str:
    """The /etc/protocols name when it reads back as the same number, else the number."""
    name = netdb.protocol_name(protocol.number) if protocol.number else None
    if name is not None and netdb.protocol_number(name) == protocol.number:
        return name
    known = [name for name, number in CHAIN_PROTOCOLS.items() if number == protocol.number and number]
    return known[0] if known else str(protocol.number)


def target_words(target) -> list:
    if isinstance(target, fw.Verdict):
        return ["-j", target.name]
    if isinstance(target, fw.ChainJump):
        return ["-j", target.chain]
    if isinstance(target, Redirect):
        ports = target.ports
        if ports is None:
            return ["-j", "REDIRECT"]
        return ["-j", "REDIRECT", ports if isinstance(ports, Symbol) else str(ports.first)]
    return ["-j", TARGET_NAMES[type(target)]]


def action_words(action) -> list:
    if isinstance(action, Log):
        return ["-l"]
    if isinstance(action, Tos):
        return ["-t", f"0x{~action.mask & 0xFF:02x}", f"0x{action.value:02x}"]
    if isinstance(action, ch.MarkAdd):
        delta = action.delta
        return ["-m", delta if isinstance(delta, Symbol) else f"{delta:+d}"]
    if isinstance(action, Mark):
        return ["-m", word(action.value)]
    return ["-o"] if action.size == 0xFFFF else ["-o", word(action.size)]


# -- commands ------------------------------------------------------------------------------------


def command_words(command: fw.Command) -> list:
    if isinstance(command, ch.RULE_COMMANDS):
        letter = {ch.Append: "-A", ch.Insert: "-I", ch.Delete: "-D", ch.Replace: "-R", ch.CheckPacket: "-C"}
        position = [command.position] if isinstance(command, (ch.Insert, ch.Replace)) else []
        both = ["-b"] if getattr(command, "bidirectional", False) else []
        return [letter[type(command)], command.rule.chain, *position, *rule_words(command.rule), *both]
    return COMMANDS[type(command)](command)


def optional_chain(option: str, chain) -> list:
    """-L/-F/-Z/-X take the next word as their chain only if it does not start with - or !."""
    if chain is None:
        return [option]
    if isinstance(chain, str) and chain[:1] in ("-", "!"):
        return [option + chain]
    return [option, chain]


def list_words(command: ch.List) -> list:
    words = optional_chain("-L", command.chain) + (["-Z"] if command.zero else [])
    for on, word in ((command.numeric, "-n"), (command.verbose, "-v"), (command.exact, "-x"),
                     (command.line_numbers, "--line-numbers")):
        if on:
            words.append(word)
    return words


COMMANDS = {
    ch.DeleteNumber: lambda c: ["-D", c.chain, c.position],
    ch.NewChain: lambda c: ["-N", c.chain],
    ch.DeleteChain: lambda c: optional_chain("-X", c.chain),
    ch.Flush: lambda c: optional_chain("-F", c.chain),
    ch.Zero: lambda c: optional_chain("-Z", c.chain),
    ch.Policy: lambda c: ["-P", c.chain, c.policy],
    ch.List: list_words,
    ch.ListMasquerading: lambda c: ["-M", "-L", *(["-n"] if c.numeric else []), *(["-v"] if c.verbose else [])],
    ch.SetTimeouts: lambda c: ["-M", "-S", c.tcp, c.tcp_fin, c.udp],
    ch.Help: lambda c: ["-h", *(["icmp"] if c.icmp else [])],
    ch.Version: lambda c: ["-V"],
}
