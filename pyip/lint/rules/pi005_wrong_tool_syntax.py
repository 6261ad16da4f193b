from __future__ import annotations

from ..model import Rule, register

IPCHAINS_ONLY_TARGETS = {"DENY": "DROP", "MASQ": "MASQUERADE"}
IPTABLES_ONLY_TARGETS = {"DROP": "DENY", "MASQUERADE": "MASQ", "SNAT": None, "DNAT": None, "LOG": "-l",
                         "MARK": "-m N", "TOS": "-t AND XOR"}
IPCHAINS_ONLY_OPTIONS = {"-y": "--syn", "--syn": None, "-l": "-j LOG", "-b": "two rules", "-o": "-j NFLOG"}
ADDRESS_OPTIONS = ("-s", "-d", "--source", "--destination", "--src", "--dst")


@register
class WrongToolSyntax(Rule):
    """ipchains syntax in an iptables call, or the reverse.

    The two tools look alike but differ: ipchains' DENY and MASQ targets,
    `-y`, `-l`, `-b` and a port after the address are unknown to iptables;
    iptables' DROP, MASQUERADE, `-m state` and `-t nat` mean nothing (or
    something else) to ipchains.

    Bad:  iptables -A INPUT -p tcp -d 63.89.102.157 80 -j DENY
    Good: iptables -A INPUT -p tcp -d 63.89.102.157 --dport 80 -j DROP
    """

    code = "PI005"
    name = "wrong-tool-syntax"

    def check(self, script):
        findings = []
        for command in script.of("iptables"):
            findings += self.check_iptables(script, command)
        for command in script.of("ipchains"):
            findings += self.check_ipchains(script, command)
        return findings

    def check_iptables(self, script, command):
        findings = []
        words = command.words
        for index, word in enumerate(words[1:], 1):
            previous = words[index - 1].text
            if previous in ("-j", "--jump") and word.text in IPCHAINS_ONLY_TARGETS:
                findings.append(self.finding(script, word.location, f'-j {word.text} is ipchains; iptables says '
                                                                    f'-j {IPCHAINS_ONLY_TARGETS[word.text]}'))
            elif word.text in ("-y", "-l", "-b"):
                findings.append(self.finding(script, word.location, f"{word.text} is an ipchains option; iptables "
                                                                    f"wants {IPCHAINS_ONLY_OPTIONS[word.text]}"))
            elif self.port_after_address(words, index):
                findings.append(self.finding(script, word.location, f'"{word.text}" after the address is ipchains\' '
                                                                    f'port syntax; iptables wants --dport/--sport'))
        return findings

    def port_after_address(self, words, index) -> bool:
        """`-d ADDR PORT`: the word after an address option's value that is no option."""
        if index < 2 or words[index].text.startswith("-") or words[index].text == "!":
            return False
        value_at = index - 1
        if words[value_at].text == "!":
            return False
        return words[value_at - 1].text in ADDRESS_OPTIONS and not words[value_at].text.startswith("-")

    def check_ipchains(self, script, command):
        findings = []
        words = command.words
        for index, word in enumerate(words[1:], 1):
            previous = words[index - 1].text
            if previous in ("-j", "--jump") and word.text in ("DROP", "MASQUERADE", "SNAT", "DNAT", "LOG"):
                findings.append(self.finding(script, word.location, f'-j {word.text} is iptables; ipchains has '
                                                                    f'no such target'))
            elif previous == "-m" and word.text in ("state", "tcp", "udp", "multiport", "limit", "mac"):
                findings.append(self.finding(script, word.location, f'"-m {word.text}" is an iptables match; to '
                                                                    f'ipchains -m sets a firewall mark'))
            elif word.text.startswith("--") and word.text in ("--state", "--ctstate", "--to-source",
                                                             "--to-destination", "--log-prefix"):
                findings.append(self.finding(script, word.location, f"{word.text} is an iptables option"))
        return findings
