"""`ipchains ...` words -> an ipchains command (pyip.ast.ipchains), as ipchains 1.3.9/1.3.10 read them.

The grammar (grammar/ipchains.lark) with getopt_long as ipchains called it
(`Getopt` below) as its lexer splits the words into options; the readers
are main()'s switch in ipchains.c, run in argv order as the grammar reduces
each option, with its checks and messages; `finish()` is what main() checks
after the loop, in its order: the addresses, then the ports under the
rule's final protocol (so `-p` may follow `-s`), ICMP names, then the
combinations, generic_opt_check(), chain length, REDIRECT's port and TOS.
Checks that need the ruleset (does the chain exist?) are
pyip.ruleset_ipchains'.

Messages are ipchains' own, without its `ipchains: ` prefix and the
`Try ...` line after them (exit status 2); getopt's are glibc 2.1's.
Addresses are read as ipchains read them: a dotted quad directly, any
other run of digits and dots through inet_aton (`10/8` is 0.0.0.0/8 to
ipchains); such a reading leaves a note when ip and iptables would read the
word differently, and every address keeps its text (ipchains.Address).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from .. import records

from .. import netdb
from ..ast import firewall as fw
from ..extensions.redirect import Redirect
from ..extensions.masquerade import Masquerade
from ..extensions.nflog import Nflog
from ..extensions.log import IPCHAINS_LOG
from ..extensions.reject import Reject
from ..extensions.icmp import IcmpMatch, ipchains_icmp_type
from ..extensions.udp import UdpMatch
from ..extensions.tcp import IPCHAINS_SYN, TcpMatch
from ..extensions.tos import Tos
from ..extensions.mark import Mark
from ..ast import ipchains as ch
from ..ast.base import Symbol
from ..errors import IncompleteCommand, Location, PyipError
from .words import Word, WordGrammar, grammar
from .xtables import looks_like_host_name, numeric_address, problem, strtoui, strtoul

# ipchains' optstring without its leading "-" (non-options come back in place), plus -W, which the spec lists.
OPTSTRING = "A:C:D:R:I:L::F::Z::N:X::P:MS:Vh::o::p:s:d:j:i:fbvm:nlt:xyW"

# ipchains' opts[]: long name, has_arg (0 no, 1 required, 2 optional), the letter it returns.
LONG_OPTIONS = (
    ("append", 1, "A"), ("delete", 1, "D"), ("insert", 1, "I"), ("replace", 1, "R"), ("list", 2, "L"),
    ("flush", 2, "F"), ("zero", 2, "Z"), ("check", 1, "C"), ("new-chain", 1, "N"), ("delete-chain", 1, "X"),
    ("policy", 1, "P"), ("masquerading", 0, "M"), ("set", 1, "S"), ("bidirectional", 0, "b"),
    ("source", 1, "s"), ("destination", 1, "d"), ("src", 1, "s"), ("dst", 1, "d"), ("source-port", 1, "1"),
    ("destination-port", 1, "2"), ("icmp-type", 1, "1"), ("sport", 1, "1"), ("dport", 1, "2"),
    ("protocol", 1, "p"), ("interface", 1, "i"), ("jump", 1, "j"), ("TOS", 1, "t"), ("mark", 1, "m"),
    ("numeric", 0, "n"), ("log", 0, "l"), ("output", 2, "o"), ("verbose", 0, "v"), ("exact", 0, "x"),
    ("fragments", 0, "f"), ("syn", 0, "y"), ("version", 0, "V"), ("help", 0, "h"), ("line-numbers", 0, "3"),
    ("no-warnings", 0, "W"),
)


def short_options() -> dict[str, int]:
    options = {}
    for index, char in enumerate(OPTSTRING):
        if char != ":":
            options[char] = 2 if OPTSTRING[index + 1:index + 3] == "::" else int(OPTSTRING[index + 1:index + 2] == ":")
    return options


SHORT = short_options()
INT_MAX = 0x7FFFFFFF


@lru_cache(maxsize=None)
def terminals() -> dict[str, str]:
    """The grammar's terminal for each option letter."""
    front = grammar("ipchains")
    found: dict[str, str] = {}
    for name, _, letter in LONG_OPTIONS:
        found.setdefault(letter, front.first_match("--" + name))
    return found


def is_argument(word: Word) -> bool:
    """What ipchains takes as an optional argument: a word not starting with `-` or `!`."""
    return word.symbol is not None or word.text[:1] not in ("-", "!")


class Feed:
    """The command's words, in order, with room to put back the rest of a word getopt splits."""

    def __init__(self, words: list[Word]):
        self.pending = list(reversed(words))
        self.words: list[Word] = []  # every word handed out; token indexes point here

    def __iter__(self):
        return self

    def __next__(self) -> Word:
        if not self.pending:
            raise StopIteration
        self.words.append(self.pending.pop())
        return self.words[-1]

    def put_back(self, word: Word) -> None:
        self.pending.append(word)

    def peek(self) -> Word | None:
        """argv[optind]: the word after the one just handed out."""
        return self.pending[-1] if self.pending else None


