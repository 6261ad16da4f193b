"""AST -> the canonical modern `ip` command: full keywords, one line.

Canonical means: parsing the output with the modern dialect gives back an
equal AST (a fixed point), names print as remembered, fwmark prints in hex
(so no reader can mistake its base), and IPv4 `0/0` prints as `default`.
"""

from __future__ import annotations

from ..errors import ansi_c_quoted

from ..ast import Prefix, Symbol
from ..ast.route import METRIC_NAMES

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from ..ast import AddressSelector, InterfaceAddress, IpCommand, Route, RouteGet, RouteSelector, Rule


def render_command(command: IpCommand) -> str:
    words = ["ip", *option_words(command.options), command.object, command.verb]
    body = command.body
    if body is not None:
        words += body_words(body)
    return join_quoted(list(map(str, words)))


_OPTION_WORDS: dict = {}  # id(options) -> (options, words): a script's commands share a few Options


def option_words(options) -> list[str]:
    known = _OPTION_WORDS.get(id(options))
    if known is None or known[0] is not options:
        known = (options, options.words())
        if len(_OPTION_WORDS) < 256:
            _OPTION_WORDS[id(options)] = known
    return known[1]


def join_quoted(texts: list[str]) -> str:
    """" ".join(map(quote, texts)), mostly with one match over the line instead of one a word.

    When no word is empty, none holds the separator (as many blanks as joins)
    and every character is safe, each word fullmatches _SAFE: quote() keeps it.
    """
    line = " ".join(texts)
    if all(texts) and line.count(" ") == len(texts) - 1 and _SAFE_LINE.issuperset(line):
        return line
    return " ".join(map(quote, texts))


# What shlex.quote() leaves unquoted, `[\w@%+=:,./-]` under re.ASCII, as sets: a set's test of a
# word runs in C as a regex's would, and `import re` would cost `pyip parse -` start-up time.
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")
_SAFE_LINE = _SAFE | {" "}


def quote(word: str) -> str:
    """Shell-quote a word; one with an expansion (`eth${N}`, `$IF`) in double quotes, so the shell
    still expands it as the script did (single quotes would make it literal text)."""
    if word and _SAFE.issuperset(word):
        return word
    escaped = ansi_c_quoted(word)  # bytes that are not UTF-8: $'eth\xff', as ip's own escapes
    if escaped is not None:
        return escaped
    if "$" in word:
        import re  # here and below: words that need quoting are rare, and re costs start-up time

        if re.fullmatch(_PLAIN_SYMBOL, word):
            return word
        return '"' + re.sub(_DOUBLE_QUOTED_SPECIAL, r"\\\g<0>", word) + '"'
    import shlex

    return shlex.quote(word) if word else "''"


_PLAIN_SYMBOL = r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})"
_DOUBLE_QUOTED_SPECIAL = r'["\\`]'


def prefix_text(value, zero_as: str = "default") -> str:
    """A prefix as ip prints it; IPv4 0.0.0.0/0 is `default` (`all` in rules).

    Host bits are kept (`0.0.0.1/0` stays), since the kernel refuses them.
    """
    if isinstance(value, Prefix) and value.length == 0 and value.family == 4 and not int(value.address):
        return zero_as
    return str(value)


def keyword(words: list, key: str, value) -> None:
    if value is not None and value is not False:
        words += [key] if value is True else [key, str(value)]


def tos_text(tos):
    """tos/dsfield values are read in hex, so numbers print as 0xNN (names as named)."""
    if tos is None or isinstance(tos, Symbol) or tos.name is not None:
        return tos
    return f"0x{tos.number:02x}"


def realms_text(realms) -> str:
    return f"{realms.from_}/{realms.to}" if realms.from_ is not None else str(realms.to)


def gateway_words(gateway) -> list[str]:
    words = ["via"]
    if gateway.family_word:
        words.append(gateway.family_word)
    return words + [str(gateway.address)]


def metric_words(metric) -> list[str]:
    words = [metric.name]
    if metric.lock and metric.name != "rto_min":
        words.append("lock")
    value = metric.value
    if metric.timed and not isinstance(value, Symbol):
        value = f"{value}ms"
    return words + [str(value)]


def route_words(route: Route) -> list[str]:
    words: list = []
    if route.type is not None:
        words.append(route.type)
    words.append(prefix_text(route.dst))
    if route.src_prefix is not None:
        words += ["from", prefix_text(route.src_prefix)]
    keyword(words, "tos", tos_text(route.tos))
    if route.gateway is not None:
        words += gateway_words(route.gateway)
    for key, value in (("dev", route.dev), ("table", route.table), ("protocol", route.protocol),
                       ("scope", route.scope), ("src", route.prefsrc), ("metric", route.metric),
                       ("onlink", route.onlink)):
        if value is not None and value is not False:  # keyword(), inlined: every route passes here
            words += [key] if value is True else [key, str(value)]
    if route.realms is not None:
        words += ["realms", realms_text(route.realms)]
    for metric in sorted(route.metrics, key=lambda m: METRIC_NAMES.index(m.name)):
        words += metric_words(metric)
    keyword(words, "pref", route.pref)
    keyword(words, "expires", route.expires)
    keyword(words, "nhid", route.nhid)
    keyword(words, "vrf", route.vrf)
    keyword(words, "as", route.as_)
    if route.encap:
        words += ["encap", *route.encap]
    keyword(words, "ttl-propagate", route.ttl_propagate)
    for nexthop in route.nexthops:
        words += nexthop_words(nexthop)
    return words


