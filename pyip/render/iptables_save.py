"""Firewall AST -> text: rules as iptables-save prints them, commands as modern iptables lines, restore files.

The rule spec is iptables-save's, option for option: `-s -d -i -o -p -f`,
then each match as `-m NAME` and its options in the extension's save()
order, then the target; values as the kernel holds them (ports as numbers,
`--set-xmark 0x5/0xffffffff`, `--set-tos 0x10/0x3f`).  Free text
(comments, log prefixes) is quoted the way iptables-save quotes it in a
restore file, and the way a shell needs it on a command line.
"""

from __future__ import annotations

import re

from .. import records

from .. import extensions
from ..ast import firewall as fw
from ..ast.base import Symbol
from ..memo import memo


class Text(metaclass=records.frozen):
    """A value of free text in a rule: `style` says how iptables-save prints it."""

    value: str
    style: str = "save_string"  # or "string" (the string match), "quoted" (u32), "spaced_save_string" (nfacct)


BARE_STRING = re.compile(r"[A-Za-z0-9_-]+")
SAVE_STRING_ESCAPED = re.compile(r"([\"\\'])")


def save_string(value: str) -> str:
    """xtables_save_string(): bare if only [A-Za-z0-9_-], else in double quotes with `"`, `\\` and `'` escaped."""
    if value and BARE_STRING.fullmatch(value):
        return value
    if '"' not in value and "\\" not in value and "'" not in value:
        return '"' + value + '"'  # nothing to escape: most comments with a blank
    return '"' + SAVE_STRING_ESCAPED.sub(r"\\\1", value) + '"'


def saved_line(words) -> str:
    """The words joined as iptables-save prints them; a plain str (most words) is its own text."""
    return " ".join([word if word.__class__ is str else save_word(word) for word in words])


def save_word(word) -> str:
    if isinstance(word, Text):
        if word.style == "save_string":
            return save_string(word.value)
        if word.style == "spaced_save_string":  # a save() that prints "--option " before xtables_save_string's " "
            return " " + save_string(word.value)
        if word.style == "string":
            return '"' + re.sub(r'(["\\])', r"\\\1", word.value) + '"'
        return f'"{word.value}"'
    return str(word)


SHELL_SAFE = re.compile(r"[\w@%+=:,./!-]+")


def shell_word(word) -> str:
    text = word.value if isinstance(word, Text) else str(word)
    if isinstance(word, Symbol):
        return text if " " not in text else f'"{text}"'
    if SHELL_SAFE.fullmatch(text):
        return text
    from ..errors import ansi_c_quoted

    escaped = ansi_c_quoted(text)  # bytes that are not UTF-8: $'eth\xff'
    return escaped if escaped is not None else "'" + text.replace("'", "'\\''") + "'"


# -- the rule spec ---------------------------------------------------------------------------


def rule_line(rule: fw.Rule) -> str:
    """`-A CHAIN spec`, exactly as iptables-save prints the rule: saved_line(["-A", rule.chain,
    *rule_words(rule)]), said part by part."""
    return " ".join([saved_line(["-A", rule.chain]), *spec_texts(rule)])


# The text of each part of a rule (an address or interface test, a match, the target), by the part's
# identity: a save file's rules share most of their parts (see pyip.memo).
TEST_TEXTS = memo()
NODE_TEXTS = memo()


def spec_texts(rule: fw.Rule) -> list[str]:
    """The texts whose `" "`-join is saved_line(rule_words(rule)): each part's words are never empty, so
    joining the parts' texts joins their words."""
    texts = []
    for test, option in ((rule.source, "-s"), (rule.destination, "-d")):
        if test is not None:
            texts.append(address_text(test, option))
    add_header_texts(texts, rule)
    add_node_texts(texts, rule.matches, rule.target)
    return texts


def add_header_texts(texts: list, rule: fw.Rule) -> None:
    """spec_texts() of the rule's interfaces, protocol and fragment, which follow its addresses.  The
    memos' look-ups are inlined: this runs for every rule."""
    tests = TEST_TEXTS.found
    for test, option, text in INTERFACE_PROTOCOL_TESTS:
        test = getattr(rule, test)
        if test is not None:
            entry = tests.get((id(test), option))
            texts.append(entry[1] if entry is not None else header_text(test, option, text))
    if rule.fragment is not None:
        texts.append("! -f" if rule.fragment.negated else "-f")