class Getopt:
    """One command's getopt_long (RETURN_IN_ORDER), and the peeks at argv[optind] ipchains makes."""

    def __init__(self, words: list[Word]):
        self.feed = Feed(words)
        self.forced: set[int] = set()  # indexes of words that are an option's argument, whatever they look like
        self.facts: dict[int, PyipError] = {}  # what getopt says about a word it refuses
        self.option: str | None = None  # the terminal of the last option word
        self.option_word: Word | None = None
        self.jump_target: str | None = None
        self.stopped: str | None = None  # IGNORED after -h/-V, LEFTOVER after `--`

    @property
    def index(self) -> int:
        return len(self.feed.words) - 1

    def kind_of(self, word: Word, acceptable: dict) -> str:
        if self.stopped is not None:
            return self.stopped
        if "VALUE" in acceptable:
            return self.value(word, acceptable)
        if self.index in self.forced:
            return "ARG"
        if "PORT" in acceptable:
            port = self.port(word, acceptable)
            if port is not None:
                return port
        if "ARG" in acceptable and is_argument(word) and self.takes_argument():
            return "ARG"
        return self.option_kind(word)

    def value(self, word: Word, acceptable: dict) -> str:
        """getopt's required argument; ipchains' check_inverse() makes a "!" there a negation."""
        if word.symbol is None and word.text == "!" and "VALUE_NOT" in acceptable:
            return "VALUE_NOT"
        if self.option == "JUMP":
            self.jump_target = word.text if word.symbol is None else None
        return "VALUE"

    def port(self, word: Word, acceptable: dict) -> str | None:
        """After `-s ADDR`: `[!] PORT` if a word not starting with - or ! follows."""
        if word.symbol is None and word.text == "!" and "PORT_NOT" in acceptable:
            following = self.feed.peek()
            return "PORT_NOT" if following is not None and is_argument(following) else None
        return "PORT" if is_argument(word) else None

    def takes_argument(self) -> bool:
        """-j takes a port only after REDIRECT; -S takes two more words only if both are there."""
        if self.option == "JUMP":
            return self.jump_target == "REDIRECT"
        if self.option == "SET":
            following = self.feed.peek()
            if following is None or not is_argument(following):
                return False
            self.forced.add(self.index + 1)
        return True

    def option_kind(self, word: Word) -> str:
        if word.symbol is not None:
            return self.unknown(word, f"{word.text}: an option known only at run time")
        text = word.text
        if text == "!":
            return "NOT"
        if text == "--":
            self.stopped = "LEFTOVER"
            return "END_OPTIONS"
        if text.startswith("--"):
            return self.long_option(word)
        if text.startswith("-") and len(text) > 1:
            return self.short_option(word)
        return "NONOPTION"

    def long_option(self, word: Word) -> str:
        name, equals, value = word.text[2:].partition("=")
        found = find_long(name)
        if found is None:
            return self.unknown(word, f"unrecognized option `--{word.text[2:]}'")
        if found == "ambiguous":
            return self.unknown(word, f"option `{word.text}' is ambiguous")
        long_name, has_arg, letter = found
        if equals:
            if has_arg == 0:
                return self.unknown(word, f"option `--{long_name}' doesn't allow an argument")
            self.attach(word, value, len(name) + 3)
        elif has_arg == 1:
            if self.feed.peek() is None:
                return self.unknown(word, f"option `{word.text}' requires an argument")
            self.forced.add(self.index + 1)
        return self.accept(letter, word)

    def short_option(self, word: Word) -> str:
        letter, rest = word.text[1], word.text[2:]
        has_arg = SHORT.get(letter)
        letter_at = Location(word.location.file, word.location.line, word.location.col + 1)
        if has_arg is None:
            return self.unknown(word, f"invalid option -- {letter}", letter_at)
        if rest and has_arg:
            self.attach(word, rest, 2)
        elif rest:
            self.feed.put_back(Word("-" + rest, letter_at))  # the rest of a cluster: `-nvL`
        elif has_arg == 1 and self.feed.peek() is None:
            return self.unknown(word, f"option requires an argument -- {letter}", letter_at)
        elif has_arg == 1:
            self.forced.add(self.index + 1)
        return self.accept(letter, word)

    def attach(self, word: Word, value: str, offset: int) -> None:
        """Put the attached value (`-Linput`, `--list=input`) back as the next word."""
        location = word.location
        self.feed.put_back(Word(value, Location(location.file, location.line, location.col + offset)))
        self.forced.add(self.index + 1)

    def accept(self, letter: str, word: Word) -> str:
        self.option, self.option_word = terminals()[letter], word
        if letter in "hV":
            self.stopped = "IGNORED"  # ipchains prints and exits: it reads no further
        return self.option

    def unknown(self, word: Word, message: str, location: Location | None = None) -> str:
        self.facts[self.index] = problem(message, location or word.location)
        return "UNKNOWN"


def find_long(name: str):
    """glibc: an exact name wins; else the prefix's first option, unless another differs in has_arg or letter."""
    exact = next((entry for entry in LONG_OPTIONS if entry[0] == name), None)
    if exact is not None:
        return exact
    prefixed = [entry for entry in LONG_OPTIONS if entry[0].startswith(name)]
    if not prefixed:
        return None
    if any(entry[1:] != prefixed[0][1:] for entry in prefixed):
        return "ambiguous"
    return prefixed[0]


class ChainsGrammar(WordGrammar):
    """The compiled ipchains grammar with one command's getopt as its word lexer."""

    def __init__(self, getopt: Getopt):
        self.__dict__.update(grammar("ipchains").__dict__)  # share the compiled tables
        self._kinds = {}  # the lexer depends on more than (state, word): never cache
        self.getopt = getopt

    def kind_of(self, word: Word, state: int) -> str:
        acceptable = self.states[state]
        if "PROGRAM" in acceptable:
            return "PROGRAM"
        kind = self.getopt.kind_of(word, acceptable)
        if kind not in acceptable:  # a word no reading of ipchains' main() can take here
            raise problem(f"unexpected argument `{word.text}'", word.location)
        return kind


# -- main()'s state ---------------------------------------------------------------------------

# The commands in cmdflags[] order, and the options in optflags[] order (sport and dport print as -s, -d).
COMMANDS = ("insert", "delete", "delete_num", "replace", "append", "list", "flush", "zero", "new_chain",
            "delete_chain", "policy", "masquerade", "set_masquerade", "check")
COMMAND_LETTERS = dict(zip(COMMANDS, "IDDRALFZNXPMSC"))
OPTIONS = ("n", "s", "d", "p", "j", "y", "b", "v", "l", "x", "t", "i", "f", "m", "sport", "dport", "o", "3")
OPTION_LETTERS = dict(zip(OPTIONS, "nsdpjybvlxtifmsdo3"))
INVERTIBLE = frozenset({"s", "d", "p", "y", "i", "f", "sport", "dport"})  # inverse_for_options[]

# commands_v_options[][]: "x" the command refuses the option, "+" it needs it (columns in OPTIONS order).
ILLEGAL = {
    "insert": "x        x       x", "delete": "x        x       x", "delete_num": "xxxxxxx xxxxxxxxxx",
    "replace": "x     x  x       x", "append": "x        x       x", "list": " xxxxxx x xxxxxxx ",
    "flush": "xxxxxxx xxxxxxxxxx", "zero": "xxxxxxx xxxxxxxxxx", "new_chain": "xxxxxxx xxxxxxxxxx",
    "delete_chain": "xxxxxxx xxxxxxxxxx", "policy": "xxxxxxx xxxxxxxxxx", "masquerade": "xxxxxxxxxxxxxxxxxx",
    "set_masquerade": "xxxxxxx xxxxxxxxxx", "check": "x+++x   xxx+ x  xx",
}
RULE_COMMANDS = frozenset({"replace", "insert", "delete", "append"})
TRY_HELP = "Try `ipchains -h' or 'ipchains --help' for more information."
TCP, UDP, ICMP = 6, 17, 1