def nexthop_words(nexthop) -> list[str]:
    words = ["nexthop"]
    if nexthop.gateway is not None:
        words += gateway_words(nexthop.gateway)
    keyword(words, "dev", nexthop.dev)
    keyword(words, "weight", nexthop.weight)
    keyword(words, "onlink", nexthop.onlink)
    if nexthop.realms is not None:
        words += ["realms", realms_text(nexthop.realms)]
    return words


def selector_words(selector: RouteSelector) -> list[str]:
    words: list = []
    keyword(words, "table", selector.table)
    keyword(words, "vrf", selector.vrf)
    keyword(words, "cached", selector.cached)
    keyword(words, "tos", tos_text(selector.tos))
    keyword(words, "protocol", selector.protocol)
    keyword(words, "scope", selector.scope)
    keyword(words, "type", selector.type)
    keyword(words, "dev", selector.dev)
    keyword(words, "iif", selector.iif)
    keyword(words, "mark", selector.mark)
    keyword(words, "metric", selector.metric)
    if selector.via is not None:
        words += ["via", *([selector.via_family] if selector.via_family else []), str(selector.via)]
    keyword(words, "src", selector.src)
    if selector.realms is not None:
        words += ["realms", realms_text(selector.realms)]
    for key, value in (("from", selector.from_), ("to", selector.to)):
        if value is not None:
            mode, prefix = value
            words += [key, mode, prefix_text(prefix)]
    return words


def get_words(get: RouteGet) -> list[str]:
    words = ["to", prefix_text(get.to)]
    if get.from_ is not None:
        words += ["from", prefix_text(get.from_)]
    keyword(words, "tos", tos_text(get.tos))
    for key in ("iif", "oif", "mark", "vrf", "uid", "ipproto", "sport", "dport"):
        keyword(words, key, getattr(get, key))
    for key in ("notify", "connected", "fibmatch"):
        keyword(words, key, getattr(get, key))
    keyword(words, "as", get.as_)
    return words


def rule_words(rule: Rule) -> list[str]:
    words: list = []
    keyword(words, "not", rule.invert)
    if rule.src is not None:
        words += ["from", prefix_text(rule.src, "all")]
    if rule.dst is not None:
        words += ["to", prefix_text(rule.dst, "all")]
    keyword(words, "tos", tos_text(rule.tos))
    if rule.fwmark is not None:
        words += ["fwmark", fwmark_text(rule.fwmark, rule.fwmask)]
    keyword(words, "iif", rule.iif)
    keyword(words, "oif", rule.oif)
    keyword(words, "l3mdev", rule.l3mdev)
    keyword(words, "uidrange", rule.uidrange)
    keyword(words, "ipproto", rule.ipproto)
    keyword(words, "sport", rule.sport)
    keyword(words, "dport", rule.dport)
    keyword(words, "tun_id", rule.tun_id)
    keyword(words, "priority", rule.priority)
    keyword(words, "protocol", rule.protocol)
    if rule.realms is not None:
        words += ["realms", realms_text(rule.realms)]
    words += action_words(rule)
    keyword(words, "suppress_prefixlength", rule.suppress_prefixlength)
    keyword(words, "suppress_ifgroup", rule.suppress_ifgroup)
    return words


def action_words(rule: Rule) -> list[str]:
    """The table (which goto and nat rules may name too), then the action."""
    words = ["lookup", str(rule.table)] if rule.table is not None else []
    if rule.action == "goto":
        return words + ["goto", str(rule.goto)]
    if rule.action == "nat":
        return words + ["nat", str(rule.nat)]
    if rule.action not in (None, "lookup"):
        words.append(rule.action)
    return words


def fwmark_text(mark, mask) -> str:
    text = hex(mark) if isinstance(mark, int) else str(mark)
    return f"{text}/{hex(mask)}" if mask is not None else text


def address_words(address: InterfaceAddress) -> list[str]:
    words: list = []
    if address.local is not None:
        words.append(str(address.local))
    keyword(words, "peer", address.peer)
    keyword(words, "broadcast", address.broadcast)
    keyword(words, "anycast", address.anycast)
    keyword(words, "label", address.label)
    keyword(words, "scope", address.scope)
    keyword(words, "dev", address.dev)
    keyword(words, "metric", address.metric)
    keyword(words, "valid_lft", address.valid_lft)
    keyword(words, "preferred_lft", address.preferred_lft)
    words += list(address.flags)
    return words


def address_selector_words(selector: AddressSelector) -> list[str]:
    words: list = []
    keyword(words, "to", selector.to)
    keyword(words, "scope", selector.scope)
    keyword(words, "up", selector.up)
    words += list(selector.flags)
    for key in ("label", "group", "master", "vrf"):
        keyword(words, key, getattr(selector, key))
    keyword(words, "nomaster", selector.nomaster)
    keyword(words, "type", selector.type)
    keyword(words, "dev", selector.dev)
    return words


def body_words(body) -> list:
    """The words of a command's body (Route, Rule, InterfaceAddress, their selectors, RouteGet)."""
    kind = type(body)
    return BODY[f"{kind.__module__}.{kind.__qualname__}"](body)


# By the class's full name, not the class: a route's rendering need not load the rule and address
# AST modules (pyip.ast loads an object's module when one of its classes is asked for).
BODY = {
    "pyip.ast.route.Route": route_words,
    "pyip.ast.route.RouteSelector": selector_words,
    "pyip.ast.route.RouteGet": get_words,
    "pyip.ast.rule.Rule": rule_words,
    "pyip.ast.address.InterfaceAddress": address_words,
    "pyip.ast.address.AddressSelector": address_selector_words,
}
