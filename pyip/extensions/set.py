"""set (libxt_set.c) and SET (libxt_SET.c): look a packet up in an ipset, and add it, delete it or read marks from one.

iptables 1.8.9 loads the newest revision the kernel has: the match's
revision 4 (64-bit counters), the target's revision 3.  The revision each
option first came with (libxt_set.c, libxt_SET.c): the match's
--return-nomatch 2, its counter options 3; the target's --exist and
--timeout 2, --map-set and its flags 3.  Both are old-style extensions (their own
parse functions, no libxtables option checks): a `!` they do not read is
ignored (`! --add-set`), --return-nomatch may be said twice, --timeout
counts its last value.

What pyip cannot check: iptables asks the kernel for the set while it
reads the rule (`Set foo doesn't exist.`, `The protocol family of set foo
is IPv6, which is not applicable.`); pyip reads scripts on another
machine, so it takes any name of at most 31 bytes, as a set that will
exist when the rule is added.  nft: an ipset is not an nft set, and nft
rules cannot look one up (`ip saddr @foo` names an nft set of the nft
table, which `ipset add` does not fill); iptables-translate 1.8.9 has no
translation for either and prints the rule as a comment.  pyip refuses both
with that reason.  No ipchains form: ipchains had no sets.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast.base import Symbol
from ..errors import PyipError
from ..parser.xtables import Extension, Opt, first_symbol, problem, strtoul, strtoui
from ..ast.firewall import Test

MAX_NAME = 31  # IPSET_MAXNAMELEN - 1: the name and its NUL in 32 bytes
DIM_MAX = 6  # IPSET_DIM_MAX: src/dst words in one look-up
UINT64_MAX = 0xFFFFFFFFFFFFFFFF
TIMEOUT_MAX = 0xFFFFFFFE  # UINT32_MAX means "no --timeout" to the kernel
PREFIX_HOOKS = {"FORWARD", "OUTPUT", "POSTROUTING"}  # xt_set: --map-prio and --map-queue only where these hold


class SetLookup(metaclass=records.frozen):
    """A set and the packet's fields it is looked up by, in order (`src,dst`: the source address, then the
    destination's second dimension: port, interface, ...)."""

    set_name: str | Symbol
    directions: tuple | Symbol  # of "src" / "dst"


class Counter(metaclass=records.frozen):
    """A test of the matched element's packet or byte counter: op "eq", "ne", "lt" or "gt"."""

    op: str
    value: int | Symbol


class SetMatch(metaclass=records.frozen):
    name: ClassVar[str] = "set"
    lookup: SetLookup
    negated: bool = False
    return_nomatch: bool = False
    update_counters: bool = True  # `! --update-counters` leaves the element's counters alone
    update_subcounters: bool = True
    packets: Counter | None = None
    bytes: Counter | None = None


class SetTarget(metaclass=records.frozen):
    name: ClassVar[str] = "SET"
    add: SetLookup | None = None
    delete: SetLookup | None = None
    map: SetLookup | None = None
    exist: bool = False
    timeout: int | Symbol | None = None
    map_mark: bool = False
    map_prio: bool = False
    map_queue: bool = False

    @property
    def limits(self):
        """xt_set's check: --map-set only in mangle; its priority and queue only where a packet leaves."""
        if self.map is None:
            return None
        return ("mangle", PREFIX_HOOKS if self.map_prio or self.map_queue else None, None)


# -- libxt_set.h: the set's name and its src/dst list ------------------------------------------------


def read_lookup(option: str, given) -> SetLookup:
    """parse_target()/the match's `--match-set NAME FLAGS`: the flags word must follow, not an option."""
    values = given.values
    if len(values) < 2 or (not isinstance(values[1], Symbol) and values[1][:1] in ("-", "!")):
        raise problem(f"--{option} requires two args.", given.location)  # libxt_set reads argv[optind] itself
    name = values[0]
    if not isinstance(name, Symbol) and len(name.encode("utf-8", "surrogateescape")) > MAX_NAME:
        raise problem(f"setname `{name}' too long, max {MAX_NAME} characters.", value_location(given, 0))
    directions = values[1]
    if not isinstance(directions, Symbol):
        directions = parse_directions(directions, given)
    return SetLookup(name, directions)


def parse_directions(text: str, given) -> tuple:
    """parse_dirs(): up to six comma-separated words, each read by its first three letters (`srcx` is src)."""
    items = text.split(",")
    directions = []
    for item in items[:DIM_MAX]:
        if item[:3] not in ("src", "dst"):
            raise problem("You must spefify (the comma separated list of) 'src' or 'dst'.", value_location(given, 1))
        directions.append(item[:3])
    if len(items) > DIM_MAX:
        raise problem(f"Can't be more src/dst options than {DIM_MAX}.", value_location(given, 1))
    return tuple(directions)