def add_node_texts(texts: list, matches: tuple, target) -> None:
    """spec_texts() of the rule's matches and target, its last parts."""
    nodes = NODE_TEXTS.found
    for match in matches:
        if match.name == "comment":  # the comment is most rules' own: said without a memo
            texts.append(comment_text(match.comment))
            continue
        entry = nodes.get(id(match))
        texts.append(entry[1] if entry is not None else match_text(match))
    if target is not None:
        entry = nodes.get(id(target))
        texts.append(entry[1] if entry is not None else target_text(target))


def address_text(test: fw.Test, option: str) -> str:
    """An address test, which is most rules' own: said without a memo, a host address the short way."""
    addresses = test.value
    if len(addresses) == 1 and addresses[0].__class__ is fw.Address and addresses[0].mask == 0xFFFFFFFF:
        text = f"{option} {dotted(addresses[0].address)}/32"
        return "! " + text if test.negated else text
    words: list = []
    negatable(words, test, option, addresses_text)
    return saved_line(words)


OCTETS = [str(octet) for octet in range(256)]


def dotted(address) -> str:
    """str() of an ipaddress.IPv4Address, a quarter of its cost (ipaddress goes through three calls and a
    map): each rule's own address is said this way twice, in the nft rule and in the restore file."""
    return ".".join([OCTETS[octet] for octet in int(address).to_bytes(4, "big")])


def comment_text(comment) -> str:
    """saved_line() of `-m comment` and comment_words()."""
    return "-m comment --comment " + (str(comment) if isinstance(comment, Symbol) else save_string(comment))


def header_text(test: fw.Test, option: str, text) -> str:
    key = (id(test), option)
    found = TEST_TEXTS.get(key)
    if found is None:
        words: list = []
        negatable(words, test, option, text)
        found = saved_line(words)
        TEST_TEXTS.keep(key, test, found)
    return found


def match_text(match) -> str:
    found = NODE_TEXTS.get(id(match))
    if found is None:
        found = saved_line(["-m", match.name, *MATCHES.get(type(match), extensions.save_words)(match)])
        NODE_TEXTS.keep(id(match), match, found)
    return found


def target_text(target) -> str:
    found = NODE_TEXTS.get(id(target))
    if found is None:
        found = saved_line(target_words(target))
        NODE_TEXTS.keep(id(target), target, found)
    return found


def rule_words(rule: fw.Rule) -> list:
    words: list = []
    negatable(words, rule.source, "-s", addresses_text)
    negatable(words, rule.destination, "-d", addresses_text)
    negatable(words, rule.in_interface, "-i", str)
    negatable(words, rule.out_interface, "-o", str)
    negatable(words, rule.protocol, "-p", protocol_text)
    if rule.fragment is not None:
        words += (["!"] if rule.fragment.negated else []) + ["-f"]
    for match in rule.matches:
        words += ["-m", match.name, *MATCHES.get(type(match), extensions.save_words)(match)]
    if rule.target is not None:
        words += target_words(rule.target)
    return words


def negatable(words: list, test: fw.Test | None, option: str, text=str) -> None:
    """`[!] OPTION VALUE`, nothing for a missing test."""
    if test is None:
        return
    if test.negated:
        words.append("!")
    words += [option, test.value if isinstance(test.value, Symbol) else text(test.value)]


def addresses_text(addresses: tuple):
    if len(addresses) == 1 and isinstance(addresses[0], Symbol):
        return addresses[0]
    return ",".join(str(address) for address in addresses)


def protocol_text(protocol: fw.Protocol) -> str:
    from ..parser.xtables import protocol_name

    return protocol_name(protocol.number) or str(protocol.number)


def hex_(value: int, width: int = 0) -> str:
    return f"0x{value:0{width}x}"


# rule_words()' tests after the addresses, in its order, for spec_texts()
INTERFACE_PROTOCOL_TESTS = (("in_interface", "-i", str), ("out_interface", "-o", str), ("protocol", "-p", protocol_text))


# -- matches ---------------------------------------------------------------------------


ALL_PORTS = fw.PortRange(0, 0xFFFF)


def port_words(match) -> list:
    words: list = []
    for test, option in ((match.sport, "--sport"), (match.dport, "--dport")):
        if test is None or test.value != ALL_PORTS:  # tcp_save() leaves out the full range
            negatable(words, test, option)
    return words


def names_text(names: tuple) -> str:
    return ",".join(names)


def range_text(value: fw.Range, separator: str = ":") -> str:
    return str(value.first) if value.first == value.last else f"{value.first}{separator}{value.last}"


def masked_text(value: fw.Masked) -> str:
    return hex_(value.value) if value.mask == 0xFFFFFFFF else f"{hex_(value.value)}/{hex_(value.mask)}"