class ChainsState(metaclass=records.define):
    """main()'s variables for one command: the command, the rule's parts as read so far."""

    getopt: Getopt
    commands: set = records.field(factory=set)
    command_word: Word | None = None
    chain: str | Symbol | None = None
    chain_word: Word | None = None
    rule_number: int | Symbol | None = None
    policy: str | Symbol | None = None
    options: dict = records.field(factory=dict)  # OPTIONS key -> the word that gave it
    inverted: set = records.field(factory=set)  # OPTIONS keys given with `!` (fw_invflg)
    inside: set = records.field(factory=set)  # ... with the `!` inside the argument (`-s ! NET`)
    invert: Word | None = None  # a pending `!`
    protocol: int | Symbol = 0
    protocol_text: str | None = None
    addresses: dict = records.field(factory=dict)  # "s"/"d" -> the address word
    ports: dict = records.field(factory=dict)  # "s"/"d" -> the port word (srcpts, dstpts)
    interface: str | Symbol | None = None
    jump: str | Symbol | None = None
    redirect_port: Word | None = None
    mark: object = None  # Mark or ch.MarkAdd
    tos: tuple | None = None  # (and, xor)
    output_size: int | Symbol | None = None
    timeouts: tuple = ()
    exit: str | None = None  # "help" or "version": ipchains printed and stopped
    help_icmp: bool = False
    warnings: bool = True
    notes: list = records.field(factory=list)

    def word(self, token) -> Word:
        return self.getopt.feed.words[token.start_pos]

    def text(self, token) -> str | Symbol:
        word = self.word(token)
        return word.symbol if word.symbol is not None else word.text

    def take_invert(self) -> Word | None:
        """main() clears its invert flag after every option."""
        invert, self.invert = self.invert, None
        return invert

    def set_option(self, key: str, word: Word, invert: Word | None) -> None:
        if key in self.options:
            raise problem(f"multiple -{OPTION_LETTERS[key]} flags not allowed", word.location)
        self.options[key] = word
        if invert is not None:
            if key not in INVERTIBLE:
                raise problem(f"cannot have ! before -{OPTION_LETTERS[key]}", invert.location)
            self.inverted.add(key)

    def add_command(self, name: str, word: Word, allowed: tuple = ()) -> None:
        if self.take_invert() is not None:
            raise problem("unexpected ! flag", word.location)
        others = self.commands - set(allowed)
        if others:
            last = max(others, key=COMMANDS.index)
            raise problem(f"Can't use -{COMMAND_LETTERS[name]} with -{COMMAND_LETTERS[last]}", word.location)
        self.commands.add(name)
        self.command_word = word


def tokens(tree, kind: str) -> list:
    return [child for child in tree.children if getattr(child, "type", None) == kind]


def first(tree, kind: str):
    found = tokens(tree, kind)
    return found[0] if found else None


def at(state: ChainsState, token, read, *args):
    """read(text, *args) with any error placed at the token's word; a Symbol stays a Symbol."""
    value = state.text(token)
    if isinstance(value, Symbol):
        return value
    try:
        return read(value, *args)
    except PyipError as error:
        raise error.at(state.word(token).location) from None


# -- the value readers: ipchains' parse_*() ------------------------------------------------------


def string_to_number(text: str, minimum: int, maximum: int) -> int | None:
    """string_to_number(): strtol base 10, the whole word, within [minimum, maximum]."""
    return strtoui(text, minimum, maximum, 10)


def c_length(text: str) -> int:
    """strlen(): bytes, not characters."""
    return len(text.encode("utf-8", "surrogateescape"))


def parse_rule_number(text: str) -> int:
    number = string_to_number(text, 1, INT_MAX)
    if number is None:
        raise problem(f"Invalid rule number `{text}'")
    return number


# A few protocols ipchains knows without /etc/protocols (chain_protos[]), matched case-insensitively.
CHAIN_PROTOCOLS = {"all": 0, "tcp": TCP, "udp": UDP, "icmp": ICMP}


def parse_protocol(text: str) -> int:
    """A number 0-65535, a name /etc/protocols knows (case-sensitive), or all/tcp/udp/icmp in any case."""
    number = string_to_number(text, 0, 0xFFFF)
    if number is None:
        number = netdb.protocol_number(text)
    if number is None:
        number = CHAIN_PROTOCOLS.get(text.lower())
    if number is None:
        raise problem(f"unknown protocol `{text}' specified")
    return number


def parse_policy(chain: str | Symbol, policy: str | Symbol) -> str | Symbol:
    if policy == "MASQ":
        if isinstance(chain, str) and chain != "forward":
            raise problem("`-P MASQ' only valid for `forward' chain.")
        return policy
    if isinstance(chain, str) and chain not in ch.BUILTIN_CHAINS:
        raise problem("Can only set policy in built-in chains.")
    if isinstance(policy, str) and policy not in ("ACCEPT", "DENY", "REJECT"):
        raise problem(f"Invalid policy `{policy}' for -P")
    return policy


def parse_target(text: str) -> str:
    if not text:
        raise problem("Invalid target name (too short)")
    if c_length(text) > ch.MAX_CHAIN_NAME:
        raise problem(f"Invalid target name `{text}' ({ch.MAX_CHAIN_NAME} chars max)")
    if any(c.isspace() for c in text):
        raise problem(f"Invalid target name `{text}'")
    return text


def parse_interface(text: str) -> str:
    if c_length(text) > 16:
        raise problem(f"interface name `{text}' must be shorter than IFNAMSIZ (16)")
    return text


def parse_mark(text: str):
    """`N` sets the mark, `+N` adds, `-N` subtracts (the kernel adds 2**32 - N); N in C notation."""
    sign = text[:1] if text[:1] in ("+", "-") else ""
    value, rest = strtoul(text[len(sign):], 0)
    if value is None or rest or value > 0xFFFFFFFF:
        raise problem(f"Bad value `{text}' for -m.")
    if sign == "-":
        return ch.MarkAdd(-value % (1 << 32))
    return ch.MarkAdd(value) if sign else Mark(value)


def parse_output_size(text: str) -> int:
    size = string_to_number(text, 0, 0xFFFF)
    if size is None:
        raise problem(f"-o argument must be 0-65535, not `{text}'")
    return size


def parse_hexbyte(text: str) -> int:
    """strtol base 16 (a `0x` allowed), the whole word, 0-255."""
    value, rest = strtoul(text, 16)
    if value is None or rest or value > 0xFF:
        raise problem(f"invalid hexbyte `{text}' specified")
    return value


def parse_timeout(text: str) -> int:
    timeout = string_to_number(text, 0, INT_MAX)
    if timeout is None:
        raise problem(f"invalid timeout value `{text}' specified")
    return timeout


# -- addresses: parse_hostnetworkmask() -------------------------------------------------------------


