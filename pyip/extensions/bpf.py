"""bpf (libxt_bpf.c, revision 1): a classic BPF program (--bytecode) or a pinned eBPF object runs on the packet."""

from __future__ import annotations

import re
from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, problem
from ..render.iptables_save import Text

MAX_INSTRUCTIONS = 64  # XT_BPF_MAX_NUM_INSTR
INSTRUCTION = re.compile(r"\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)")


class BpfMatch(metaclass=records.frozen):
    name: ClassVar[str] = "bpf"
    program: tuple = ()  # (code, jt, jf, k) each
    pinned: str | None = None


def parse_bytecode(text: str) -> tuple:
    """bpf_parse_string(): LENGTH,CODE JT JF K,... as sscanf reads it (16-, 8-, 8- and 32-bit fields)."""
    head = re.match(r"\s*(\d+),", text)
    if head is None:
        raise problem("bpf: error parsing program length")
    length = int(head.group(1)) & 0xFFFF
    if not length:
        raise problem("bpf: illegal zero length program")
    if length > MAX_INSTRUCTIONS:
        raise problem("bpf: number of instructions exceeds maximum")
    program, rest = [], text[head.end() - 1:]
    while rest.startswith(",") and rest[1:]:
        if len(program) >= length:
            raise problem("bpf: real program length exceeds the encoded length parameter")
        found = INSTRUCTION.match(rest[1:])
        if found is None:
            raise problem(f"bpf: error at instr {len(program)}")
        code, jt, jf, k = (int(group) for group in found.groups())
        program.append((code & 0xFFFF, jt & 0xFF, jf & 0xFF, k & 0xFFFFFFFF))
        after = rest.find(",", 1)
        rest = rest[after:] if after >= 0 else ""
    if len(program) != length:
        raise problem("bpf: parsed program length is less than the encoded length parameter")
    return tuple(program)


class Match(Extension):
    name = "bpf"
    options = (Opt("bytecode", "bytecode"), Opt("object-pinned", "object-pinned"))

    def read_bytecode(self, given):
        return parse_bytecode(given.value)

    def finish(self):
        if len(self.given) != 1:
            raise problem("bpf: one of --bytecode or --pinned is required")
        return BpfMatch(self.plain("bytecode", ()), self.plain("object-pinned"))


def match_words(match: BpfMatch) -> list:
    if match.pinned is not None:
        return ["--object-pinned", match.pinned]
    code = ",".join(" ".join(map(str, instruction)) for instruction in match.program)
    return ["--bytecode", Text(f"{len(match.program)},{code}", "quoted")]


def match_nft(match: BpfMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the bpf match (nft runs no BPF programs)")


SAVE = {BpfMatch: match_words}
NFT = {BpfMatch: match_nft}
MATCH = Match
