"""The nftables model (pyip.ast.nft) as libnftables JSON, which `nft -j -f FILE` loads.

The schema is libnftables-json(5): a list of objects under "nftables", the
metainfo first, then each table, chain and rule as `nft -j list ruleset`
prints them.  JSON strings may hold any character, quotes included.
"""

from __future__ import annotations

import json
from functools import singledispatch

from ..ast import nft
from .nft import by_type

NAMED_PRIORITIES = {"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100}


def ruleset_json(ruleset: nft.Ruleset) -> str:
    return json.dumps({"nftables": ruleset_objects(ruleset)}, indent=1) + "\n"


def ruleset_objects(ruleset: nft.Ruleset) -> list:
    objects: list = [{"metainfo": {"json_schema_version": 1}}]
    for table in ruleset.tables:
        objects.append({"table": {"family": table.family, "name": table.name}})
        objects += [{"set": set_object(table, declared)} for declared in table.sets]
        objects += [{"chain": chain_object(table, chain)} for chain in table.chains]
        for chain in table.chains:
            where = {"family": table.family, "table": table.name, "chain": chain.name}
            objects += [{"rule": rule_object(where, rule)} for rule in chain.rules if isinstance(rule, nft.Rule)]
    return objects


def set_object(table: nft.Table, declared: nft.Set) -> dict:
    # no "dynamic" flag: nft 1.0.6's JSON parser knows none, and nft makes a set dynamic when a rule updates it
    result = {"family": table.family, "table": table.name, "name": declared.name,
              "type": declared.type[0] if len(declared.type) == 1 else list(declared.type), "size": declared.size}
    if declared.timeout is not None:
        result.update(flags=["timeout"], timeout=declared.timeout)
    return result


def chain_object(table: nft.Table, chain: nft.Chain) -> dict:
    result = {"family": table.family, "table": table.name, "name": chain.name}
    if chain.hook is not None:
        result.update(type=chain.type, hook=chain.hook, prio=NAMED_PRIORITIES.get(chain.priority, chain.priority),
                      policy=chain.policy)
    return result


def rule_object(where: dict, rule: nft.Rule) -> dict:
    result = {**where, "expr": [statement(s) for s in rule.statements]}
    if rule.comment is not None:
        result["comment"] = rule.comment
    return result


# -- expressions and values ------------------------------------------------------------------


@singledispatch
def value(item):
    return item  # ints and bare words


@value.register
def _(item: nft.Quoted):
    return item.text


@value.register
def _(item: nft.SetRef):
    return f"@{item.name}"


@value.register
def _(item: nft.Prefix):
    return {"prefix": {"addr": item.address, "len": item.length}}


@value.register
def _(item: nft.Span):
    return {"range": [value(item.low), value(item.high)]}


@value.register
def _(item: nft.Elements):
    return {"set": [value(i) for i in item.items]}


@value.register
def _(item: nft.Flags):
    return list(item.names)


@value.register
def _(item: nft.Concat):
    return {"concat": [value(i) for i in item.items]}


@value.register
def _(item: nft.Raw):
    return item.json


@value.register
def _(item: nft.Payload):
    return {"payload": {"protocol": item.protocol, "field": item.field}}


@value.register
def _(item: nft.RawPayload):
    return {"payload": {"base": item.base, "offset": item.offset, "len": item.length}}


@value.register
def _(item: nft.Meta):
    return {"meta": {"key": item.key}}


@value.register
def _(item: nft.Ct):
    # the family goes in the key (`ip saddr`): nft 1.0.6 misreads a prefix given with a "family" member
    result = {"key": item.key if item.family is None else f"{item.family} {item.key}"}
    if item.direction is not None:
        result["dir"] = item.direction
    return {"ct": result}


@value.register
def _(item: nft.Fib):
    return {"fib": {"result": item.result, "flags": list(item.flags)}}


@value.register
def _(item: nft.Binary):
    return {item.operator: [value(item.left), value(item.right)]}


# -- statements -----------------------------------------------------------------------


@singledispatch
def statement(item):
    raise TypeError(f"no nft JSON for {item!r}")


@statement.register
def _(item: nft.Match):
    # a flag list tests any of its bits: the `in` operator
    if item.operator == "!" and isinstance(item.right, nft.Flags):  # none of the bits: `& bits == 0`
        return {"match": {"op": "==", "left": {"&": [value(item.left), value(item.right)]}, "right": 0}}
    operator = "!=" if item.negated else ("in" if isinstance(item.right, nft.Flags) else item.operator)
    return {"match": {"op": operator, "left": value(item.left), "right": value(item.right)}}


@statement.register
def _(item: nft.Raw):
    return item.json


@statement.register
def _(item: nft.Counter):
    return {"counter": None}


@statement.register
def _(item: nft.Verdict):
    if item.kind == "queue":
        return {"queue": {"num": 0}}
    return {item.kind: None if item.chain is None else {"target": item.chain}}


@statement.register
def _(item: nft.Reject):
    if item.kind is None:
        return {"reject": None}
    return {"reject": {"type": "tcp reset"} if item.kind == "tcp reset" else {"type": "icmp", "expr": item.code}}


@statement.register
def _(item: nft.Log):
    fields = (("prefix", item.prefix), ("level", item.level), ("group", item.group), ("snaplen", item.snaplen),
              ("queue-threshold", item.threshold), ("flags", list(item.flags) or None))
    return {"log": {name: field for name, field in fields if field is not None}}


@statement.register
def _(item: nft.Limit):
    result = {"rate": item.rate, "per": item.per, "burst": item.burst}
    if item.over:
        result["inv"] = True
    return {"limit": result}


@statement.register
def _(item: nft.CtCount):
    return {"ct count": {"val": item.limit, "inv": item.over}}


@statement.register
def _(item: nft.SetUpdate):
    return {"set": {"op": item.op, "elem": value(item.key), "set": f"@{item.set.name}",
                    "stmt": [statement(s) for s in item.statements]}}


@statement.register
def _(item: nft.Nat):
    fields = (("addr", item.address), ("port", item.port))
    result = {name: value(field) for name, field in fields if field is not None}
    if item.flags:
        result["flags"] = list(item.flags)
    return {item.kind: result or None}


@statement.register
def _(item: nft.Mangle):
    return {"mangle": {"key": value(item.key), "value": value(item.value)}}


@statement.register
def _(item: nft.TcpMss):
    size = {"rt": {"key": "mtu"}} if item.value is None else item.value
    return {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": size}}


value = by_type(value)  # the functions above call these names, so they get the fast ones too
statement = by_type(statement)
