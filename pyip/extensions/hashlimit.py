"""hashlimit (libxt_hashlimit.c, revision 3): a rate limit per source/destination address or port.

Values as the kernel keeps them: in packet mode `avg` is the interval
between packets in 1/1,000,000 s (XT_HASHLIMIT_SCALE_v2); in byte mode
(`NNNb/s`, `kb/s`, `mb/s`) it is a cost, UINT32_MAX / (bytes >> 4 + 1), and
the burst a count of such units.  The hash table's expiry defaults to the
rate's unit (1 s, 60 s, ...), 15 s for bytes, 60 s for bytes with a burst;
iptables-save prints it only where it differs from the unit it prints the
rate in.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, parse_number, problem, strtoul

SCALE = 1000000
BURST_MAX = 1000000
GC_INTERVAL = 1000
BYTE_EXPIRE, BYTE_EXPIRE_BURST = 15, 60
UINT32_MAX, UINT64_MAX = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF
MODES = ("srcip", "srcport", "dstip", "dstport")  # print_mode()'s order
RATES = (("day", SCALE * 86400), ("hour", SCALE * 3600), ("min", SCALE * 60), ("sec", SCALE))
UNITS = (("m", 1024 * 1024), ("k", 1024), ("", 1))


class HashlimitMatch(metaclass=records.frozen):
    name: ClassVar[str] = "hashlimit"
    table: str  # --hashlimit-name
    avg: int
    burst: int
    above: bool = False
    in_bytes: bool = False
    modes: tuple = ()  # of MODES, in that order
    size: int = 0
    max: int = 0
    gc_interval: int = GC_INTERVAL
    expire: int = 0  # ms
    srcmask: int = 32
    dstmask: int = 32
    rate_match: bool = False
    interval: int = 0


def cost_to_bytes(cost: int) -> int:
    return ((UINT32_MAX // cost if cost else UINT32_MAX) - 1) << 4


def bytes_to_cost(count: int) -> int:
    return UINT32_MAX // (((count >> 4) & UINT32_MAX) + 1)


def factor(char: str) -> int:
    return {"m": 1024 * 1024, "k": 1024}.get(char, 1)


def atoll(text: str) -> int:
    value, _ = strtoul(text, 10)
    return 0 if value is None or text.lstrip().startswith("-") else value


def parse_bytes(text: str):
    """`N[k|m]b/s`: the cost, or None if the text is no byte rate."""
    at = text.find("b/s")
    if at <= 0:
        return None
    rate = atoll(text)
    if rate == 0:
        return None
    total = rate * factor(text[at - 1])
    if total > UINT64_MAX:
        raise problem(f'Rate value too large "{total}" (max {UINT64_MAX})')
    cost = bytes_to_cost(total)
    if cost == 0:
        raise problem(f'Rate too high "{text}"')
    return cost


def parse_rate(text: str):
    """`N[/second|minute|hour|day, any prefix]`: (interval, the unit's seconds), or None."""
    seconds = 1
    slash = text.find("/")
    if slash >= 0:
        unit = text[slash + 1:].lower()
        if not unit:
            return None
        seconds = next((s for name, s in (("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400))
                        if name.startswith(unit)), None)
        if seconds is None:
            return None
    rate = atoll(text)
    if rate == 0:
        return None
    interval = SCALE * seconds // rate
    if interval == 0:
        raise problem(f'Rate too fast "{text}"')
    return interval, seconds


def parse_burst(text: str) -> int:
    value, rest = strtoul(text, 0)
    if value is None or text.lstrip().startswith("-") or not 1 <= value <= UINT64_MAX or (not rest and value > BURST_MAX):
        raise problem(f'bad value for option "--hashlimit-burst", or out of range (1-{BURST_MAX}).')
    value *= factor(rest[:1])
    if value > UINT64_MAX:
        raise problem(f'bad value for option "--hashlimit-burst", value "{text}" too large '
                      f"(max {UINT64_MAX // 1024 // 1024}mb).")
    return value


class Match(Extension):
    name = "hashlimit"
    options = (Opt("hashlimit-upto", "upto", invert=True), Opt("hashlimit-above", "above", invert=True),
               Opt("hashlimit", "upto", invert=True), Opt("hashlimit-srcmask", "srcmask"),
               Opt("hashlimit-dstmask", "dstmask"), Opt("hashlimit-burst", "burst"),
               Opt("hashlimit-htable-size", "size"), Opt("hashlimit-htable-max", "max"),
               Opt("hashlimit-htable-gcinterval", "gcinterval"), Opt("hashlimit-htable-expire", "expire"),
               Opt("hashlimit-mode", "mode"), Opt("hashlimit-name", "name"),
               Opt("hashlimit-rate-match", "rate-match", arity=0), Opt("hashlimit-rate-interval", "interval"))

    def read_upto(self, given):
        cost = parse_bytes(given.value)
        if cost is not None:
            return ("bytes", cost, BYTE_EXPIRE)
        rate = parse_rate(given.value)
        if rate is None:
            raise problem(f'hashlimit: Bad value for "--{given.option.name}" option: "{given.value}"')
        return ("packets", *rate)

    read_above = read_upto

    def read_srcmask(self, given):
        return parse_number(self.name, given.option.name, given.value, 0, 32)

    read_dstmask = read_srcmask

    def read_burst(self, given):
        return parse_burst(given.value)

    def read_size(self, given):
        return parse_number(self.name, given.option.name, given.value)

    read_max = read_gcinterval = read_expire = read_size

    def read_mode(self, given):
        modes = set()
        for item in filter(None, given.value.replace("|", ",").split(",")):
            if item not in MODES:
                raise problem(f'hashlimit: Bad value for "--hashlimit-mode" option: "{given.value}"')
            modes.add(item)
        return tuple(mode for mode in MODES if mode in modes)

    def read_name(self, given):
        if not given.value:
            raise problem("Argument must have a minimum length of 1 characters")
        return given.value[:254]  # XTOPT_PUT cuts to char name[NAME_MAX], with its NUL

    def read_interval(self, given):
        value = atoll(given.value)
        if value <= 0 or value > UINT32_MAX:
            raise problem(f'hashlimit: Bad value for "--hashlimit-rate-interval" option: "{given.value}"')
        return value

    def finish(self):
        self.exclusive("upto", "above")
        self.require("name")
        key = next((key for key in ("upto", "above") if key in self.given), None)
        if key is None:
            raise problem("You have to specify --hashlimit")
        test = self.values[key]
        kind, avg, unit = test.value
        above = (key == "above") != test.negated
        burst = self.plain("burst", 5)
        expire = self.plain("expire", unit * 1000)
        if kind == "bytes":
            burst = self.bytes_burst(avg, burst if "burst" in self.given else None)
            if burst and "expire" not in self.given:
                expire = BYTE_EXPIRE_BURST * 1000
        elif burst > BURST_MAX:
            raise problem(f'bad value for option "--hashlimit-burst", or out of range (1-{BURST_MAX}).')
        interval = self.plain("interval", 0)
        if "rate-match" in self.given:
            avg = avg if kind == "bytes" else avg // unit
            interval = interval or (1 if kind == "bytes" else unit)
        return HashlimitMatch(self.plain("name"), avg, burst, above, kind == "bytes", self.plain("mode", ()),
                              self.plain("size", 0), self.plain("max", 0), self.plain("gcinterval", GC_INTERVAL),
                              expire, self.plain("srcmask", 32), self.plain("dstmask", 32),
                              "rate-match" in self.given, interval)

    @staticmethod
    def bytes_burst(avg: int, burst: int | None) -> int:
        if burst is None:
            return 0
        unit = cost_to_bytes(avg)
        if burst < unit:
            raise problem(f"burst cannot be smaller than {unit}b")
        return burst // unit + (1 if burst % unit else 0)


def rate_words(avg: int) -> tuple[str, int]:
    """print_rate(): the largest unit that keeps the count whole enough; and that unit in ms."""
    index = 1
    while index < len(RATES):
        unit_length = RATES[index][1]
        if avg > unit_length or unit_length // avg < unit_length % avg:
            break
        index += 1
    name, length = RATES[index - 1]
    return f"{length // avg}/{name}", length // SCALE * 1000


def bytes_words(avg: int, burst: int) -> tuple[list, int]:
    """print_bytes(): the rate in the largest unit that gives back the same cost, then the burst."""
    count = cost_to_bytes(avg)
    name, size = next(((name, size) for name, size in UNITS[:-1]
                       if count >= size and bytes_to_cost(count & ~(size - 1)) == avg), UNITS[-1])
    words = [f"{count // size}{name}b/s"]
    if burst == 0:
        return words, BYTE_EXPIRE * 1000
    total = count * burst
    name, size = next(((name, size) for name, size in UNITS[:-1] if total >= size), UNITS[-1])
    return words + ["--hashlimit-burst", f"{total // size}{name}b"], BYTE_EXPIRE_BURST * 1000


def match_words(match: HashlimitMatch) -> list:
    words = ["--hashlimit-above" if match.above else "--hashlimit-upto"]
    if match.in_bytes:
        rate, quantum = bytes_words(match.avg, match.burst)
        words += rate
    else:
        rate, quantum = rate_words(match.avg)
        words += [rate, "--hashlimit-burst", str(match.burst)]
    if match.modes:
        words += ["--hashlimit-mode", ",".join(match.modes)]
    words += ["--hashlimit-name", match.table]
    for value, default, option in ((match.size, 0, "htable-size"), (match.max, 0, "htable-max"),
                                   (match.gc_interval, GC_INTERVAL, "htable-gcinterval"),
                                   (match.expire, quantum, "htable-expire"), (match.srcmask, 32, "srcmask"),
                                   (match.dstmask, 32, "dstmask")):
        if value != default:
            words += [f"--hashlimit-{option}", str(value)]
    if match.rate_match:
        words.append("--hashlimit-rate-match")
        if match.interval != 1:
            words += ["--hashlimit-rate-interval", str(match.interval)]
    return words


# -- nft: a set per rule, whose elements are token buckets ----------------------------------------------------------

HTABLE_MAX_SIZE = 1048576  # the kernel's cap on --hashlimit-htable-size and -max (HASHLIMIT_MAX_SIZE)
DEFAULT_HTABLE_SIZE = 8192  # htable_create()'s buckets on a machine with more than 1 GiB of memory
NFT_UNITS = (("second", SCALE), ("minute", SCALE * 60), ("hour", SCALE * 3600), ("day", SCALE * 86400))
# hashlimit_init_dst() reads ports at the transport header's start for these (AH's and ESP's SPI aside)
PORT_PROTOCOLS = {6: "tcp", 17: "udp", 33: "dccp", 132: "sctp"}
KEY_ORDER = (("dstip", "daddr"), ("dstport", "dport"), ("srcip", "saddr"), ("srcport", "sport"))  # iptables-translate's


def match_nft(match: HashlimitMatch, rule, quotes_allowed: bool) -> list:
    """`update @hashlimit_NAME { KEY limit rate [over] N/UNIT burst B packets }`: a token bucket per key, in the rule's
    own set of as many elements as xt_hashlimit's table holds; without a --hashlimit-mode, one bucket: `limit`."""
    from ..translators.iptables_nft import Untranslatable

    reason = inexact(match)
    if reason:
        raise Untranslatable(f"hashlimit {reason}")
    limit = nft_limit(match)
    if limit is None:
        raise Untranslatable("hashlimit: a rate that is no whole number of packets per second, minute, hour or day")
    key = key_expressions(match, rule)
    if not key:
        return [limit]
    buckets = nft.Set(set_name(match.table), tuple(kind for kind, _ in key), table_entries(match),
                      -(-match.expire // 1000))
    value = key[0][1] if len(key) == 1 else nft.Concat(tuple(expression for _, expression in key))
    return [nft.SetUpdate("update", buckets, value, (limit,), full_drops=True)]


def inexact(match: HashlimitMatch) -> str:
    """Why nft cannot do what the match does, or ""."""
    if match.in_bytes:
        return ("in bytes (xt_hashlimit counts 16-byte chunks and spends a burst as whole refills of one second's "
                "credit; nft's byte limit is a bucket of bytes)")
    if match.rate_match:
        return "--hashlimit-rate-match (a rate measured over an interval; nft limits with a token bucket)"
    refill = match.burst * match.avg  # us for an idle bucket to fill again
    if match.expire * 1000 < refill:
        return (f"--hashlimit-htable-expire {match.expire} ms, shorter than the {-(-refill // 1000)} ms a bucket "
                "takes to fill again: iptables forgets an idle entry at its next garbage collection "
                "(--hashlimit-htable-gcinterval), nft at the timeout, and the emptier bucket differs until then")
    return ""


def nft_limit(match: HashlimitMatch):
    """nft's rate when it is iptables' interval exactly (as the limit match's translation)."""
    for unit, length in NFT_UNITS:
        if length % match.avg == 0:
            return nft.Limit(length // match.avg, unit, match.burst, match.above)
    return None


def key_expressions(match: HashlimitMatch, rule) -> list:
    """(nft type, expression) for each part of the key, in iptables-translate's order."""
    key = []
    for mode, field in KEY_ORDER:
        if mode not in match.modes:
            continue
        if field.endswith("addr"):
            key.append(("ipv4_addr", address_key(field, match.dstmask if field == "daddr" else match.srcmask)))
        else:
            key.append(("inet_service", nft.Payload(port_protocol(match, rule), field)))
    return key


def address_key(field: str, prefix: int):
    expression = nft.Payload("ip", field)
    if prefix == 32:
        return expression
    return nft.Binary("&", expression, ".".join(str(((0xFFFFFFFF << (32 - prefix)) >> shift) & 255)
                                                for shift in (24, 16, 8, 0)))


def port_protocol(match: HashlimitMatch, rule) -> str:
    """The protocol whose ports a port mode reads: the rule's -p, with its match before this one.  Without that
    match a later fragment or a header cut short reaches hashlimit, which reads the fragment's data as ports (or
    drops the packet) where nft's `tcp dport` matches neither."""
    from ..translators.iptables_nft import Untranslatable

    protocol = rule.protocol
    name = None
    if protocol is not None and not protocol.negated:
        name = PORT_PROTOCOLS.get(getattr(protocol.value, "number", None))
    if name is None:
        raise Untranslatable("hashlimit's port modes without -p tcp, udp, dccp or sctp (xt_hashlimit reads 0, or an "
                             "SPI, as the ports of other protocols)")
    position = next(index for index, standing in enumerate(rule.matches) if standing is match)
    if not any(getattr(earlier, "name", None) == name for earlier in rule.matches[:position]):
        raise Untranslatable(f"hashlimit's port modes without -m {name} before -m hashlimit (xt_hashlimit reads a "
                             f"later fragment's data as ports; nft's {name} dport matches no later fragment)")
    return name


def table_entries(match: HashlimitMatch) -> int:
    """How many keys xt_hashlimit's table holds (htable_create()): --hashlimit-htable-max, not fewer than its
    buckets, else 8 per bucket."""
    buckets = min(match.size, HTABLE_MAX_SIZE) or DEFAULT_HTABLE_SIZE
    most = min(match.max, HTABLE_MAX_SIZE)
    return max(most, buckets) if most else 8 * buckets


def set_name(table: str) -> str:
    """`hashlimit_` and the --hashlimit-name in the characters an nft name may hold (the prefix keeps it from being
    a keyword such as `limit`, which nft would not take as a name)."""
    return "hashlimit_" + "".join(char if char.isascii() and (char.isalnum() or char in "_-.") else "_"
                                  for char in table[:200])


def shared_table(match: HashlimitMatch) -> str:
    return f"--hashlimit-name {match.table}"


SAVE = {HashlimitMatch: match_words}
NFT = {HashlimitMatch: match_nft}
NFT_READS = {HashlimitMatch: None}  # reads the rule's -p and the matches before it: never remembered
SHARED_STATE = {HashlimitMatch: shared_table}  # one table for every rule naming it (htable_find_get())
MATCH = Match
