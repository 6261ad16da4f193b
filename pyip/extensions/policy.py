"""policy (libxt_policy.c): the IPsec policy that decapsulated (--dir in) or will encapsulate (--dir out) the
packet, as a list of elements separated by --next (compared in order with --strict)."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.matches import parse_ct_address
from ..parser.xtables import Extension, Opt, parse_number, parse_protocol, problem, protocol_name

ELEMENT_KEYS = ("reqid", "spi", "proto", "mode", "tunnel-dst", "tunnel-src")  # print_entry()'s order
PROTOCOLS = (51, 50, 108)  # ah, esp, ipcomp


class PolicyMatch(metaclass=records.frozen):
    name: ClassVar[str] = "policy"
    direction: str  # in or out
    none: bool = False  # --pol none
    strict: bool = False
    elements: tuple = ()  # each a tuple of (key, Test) in ELEMENT_KEYS order

    @property
    def limits(self):
        """The kernel: --dir in where a packet came in, --dir out where it goes out."""
        hooks = {"PREROUTING", "INPUT", "FORWARD"} if self.direction == "in" else {"POSTROUTING", "OUTPUT", "FORWARD"}
        return (None, hooks, None)


class Match(Extension):
    name = "policy"
    generic = False  # element options come once per element, separated by --next
    options = (Opt("dir", "dir"), Opt("pol", "pol"), Opt("strict", "strict", arity=0),
               Opt("reqid", "reqid", invert=True), Opt("spi", "spi", invert=True),
               Opt("tunnel-src", "tunnel-src", invert=True), Opt("tunnel-dst", "tunnel-dst", invert=True),
               Opt("proto", "proto", invert=True), Opt("mode", "mode", invert=True), Opt("next", "next", arity=0))

    def __init__(self, rule, loaded_by):
        super().__init__(rule, loaded_by)
        self.elements: list[dict] = [{}]

    def take(self, given) -> None:
        key = given.option.key
        if given.negated and not given.option.invert:
            raise problem(f'policy: option "--{key}" cannot be inverted.', given.location)
        if key in ELEMENT_KEYS:
            element = self.elements[-1]
            if key in element:
                raise problem(f"policy match: double --{key} option", given.location)
            element[key] = given.test(self.read(given))
            return
        if key == "next":
            if "strict" not in self.given:
                raise problem('policy: option "--next" also requires "--strict".', given.location)
            self.elements.append({})
            if len(self.elements) == 4:  # XT_POLICY_MAX_ELEM
                raise problem("policy match: maximum policy depth reached", given.location)
            return
        if key in self.given:
            raise problem(f'policy: option "--{key}" can only be used once.', given.location)
        super().take(given)

    def read_dir(self, given):
        if given.value not in ("in", "out"):
            raise problem(f'policy_match: invalid dir "{given.value}"')
        return given.value

    def read_pol(self, given):
        if given.value not in ("none", "ipsec"):
            raise problem(f'policy match: invalid policy "{given.value}"')
        return given.value

    def read_reqid(self, given):
        return parse_number(self.name, given.option.name, given.value)

    read_spi = read_reqid

    def read_tunnel_src(self, given):
        return parse_ct_address(given.value, self.name, given.option.name)

    read_tunnel_dst = read_tunnel_src

    def read_proto(self, given):
        number = parse_protocol(given.value)
        if number not in PROTOCOLS:
            raise problem("policy match: protocol must be ah/esp/ipcomp")
        return number

    def read_mode(self, given):
        if given.value not in ("transport", "tunnel"):
            raise problem(f'policy match: invalid mode "{given.value}"')
        return given.value

    def finish(self):
        if "dir" not in self.given:
            raise problem("policy match: neither --dir in nor --dir out specified")
        none = self.plain("pol") == "none"
        strict = "strict" in self.given
        elements = [element for element in self.elements]
        if none:
            if strict:
                raise problem("policy match: policy none but --strict given")
            if len(elements) > 1 or elements[0]:
                raise problem("policy match: policy none but policy given")
            elements = []
        for index, element in enumerate(elements):
            if strict and not element:
                raise problem(f"policy match: empty policy element {index}. --strict is in effect, but at least one "
                              "of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.")
            mode = element.get("mode")  # the kernel's default mode is transport
            tunnel, inverted = (mode.value == "tunnel", mode.negated) if mode is not None else (False, False)
            if ("tunnel-src" in element or "tunnel-dst" in element) and tunnel == inverted:
                raise problem("policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode")
        return PolicyMatch(self.plain("dir"), none, strict,
                           tuple(tuple((key, element[key]) for key in ELEMENT_KEYS if key in element)
                                 for element in elements))


def element_words(element: tuple) -> list:
    words: list = []
    for key, test in element:
        value = test.value
        text = {"spi": lambda: f"0x{value:x}", "proto": lambda: protocol_name(value) or str(value),
                "tunnel-src": lambda: str(value.address) + mask_text(value.mask),
                "tunnel-dst": lambda: str(value.address) + mask_text(value.mask)}.get(key, lambda: str(value))()
        words += (["!"] if test.negated else []) + [f"--{key}", text]
    return words


def mask_text(mask: int) -> str:
    """xtables_ipmask_to_numeric(): nothing for /32, /LEN for a prefix mask, else /A.B.C.D."""
    from ..ast.firewall import ZERO, Address

    return "" if mask == 0xFFFFFFFF else "/" + str(Address(ZERO, mask)).split("/")[1]


def match_words(match: PolicyMatch) -> list:
    words = ["--dir", match.direction, "--pol", "none" if match.none else "ipsec"] + ["--strict"] * match.strict
    for index, element in enumerate(match.elements):
        words += (["--next"] if index else []) + element_words(element)
    return words


def match_nft(match: PolicyMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    if match.direction != "in" or match.strict or any(match.elements):
        raise Untranslatable("policy other than `--dir in' with no element (nft's meta secpath only says whether "
                             "the packet was decapsulated)")
    missing = "missing" if match.none else "exists"
    return [nft.Raw(f"meta secpath {missing}", {"match": {"op": "==", "left": {"meta": {"key": "secpath"}},
                                                          "right": not match.none}})]


SAVE = {PolicyMatch: match_words}
NFT = {PolicyMatch: match_nft}
MATCH = Match
