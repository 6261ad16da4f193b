from __future__ import annotations

from ...netdb import service_port
from ..firewall_words import option_value
from ..model import Rule, register

PORT_OPTIONS = ("--dport", "--sport", "--destination-port", "--source-port", "--dports", "--sports")
ADDRESS_OPTIONS = ("-s", "--source", "--src", "-d", "--destination", "--dst")


@register
class UnknownService(Rule):
    """A port name that the services database (/etc/services) does not know.

    iptables and ipchains resolve port names with getservbyname() for the
    rule's protocol: `www`, `ftp-data` and `domain` are there, `dns` is
    not, and the command fails ("invalid port/service").

    Bad:  iptables -A INPUT -p udp --dport dns -j ACCEPT
    Good: iptables -A INPUT -p udp --dport domain -j ACCEPT
    """

    code = "PI012"
    name = "unknown-service"

    def check(self, script):
        findings = []
        for program in ("iptables", "ipchains"):
            for command in script.of(program):
                protocol = option_value(command.words, "-p", "--protocol", "--proto")
                if protocol is None or protocol.symbol is not None or protocol.text.lower() not in ("tcp", "udp"):
                    continue
                for word in self.port_words(command.words, program):
                    findings += self.check_word(script, word, protocol.text.lower())
        return findings

    def port_words(self, words, program):
        for index, word in enumerate(words[:-1]):
            following = words[index + 1]
            if following.text == "!" and index + 2 < len(words):
                following = words[index + 2]
            if word.text in PORT_OPTIONS:
                yield following
            elif program == "ipchains" and word.text in ADDRESS_OPTIONS:
                port = self.port_after_address(words, words.index(following))
                if port is not None:
                    yield port

    def port_after_address(self, words, address_index):
        """ipchains: the word after an address is its port, unless it is an option."""
        index = address_index + 1
        if index < len(words) and words[index].text == "!":
            index += 1
        if index < len(words) and not words[index].text.startswith("-"):
            return words[index]
        return None

    def check_word(self, script, word, protocol):
        if word.symbol is not None:
            return []
        names = [part for piece in word.text.split(",") for part in piece.split(":")]
        return [self.finding(script, word.location, f'"{name}" is not a {protocol} service in /etc/services')
                for name in names if name and not name.isdigit() and service_port(name, protocol) is None]
