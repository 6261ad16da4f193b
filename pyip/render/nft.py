"""The nftables model (pyip.ast.nft) as the text `nft -f` loads.

Strings go in double quotes; nft's scanner has no escape inside them
(`"[^"]*"`), so the translator never hands over a string holding `"`.
"""

from __future__ import annotations

from functools import singledispatch

from ..ast import nft
from ..memo import memo


def ruleset_text(ruleset: nft.Ruleset) -> str:
    return "".join(table_text(table) for table in ruleset.tables)


def table_text(table: nft.Table) -> str:
    lines = [f"table {table.family} {table.name} {{"]
    for declared in table.sets:
        lines += set_lines(declared)
    for chain in table.chains:
        lines += chain_lines(chain)
    lines.append("}")
    return "\n".join(lines) + "\n"


def set_lines(declared: nft.Set) -> list[str]:
    return [f"\tset {declared.name} {{", *(f"\t\t{line}" for line in set_properties(declared)), "\t}"]


def set_properties(declared: nft.Set) -> list[str]:
    """The lines inside `set NAME { }`, as nft lists them (`; `-joined they make `add set`'s body)."""
    lines = [f"type {' . '.join(declared.type)}", f"size {declared.size}"]
    if declared.timeout is None:
        return lines + ["flags dynamic"]
    return lines + ["flags dynamic,timeout", f"timeout {declared.timeout}s"]


def set_declaration(family: str, table: str, declared: nft.Set) -> str:
    """`add set FAMILY TABLE NAME { ... }`, the command iptables-translate prints before the rule."""
    return f"add set {family} {table} {declared.name} {{ {'; '.join(set_properties(declared))}; }}"


def chain_lines(chain: nft.Chain) -> list[str]:
    lines = [f"\tchain {chain.name} {{"]
    if chain.hook is not None:
        lines.append(f"\t\ttype {chain.type} hook {chain.hook} priority {chain.priority}; policy {chain.policy};")
    for rule in chain.rules:
        if rule.__class__ is nft.Printed:
            lines.append("\t\t" + rule.text)
        else:
            lines.append("\t\t" + (f"# pyip: left out: {rule.why}" if isinstance(rule, nft.LeftOut) else rule_text(rule)))
    lines.append("\t}")
    return lines


# Statement texts by the statement's identity: the translator shares the statements of the interfaces,
# protocols, matches and targets rules have in common (see pyip.memo).
STATEMENT_TEXTS = memo()


def rule_text(rule: nft.Rule) -> str:
    words = statement_texts(rule.statements)
    if rule.comment is not None:
        words.append(f"comment {quoted(rule.comment)}")
    return " ".join(words)


def statement_texts(statements) -> list[str]:
    """Each statement's text (never empty)."""
    found = STATEMENT_TEXTS.found  # inlined STATEMENT_TEXTS.get(): this runs for every statement of every rule
    words = []
    for item in statements:
        entry = found.get(id(item))
        if entry is not None:
            words.append(entry[1])
        else:
            text = statement(item)
            STATEMENT_TEXTS.keep(id(item), item, text)
            words.append(text)
    return words


def quoted(text: str) -> str:
    return f'"{text}"'


# -- expressions and values ----------------------------------------------------------------


@singledispatch
def value(item) -> str:
    return str(item)


@value.register
def _(item: int) -> str:
    return str(item)


@value.register
def _(item: nft.Quoted) -> str:
    return quoted(item.text)


@value.register
def _(item: nft.SetRef) -> str:
    return f"@{item.name}"


@value.register
def _(item: nft.Prefix) -> str:
    return f"{item.address}/{item.length}"


@value.register
def _(item: nft.Span) -> str:
    return f"{value(item.low)}-{value(item.high)}"


@value.register
def _(item: nft.Elements) -> str:
    return "{ " + ", ".join(value(i) for i in item.items) + " }"


@value.register
def _(item: nft.Flags) -> str:
    return ",".join(item.names)


@value.register
def _(item: nft.Concat) -> str:
    return " . ".join(value(i) for i in item.items)


@value.register
def _(item: nft.Raw) -> str:
    return item.text


@value.register
def _(item: nft.Payload) -> str:
    return f"{item.protocol} {item.field}"


@value.register
def _(item: nft.RawPayload) -> str:
    return f"@{item.base},{item.offset},{item.length}"


@value.register
def _(item: nft.Meta) -> str:
    return f"meta {item.key}"


@value.register
def _(item: nft.Ct) -> str:
    return " ".join(filter(None, ("ct", item.direction, item.family, item.key)))