def value_location(given, index: int):
    """Where the option's value word stands; the option's place where the words have none (a rule read through
    a template, pyip.parser.templates, whose error then takes the full path to be placed)."""
    locations = given.value_locations
    return locations[index] if len(locations) > index else given.location


def lookup_words(option: str, lookup: SetLookup) -> list:
    directions = lookup.directions
    return [option, lookup.set_name, directions if isinstance(directions, Symbol) else ",".join(directions)]


# -- the match ---------------------------------------------------------------------------------------


def parse_counter(text: str) -> int:
    """parse_counter(): xtables_strtoul() up to UINT64_MAX; no sign, no overflow (strtoumax's ERANGE)."""
    value, rest = strtoul(text, 0)
    if value is None or rest or text.lstrip(" \t\n\r\f\v").startswith("-") or overflows(text):
        raise problem(f"Cannot parse {text} as a counter value")
    return value


def overflows(text: str) -> bool:
    """Is the number past 2^64 - 1 (which pyip's strtoul reads as 2^64 - 1, as strtoumax saturates)?"""
    body = text.strip(" \t\n\r\f\v").lstrip("+")
    if body[:2].lower() == "0x":
        digits, base = body[2:], 16
    else:
        digits, base = body, 8 if body[:1] == "0" else 10
    digits = digits.lstrip("0")
    return len(digits) > 64 or int(digits or "0", base) > UINT64_MAX


COUNTERS = {"packets-eq": ("packets", "eq"), "packets-lt": ("packets", "lt"), "packets-gt": ("packets", "gt"),
            "bytes-eq": ("bytes", "eq"), "bytes-lt": ("bytes", "lt"), "bytes-gt": ("bytes", "gt")}


class Match(Extension):
    """libxt_set.c, revision 4."""

    name = "set"
    generic = False
    options = (Opt("match-set", "match-set", arity=2, invert=True), Opt("set", "match-set", arity=2, invert=True),
               Opt("return-nomatch", "return-nomatch", arity=0, invert=True),
               Opt("update-counters", "update-counters", arity=0, invert=True),
               *(Opt(option, option, invert=True) for option in COUNTERS),
               Opt("update-subcounters", "update-subcounters", arity=0, invert=True))

    def __init__(self, rule, loaded_by):
        super().__init__(rule, loaded_by)
        self.counters: dict = {}  # "packets"/"bytes" -> Counter
        self.skip_updates: set = set()  # "update-counters" and/or "update-subcounters", said after `!`

    def take(self, given) -> None:
        key, negated = given.option.key, given.negated
        if key == "match-set":
            self.take_lookup(given)
        elif key in COUNTERS:
            self.take_counter(given)
        elif key == "return-nomatch":
            if negated:
                raise problem("--return-nomatch flag cannot be inverted", given.location)
            self.given[key] = given
        elif negated:  # `--update-counters` without `!` is what the kernel does anyway
            self.skip_updates.add(key)

    def take_lookup(self, given) -> None:
        if given.option.name == "set":
            self.rule.notes.append("--set option deprecated, please use --match-set")
        if "match-set" in self.given:
            raise problem("--match-set can be specified only once", given.location)
        self.given["match-set"] = given
        self.values["match-set"] = Test(read_lookup("match-set", given), given.negated, given.legacy)

    def take_counter(self, given) -> None:
        kind, op = COUNTERS[given.option.key]
        if kind in self.counters:
            raise problem(f"only one of the --{kind}-[eq|lt|gt] is allowed", given.location)
        if given.negated and op != "eq":
            raise problem(f"--{given.option.key} option cannot be inverted", given.location)
        value = first_symbol(given.values)
        if value is None:
            try:
                value = parse_counter(given.value)
            except PyipError as error:
                raise error.at(value_location(given, 0)) from None
        self.counters[kind] = Counter("ne" if given.negated else op, value)

    def finish(self):
        if "match-set" not in self.given:
            raise problem("You must specify `--match-set' with proper arguments")
        lookup = self.values["match-set"]
        return SetMatch(lookup.value, lookup.negated, "return-nomatch" in self.given,
                        "update-counters" not in self.skip_updates, "update-subcounters" not in self.skip_updates,
                        self.counters.get("packets"), self.counters.get("bytes"))


def counter_words(counter: Counter | None, kind: str) -> list:
    if counter is None:
        return []
    value = counter.value if isinstance(counter.value, Symbol) else str(counter.value)
    if counter.op == "ne":
        return ["!", f"--{kind}-eq", value]
    return [f"--{kind}-{counter.op}", value]


