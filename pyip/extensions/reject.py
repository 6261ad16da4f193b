"""REJECT (libipt_REJECT.c): drop the packet and answer with an ICMP error or a TCP reset."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem


class Reject(metaclass=records.frozen):
    name: ClassVar[str] = "REJECT"
    reject_with: str = "icmp-port-unreachable"

    @property
    def limits(self) -> tuple:
        """ipt_REJECT: the filter table's INPUT, FORWARD and OUTPUT; a TCP reset only for `-p tcp'."""
        return ("filter", {"INPUT", "FORWARD", "OUTPUT"}, 6 if self.reject_with == "tcp-reset" else None)


REJECT_TYPES = (("icmp-net-unreachable", "net-unreach"), ("icmp-host-unreachable", "host-unreach"),
                ("icmp-proto-unreachable", "proto-unreach"), ("icmp-port-unreachable", "port-unreach"),
                ("icmp-net-prohibited", "net-prohib"), ("icmp-host-prohibited", "host-prohib"),
                ("tcp-reset", "tcp-rst"), ("icmp-admin-prohibited", "admin-prohib"))


class Target(Extension):
    name = "REJECT"
    options = (Opt("reject-with", "reject-with"),)

    def read_reject_with(self, given):
        """Case-insensitive: the first type whose name or alias the word begins."""
        text = given.value.lower()
        for name, alias in REJECT_TYPES:
            if name.startswith(text) or alias.startswith(text):
                return name
        raise problem(f'unknown reject type "{given.value}"')

    def finish(self):
        return Reject(self.plain("reject-with", default="icmp-port-unreachable"))


def reject_words(target: Reject) -> list:
    return ["--reject-with", target.reject_with]


REJECT_CODES = {"icmp-net-unreachable": "net-unreachable", "icmp-host-unreachable": "host-unreachable",
                "icmp-proto-unreachable": "prot-unreachable", "icmp-net-prohibited": "net-prohibited",
                "icmp-host-prohibited": "host-prohibited", "icmp-admin-prohibited": "admin-prohibited"}


def reject_statements(target: Reject, rule, quotes_allowed: bool) -> list:
    if target.reject_with == "icmp-port-unreachable":
        return [nft.Reject()]
    if target.reject_with == "tcp-reset":
        return [nft.Reject("tcp reset")]
    return [nft.Reject("icmp", REJECT_CODES[target.reject_with])]


SAVE = {Reject: reject_words}
NFT = {Reject: reject_statements}
TARGET = Target


def ipchains_reject(target: Reject):
    """ipchains' REJECT sends port unreachable only."""
    return (target, ()) if target.reject_with == "icmp-port-unreachable" else None


TO_IPCHAINS = {Reject: ipchains_reject}  # see pyip/extensions/tcp.py


def reject_from_ipchains(translator, rule, context: str | None, chain, table: str, variants: list):
    """ipchains' REJECT where the kernel (iptables: filter only) or nft (not on postrouting) allows it; else DROP."""
    from ..ast import firewall as fw

    if translator.rejects(context, table):
        return Reject()
    translator.error(chain, f"REJECT cannot stand in {translator.where(table, chain)} ({translator.reject_limit}); "
                            "the rule drops instead", rule)
    return fw.Verdict("DROP")


FROM_IPCHAINS = {Reject: reject_from_ipchains}  # see pyip/extensions/masquerade.py
