"""CLUSTERIP (libipt_CLUSTERIP.c): share one IP address among the nodes of a cluster by a multicast MAC.

Gone from Linux: removed in 6.3 (commit 9db5d918e2c0, "netfilter:
ip_tables: remove clusterip target"); its last versions already refused it
from nftables' compat layer, that is from iptables-nft ("cannot use
CLUSTERIP target from nftables compat", Operation not supported), which
pyip does not model, so that the words stay for iptables-legacy.  The
cluster match (xt_cluster) is its successor; lint says so (PI007).

The kernel here has no CLUSTERIP, so the installed iptables' refusals of
bad options (exit 2) are the oracle for reading, and the save words follow
CLUSTERIP_save(): nothing for a rule without --new (it joins the cluster
an earlier --new rule made for the address), else `--new --hashmode MODE
--clustermac MAC --total-nodes N --local-node N --hash-init N`, the MAC in
capitals.  The kernel's check (ipt_CLUSTERIP.c, its last versions)
refused local node 0 ("bad local_nodes", Invalid argument); its refusal of
a destination that is not one address ("Please specify destination IP")
pyip does not model.  nft has no equivalent: no translation.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, parse_number, problem
from .mac import parse_mac

MAX_NODES = 16  # CLUSTERIP_MAX_NODES
HASH_MODES = ("sourceip", "sourceip-sourceport", "sourceip-sourceport-destport")
FULL = ("new", "hashmode", "clustermac", "total-nodes", "local-node")  # F_FULL: all or none


class Clusterip(metaclass=records.frozen):
    name: ClassVar[str] = "CLUSTERIP"
    new: bool = False
    hash_mode: str = "sourceip"
    mac: str = "00:00:00:00:00:00"
    total_nodes: int = 0
    local_node: int = 0
    hash_init: int = 0

    @property
    def kernel_error(self) -> str | None:
        # local_nodes[0] - 1 >= 64 for node 0: the kernel's unsigned underflow refuses it
        return "Invalid argument" if self.new and self.local_node == 0 else None


class Target(Extension):
    name = "CLUSTERIP"
    options = (Opt("new", "new", arity=0), Opt("hashmode", "hashmode"), Opt("clustermac", "clustermac"),
               Opt("total-nodes", "total-nodes"), Opt("local-node", "local-node"), Opt("hash-init", "hash-init"))

    def read_hashmode(self, given):
        if given.value not in HASH_MODES:
            raise problem(f'Unknown hashmode "{given.value}"')
        return given.value

    def read_clustermac(self, given):
        mac = parse_mac(given.value)
        if not int(mac[:2], 16) & 1:
            raise problem("MAC has to be a multicast ethernet address")
        return mac.upper()

    def read_total_nodes(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, MAX_NODES)

    read_local_node = read_total_nodes

    def read_hash_init(self, given):
        return parse_number(self.name, given.option.name, given.value)

    def finish(self):
        if self.given and not all(key in self.given for key in FULL):  # CLUSTERIP_check()
            raise problem("CLUSTERIP target: Invalid parameter combination")
        if not self.given:
            return Clusterip()
        return Clusterip(True, self.plain("hashmode"), self.plain("clustermac"), self.plain("total-nodes"),
                         self.plain("local-node"), self.plain("hash-init", default=0))


def target_words(target: Clusterip) -> list:
    if not target.new:
        return []
    return ["--new", "--hashmode", target.hash_mode, "--clustermac", target.mac, "--total-nodes",
            str(target.total_nodes), "--local-node", str(target.local_node), "--hash-init", str(target.hash_init)]


def target_nft(target: Clusterip, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("CLUSTERIP (removed from Linux 6.3; nft has no equivalent: see the cluster match)")


SAVE = {Clusterip: target_words}
NFT = {Clusterip: target_nft}
TARGET = Target

# Lint (PI007): this target itself is gone.
FORMER_TARGETS = {"CLUSTERIP": "the CLUSTERIP target was removed in Linux 6.3 (and its last versions refused it from "
                               "iptables-nft): use the cluster match (-m cluster) and a multicast MAC"}
