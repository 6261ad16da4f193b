"""tos and TOS (libxt_tos.c, libxt_TOS.c): the IPv4 TOS byte under a mask, tested and changed."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import firewall as fw
from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem, strtoui
from ..render.iptables_save import hex_, negatable


class TosMatch(metaclass=records.frozen):
    name: ClassVar[str] = "tos"
    tos: fw.Test  # Masked


class Tos(metaclass=records.frozen):
    """TOS: the TOS byte becomes (tos & ~mask) ^ value."""

    name: ClassVar[str] = "TOS"
    limits: ClassVar[tuple] = ("mangle", None, None)  # xt_DSCP (TOS): .table = "mangle"
    value: int
    mask: int = 0xFF


TOS_NAMES = (("Minimize-Delay", 0x10), ("Maximize-Throughput", 0x08), ("Maximize-Reliability", 0x04),
             ("Minimize-Cost", 0x02), ("Normal-Service", 0x00))


def parse_tos(text: str, maximum: int = 0xFF) -> fw.Masked:
    """XTTYPE_TOSMASK: a name (mask 0x3f), or VALUE[/MASK] (mask 0xff)."""
    value_text, slash, mask_text = text.partition("/")
    value = strtoui(value_text, 0, maximum)
    if value is None:
        named = next((v for name, v in TOS_NAMES if name.lower() == text.lower()), None)
        if named is None:
            raise problem(f'Symbolic name "{text}" is unknown')
        return fw.Masked(named, 0x3F)
    mask = strtoui(mask_text, 0, maximum) if slash else 0xFF
    if mask is None:
        raise problem(f'Illegal value: "{text}"')
    return fw.Masked(value, mask)


class Match(Extension):
    name = "tos"
    options = (Opt("tos", "tos", invert=True),)

    def read_tos(self, given):
        return parse_tos(given.value)

    def finish(self):
        self.require("tos")
        return TosMatch(self.values["tos"])


class Target(Extension):
    name = "TOS"
    TOS_OPTIONS = ("set-tos", "and-tos", "or-tos", "xor-tos")
    options = tuple(Opt(option, option) for option in TOS_OPTIONS)

    def read_set_tos(self, given):
        return parse_tos(given.value)

    def read_and_tos(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 0xFF)

    read_or_tos = read_xor_tos = read_and_tos

    def finish(self):
        self.exclusive(*self.TOS_OPTIONS)
        if not self.given:
            raise problem("TOS: An action is required")
        [(key, test)] = self.values.items()
        value = test.value
        if key == "set-tos":
            return Tos(value.value, value.mask)
        return {"and-tos": Tos(0, ~value & 0xFF), "or-tos": Tos(value, value), "xor-tos": Tos(value, 0)}[key]


def tos_text(value: fw.Masked) -> str:
    return f"{hex_(value.value, 2)}/{hex_(value.mask, 2)}"


def tos_words(match: TosMatch) -> list:
    words: list = []
    negatable(words, match.tos, "--tos", tos_text)
    return words


def tos_target_words(target: Tos) -> list:
    return ["--set-tos", tos_text(fw.Masked(target.value, target.mask))]


def tos_matches(match: TosMatch, rule: fw.Rule, quotes_allowed: bool = False) -> list:
    from ..translators.iptables_nft import masked_value_match

    masked = match.tos.value
    if masked.mask == 0xFC:
        return [nft.Match(nft.Payload("ip", "dscp"), masked.value >> 2, match.tos.negated)]
    return masked_value_match(nft.RawPayload("nh", 8, 8), match.tos, 0xFF)  # the whole TOS byte


DSCP_BITS = 0xFC


def tos_statements(target: Tos, rule, quotes_allowed: bool) -> list:
    """TOS sets tos = (tos & ~mask) ^ value; nft's `ip dscp set` can only replace bits 2-7 whole."""
    from ..translators.iptables_nft import Untranslatable

    if target.mask & DSCP_BITS == DSCP_BITS and not (target.mask | target.value) & 0x03:
        return [nft.Mangle(nft.Payload("ip", "dscp"), target.value >> 2)]
    lost = (target.mask | target.value) & 0x03
    kept = ~target.mask & DSCP_BITS
    why = [f"it changes bit{'s' if lost == 3 else ''} {lost:#04x} (ECN)"] if lost else []
    why += [f"it keeps the DSCP bits {kept:#04x}"] if kept else []
    raise Untranslatable(f"TOS --set-tos {target.value:#04x}/{target.mask:#04x}: `ip dscp set' replaces bits 2-7 "
                         f"(0xfc) whole, but {' and '.join(why)}")


SAVE = {TosMatch: tos_words, Tos: tos_target_words}
NFT = {TosMatch: tos_matches, Tos: tos_statements}
MATCH = Match
TARGET = Target


def tos_from_ipchains(translator, action: Tos, rule: fw.Rule, variants: list, context: str | None, chain,
                      table: str) -> bool:
    """ipchains' -t from a filter chain: iptables' TOS works in mangle only, so the action goes to mangle at the
    same hook.  True if placed (or refused) here; False: in the rule's own chain, as any action."""
    if table == "mangle" or translator.direct:
        return False
    hook = translator.place(context)[1]
    if hook is None or chain.policy is None:
        translator.error(chain, "-t in a user chain of the filter table (TOS works in mangle only)", rule)
        return True
    translator.chain("mangle", hook).rules += [records.evolve(v, table="mangle", chain=hook, target=action)
                                               for v in variants]
    translator.note(f"-t: TOS works in the mangle table only; this rule's TOS action is in mangle {hook}, "
                    f"which runs before filter {hook}, so it also changes packets that earlier rules of "
                    f"`{context}' decided", rule.location)
    return True


# node type -> (translator, action, ipchains rule, its variants, built-in chain, iptables chain, table) -> whether
# it placed the action (pyip.translators.ipchains_iptables); else the action goes in the rule's chain.
FROM_IPCHAINS_ACTION = {Tos: tos_from_ipchains}
