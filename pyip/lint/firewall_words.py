"""Word-level facts about iptables and ipchains commands, for the lint rules.

The rules that need only the words (a missing command, an option in the
wrong tool, a mark value) read them here; the parsers own the full grammar.
"""

from __future__ import annotations

from ..parser.xtables import strtoui

IPTABLES_COMMANDS = {"A": "append", "C": "check", "D": "delete", "I": "insert", "R": "replace",
                     "L": "list", "S": "list-rules", "F": "flush", "Z": "zero", "N": "new-chain",
                     "X": "delete-chain", "P": "policy", "E": "rename-chain"}
IPCHAINS_COMMANDS = {"A": "append", "D": "delete", "I": "insert", "R": "replace", "L": "list",
                     "F": "flush", "Z": "zero", "N": "new-chain", "X": "delete-chain", "P": "policy",
                     "M": "masquerading", "C": "check", "S": "set", "h": "help", "V": "version"}
# Commands that name a chain in the next word.
CHAIN_COMMANDS = set("ADIRLSFZNXPEC")

IPTABLES_BUILTINS = {"INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING"}
IPCHAINS_BUILTINS = {"input", "forward", "output"}


def long_option(word: str, options) -> str | None:
    """getopt_long: `--app` is `--append` when no other option starts so."""
    if not word.startswith("--") or len(word) < 3:
        return None
    name = word[2:].split("=", 1)[0]
    if name in options:
        return name
    candidates = [option for option in options if option.startswith(name)]
    return candidates[0] if len(candidates) == 1 else None


def command_of(words, table: dict) -> tuple[int, str] | None:
    """(index, command letter) of the first command option, or None."""
    long_names = _LONG_NAMES.get(id(table)) or {name: letter for letter, name in table.items()}
    for index, word in enumerate(words[1:], 1):
        text = word.text
        if text.startswith("--"):
            name = long_option(text, long_names)
            if name:
                return index, long_names[name]
        elif text.startswith("-") and len(text) > 1 and text[1:2].isalpha():
            letter = bundled_command(text[1:], table)
            if letter:
                return index, letter
    return None


# command_of's look-up by long name, made once for each of the tables above (it asks for every command).
_LONG_NAMES = {id(table): {name: letter for letter, name in table.items()}
               for table in (IPTABLES_COMMANDS, IPCHAINS_COMMANDS)}

# Short options that take no argument: getopt reads `-nvL` as -n -v -L.
FLAG_LETTERS = set("bfnvx46y")


def bundled_command(letters: str, table: dict) -> str | None:
    """The command letter in a bundle of short options (`nvL` -> L), or None: flags may come
    first, and an option that takes an argument ends the bundle (`-tnat`)."""
    for letter in letters:
        if letter in table:
            return letter
        if letter not in FLAG_LETTERS:
            return None
    return None


def chain_of(words, table: dict):
    """The chain word of the command (the word after -A/-I/...), or None."""
    found = command_of(words, table)
    if found is None:
        return None
    index, letter = found
    text = words[index].text
    if not text.startswith("--") and len(text) > 2 and not text.endswith(letter):
        return words[index]  # attached: `-Ainput` is not split; the whole word names it
    if letter in CHAIN_COMMANDS and index + 1 < len(words) and not words[index + 1].text.startswith("-"):
        return words[index + 1]
    return None


def option_value(words, *names: str):
    """The word after the first of the option names (skipping a `!`), or None."""
    for index, word in enumerate(words[:-1]):
        if word.text in names:
            following = words[index + 1]
            if following.text == "!" and index + 2 < len(words):
                return words[index + 2]
            return following
    return None


def marks_set(script) -> set[int]:
    """Every firewall mark value the script sets: ipchains `-m N`, iptables `--set-mark N`.

    Read as the firewall tools read them (strtoul), not with ip's reader."""
    marks = set()
    for command in script.of("ipchains"):
        value = option_value(command.words, "-m", "--mark", "--mar", "--ma")
        if value is not None and value.symbol is None and value.text[:1] not in "+-":
            number = strtoui(value.text)
            if number is not None:
                marks.add(number)
    for command in script.of("iptables"):
        value = option_value(command.words, "--set-mark", "--set-xmark")
        if value is not None and value.symbol is None:
            number = strtoui(value.text.split("/", 1)[0])
            if number is not None:
                marks.add(number)
    return marks


def final_iptables_rules(script):
    """The chains an iptables script leaves, (table, chain, [rules in order]), each
    rule with its source location; commands that fail or hold unknown values are skipped.
    Built once per script: several rules ask."""
    if script.iptables_chains is None:
        script.iptables_chains = build_iptables_rules(script)
    return script.iptables_chains


def build_iptables_rules(script):
    from ..errors import PyipError
    from ..ruleset import Ruleset

    ruleset = Ruleset()
    for command in script.of("iptables"):
        parsed = command.firewall
        try:
            if not isinstance(parsed, PyipError) and not getattr(parsed, "unknowns", ()):
                ruleset.apply(parsed)
        except PyipError:
            continue
    return [(table.name, chain.name, chain.rules)
            for table in ruleset.tables.values() for chain in table.chains.values()]
