from __future__ import annotations

from ...ast import IpCommand
from ...compat import legacy
from ...errors import PyipError
from ..model import ERROR, WARNING, Edit, Fix, Rule, register

# The 2.2-era rt_dsfield names, gone from today's file.
OLD_DSFIELD_NAMES = {"lowdelay": 0x10, "throughput": 0x08, "reliability": 0x04, "mincost": 0x02,
                     "priority": 0x20, "immediate": 0x40, "flash": 0x60, "flash-override": 0x80,
                     "critical": 0xA0, "internet": 0xC0, "network": 0xE0}
ROUTE_NAT = ('route NAT ("nat" routes) was removed in Linux 2.6.9: today\'s kernel refuses the route '
             '("Error: Invalid scope."); translate it to iptables or nft SNAT/DNAT')
RULE_NAT = ('route NAT ("nat" rules) was removed in Linux 2.6.9: today\'s kernel takes the rule, but every route '
            'lookup it matches fails ("Invalid argument"), so that traffic stops; translate it to iptables or nft '
            'SNAT/DNAT and drop the rule')
ADDING = ("add", "change", "replace", "append", "prepend")
# 2001 scripts also used patch-o-matic extensions (the documents patch in string, psd and iplimit):
# iptables of their day loaded them; today's says "Couldn't load match".
REMOVED_MATCHES = {
    "unclean": "the unclean match was removed in Linux 2.6.11",
    "psd": "the psd match was a patch-o-matic extension that Linux never took (xtables-addons has it)",
    "iplimit": "the iplimit match was a patch-o-matic extension; Linux took it as connlimit: "
               "-m connlimit --connlimit-above N",
    "nth": "the nth match was a patch-o-matic extension; today: -m statistic --mode nth --every N",
    "random": "the random match was a patch-o-matic extension; today: -m statistic --mode random --probability P",
    "mport": "the mport match is gone: -m multiport takes ranges today",
    "fuzzy": "the fuzzy match was a patch-o-matic extension that Linux never took",
    "condition": "the condition match was a patch-o-matic extension that Linux never took (xtables-addons has it)",
    "ipv4options": "the ipv4options match was a patch-o-matic extension that Linux never took",
    "record-rpc": "the record-rpc match is gone from Linux",
}
REMOVED_TARGETS = {"MIRROR": "the MIRROR target was removed in Linux 2.6.11",
                   "ULOG": "the ULOG target was removed in Linux 3.17: use NFLOG",
                   "IMQ": "the IMQ target was a patch that Linux never took (use IFB with tc)",
                   "ROUTE": "the ROUTE target was a patch-o-matic extension that Linux never took"}
REMOVED_OPTIONS = {"--cmd-owner": "the owner match's --cmd-owner was removed in Linux 2.6.14"}
CONNLIMIT = {"iplimit": "connlimit", "--iplimit-above": "--connlimit-above", "--iplimit-mask": "--connlimit-mask"}
STRING_ALGO = ("the 2001 string match (patch-o-matic) had no --algo; today's wants one: -m string --algo bm "
               "--string TEXT")


