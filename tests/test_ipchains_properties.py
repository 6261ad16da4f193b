"""Properties of the ipchains parser and renderer: the canonical form reads back as the same command,
and no input, however bad, makes the parser raise anything but a positioned PyipError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyip
from pyip.errors import PyipError
from pyip.parser.ipchains import ICMP_NAMES, parse_ipchains
from pyip.parser.ipchains_save import save_commands
from pyip.reader import read_commands
from pyip.render.ipchains import save_file
from pyip.ruleset_ipchains import IpchainsRuleset

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

octet = st.integers(0, 255)
quad = st.tuples(octet, octet, octet, octet).map(lambda t: ".".join(map(str, t)))
mask = st.one_of(st.integers(0, 32).map(str), quad)
address = st.one_of(
    quad,
    st.tuples(quad, mask).map("/".join),
    st.sampled_from(["0/0", "10/8", "10.1/16", "192.168.1/24", "012", "any/0", "www.example.com",
                     "$NET", "localhost"]),
)
port = st.integers(0, 65535).map(str)
port_range = st.one_of(port, st.tuples(port, port).map(":".join), port.map(lambda p: p + ":"),
                       port.map(lambda p: ":" + p))
interface = st.sampled_from(["eth0", "eth+", "ppp0", "+", "lo", "$IF"])
user_chain = st.sampled_from(["acct", "INPUT", "a-b_c", "x"])
mark = st.one_of(st.integers(0, 2**32 - 1).map(str), st.integers(0, 2**32 - 1).map(lambda n: f"+{n}"),
                 st.integers(1, 2**32 - 1).map(lambda n: f"-{n}"), st.sampled_from(["0x10", "$MARK"]))
tos = st.sampled_from([("0x01", "0x10"), ("0xfd", "0x00"), ("0xff", "0x08"), ("ff", "04"), ("0xff", "0x00")])
bang = st.sampled_from(["", "! "])


@st.composite
def spec(draw, chain: str) -> str:
    """A rule spec ipchains accepts, with its options in random order."""
    protocol = draw(st.sampled_from(["", "tcp", "udp", "icmp", "all", "47", "TCP"]))
    negated_protocol = protocol not in ("", "all") and draw(st.booleans())
    parts = []
    if protocol:
        parts.append(draw(st.sampled_from([f"-p {'! ' if negated_protocol else ''}{protocol}",
                                           f"{'! ' if negated_protocol else ''}-p {protocol}"])))
    with_ports = protocol.lower() in ("tcp", "udp", "icmp") and not negated_protocol
    fragment = draw(st.sampled_from(["", "-f", "! -f"]))
    if fragment == "-f":
        with_ports = False
    for option in ("-s", "-d"):
        if draw(st.booleans()):
            parts.append(address_words(draw, option, protocol.lower() if with_ports else ""))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(["-i {}", "-i ! {}", "! -i {}"])).format(draw(interface)))
    if fragment:
        parts.append(fragment)
    if protocol.lower() == "tcp" and not negated_protocol and fragment != "-f" and draw(st.booleans()):
        parts.append(draw(st.sampled_from(["-y", "! -y"])))
    target = draw(targets(chain, protocol.lower() if not negated_protocol else ""))
    if target:
        parts.append(target)
    parts += draw(st.lists(actions(), max_size=4, unique_by=lambda a: a.split()[0]))
    return " ".join(draw(st.permutations(parts)))


def address_words(draw, option: str, protocol: str) -> str:
    words = [option, draw(bang) + draw(address)]
    if protocol in ("tcp", "udp") and draw(st.booleans()):
        names = ["domain"] if protocol == "udp" else ["www", "ssh", "ftp-data:ftp"]
        words.append(draw(bang) + draw(st.one_of(port_range, st.sampled_from(names))))
    if protocol == "icmp" and option == "-s" and draw(st.booleans()):
        words.append(draw(st.one_of(st.sampled_from([name for name, *_ in ICMP_NAMES]),
                                    bang.flatmap(lambda b: port_range.map(lambda p: b + p)))))
    return " ".join(words).replace("! ! ", "! ")


def targets(chain: str, protocol: str) -> st.SearchStrategy:
    allowed = ["", "-j ACCEPT", "-j DENY", "-j REJECT", "-j RETURN", "-j acct", "-j $T"]
    if chain not in ("input", "output"):
        allowed.append("-j MASQ")
    if chain not in ("output", "forward") and protocol in ("tcp", "udp"):
        allowed += ["-j REDIRECT", "-j REDIRECT 3128"]
    return st.sampled_from(allowed)


def actions() -> st.SearchStrategy:
    return st.one_of(st.just("-l"), st.just("-o"), port.map(lambda n: f"-o {n}"), mark.map(lambda m: f"-m {m}"),
                     tos.map(lambda t: f"-t {t[0]} {t[1]}"))


@st.composite
def rule_command(draw) -> str:
    chain = draw(st.one_of(st.sampled_from(["input", "forward", "output"]), user_chain))
    verb = draw(st.sampled_from(["-A {}", "-I {}", "-I {} 3", "-D {}", "--append {}", "--ins {} 2"]))
    both = draw(st.sampled_from(["", " -b"]))
    return f"ipchains {verb.format(chain)} {draw(spec(chain))}{both}"


other_command = st.one_of(
    st.sampled_from(["ipchains -L", "ipchains -L -Z", "ipchains -nvxL input --line-numbers", "ipchains -F",
                     "ipchains -Z acct", "ipchains -X", "ipchains --delete-chain -odd", "ipchains -M -L -n",
                     "ipchains -S 1 2 3", "ipchains -h icmp", "ipchains -V", "ipchains -P forward MASQ"]),
    st.tuples(user_chain, st.integers(1, 2**31 - 1)).map(lambda t: f"ipchains -D {t[0]} {t[1]}"),
    user_chain.map(lambda chain: f"ipchains -N {chain}"),
    st.tuples(st.sampled_from(["input", "forward", "output"]), st.sampled_from(["ACCEPT", "DENY", "REJECT"]))
    .map(lambda t: f"ipchains -P {t[0]} {t[1]}"),
)


def parse(text: str, file: str = "-"):
    return parse_ipchains(next(read_commands(text, file)))


def assert_fixed_point(command) -> None:
    text = str(command)
    again = parse(text)
    assert again == command, text
    assert str(again) == text


@SETTINGS
@given(rule_command())
def test_generated_rules_read_back_from_their_canonical_form(text):
    assert_fixed_point(parse(text))


@SETTINGS
@given(other_command)
def test_generated_chain_commands_read_back_from_their_canonical_form(text):
    assert_fixed_point(parse(text))


VOCABULARY = ["-A", "-D", "-I", "-R", "-L", "-F", "-Z", "-N", "-X", "-P", "-M", "-S", "-C", "-h", "-V", "-p",
              "-s", "-d", "-i", "-j", "-m", "-t", "-o", "-f", "-y", "-b", "-l", "-v", "-n", "-x", "-W", "!",
              "--", "--sport", "--dport", "--icmp-type", "--line-numbers", "--app", "--s", "--de", "--list=",
              "input", "forward", "acct", "tcp", "udp", "icmp", "all", "1.2.3.4", "10/8", "0/0", "1.2.3.4/33",
              "80", "1024:", ":1023", "www", "ping", "echo", "ACCEPT", "DENY", "MASQ", "REDIRECT", "REJECT",
              "0x01", "0x10", "+5", "-5", "eth+", "", "-Linput", "-nvL", "$X", "toolongname", "x y", "é"]


@SETTINGS
@given(st.lists(st.sampled_from(VOCABULARY), max_size=14))
def test_any_words_give_a_command_that_reads_back_or_a_positioned_error(words):
    line = " ".join(["ipchains", *("'" + w.replace("'", "'\\''") + "'" if not w.startswith("$") else w
                                 for w in words)])
    try:
        command = parse(line, "fuzz")
    except PyipError as error:
        assert error.exit_status == 2 and error.location.file == "fuzz" and 1 <= error.location.col <= len(line)
        return
    assert_fixed_point(command)


@SETTINGS
@given(st.text(max_size=80))
def test_any_text_after_ipchains_gives_commands_or_positioned_errors(text):
    for result in pyip.parse_script("ipchains " + text, file="fuzz"):
        if isinstance(result, PyipError):
            assert result.location.file == "fuzz" and result.location.line >= 1
        else:
            assert result.program


@SETTINGS
@given(st.lists(rule_command(), max_size=8))
def test_a_saved_ruleset_reads_back_as_the_same_ruleset(lines):
    ruleset = IpchainsRuleset()
    ruleset.apply(parse("ipchains -N acct"))
    for line in lines:
        try:
            ruleset.apply(parse(line.replace("$", "")))
        except PyipError:
            continue  # ipchains would refuse it (a missing chain, no rule to delete): the ruleset stays
    text = save_file(ruleset)
    again = IpchainsRuleset()
    for command in save_commands(text):
        again.apply(command)
    assert save_file(again) == text
    assert {name: chain.rules for name, chain in again.chains.items()} == \
        {name: chain.rules for name, chain in ruleset.chains.items()}
