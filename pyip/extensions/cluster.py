"""cluster (libxt_cluster.c): share the connections of a multicast-MAC cluster out among its nodes by hash."""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..parser.xtables import Extension, Opt, parse_number, problem

NODES_MAX = 32  # XT_CLUSTER_NODES_MAX


class ClusterMatch(metaclass=records.frozen):
    name: ClassVar[str] = "cluster"
    node_mask: int
    total_nodes: int
    hash_seed: int
    negated: bool = False


class Match(Extension):
    name = "cluster"
    options = (Opt("cluster-total-nodes", "total"), Opt("cluster-local-node", "node", invert=True),
               Opt("cluster-local-nodemask", "nodemask", invert=True), Opt("cluster-hash-seed", "seed"))

    def read_total(self, given):
        return parse_number(self.name, given.option.name, given.value, 1, NODES_MAX)

    read_node = read_nodemask = read_total  # libxt_cluster.c caps the mask at 32 too

    def read_seed(self, given):
        return parse_number(self.name, given.option.name, given.value)

    def finish(self):
        self.require("total")
        self.require("seed")
        self.exclusive("node", "nodemask")
        if "node" not in self.given and "nodemask" not in self.given:
            raise problem("cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing")
        total = self.plain("total")
        if "node" in self.given:
            mask, negated = 1 << (self.plain("node") - 1), self.values["node"].negated
            if mask >= 1 << total:
                raise problem("cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'")
        else:
            mask, negated = self.plain("nodemask"), self.values["nodemask"].negated
            if mask >= 1 << total:
                raise problem("cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'")
        return ClusterMatch(mask, total, self.plain("seed"), negated)


def match_words(match: ClusterMatch) -> list:
    return (["!"] if match.negated else []) + ["--cluster-local-nodemask", f"0x{match.node_mask:08x}",
                                               "--cluster-total-nodes", str(match.total_nodes),
                                               "--cluster-hash-seed", f"0x{match.hash_seed:08x}"]


def match_nft(match: ClusterMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the cluster match (xt_cluster hashes a related connection's master and turns a "
                         "multicast pkttype into host before testing; nft's jhash and pkttype set do neither)")


SAVE = {ClusterMatch: match_words}
NFT = {ClusterMatch: match_nft}
MATCH = Match