@register
class RemovedFeature(Rule):
    """A feature today's tools no longer have.

    `ip route ... equalize` (the kernel never implemented it; today's ip calls
    it garbage), `ip rule ... reject` (listed in the 2.2 usage text but never
    parsed: the word is `prohibit`), the `pervasive` nexthop flag, the
    2.2-era rt_dsfield names (`tos lowdelay`), route NAT (`ip route add nat
    ADDR`, which the kernel refuses today, and `ip rule add ... nat ADDR`,
    which it takes but which makes every lookup it matches fail, so the
    traffic stops), iptables' `-m unclean`, `-j MIRROR`, `-j ULOG` and
    `--cmd-owner`, and the patch-o-matic extensions 2001 scripts loaded
    (`-m psd`, `-m iplimit`, now connlimit, `-m string` without `--algo`,
    `-m nth`, ...).  Fixes: `reject` -> `prohibit`, iplimit -> connlimit,
    `--algo bm` for the string match.
    A warning where the feature worked in the script's era, an error where
    it fails in the script's dialect.

    Bad:  ip rule add from 192.168.2.0/24 prio 32777 reject
    Good: ip rule add from 192.168.2.0/24 prio 32777 prohibit
    """

    code = "PI007"
    name = "removed-feature"
    fixable = True

    def check(self, script):
        findings = []
        for command in script.of("ip"):
            findings += self.check_ip(script, command)
        for command in script.of("iptables"):
            findings += self.check_iptables(script, command)
        return findings

    def check_ip(self, script, command):
        era_ok = script.dialect == legacy.LEGACY
        if not era_ok and not any(w.text in ("equalize", "reject") for w in command.words):
            old = None  # nothing the 2.2-era reading could note
        else:
            old = command.ip if era_ok else command.ip_other  # the 2.2-era reading notes what it met
        notes = old.notes if old is not None and not isinstance(old, PyipError) else ()
        findings = []
        for index, word in enumerate(command.words):
            text = word.text
            if text == "equalize" and legacy.EQUALIZE_NOTE in notes:
                findings.append(self.finding(
                    script, word.location, '"equalize" is gone: the kernel never implemented it and today\'s ip '
                    'refuses it; delete the word', WARNING if era_ok else ERROR))
            elif text == "reject" and legacy.REJECT_NOTE in notes:
                location = word.location
                findings.append(self.finding(
                    script, location, '"reject" was never a rule type ip parsed (2.2 or today): write prohibit',
                    WARNING if era_ok else ERROR, Fix("write prohibit", (Edit(location.line, location.col, location.col + 6, "prohibit"),))))
            elif text == "pervasive":
                findings.append(self.finding(script, word.location,
                                             '"pervasive" was never parsed by ip: delete it', ERROR))
            elif text in OLD_DSFIELD_NAMES and index and command.words[index - 1].text in ("tos", "dsfield"):
                if script.names.dsfield.lookup(text) is None:
                    findings.append(self.finding(
                        script, word.location, f'tos name "{text}" is gone from rt_dsfield: write '
                        f'0x{OLD_DSFIELD_NAMES[text]:02x}', WARNING if era_ok else ERROR))
        findings += self.check_route_nat(script, command, WARNING if era_ok else ERROR)
        if findings:
            script.claimed.add(id(command))
        return findings

    def check_route_nat(self, script, command, severity: str) -> list:
        parsed = command.ip
        if not isinstance(parsed, IpCommand) or parsed.verb not in ADDING:
            return []
        if parsed.object == "route" and getattr(parsed.body, "type", None) == "nat":
            message = ROUTE_NAT
        elif parsed.object == "rule" and getattr(parsed.body, "action", None) == "nat":
            message = RULE_NAT
        else:
            return []
        word = next(w for w in command.words if w.text in ("nat", "map-to"))
        return [self.finding(script, word.location, message, severity)]

    def check_iptables(self, script, command):
        findings = []
        severity = WARNING if script.dialect == legacy.LEGACY else ERROR
        texts = [word.text for word in command.words]
        for index, word in enumerate(command.words[1:], 1):
            previous = texts[index - 1]
            if previous in ("-m", "--match") and word.text in REMOVED_MATCHES:
                fix = connlimit_fix(script, command) if word.text == "iplimit" else None
                findings.append(self.finding(script, word.location, REMOVED_MATCHES[word.text], severity, fix))
            elif previous in ("-m", "--match") and word.text == "string" and "--algo" not in texts:
                findings.append(self.finding(script, word.location, STRING_ALGO, severity, algo_fix(script, word)))
            elif previous in ("-j", "--jump") and word.text in REMOVED_TARGETS:
                findings.append(self.finding(script, word.location, REMOVED_TARGETS[word.text], severity))
            elif word.text in REMOVED_OPTIONS:
                findings.append(self.finding(script, word.location, REMOVED_OPTIONS[word.text], severity))
        return findings


def as_written(script, word) -> bool:
    """Does the word stand in the file as its own text (not from a variable, not quoted)?  Only then
    can a fix edit it in place."""
    if word.symbol is not None:
        return False
    line = script.text.split("\n")[word.location.line - 1]
    start = word.location.col - 1
    return line[start:start + len(word.text)] == word.text


def connlimit_fix(script, command) -> Fix | None:
    words = [word for word in command.words if word.text in CONNLIMIT]
    if not all(as_written(script, word) for word in words):
        return None
    return Fix("write connlimit", tuple(Edit(w.location.line, w.location.col, w.location.col + len(w.text),
                                             CONNLIMIT[w.text]) for w in words))


def algo_fix(script, word) -> Fix | None:
    if not as_written(script, word):
        return None
    end = word.location.col + len(word.text)
    return Fix("add --algo bm", (Edit(word.location.line, end, end, " --algo bm"),))
