from __future__ import annotations

from ..model import Rule, register

# Match options and what must come before them to define them.
NEEDS_PROTOCOL = {"--dport": ("tcp", "udp", "sctp", "dccp"), "--sport": ("tcp", "udp", "sctp", "dccp"),
                  "--destination-port": ("tcp", "udp", "sctp", "dccp"), "--source-port": ("tcp", "udp", "sctp", "dccp"),
                  "--tcp-flags": ("tcp",), "--syn": ("tcp",), "--tcp-option": ("tcp",),
                  "--icmp-type": ("icmp",)}
NEEDS_MATCH = {"--state": "state", "--ctstate": "conntrack", "--dports": "multiport", "--sports": "multiport",
               "--ports": "multiport", "--limit": "limit", "--limit-burst": "limit", "--mac-source": "mac",
               "--uid-owner": "owner", "--gid-owner": "owner", "--src-range": "iprange", "--dst-range": "iprange",
               "--comment": "comment", "--string": "string", "--algo": "string", "--tos": "tos",
               "--ttl-eq": "ttl", "--ttl-gt": "ttl", "--ttl-lt": "ttl", "--length": "length",
               "--src-type": "addrtype", "--dst-type": "addrtype", "--u32": "u32",
               "--rcheck": "recent", "--update": "recent", "--seconds": "recent", "--hitcount": "recent"}


@register
class OptionOrder(Rule):
    """An iptables match option before the `-p` or `-m` that defines it.

    iptables loads a match's options when it reads `-p tcp` or `-m state`;
    an option before that is unknown ("unknown option --dport").  (ipchains
    read the whole line first, so it does not care.)

    Bad:  iptables -A INPUT --dport 22 -p tcp -j ACCEPT
    Good: iptables -A INPUT -p tcp --dport 22 -j ACCEPT
    """

    code = "PI013"
    name = "option-order"

    def check(self, script):
        findings = []
        for command in script.of("iptables"):
            findings += self.check_command(script, command)
        return findings

    def check_command(self, script, command):
        findings, loaded = [], set()  # protocols given with -p and matches loaded with -m
        unknown = False  # a `-p $PROTO` or `-m $MATCH` could load anything
        words = command.words
        for index, word in enumerate(words):
            previous = words[index - 1].text if index else ""
            if previous == "!" and index > 1:
                previous = words[index - 2].text
            if previous in ("-p", "--protocol", "-m", "--match"):
                loaded.add(word.text.lower())
                unknown |= word.symbol is not None
            elif not unknown and word.text in NEEDS_PROTOCOL and not loaded & set(NEEDS_PROTOCOL[word.text]):
                findings.append(self.finding(script, word.location,
                                             f"{word.text} before -p {NEEDS_PROTOCOL[word.text][0]}: iptables "
                                             f"does not know it yet"))
            elif not unknown and word.text in NEEDS_MATCH and NEEDS_MATCH[word.text] not in loaded:
                findings.append(self.finding(script, word.location,
                                             f"{word.text} before -m {NEEDS_MATCH[word.text]}: iptables does not "
                                             f"know it yet"))
        return findings