MATCHES = {


}


# -- targets ---------------------------------------------------------------------------


def target_words(target) -> list:
    if isinstance(target, fw.Verdict):
        return ["-j", target.name]
    if isinstance(target, fw.ChainJump):
        return ["-g" if target.goto else "-j", target.chain]
    return ["-j", target.name, *TARGETS.get(type(target), extensions.save_words)(target)]


def text_value(value) -> object:
    return value if isinstance(value, Symbol) else Text(value)


def ports_text(ports: fw.PortRange) -> str:
    return str(ports.first) if ports.first == ports.last else f"{ports.first}-{ports.last}"


def nat_range_text(nat: fw.NatRange) -> str:
    text = ""
    if nat.min_address is not None:
        text = str(nat.min_address) if nat.max_address in (None, nat.min_address) else f"{nat.min_address}-{nat.max_address}"
    if nat.min_port is not None:
        text += ":" + ports_text(fw.PortRange(nat.min_port, nat.max_port))
        if nat.base_port is not None:
            text += f"/{nat.base_port}"
    return text


def flags(target, *names: str) -> list:
    return [f"--{name.replace('_', '-')}" for name in names if getattr(target, name)]


def nat_to(target) -> object:
    return target.to if isinstance(target.to, Symbol) else nat_range_text(target.to)


TARGETS = {



}


# -- commands ---------------------------------------------------------------------------


def command_line(command: fw.Command) -> str:
    """The modern `iptables` line for a command (the table only when it is not filter)."""
    table = command.rule.table if isinstance(command, fw.RULE_COMMANDS) else command.table
    words = ["iptables", *(["-t", table] if table != "filter" else []), *command_words(command)]
    return " ".join(shell_word(w) for w in words)


def optional(*values) -> list:
    return [v for v in values if v is not None]


def command_words(command: fw.Command) -> list:
    if isinstance(command, fw.RULE_COMMANDS):
        letter = {fw.Append: "-A", fw.Check: "-C", fw.Insert: "-I", fw.Replace: "-R", fw.Delete: "-D"}[type(command)]
        position = [command.position] if isinstance(command, (fw.Insert, fw.Replace)) else []
        return [letter, command.rule.chain, *position, *rule_words(command.rule)]
    if isinstance(command, fw.List):
        return list_words(command)
    return {
        fw.DeleteNumber: lambda c: ["-D", c.chain, c.position],
        fw.NewChain: lambda c: ["-N", c.chain],
        fw.DeleteChain: lambda c: ["-X", *optional(c.chain)],
        fw.RenameChain: lambda c: ["-E", c.chain, c.new_name],
        fw.Flush: lambda c: ["-F", *optional(c.chain)],
        fw.Zero: lambda c: ["-Z", *optional(c.chain, c.position)],
        fw.Policy: lambda c: ["-P", c.chain, c.policy],
    }[type(command)](command)


def list_words(command: fw.List) -> list:
    words = ["-S" if command.as_rules else "-L", *optional(command.chain, command.position)]
    for flag, word in ((command.zero, "-Z"), (command.numeric, "-n"), (command.verbose, "-v"),
                       (command.exact, "-x"), (command.line_numbers, "--line-numbers")):
        if flag:
            words.append(word)
    return words


# -- restore files ---------------------------------------------------------------------------


def restore_file(ruleset) -> str:
    """The ruleset as iptables-save prints it (without its timestamp comments): load it with iptables-restore."""
    lines = []
    for name in fw.TABLES:
        table = ruleset.tables.get(name)
        if table is None:
            continue
        builtins = [table.chains[chain] for chain in fw.TABLES[name] if chain in table.chains]
        users = sorted(table.user_chains(), key=lambda chain: chain.name.encode("utf-8", "surrogateescape"))
        lines.append(f"*{name}")
        # a built-in chain not created yet is printed as iptables-save prints it: ACCEPT
        lines += [f":{chain} {getattr(table.chains.get(chain), 'policy', 'ACCEPT')} [0:0]" for chain in fw.TABLES[name]]
        lines += [f":{chain.name} - [0:0]" for chain in users]
        for chain in builtins + users:
            start = saved_line(["-A", chain.name])
            # a rule the rule lane read (pyip.translators.lane) says its own line
            lines += [" ".join([start, *spec_texts(rule)]) if rule.__class__ is fw.Rule else rule.saved_line(start)
                      for rule in chain.rules]
        lines.append("COMMIT")
    return "\n".join(lines) + "\n" if lines else ""
