from __future__ import annotations

from ... import extensions
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
# iptables of their day loaded them; today's says "Couldn't load match".  What became part of a
# today's extension is that extension module's fact (pyip.extensions.history_module(): iplimit -> connlimit,
# nth -> statistic, --cmd-owner, string's --algo, ...), and so is a target iptables still reads but
# Linux dropped (ULOG, CLUSTERIP); here only the extensions that left nothing behind, which have no module.
GONE_MATCHES = {
    "unclean": "the unclean match was removed in Linux 2.6.11",
    "psd": "the psd match was a patch-o-matic extension that Linux never took (xtables-addons has it)",
    "fuzzy": "the fuzzy match was a patch-o-matic extension that Linux never took",
    "condition": "the condition match was a patch-o-matic extension that Linux never took (xtables-addons has it)",
    "ipv4options": "the ipv4options match was a patch-o-matic extension that Linux never took",
    "record-rpc": "the record-rpc match is gone from Linux",
}
GONE_TARGETS = {"MIRROR": "the MIRROR target was removed in Linux 2.6.11",
                "IMQ": "the IMQ target was a patch that Linux never took (use IFB with tc)",
                "ROUTE": "the ROUTE target was a patch-o-matic extension that Linux never took"}


@register
class RemovedFeature(Rule):
    """A feature today's tools no longer have.

    `ip route ... equalize` (the kernel never implemented it; today's ip calls
    it garbage), `ip rule ... reject` (listed in the 2.2 usage text but never
    parsed: the word is `prohibit`), the `pervasive` nexthop flag, the
    2.2-era rt_dsfield names (`tos lowdelay`), route NAT (`ip route add nat
    ADDR`, which the kernel refuses today, and `ip rule add ... nat ADDR`,
    which it takes but which makes every lookup it matches fail, so the
    traffic stops), iptables' `-m unclean`, `-j MIRROR`, `-j ULOG` (gone in
    Linux 3.17), `-j CLUSTERIP` (gone in 6.3) and `--cmd-owner`, and the patch-o-matic extensions 2001 scripts loaded
    (`-m psd`, `-m iplimit`, now connlimit, `-m string` without `--algo`,
    `-m nth`, ...).  Fixes: `reject` -> `prohibit`, iplimit -> connlimit,
    `--algo bm` for the string match.
    A warning where the feature worked in the script's era, an error where
    it fails in the script's dialect.  An old option name today's iptables
    still takes, saying on stderr that it is deprecated (the set match's
    `--set`, where it goes to the set match and not to recent's or
    connlabel's `--set`), is a warning, fixed to today's (`--match-set`).

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
            if previous in ("-m", "--match"):
                findings += self.check_match(script, command, word, texts, severity)
            elif previous in ("-j", "--jump"):
                why = GONE_TARGETS.get(word.text) or former_fact("FORMER_TARGETS", word.text)
                if why:
                    findings.append(self.finding(script, word.location, why, severity))
            elif (why := former_fact("REMOVED_OPTIONS", word.text)) is not None:
                findings.append(self.finding(script, word.location, why, severity))
            elif (old := former_fact("DEPRECATED_OPTIONS", word.text)) is not None:
                findings += self.deprecated_option(script, command, index, old)
        return findings

    def deprecated_option(self, script, command, index: int, old: tuple) -> list:
        """An old option name today's iptables still takes, saying on stderr that it is deprecated: a warning,
        fixed to today's; only where the word goes to the extension whose old name it is."""
        owner, today, why = old
        word = command.words[index]
        if option_owner(command.words[:index], word.text[2:]) != owner:
            return []
        fix = None
        if as_written(script, word):
            location = word.location
            fix = Fix(f"write {today}", (Edit(location.line, location.col, location.col + len(word.text), today),))
        return [self.finding(script, word.location, why, WARNING, fix)]

    def check_match(self, script, command, word, texts, severity) -> list:
        """`-m NAME`: a match gone, renamed, or wanting an option today's iptables requires."""
        if word.text in GONE_MATCHES:
            return [self.finding(script, word.location, GONE_MATCHES[word.text], severity)]
        module = extensions.history_module("FORMER_MATCHES", word.text)
        if module is not None:
            renamed = getattr(module, "RENAMED", None)
            fix = renaming_fix(script, command, renamed) if renamed else None
            return [self.finding(script, word.location, module.FORMER_MATCHES[word.text], severity, fix)]
        module = extensions.history_module("REQUIRED_SINCE", word.text)
        if module is not None and module.REQUIRED_SINCE[0] not in texts:
            option, value, why = module.REQUIRED_SINCE
            return [self.finding(script, word.location, why, severity, required_fix(script, word, option, value))]
        return []


def former_fact(fact: str, word: str) -> str | None:
    """The extension modules' word on WORD under FACT (a target or option gone), or None."""
    module = extensions.history_module(fact, word)
    return getattr(module, fact)[word] if module is not None else None


def option_owner(before: list, option: str) -> str | None:
    """The extension an option word goes to: of those loaded before it (`-m NAME`, `-j NAME`), the newest with an
    option of that exact name (iptables puts a newly loaded extension's options before the older ones')."""
    from ...parser.xtables import MATCHES, TARGETS

    texts = [word.text for word in before]
    for position in range(len(texts) - 1, 0, -1):
        loader = texts[position - 1]
        registry = MATCHES if loader in ("-m", "--match") else TARGETS if loader in ("-j", "--jump") else None
        extension = registry.get(texts[position]) if registry is not None else None
        if extension is not None and any(opt.name == option for opt in extension.options):
            return extension.name
    return None


def as_written(script, word) -> bool:
    """Does the word stand in the file as its own text (not from a variable, not quoted)?  Only then
    can a fix edit it in place."""
    if word.symbol is not None:
        return False
    line = script.text.split("\n")[word.location.line - 1]
    start = word.location.col - 1
    return line[start:start + len(word.text)] == word.text


def renaming_fix(script, command, renamed: dict) -> Fix | None:
    """Rewrite the old extension's words (the name after -m and its options) as today's."""
    words = [word for word in command.words if word.text in renamed]
    if not all(as_written(script, word) for word in words):
        return None
    name = next(renamed[w.text] for w in words if not w.text.startswith("-"))
    return Fix(f"write {name}", tuple(Edit(w.location.line, w.location.col, w.location.col + len(w.text),
                                           renamed[w.text]) for w in words))


def required_fix(script, word, option: str, value: str) -> Fix | None:
    if not as_written(script, word):
        return None
    end = word.location.col + len(word.text)
    return Fix(f"add {option} {value}", (Edit(word.location.line, end, end, f" {option} {value}"),))