def parse_mask(text: str | None) -> int:
    """A dotted quad (any bits) or a length 0-32; no mask is /32."""
    if text is None:
        return 0xFFFFFFFF
    dotted = dotted_to_addr(text)
    if dotted is not None:
        return int(dotted)
    bits = string_to_number(text, 0, 32)
    if bits is None:
        raise problem(f"invalid mask `{text}' specified")
    return (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF


def dotted_to_addr(text: str) -> ipaddress.IPv4Address | None:
    """Exactly four decimal parts 0-255 (ipchains reads at most 19 characters)."""
    parts = text[:19].split(".", 3)
    if len(parts) != 4:
        return None
    octets = [string_to_number(part, 0, 255) for part in parts]
    return None if None in octets else ipaddress.IPv4Address(bytes(octets))


def is_digits_dots(text: str) -> bool:
    """What glibc's gethostbyname() hands to inet_aton() instead of the resolver."""
    # ASCII digits only: C's isdigit(); str.isdigit() takes any script's digits.
    return text[:1] in ASCII_DIGITS and text[-1] != "." and all(c in ASCII_DIGITS or c == "." for c in text)


ASCII_DIGITS = frozenset("0123456789")


def inet_aton(text: str) -> int | None:
    """inet_aton(): 1-4 parts in C notation, the last filling the bytes left (`10` is 0.0.0.10)."""
    parts = text.split(".")
    if len(parts) > 4:
        return None
    values = []
    for part in parts:
        value, rest = strtoul(part, 0) if part[:1] in ASCII_DIGITS else (None, part)
        if value is None or rest:
            return None
        values.append(value)
    last_bits = 8 * (5 - len(values))
    if any(value > 0xFF for value in values[:-1]) or values[-1] >= 1 << last_bits:
        return None
    address = 0
    for value in values[:-1]:
        address = address << 8 | value
    return address << last_bits | values[-1]


def parse_addresses(text: str) -> tuple[tuple, str | None]:
    """ADDR[/MASK] -> the addresses (host bits cleared, duplicates dropped) and a note on an inet_aton reading."""
    name, mask_text = text.rsplit("/", 1) if "/" in text else (text, None)
    mask = parse_mask(mask_text)
    if mask == 0:
        name = "0.0.0.0"  # "any/0": the name is ignored
    dotted = dotted_to_addr(name)
    if dotted is not None:
        return (ch.Address(ipaddress.IPv4Address(int(dotted) & mask), mask, text),), None
    if is_digits_dots(name):
        return inet_aton_address(name, mask, text)
    return host_addresses(name, mask, text), None


def inet_aton_address(name: str, mask: int, text: str) -> tuple[tuple, str | None]:
    value = inet_aton(name)
    if value is None:
        raise problem(f"host/network `{name}' not found")
    address = ch.Address(ipaddress.IPv4Address(value & mask), mask, text)
    modern = numeric_address(name)
    if modern is None or int(modern) & mask == value & mask:
        return (address,), None
    today = fw.Address(ipaddress.IPv4Address(int(modern) & mask), mask)
    return (address,), f'ipchains reads "{text}" as {address} (inet_aton); iptables and ip read it as {today}'


def host_addresses(name: str, mask: int, text: str) -> tuple:
    """gethostbyname(): /etc/hosts if it knows the name, else the resolver when the command runs."""
    known = netdb.host_addresses(name)
    if known:
        masked = dict.fromkeys(ipaddress.IPv4Address(int(address) & mask) for address in known)
        return tuple(ch.Address(address, mask, text) for address in masked)
    if not looks_like_host_name(name):
        raise problem(f"host/network `{name}' not found")
    return (fw.HostName(name, mask),)


# -- ports and ICMP types: parse_ports(), parse_icmp() ------------------------------------------------


def parse_port(text: str, protocol: int) -> int:
    if protocol not in (ICMP, TCP, UDP):
        raise problem("can only specify ports for icmp, tcp or udp")
    number = string_to_number(text, 0, 0xFFFF)
    if number is not None:
        return number
    if protocol == ICMP:
        raise problem(f"invalid ICMP type `{text}' specified")
    number = netdb.service_port(text, "tcp" if protocol == TCP else "udp")
    if number is None:
        raise problem(f"invalid port/service `{text}' specified")
    return number


def parse_ports(text: str, protocol: int) -> fw.PortRange:
    """`P`, `P:Q`, `P:` (to 65535), `:Q` (from 0); no order check."""
    if ":" not in text:
        port = parse_port(text, protocol)
        return fw.PortRange(port, port)
    low, _, high = text.partition(":")
    return fw.PortRange(parse_port(low, protocol) if low else 0, parse_port(high, protocol) if high else 0xFFFF)


# icmp_codes[]: name, type, codes, and whether -C tests the first code only.
ICMP_NAMES = (
    ("echo-reply", 0, 0, 0xFFFF, True), ("pong", 0, 0, 0xFFFF, True),
    ("destination-unreachable", 3, 0, 0xFFFF, False), ("network-unreachable", 3, 0, 0, True),
    ("host-unreachable", 3, 1, 1, True), ("protocol-unreachable", 3, 2, 2, True),
    ("port-unreachable", 3, 3, 3, True), ("fragmentation-needed", 3, 4, 4, True),
    ("source-route-failed", 3, 5, 5, True), ("network-unknown", 3, 6, 6, True), ("host-unknown", 3, 7, 7, True),
    ("network-prohibited", 3, 9, 9, True), ("host-prohibited", 3, 10, 10, True),
    ("TOS-network-unreachable", 3, 11, 11, True), ("TOS-host-unreachable", 3, 12, 12, True),
    ("communication-prohibited", 3, 13, 13, True), ("host-precedence-violation", 3, 14, 14, True),
    ("precedence-cutoff", 3, 15, 15, True), ("source-quench", 4, 0, 0xFFFF, True),
    ("redirect", 5, 0, 0xFFFF, False), ("network-redirect", 5, 0, 0, True), ("host-redirect", 5, 1, 1, True),
    ("TOS-network-redirect", 5, 2, 2, True), ("TOS-host-redirect", 5, 3, 3, True),
    ("echo-request", 8, 0, 0xFFFF, True), ("ping", 8, 0, 0xFFFF, True),
    ("router-advertisement", 9, 0, 0xFFFF, True), ("router-solicitation", 10, 0, 0xFFFF, True),
    ("time-exceeded", 11, 0, 0xFFFF, False), ("ttl-exceeded", 11, 0, 0xFFFF, False),
    ("ttl-zero-during-transit", 11, 0, 0, True), ("ttl-zero-during-reassembly", 11, 1, 1, True),
    ("parameter-problem", 12, 0, 0xFFFF, False), ("ip-header-bad", 12, 0, 0, True),
    ("required-option-missing", 12, 1, 1, True), ("timestamp-request", 13, 0, 0xFFFF, True),
    ("timestamp-reply", 14, 0, 0xFFFF, True), ("address-mask-request", 17, 0, 0xFFFF, True),
    ("address-mask-reply", 18, 0, 0xFFFF, True),
)


def icmp_name(text: str):
    """The ICMP name `text` begins (any case), None if none; ambiguity is an error."""
    found = [entry for entry in ICMP_NAMES if entry[0].lower().startswith(text.lower())]
    if len(found) > 1:
        raise problem(f"Ambiguous ICMP `{text}' : `{found[0][0]}' or `{found[1][0]}'?")
    return found[0] if found else None


# -- the readers: main()'s switch ------------------------------------------------------------------


def read_chain(state: ChainsState, tree) -> None:
    token = first(tree, "VALUE")
    state.chain, state.chain_word = state.text(token), state.word(token)


def read_optional_chain(state: ChainsState, tree) -> None:
    token = first(tree, "ARG")
    if token is not None:
        state.chain, state.chain_word = state.text(token), state.word(token)


def read_insert(tree, state: ChainsState) -> None:
    state.add_command("insert", state.word(tree.children[0]))
    read_chain(state, tree)
    token = first(tree, "ARG")
    state.rule_number = at(state, token, parse_rule_number) if token is not None else 1


def read_delete(tree, state: ChainsState) -> None:
    state.add_command("delete", state.word(tree.children[0]))
    read_chain(state, tree)
    token = first(tree, "ARG")
    if token is not None:
        state.rule_number = at(state, token, parse_rule_number)
        state.commands = {"delete_num"}


def read_replace(tree, state: ChainsState) -> None:
    state.add_command("replace", state.word(tree.children[0]))
    read_chain(state, tree)
    token = first(tree, "ARG")
    if token is None:
        raise problem("-R requires a rule number", state.word(tree.children[0]).location)
    state.rule_number = at(state, token, parse_rule_number)


def read_simple(name: str, chain: str, allowed: tuple = ()):
    """A command whose chain is required (VALUE), optional (ARG) or absent."""

    def read(tree, state: ChainsState) -> None:
        state.add_command(name, state.word(tree.children[0]), allowed)
        if chain == "required":
            read_chain(state, tree)
        elif chain == "optional":
            read_optional_chain(state, tree)

    return read


def read_list_or_zero(name: str, allowed: tuple):
    """-L and -Z together list and zero every chain: neither may name one."""

    def read(tree, state: ChainsState) -> None:
        read_simple(name, "optional", allowed)(tree, state)
        if {"list", "zero"} <= state.commands and state.chain is not None:
            raise problem("-L with -Z does not allow chain to be specified", state.word(tree.children[0]).location)

    return read


def read_policy(tree, state: ChainsState) -> None:
    state.add_command("policy", state.word(tree.children[0]))
    read_chain(state, tree)
    token = first(tree, "ARG")
    if token is None:
        raise problem("-P requires a chain and a policy", state.word(tree.children[0]).location)
    state.policy = at(state, token, lambda text: parse_policy(state.chain, text))


def read_set(tree, state: ChainsState) -> None:
    state.add_command("set_masquerade", state.word(tree.children[0]), ("masquerade",))
    words = tokens(tree, "VALUE") + tokens(tree, "ARG")
    if len(words) < 3:
        raise problem("-S requires 3 timeout values", state.word(tree.children[0]).location)
    state.timeouts = tuple(at(state, token, parse_timeout) for token in words)


def read_help(tree, state: ChainsState) -> None:
    """-h prints the ICMP names if its attached argument or the next word is `icmp`."""
    ignored = tokens(tree, "IGNORED")
    candidates = ignored[:2] if ignored and ignored[0].start_pos in state.getopt.forced else ignored[:1]
    state.help_icmp = any(state.word(token).text.lower() == "icmp" for token in candidates)
    state.exit = "help"


def read_version(tree, state: ChainsState) -> None:
    state.exit = "version"


def read_flag(key: str):
    def read(tree, state: ChainsState) -> None:
        state.set_option(key, state.word(tree.children[0]), state.take_invert())

    return read


def read_never_inverted(key: str | None, name: str):
    """--line-numbers and --no-warnings say so themselves when a `!` precedes them."""

    def read(tree, state: ChainsState) -> None:
        if state.take_invert() is not None:
            raise problem(f"cannot have ! before --{name}", state.word(tree.children[0]).location)
        if key is None:
            state.warnings = False
        else:
            state.set_option(key, state.word(tree.children[0]), None)

    return read


def value_invert(state: ChainsState, tree, key: str) -> Word | None:
    """The pending `!`, or check_inverse() on the option's argument (`-p ! tcp`); both is an error."""
    invert = state.take_invert()
    token = first(tree, "VALUE_NOT")
    if token is None:
        return invert
    if invert is not None:
        raise problem("Multiple `!' flags not allowed", state.word(token).location)
    state.inside.add(key)
    return state.word(token)


def read_protocol(tree, state: ChainsState) -> None:
    invert = value_invert(state, tree, "p")
    state.set_option("p", state.word(tree.children[0]), invert)
    token = first(tree, "VALUE")
    state.protocol = at(state, token, parse_protocol)
    state.protocol_text = state.word(token).text
    if state.protocol == 0 and "p" in state.inverted:
        raise problem("rule would never match protocol", state.word(token).location)


def read_address(letter: str, port_key: str):
    def read(tree, state: ChainsState) -> None:
        invert = value_invert(state, tree, letter)
        state.set_option(letter, state.word(tree.children[0]), invert)
        state.addresses[letter] = state.word(first(tree, "VALUE"))
        port = first(tree, "PORT")
        if port is not None:
            port_not = first(tree, "PORT_NOT")
            if port_not is not None:
                state.inside.add(port_key)
            state.set_option(port_key, state.word(port), None if port_not is None else state.word(port_not))
            state.ports[letter] = state.word(port)

    return read


def read_port_option(letter: str, key: str):
    """--sport/--icmp-type and --dport: the same as a port after -s or -d."""

    def read(tree, state: ChainsState) -> None:
        invert = value_invert(state, tree, key)
        state.set_option(key, state.word(tree.children[0]), invert)
        state.ports[letter] = state.word(first(tree, "VALUE"))

    return read


def read_interface(tree, state: ChainsState) -> None:
    invert = value_invert(state, tree, "i")
    state.set_option("i", state.word(tree.children[0]), invert)
    state.interface = at(state, first(tree, "VALUE"), parse_interface)


def read_jump(tree, state: ChainsState) -> None:
    state.set_option("j", state.word(tree.children[0]), state.take_invert())
    state.jump = at(state, first(tree, "VALUE"), parse_target)
    port = first(tree, "ARG")
    if port is not None:
        state.redirect_port = state.word(port)


def read_mark(tree, state: ChainsState) -> None:
    state.set_option("m", state.word(tree.children[0]), state.take_invert())
    state.mark = at(state, first(tree, "VALUE"), parse_mark)
    if isinstance(state.mark, Symbol):
        state.mark = Mark(state.mark)


def read_tos(tree, state: ChainsState) -> None:
    option = state.word(tree.children[0])
    state.set_option("t", option, state.take_invert())
    xor = first(tree, "ARG")
    if xor is None:
        raise problem("-t requires 2 hexbyte arguments", option.location)
    state.tos = (at(state, first(tree, "VALUE"), parse_hexbyte), at(state, xor, parse_hexbyte))


def read_output(tree, state: ChainsState) -> None:
    state.set_option("o", state.word(tree.children[0]), state.take_invert())
    token = first(tree, "ARG")
    state.output_size = at(state, token, parse_output_size) if token is not None else 0xFFFF


def read_negation(tree, state: ChainsState) -> None:
    word = state.word(tree.children[0])
    if state.invert is not None:
        raise problem("multiple consecutive ! not allowed", word.location)
    state.invert = word


def read_non_option(tree, state: ChainsState) -> None:
    word = state.word(tree.children[0])
    raise problem(f"unexpected argument `{word.text}'", word.location)


def read_unknown(tree, state: ChainsState) -> None:
    raise state.getopt.facts[tree.children[0].start_pos]


def read_end_of_options(tree, state: ChainsState) -> None:
    leftover = first(tree, "LEFTOVER")
    if leftover is not None:
        raise problem("unknown arguments found on commandline", state.word(leftover).location)


READERS = {
    "insert": read_insert,
    "delete": read_delete,
    "replace": read_replace,
    "append": read_simple("append", "required"),
    "check": read_simple("check", "required"),
    "list": read_list_or_zero("list", ("zero", "masquerade")),
    "zero": read_list_or_zero("zero", ("list",)),
    "flush": read_simple("flush", "optional"),
    "new_chain": read_simple("new_chain", "required"),
    "delete_chain": read_simple("delete_chain", "optional"),
    "policy": read_policy,
    "masquerading": read_simple("masquerade", "none", ("list", "set_masquerade")),
    "set": read_set,
    "help": read_help,
    "version": read_version,
    "numeric": read_flag("n"),
    "source": read_address("s", "sport"),
    "destination": read_address("d", "dport"),
    "protocol": read_protocol,
    "jump": read_jump,
    "syn": read_flag("y"),
    "bidirectional": read_flag("b"),
    "verbose": read_flag("v"),
    "log": read_flag("l"),
    "exact": read_flag("x"),
    "tos": read_tos,
    "interface": read_interface,
    "fragment": read_flag("f"),
    "mark": read_mark,
    "source_port": read_port_option("s", "sport"),
    "destination_port": read_port_option("d", "dport"),
    "output": read_output,
    "line_numbers": read_never_inverted("3", "line-numbers"),
    "no_warnings": read_never_inverted(None, "no-warnings"),
    "negation": read_negation,
    "non_option": read_non_option,
    "unknown_option": read_unknown,
    "end_of_options": read_end_of_options,
}


def parse_ipchains(words: list[Word], end: Location | None = None) -> fw.Command:
    """Parse one `ipchains ...` command line; PyipError (exit status 2) where ipchains would refuse it."""
    end = end or (words[-1].location if words else Location())
    getopt = Getopt(words)
    state = ChainsState(getopt)

    def read(tree):
        reader = READERS.get(tree.data)
        if reader is not None:
            reader(tree, state)
        return tree

    try:
        ChainsGrammar(getopt).parse(getopt.feed, end, read)
    except IncompleteCommand:
        option = getopt.option_word or words[0]
        raise problem(f"option `{option.text}' requires an argument after `!'", option.location) from None
    return finish(state, words[0])


def is_ipchains_command(words: list[Word]) -> bool:
    """Does the command run ipchains (`ipchains`, `/sbin/ipchains`)?"""
    program = words[0] if words else None
    return program is not None and program.symbol is None and \
        grammar("ipchains").first_match(program.text, "PROGRAM") is not None


# -- after the loop: main()'s checks, in its order -----------------------------------------------------


class Side(metaclass=records.frozen):
    """One side of the rule as finish() reads it: its addresses, and its ports unless the protocol is ICMP."""

    addresses: tuple | None  # None: no address was given (and the command needs none)
    ports: fw.PortRange | Symbol | None = None  # None: 0:65535


class Icmp(metaclass=records.frozen):
    """The ICMP type and code ranges (None: 0:65535)."""

    types: fw.PortRange | Symbol | None
    codes: fw.PortRange | Symbol | None


def finish(state: ChainsState, program: Word) -> fw.Command:
    common = {"program": program.text, "location": program.location,
              "unknowns": tuple(word.symbol for word in state.getopt.feed.words if word.symbol is not None)}
    if state.exit is not None:
        return ch.Help(icmp=state.help_icmp, **common) if state.exit == "help" else ch.Version(**common)
    if not state.commands:
        raise problem("no command specified", program.location)
    if state.invert is not None:
        raise problem("nothing appropriate following !", state.invert.location)
    source, destination = read_side(state, "s"), read_side(state, "d")
    icmp = read_icmp(state) if state.protocol == ICMP else None
    check_combinations(state, source, destination, icmp)
    if "set_masquerade" in state.commands:
        state.commands.add("masquerade")  # lazy -S without -M
    check_options(state)
    check_chain_length(state)
    redirect = redirect_port(state)
    check_tos(state)
    if state.commands == {"masquerade"}:
        raise problem("-M/--masquerading requires -L/--list or -S/--set", state.command_word.location)
    rule = None
    if state.commands & (RULE_COMMANDS | {"check"}):
        rule = build_rule(state, source, destination, icmp, redirect)
    return build_command(state, rule, {**common, "notes": tuple(state.notes)})


def read_side(state: ChainsState, letter: str) -> Side:
    """parse_hostnetworkmask(), then parse_ports() for a protocol other than ICMP; 0.0.0.0/0 by default."""
    word = state.addresses.get(letter)
    if word is None and not state.commands & RULE_COMMANDS:
        return Side(None)
    if word is None:
        addresses = (ch.Address(fw.ZERO, 0),)
    elif word.symbol is not None:
        addresses = (word.symbol,)
    else:
        addresses = read_addresses(state, word)
    if state.protocol == ICMP:
        return Side(addresses)
    return Side(addresses, read_ports(state, state.ports.get(letter)))


def read_addresses(state: ChainsState, word: Word) -> tuple:
    try:
        addresses, note = parse_addresses(word.text)
    except PyipError as error:
        raise error.at(word.location) from None
    if note is not None:
        state.notes.append(note)
    return addresses


def read_ports(state: ChainsState, word: Word | None) -> fw.PortRange | Symbol | None:
    if word is None:
        return None
    if isinstance(state.protocol, Symbol):
        raise PyipError(f"the port `{word.text}' needs the protocol, known only when the script runs",
                        word.location, 2)
    if word.symbol is not None:
        return word.symbol
    try:
        return parse_ports(word.text, state.protocol)
    except PyipError as error:
        raise error.at(word.location) from None


def read_icmp(state: ChainsState) -> Icmp:
    """parse_icmp(): the word after -s names a type (a prefix, any case) or is a type range; after -d, the code."""
    source, destination = state.ports.get("s"), state.ports.get("d")
    entry = None
    if source is not None and source.symbol is None:
        try:
            entry = icmp_name(source.text)
        except PyipError as error:
            raise error.at(source.location) from None
    if entry is None:
        return Icmp(read_ports(state, source), read_ports(state, destination))
    return named_icmp(state, entry, source, destination)


def named_icmp(state: ChainsState, entry, source: Word, destination: Word | None) -> Icmp:
    _, icmp_type, code_min, code_max, first_code = entry
    if destination is not None:
        raise problem("Can't use ICMP name and destination port together", destination.location)
    state.options.setdefault("dport", source)
    if "check" in state.commands:
        if first_code:
            code_max = code_min
        elif code_min != code_max:
            raise problem("Must specify exact ICMP type for testing", source.location)
    if state.inverted & {"sport", "dport"}:
        raise problem("Can't invert named ICMP types", source.location)
    codes = None if (code_min, code_max) == (0, 0xFFFF) else fw.PortRange(code_min, code_max)
    return Icmp(fw.PortRange(icmp_type, icmp_type), codes)


def check_combinations(state: ChainsState, source: Side, destination: Side, icmp: Icmp | None) -> None:
    """main()'s checks between the options, in its order."""
    options, inverted = state.options, state.inverted
    where = state.command_word.location
    several = any(side.addresses is not None and len(side.addresses) > 1 for side in (source, destination))
    if several and inverted & {"s", "d"}:
        raise problem("! not allowed with multiple source or destination IP addresses", where)
    if several and "b" in options:
        raise problem("-b not allowed with multiple source or destination IP addresses", options["b"].location)
    check_protocol_needs(state)
    fragments = "f" in options and "f" not in inverted
    if fragments and options.keys() & {"sport", "dport"}:
        raise problem("no ports allowed with -f", options["f"].location)
    if fragments and "y" in options:
        raise problem("-y not allowed with -f", options["y"].location)
    if "check" in state.commands:
        check_packet(state, source, destination, icmp)
    check_targets(state)
    if "replace" in state.commands and (len(source.addresses) != 1 or len(destination.addresses) != 1):
        raise problem("Replacement rule does not specify a unique address", where)


def check_protocol_needs(state: ChainsState) -> None:
    """Ports need a protocol, -y needs tcp (a protocol known only at run time passes)."""
    protocol, options = state.protocol, state.options
    if isinstance(protocol, Symbol):
        return
    negated = "p" in state.inverted
    ports = options.keys() & {"sport", "dport"}
    if (protocol == 0 or negated) and ports:
        where = options["sport" if "sport" in ports else "dport"].location
        raise problem("no ports allowed without specific protocol", where)
    if (protocol != TCP or negated) and "y" in options:
        raise problem("-y only allowed with TCP protocol", options["y"].location)


def check_packet(state: ChainsState, source: Side, destination: Side, icmp: Icmp | None) -> None:
    """-C sends one packet: one port on each side (unless a fragment), and no `!`."""
    where = state.command_word.location
    if state.protocol in (TCP, UDP, ICMP) and "f" not in state.options:
        ranges = (icmp.types, icmp.codes) if icmp is not None else (source.ports, destination.ports)
        for key, ports in zip(("sport", "dport"), ranges):
            # ports ipchains did not read (no address given) stay 0:0 in its zeroed rule: one port
            if key not in state.options or (isinstance(ports, fw.PortRange) and ports.first != ports.last):
                raise problem("one port required with source/destination address for -C", where)
    if state.inverted:
        raise problem("! not allowed with -C", where)


def check_targets(state: ChainsState) -> None:
    jump, chain = state.jump, state.chain
    if jump is None:
        return
    location = state.options["j"].location
    if jump == "REDIRECT" and not (state.protocol in (TCP, UDP) and "p" not in state.inverted) \
            and not isinstance(state.protocol, Symbol):
        raise problem("redirecting only allowed with TCP or UDP", location)
    if jump == "MASQ" and chain in ("input", "output"):
        raise problem("masquerading not allowed for input and output chains", location)
    if jump == "REDIRECT" and chain in ("output", "forward"):
        raise problem("redirect not allowed for output and forward chains", location)


def check_options(state: ChainsState) -> None:
    """generic_opt_check(): per option, a command may need it ("+") or refuse it ("x")."""
    for index, key in enumerate(OPTIONS):
        legal = 0
        for command in sorted(state.commands, key=COMMANDS.index):
            mark = ILLEGAL[command][index]
            if key not in state.options:
                if mark == "+":
                    raise problem(f"You need to supply the `-{OPTION_LETTERS[key]}' option for this command",
                                  state.command_word.location)
            elif mark != "x":
                legal = 1
            elif legal == 0:
                legal = -1
        if legal == -1:
            raise problem(f"Illegal option `-{OPTION_LETTERS[key]}' with this command", state.options[key].location)


def check_chain_length(state: ChainsState) -> None:
    chain = state.chain
    if isinstance(chain, str) and c_length(chain) > ch.MAX_CHAIN_NAME:
        raise problem(f"chain name `{chain}' too long (must be under {ch.MAX_CHAIN_NAME} chars)",
                      state.chain_word.location)


def redirect_port(state: ChainsState) -> int | Symbol | None:
    """REDIRECT's port, read under the rule's protocol; 0 (none given) keeps the packet's port."""
    if state.jump != "REDIRECT":
        return None
    word = state.redirect_port
    if word is None:
        return 0
    if word.symbol is not None:
        return word.symbol
    try:
        return parse_port(word.text, state.protocol)
    except PyipError as error:
        raise error.at(word.location) from None


# The TOS values ipchains warns about (TOS_values[]).
TOS_VALUES = ((0x10, "Minimize Delay"), (0x08, "Minimize Throughput"), (0x04, "Maximize Reliability"),
              (0x02, "Minimize Cost"), (0x00, "Normal Service"))


def tos_bits(value: int) -> int:
    """count_tos_bits(): the TOS bits among bits 1-3."""
    return bin(value & 0x0E).count("1")


def check_tos(state: ChainsState) -> None:
    """RFC 1349: bit 0 stays, at most one TOS bit is set; a combination that might set two is warned about."""
    if state.tos is None or any(isinstance(value, Symbol) for value in state.tos):
        return
    tos_and, tos_xor = state.tos
    where = state.options["t"].location
    if not tos_and & 1 or tos_xor & 1:
        raise problem("TOS manipulation cannot alter bit 0 (RFC1349)", where)
    if tos_bits(~tos_and & tos_xor) > 1:
        raise problem("TOS manipulation cannot set multiple TOS bits (RFC1349)", where)
    if state.warnings:
        state.notes += [f"Warning: TOS manipulation may set multiple TOS bits for {name} TOS (0x{tos:02x})"
                        for tos, name in TOS_VALUES if tos_bits((tos & tos_and) ^ tos_xor) > 1]


# -- the AST ---------------------------------------------------------------------------------------------


def build_rule(state: ChainsState, source: Side, destination: Side, icmp: Icmp | None, redirect) -> fw.Rule:
    return fw.Rule(
        chain=state.chain if state.chain is not None else "",
        source=address_test(state, "s", source.addresses),
        destination=address_test(state, "d", destination.addresses),
        in_interface=interface_test(state),
        protocol=protocol_test(state),
        fragment=test(state, "f", True) if "f" in state.options else None,
        matches=rule_matches(state, source, destination, icmp),
        target=target(state.jump, redirect),
        actions=actions(state),
        origin="ipchains",
        location=state.command_word.location,
    )


def test(state: ChainsState, key: str, value) -> fw.Test:
    return fw.Test(value, key in state.inverted, key in state.inside)


def address_test(state: ChainsState, letter: str, addresses: tuple | None) -> fw.Test | None:
    """No test for 0.0.0.0/0 (what ipchains uses when there is no -s)."""
    if addresses is None:
        return None
    if letter not in state.inverted and all(isinstance(a, fw.Address) and a.mask == 0 for a in addresses):
        return None
    return test(state, letter, addresses)


def interface_test(state: ChainsState) -> fw.Test | None:
    """`-i +` and `-i ""` match every interface: no test unless negated."""
    name = state.interface
    if name is None or (name in ("", "+") and "i" not in state.inverted):
        return None
    return test(state, "i", name)


def protocol_test(state: ChainsState) -> fw.Test | None:
    if state.protocol == 0:
        return None
    if isinstance(state.protocol, Symbol):
        return test(state, "p", state.protocol)
    return test(state, "p", fw.Protocol(state.protocol, state.protocol_text))


def port_test(state: ChainsState, key: str, ports) -> fw.Test | None:
    """No test for 0:65535, the range ipchains stores when no port is given."""
    if ports is None or (ports == fw.PortRange(0, 0xFFFF) and key not in state.inverted):
        return None
    return test(state, key, ports)


def rule_matches(state: ChainsState, source: Side, destination: Side, icmp: Icmp | None) -> tuple:
    """The ports and -y as the tcp or udp match, the ICMP type and code as an icmp match."""
    if icmp is not None:
        return icmp_matches(state, icmp)
    if isinstance(state.protocol, Symbol):
        if "y" in state.options:
            raise PyipError("-y needs the protocol, known only when the script runs", state.options["y"].location, 2)
        return ()
    sport, dport = port_test(state, "sport", source.ports), port_test(state, "dport", destination.ports)
    if state.protocol == TCP:
        flags = test(state, "y", IPCHAINS_SYN) if "y" in state.options else None
        return (TcpMatch(sport=sport, dport=dport, flags=flags),) if sport or dport or flags else ()
    if state.protocol == UDP and (sport or dport):
        return (UdpMatch(sport=sport, dport=dport),)
    return ()


def icmp_matches(state: ChainsState, icmp: Icmp) -> tuple:
    """An IcmpMatch for one type (0-254, as iptables' 255 is `any`) and codes it can hold, else IcmpRanges."""
    types, codes = port_test(state, "sport", icmp.types), port_test(state, "dport", icmp.codes)
    if types is None and codes is None:
        return ()
    single = ipchains_icmp_type(types, codes)
    if single is not None:
        return (IcmpMatch(fw.Test(single, types.negated, types.legacy)),)
    return (ch.IcmpRanges(types, codes),)


SIMPLE_TARGETS = {"ACCEPT": fw.Verdict("ACCEPT"), "DENY": fw.Verdict("DENY"), "RETURN": fw.Verdict("RETURN"),
                  "REJECT": Reject(), "MASQ": Masquerade()}


def target(jump, redirect):
    """DENY is Verdict("DENY"), MASQ is Masquerade(), REDIRECT [port] is Redirect(); no -j only counts."""
    if jump is None:
        return None
    if isinstance(jump, Symbol):
        return fw.ChainJump(jump)
    if jump == "REDIRECT":
        ports = redirect if isinstance(redirect, Symbol) or not redirect else fw.PortRange(redirect, redirect)
        return Redirect(ports=ports or None)
    return SIMPLE_TARGETS.get(jump) or fw.ChainJump(jump)


def actions(state: ChainsState) -> tuple:
    """What the kernel does on every match, in its order: log (-l, KERN_INFO), TOS, mark, netlink copy (-o)."""
    done: list = []
    if "l" in state.options:
        done.append(IPCHAINS_LOG)
    if state.tos is not None and state.tos != (0xFF, 0x00):
        done.append(tos_action(state))
    if state.mark is not None:
        done.append(state.mark)
    if state.output_size is not None:
        done.append(Nflog(size=state.output_size))
    return tuple(done)


def tos_action(state: ChainsState) -> Tos:
    """TOS = (tos & AND) ^ XOR is Tos(value=XOR, mask=~AND)."""
    tos_and, tos_xor = state.tos
    if isinstance(tos_and, Symbol) or isinstance(tos_xor, Symbol):
        raise PyipError("-t: a TOS mask known only when the script runs", state.options["t"].location, 2)
    return Tos(tos_xor, ~tos_and & 0xFF)


def build_command(state: ChainsState, rule: fw.Rule | None, common: dict) -> fw.Command:
    commands = frozenset(state.commands)
    both = "b" in state.options
    where = {"chain": state.chain}
    builders = {
        frozenset({"append"}): lambda: ch.Append(rule=rule, bidirectional=both, **common),
        frozenset({"insert"}): lambda: ch.Insert(rule=rule, position=state.rule_number, bidirectional=both, **common),
        frozenset({"delete"}): lambda: ch.Delete(rule=rule, bidirectional=both, **common),
        frozenset({"replace"}): lambda: ch.Replace(rule=rule, position=state.rule_number, **common),
        frozenset({"check"}): lambda: ch.CheckPacket(rule=rule, bidirectional=both, **common),
        frozenset({"delete_num"}): lambda: ch.DeleteNumber(**where, position=state.rule_number, **common),
        frozenset({"list", "masquerade"}): lambda: ch.ListMasquerading(
            numeric="n" in state.options, verbose="v" in state.options, **common),
        frozenset({"flush"}): lambda: ch.Flush(**where, **common),
        frozenset({"zero"}): lambda: ch.Zero(**where, **common),
        frozenset({"new_chain"}): lambda: ch.NewChain(**where, **common),
        frozenset({"delete_chain"}): lambda: ch.DeleteChain(**where, **common),
        frozenset({"policy"}): lambda: ch.Policy(**where, policy=state.policy, **common),
        frozenset({"masquerade", "set_masquerade"}): lambda: ch.SetTimeouts(
            tcp=state.timeouts[0], tcp_fin=state.timeouts[1], udp=state.timeouts[2], **common),
    }
    if commands in (frozenset({"list"}), frozenset({"list", "zero"})):
        return ch.List(**where, zero="zero" in commands, numeric="n" in state.options, verbose="v" in state.options,
                       exact="x" in state.options, line_numbers="3" in state.options, **common)
    builder = builders.get(commands)
    if builder is None:
        raise problem(TRY_HELP, state.command_word.location)  # main()'s `default:` case
    return builder()