def match_words(match: SetMatch) -> list:
    """set_print_v4_matchinfo() with `--`."""
    words = (["!"] if match.negated else []) + lookup_words("--match-set", match.lookup)
    words += ["--return-nomatch"] * match.return_nomatch
    words += ["!", "--update-counters"] * (not match.update_counters)
    words += ["!", "--update-subcounters"] * (not match.update_subcounters)
    return words + counter_words(match.packets, "packets") + counter_words(match.bytes, "bytes")


def match_nft(match: SetMatch, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable(f"the set match (`{match.lookup.set_name}' is an ipset; nft rules look up only nft sets "
                         "of their own table, which `ipset' commands do not fill; iptables-translate has no "
                         "translation either)")


# -- the target --------------------------------------------------------------------------------------


class Target(Extension):
    """libxt_SET.c, revision 3."""

    name = "SET"
    generic = False
    options = (Opt("add-set", "add-set", arity=2, invert=True), Opt("del-set", "del-set", arity=2, invert=True),
               Opt("exist", "exist", arity=0, invert=True), Opt("timeout", "timeout", invert=True),
               Opt("map-set", "map-set", arity=2, invert=True), Opt("map-mark", "map-mark", arity=0, invert=True),
               Opt("map-prio", "map-prio", arity=0, invert=True), Opt("map-queue", "map-queue", arity=0, invert=True))
    LOOKUPS = ("add-set", "del-set", "map-set")

    def take(self, given) -> None:
        """A `!` is ignored; a set option only once; --timeout read now, its last value kept."""
        key = given.option.key
        if key in self.LOOKUPS:
            if key in self.given:
                raise problem(f"--{key} can be specified only once", given.location)
            self.values[key] = Test(read_lookup(key, given))
        elif key == "timeout":
            self.values[key] = Test(first_symbol(given.values) or self.read(given))
        self.given[key] = given

    def read_timeout(self, given):
        value = strtoui(given.value, 0, TIMEOUT_MAX)
        if value is None or given.value.lstrip(" \t\n\r\f\v").startswith("-"):
            raise problem(f"Invalid value for option --timeout or out of range 0-{TIMEOUT_MAX}")
        return value

    def finish(self):
        """set_target_check_v3()."""
        given = self.given
        if not any(key in given for key in self.LOOKUPS):
            raise problem("You must specify either `--add-set' or `--del-set' or `--map-set'")
        if "add-set" not in given:
            if "exist" in given:
                raise problem("Flag `--exist' can be used with `--add-set' only")
            if "timeout" in given:
                raise problem("Option `--timeout' can be used with `--add-set' only")
        if "map-set" not in given:
            flag = next((key for key in ("map-mark", "map-prio", "map-queue") if key in given), None)
            if flag is not None:
                raise problem(f"Flag `--{flag}' can be used with `--map-set' only")
        elif not {"map-mark", "map-prio", "map-queue"} & given.keys():
            raise problem("You must specify flags `--map-mark' or '--map-prio` or `--map-queue'")
        return SetTarget(self.plain("add-set"), self.plain("del-set"), self.plain("map-set"), "exist" in given,
                         self.plain("timeout"), "map-mark" in given, "map-prio" in given, "map-queue" in given)


def target_words(target: SetTarget) -> list:
    """set_target_save_v3()."""
    words = lookup_words("--add-set", target.add) if target.add is not None else []
    words += ["--exist"] * target.exist
    if target.timeout is not None:
        words += ["--timeout", target.timeout if isinstance(target.timeout, Symbol) else str(target.timeout)]
    words += lookup_words("--del-set", target.delete) if target.delete is not None else []
    words += lookup_words("--map-set", target.map) if target.map is not None else []
    for flag in ("map_mark", "map_prio", "map_queue"):
        words += ["--" + flag.replace("_", "-")] * getattr(target, flag)
    return words


def target_nft(target: SetTarget, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("the SET target (it changes ipsets; nft's `add @set'/`delete @set' change only nft sets "
                         "of their own table, and nft has no statement that reads a mark from a set's element; "
                         "iptables-translate has no translation either)")


SAVE = {SetMatch: match_words, SetTarget: target_words}
NFT = {SetMatch: match_nft, SetTarget: target_nft}
MATCH, TARGET = Match, Target

# Lint (PI007): `--set` is the match's old name for --match-set; iptables 1.8.9 still takes it, with a warning, where
# no extension loaded after the set match has a `--set' of its own (recent, connlabel: the newest one's wins).
DEPRECATED_OPTIONS = {"--set": ("set", "--match-set", "--set is the set match's old name for --match-set; iptables "
                                                      "1.8.9 still takes it and says \"--set option deprecated, "
                                                      "please use --match-set\"")}
