"""`ipchains ARGS...` run against the kernel: read table ip ipchains, apply the command, write it back.

Exit statuses and messages are ipchains 1.3.10's: a command it refused to
read prints `ipchains: MESSAGE` and `Try `ipchains -h' for more
information.` (status 2); what the 2.2 kernel refused prints libipfwc's
message (`No chain by that name`, status 1).  What this kernel cannot run
(an nft limit) is status 1 with `ipchains: cannot run on this kernel: ...`.
"""

from __future__ import annotations

import sys

from ..ast import ipchains as ch
from ..errors import Location, PyipError
from ..parser.ipchains import parse_ipchains
from ..parser.words import Word
from ..ruleset_ipchains import MESSAGES
from . import listing
from .nftlib import Nft, NftError
from .state import TABLE, nft_names, read_model, read_state
from .transaction import LiveError, transaction

ATTEMPTS = 5  # a transaction another change beat is made again from a fresh reading
VERSION = "ipchains 1.3.10 (pyip: on nftables, table ip ipchains)"


def words_of(argv: list[str]) -> list[Word]:
    return [Word(text, Location("ipchains", 1, index)) for index, text in enumerate(argv)]


def main(argv: list[str], program: str = "ipchains", out=None, err=None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        command = parse_ipchains(words_of([program, *argv]))
    except PyipError as error:
        err.write(f"{program}: {error.message}\nTry `{program} -h' for more information.\n")
        return error.exit_status
    try:
        return run(command, Nft(), out, err)
    except LiveError as error:
        err.write(f"{program}: {error.message}\n")
        return error.exit_status
    except PyipError as error:
        err.write(kernel_message(error.message) + "\n")
        return error.exit_status


def kernel_message(message: str) -> str:
    """libipfwc's own words, without the reason pyip adds in parentheses."""
    for known in sorted(set(MESSAGES.values()), key=len, reverse=True):
        if message.startswith(known):
            return known
    return message


def run(command, nft: Nft, out, err) -> int:
    if isinstance(command, ch.Help):
        from .help import help_text

        out.write(help_text(command.icmp))
        return 0
    if isinstance(command, ch.Version):
        out.write(VERSION + "\n")
        return 0
    if isinstance(command, (ch.ListMasquerading, ch.SetTimeouts, ch.CheckPacket)):
        from . import packets

        return packets.run(command, nft, out, err)
    if isinstance(command, ch.List):
        return list_chains(command, nft, out, err)
    return change(command, nft)


def change(command, nft: Nft, zero: tuple = ()) -> int:
    """Apply the command to what the kernel holds and commit it; start again if another change came first."""
    for attempt in range(ATTEMPTS):
        state = read_state(nft)
        model = read_model(state)
        model.ruleset.apply(command)
        chains = zero_chains(command, model, state) if isinstance(command, (ch.Zero, ch.List)) else ()
        try:
            nft.run(transaction(state, model.ruleset, chains))
            return 0
        except NftError as error:
            if attempt == ATTEMPTS - 1:
                raise LiveError(f"the kernel refused the change (table ip {TABLE} changed meanwhile?): "
                                f"{error.text.splitlines()[0]}", Location(), 1) from None
    return 1


def zero_chains(command, model, state) -> tuple:
    """-Z [CHAIN]: the nft chains whose rules are written again with zero counters."""
    names = [command.chain] if command.chain is not None else list(model.ruleset.chains)
    zeroed = set()
    for name in names:
        for candidate in nft_names(name):
            if candidate in state.chains:
                zeroed.add(candidate)
    return tuple(sorted(zeroed))


def list_chains(command: ch.List, nft: Nft, out, err) -> int:
    state = read_state(nft)
    model = read_model(state)
    if command.chain is not None and command.chain not in model.ruleset.chains:
        err.write(f"ipchains: unknown chain `{command.chain}'.\nTry `ipchains -h' for more information.\n")
        return 2
    fmt = listing.Format(command.verbose, command.numeric, command.exact, command.line_numbers)
    out.write(listing.listing(model, command.chain, fmt, foreign_texts(nft) if model.foreign else None))
    if command.zero:
        out.flush()
        return change(command, nft)
    return 0


def foreign_texts(nft: Nft):
    """nft's own text of the rules someone added with nft, by (chain, handle)."""
    texts = {}
    for line in nft.run(f"list table ip {TABLE}").splitlines():
        text, _, handle = line.strip().rpartition(" # handle ")
        if text and handle.isdigit():
            texts[handle] = text
    return lambda chain, handle: texts.get(str(handle), f"handle {handle}")