@value.register
def _(item: nft.Fib) -> str:
    return f"fib {' . '.join(item.flags)} {item.result}"


@value.register
def _(item: nft.Binary) -> str:
    right = hex(item.right) if isinstance(item.right, int) else value(item.right)  # masks read best in hex
    left = value(item.left)
    if item.operator in ("<<", ">>") and isinstance(item.left, nft.Binary):
        left = f"({left})"  # nft binds a shift tighter than & and ^
    return f"{left} {item.operator} {right}"


# -- statements ----------------------------------------------------------------------


@singledispatch
def statement(item) -> str:
    raise TypeError(f"no nft text for {item!r}")


@statement.register
def _(item: nft.Match) -> str:
    # `==` is implied, except after a mask, where nft's own listing spells it out too
    implied = item.operator == "==" and not isinstance(item.left, nft.Binary)
    operator = "!=" if item.negated else ("" if implied else item.operator)
    entry = LEFT_TEXTS.found.get(id(item.left))  # a few payloads and metas are the left of most matches
    left = entry[1] if entry is not None else left_text(item.left)
    right = item.right if item.right.__class__ is str else value(item.right)  # an address: its own text
    if left and right:  # the usual case, without filter(): no empty word to leave out but the operator
        return f"{left} {operator} {right}" if operator else f"{left} {right}"
    return " ".join(filter(None, (left, operator, right)))


LEFT_TEXTS = memo()


def left_text(left) -> str:
    text = value(left)
    LEFT_TEXTS.keep(id(left), left, text)
    return text


@statement.register
def _(item: nft.Raw) -> str:
    return item.text


@statement.register
def _(item: nft.Counter) -> str:
    return "counter"


@statement.register
def _(item: nft.Verdict) -> str:
    if item.kind == "queue":
        return "queue num 0"
    return item.kind if item.chain is None else f"{item.kind} {item.chain}"


@statement.register
def _(item: nft.Reject) -> str:
    if item.kind is None:
        return "reject"
    return "reject with tcp reset" if item.kind == "tcp reset" else f"reject with icmp type {item.code}"


@statement.register
def _(item: nft.Log) -> str:
    words = ["log"]
    if item.prefix is not None:
        words.append(f"prefix {quoted(item.prefix)}")
    for name, field in (("level", item.level), ("group", item.group), ("snaplen", item.snaplen),
                        ("queue-threshold", item.threshold)):
        if field is not None:
            words.append(f"{name} {field}")
    tcp = [flag.split()[1] for flag in item.flags if flag.startswith("tcp ")]
    if tcp:
        words.append("flags tcp " + ",".join(tcp))
    words += [f"flags {flag}" for flag in item.flags if not flag.startswith("tcp ")]
    return " ".join(words)


@statement.register
def _(item: nft.Limit) -> str:
    return f"limit rate {'over ' if item.over else ''}{item.rate}/{item.per} burst {item.burst} packets"


@statement.register
def _(item: nft.CtCount) -> str:
    return f"ct count {'over ' if item.over else ''}{item.limit}"


@statement.register
def _(item: nft.SetUpdate) -> str:
    return f"{item.op} @{item.set.name} {{ {' '.join([value(item.key), *map(statement, item.statements)])} }}"


@statement.register
def _(item: nft.Nat) -> str:
    words = [item.kind]
    if item.address is not None or item.port is not None:
        target = value(item.address) if item.address is not None else ""
        words.append("to " + target + (f":{value(item.port)}" if item.port is not None else ""))
    if item.flags:
        words.append(",".join(item.flags))
    return " ".join(words)


@statement.register
def _(item: nft.Mangle) -> str:
    return f"{value(item.key)} set {value(item.value)}"


@statement.register
def _(item: nft.TcpMss) -> str:
    return "tcp option maxseg size set " + ("rt mtu" if item.value is None else str(item.value))


def by_type(dispatcher):
    """A singledispatch function, dispatched through a plain dict by exact type: singledispatch's own
    lookup costs more than most of these functions do, and they run for every value of every rule."""
    found = {}

    def call(item):
        implementation = found.get(item.__class__)
        if implementation is None:
            implementation = found[item.__class__] = dispatcher.dispatch(item.__class__)
        return implementation(item)

    def register(cls, function=None):
        found.clear()  # a new implementation may change what a class dispatches to
        return dispatcher.register(cls, function)

    call.register, call.dispatch = register, dispatcher.dispatch
    return call


# The functions above call these names, so they get the fast ones too.
value = by_type(value)
statement = by_type(statement)
