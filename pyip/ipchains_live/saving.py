"""`ipchains-save [CHAIN] [-v]` and `ipchains-restore [-f] [-v] [-p]` against table ip ipchains.

The format is Red Hat's /etc/sysconfig/ipchains (pyip.parser.ipchains_save):
`:CHAIN POLICY` lines (`-` for a user chain), then `-A CHAIN ...` rules.
Restoring is one nft transaction: all of the file or none of it.  As
ipchains-restore did, a chain the file names is flushed first (a user
chain made if missing); -f flushes every chain and deletes the user chains
first; -p makes a chain a rule jumps to that the file does not declare.
"""

from __future__ import annotations

from ..ast import firewall as fw
from ..ast import ipchains as ch
from ..errors import PyipError
from ..parser.ipchains_save import save_commands
from ..render.ipchains import rule_line
from ..ruleset import Chain
from .command import ATTEMPTS, kernel_message
from .nftlib import Nft, NftError
from .state import read_model, read_state
from .transaction import LiveError, transaction


def save_main(argv: list[str], out, err) -> int:
    chains = [a for a in argv if a != "-v"]
    if any(a.startswith("-") for a in chains) or len(chains) > 1:
        err.write("Usage: ipchains-save [chain] [-v]\n")
        return 1
    model = read_model(read_state(Nft()))
    selected = list(model.ruleset.chains.values())
    if chains:
        selected = [c for c in selected if c.name == chains[0]]
        if not selected:
            err.write(f"ipchains-save: no chain `{chains[0]}'\n")
            return 1
    for chain in selected:
        out.write(f":{chain.name} {chain.policy or '-'}\n")
    for chain in selected:
        for rule in chain.rules:
            out.write(rule_line(rule) + "\n")
    return 0


def restore_main(argv: list[str], stdin, err) -> int:
    options = set(argv)
    if options - {"-f", "-v", "-p"}:
        err.write("Usage: ipchains-restore [-f] [-v] [-p]\n")
        return 1
    text = stdin.read()
    commands = []
    for command in save_commands(text, "ipchains-restore"):
        if isinstance(command, PyipError):
            line = command.location.line
            message = command.message.removeprefix(f"ipchains-save: line {line}: ")  # the format's own errors
            err.write(f"ipchains-restore: line {line}: {message}\n")
            return 1
        commands.append(command)
    nft = Nft()
    for attempt in range(ATTEMPTS):
        state = read_state(nft)
        ruleset = read_model(state).ruleset
        try:
            restore(ruleset, commands, "-f" in options, "-p" in options)
        except PyipError as error:
            err.write(f"ipchains-restore: line {error.location.line}: {kernel_message(error.message)}\n")
            return 1
        try:
            nft.run(transaction(state, ruleset))
            return 0
        except NftError as error:
            if attempt == ATTEMPTS - 1:
                err.write(f"ipchains-restore: the kernel refused the ruleset: {error.text.splitlines()[0]}\n")
                return 1
        except LiveError as error:
            err.write(f"ipchains-restore: {error.message}\n")
            return 1
    return 1


def restore(ruleset, commands: list, flush_all: bool, create_referenced: bool) -> None:
    if flush_all:
        for chain in ruleset.chains.values():
            chain.rules = []
        ruleset.chains = {name: chain for name, chain in ruleset.chains.items() if chain.policy is not None}
    for command in commands:
        if isinstance(command, ch.NewChain):
            if command.chain in ruleset.chains:
                ruleset.chains[command.chain].rules = []
                continue
        elif isinstance(command, ch.Policy) and command.chain in ruleset.chains:
            ruleset.chains[command.chain].rules = []
        elif create_referenced and isinstance(command, ch.Append):
            jump = command.rule.target
            if isinstance(jump, fw.ChainJump) and jump.chain not in ruleset.chains:
                ruleset.chains[jump.chain] = Chain(jump.chain)
        ruleset.apply(command)

