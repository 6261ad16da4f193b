"""ipchains 1.3.10 as the spec (shared/spec/ipchains.md) states it: there is no binary to compare with,
so each fact that concerns parsing is a case here; then the corpus, the save format, the ruleset."""

from __future__ import annotations

import ipaddress

import pytest

import pyip
from pyip.ast import firewall as fw
from pyip.extensions.redirect import Redirect
from pyip.extensions.masquerade import Masquerade
from pyip.extensions.nflog import Nflog
from pyip.extensions.log import Log
from pyip.extensions.reject import Reject
from pyip.extensions.icmp import IcmpMatch
from pyip.extensions.udp import UdpMatch
from pyip.extensions.tcp import TcpMatch
from pyip.extensions.tos import Tos
from pyip.extensions.mark import Mark
from pyip.ast import ipchains as ch
from pyip.ast.base import Symbol
from pyip.errors import PyipError
from pyip.parser.ipchains import is_ipchains_command, parse_ipchains
from pyip.parser.ipchains_save import save_commands
from pyip.reader import read_commands
from pyip.render.ipchains import save_file
from pyip.ruleset_ipchains import IpchainsRuleset
from pyip.script import script_commands


def parse(line: str) -> fw.Command:
    return parse_ipchains(next(read_commands(line)))


def rule_of(line: str) -> fw.Rule:
    return parse(line).rule


def error_of(line: str) -> PyipError:
    with pytest.raises(PyipError) as caught:
        parse(line)
    assert caught.value.exit_status == 2
    return caught.value


def message(line: str) -> str:
    return error_of(line).message


def column(line: str) -> int:
    return error_of(line).location.col


def canonical(line: str) -> str:
    return str(parse(line))


def address(text: str, mask: int = 0xFFFFFFFF) -> ch.Address:
    return ch.Address(ipaddress.IPv4Address(text), mask)


def ports(match) -> tuple:
    return match.sport, match.dport


@pytest.fixture
def hosts(tmp_path, monkeypatch):
    """An /etc/hosts where the name `twice` has two addresses."""
    path = tmp_path / "hosts"
    path.write_text("10.0.0.1 twice\n10.0.0.2 twice\n")
    monkeypatch.setattr("pyip.netdb.HOSTS", str(path))
    monkeypatch.setattr("pyip.netdb._hosts", pyip.netdb._hosts.__wrapped__)  # read it, not the cached file


def run(script: str) -> IpchainsRuleset:
    ruleset = IpchainsRuleset()
    for command in pyip.parse_script(script):
        ruleset.apply(command)
    return ruleset


def refusal(ruleset: IpchainsRuleset, line: str) -> PyipError:
    with pytest.raises(PyipError) as caught:
        ruleset.apply(parse(line))
    assert caught.value.exit_status == 1
    return caught.value


# -- commands -------------------------------------------------------------------------------------


def test_append_makes_an_ipchains_rule_in_a_lowercase_chain():
    command = parse("ipchains -A input -j ACCEPT")
    assert isinstance(command, ch.Append) and isinstance(command, fw.Append)
    assert command.rule == fw.Rule("input", target=fw.Verdict("ACCEPT"))
    assert command.rule.origin == "ipchains" and command.program == "ipchains"


def test_add_from_the_help_text_is_rejected():
    assert message("ipchains --add input") == "unrecognized option `--add'"


def test_delete_takes_a_number_when_the_word_does_not_start_with_dash_or_bang():
    assert parse("ipchains -D input 3") == ch.DeleteNumber(chain="input", position=3)
    assert isinstance(parse("ipchains -D input -j ACCEPT"), ch.Delete)
    assert message("ipchains -D input 0") == "Invalid rule number `0'"


def test_insert_position_defaults_to_one():
    assert parse("ipchains -I input -j DENY").position == 1
    assert parse("ipchains -I input 3 -j DENY").position == 3


def test_replace_needs_a_number_and_refuses_bidirectional():
    assert parse("ipchains -R input 2 -j DENY").position == 2
    assert message("ipchains -R input -j DENY") == "-R requires a rule number"
    assert message("ipchains -R input 1 -b") == "Illegal option `-b' with this command"


def test_list_takes_an_attached_or_following_chain_and_listing_options():
    assert parse("ipchains -Linput").chain == "input"
    listing = parse("ipchains -L forward -n -v -x --line-numbers")
    assert (listing.chain, listing.numeric, listing.verbose, listing.exact, listing.line_numbers) == \
        ("forward", True, True, True, True)
    assert parse("ipchains -L").chain is None


def test_list_with_zero_lists_and_zeroes_every_chain():
    assert parse("ipchains -L -Z").zero
    assert parse("ipchains -Z -L") == parse("ipchains -L -Z")
    assert message("ipchains -L input -Z") == "-L with -Z does not allow chain to be specified"


@pytest.mark.parametrize("letter, kind", [("F", ch.Flush), ("Z", ch.Zero), ("X", ch.DeleteChain)])
def test_flush_zero_delete_chain_take_an_optional_chain(letter, kind):
    assert parse(f"ipchains -{letter}") == kind(chain=None)
    assert parse(f"ipchains -{letter} acct") == kind(chain="acct")


def test_new_chain():
    assert parse("ipchains -N acct") == ch.NewChain(chain="acct")


def test_policy_only_on_builtins():
    assert parse("ipchains -P input DENY") == ch.Policy(chain="input", policy="DENY")
    assert parse("ipchains -P forward MASQ").policy == "MASQ"
    assert message("ipchains -P acct DENY") == "Can only set policy in built-in chains."
    assert message("ipchains -P input MASQ") == "`-P MASQ' only valid for `forward' chain."
    assert message("ipchains -P input DROP") == "Invalid policy `DROP' for -P"
    assert message("ipchains -P input") == "-P requires a chain and a policy"


def test_masquerading_list_and_timeouts():
    assert parse("ipchains -M -L -n") == ch.ListMasquerading(numeric=True)
    assert parse("ipchains -M -S 7200 10 160") == ch.SetTimeouts(tcp=7200, tcp_fin=10, udp=160)
    assert parse("ipchains -S 0 0 0") == ch.SetTimeouts(tcp=0, tcp_fin=0, udp=0)  # lazy -S without -M
    assert message("ipchains -M -S 1 2") == "-S requires 3 timeout values"
    assert message("ipchains -M -S 1 x 2") == "invalid timeout value `x' specified"
    assert message("ipchains -M") == "-M/--masquerading requires -L/--list or -S/--set"


def test_check_is_a_packet_test():
    command = parse("ipchains -C input -p tcp -s 1.2.3.4 1025 -d 5.6.7.8 80 -i eth0")
    assert isinstance(command, ch.CheckPacket)
    assert ports(command.rule.matches[0]) == (fw.Test(fw.PortRange(1025, 1025)), fw.Test(fw.PortRange(80, 80)))


@pytest.mark.parametrize("missing, line", [
    ("s", "ipchains -C input -p tcp -d 5.6.7.8 80 -i eth0"),
    ("d", "ipchains -C input -p udp -s 1.2.3.4 53 -i eth0 --dport 53"),
    ("p", "ipchains -C input -s 1.2.3.4 -d 5.6.7.8 -i eth0"),
    ("i", "ipchains -C input -p tcp -s 1.2.3.4 1 -d 5.6.7.8 80"),
])
def test_check_needs_protocol_addresses_and_interface(missing, line):
    expected = {"s": "one port required with source/destination address for -C"}
    assert message(line) == expected.get(missing, f"You need to supply the `-{missing}' option for this command")


def test_check_needs_single_ports_and_no_bang():
    base = "ipchains -C input -p tcp -i eth0 -d 5.6.7.8 80 -s 1.2.3.4"
    assert message(f"{base} 1:2") == "one port required with source/destination address for -C"
    assert message("ipchains -C input -p tcp -i ! eth0 -d 5.6.7.8 80 -s 1.2.3.4 1") == "! not allowed with -C"
    assert message("ipchains -C input -p tcp -i eth0 -d 5.6.7.8 80 -s 1.2.3.4 1 -j DENY") == \
        "Illegal option `-j' with this command"


def test_check_with_an_icmp_name_tests_its_first_code():
    command = parse("ipchains -C input -p icmp -i eth0 -s 1.2.3.4 echo-request -d 5.6.7.8")
    assert command.rule.matches == (IcmpMatch(fw.Test(fw.IcmpType(8, 0, 0))),)
    assert message("ipchains -C input -p icmp -i eth0 -s 1.2.3.4 redirect -d 5.6.7.8") == \
        "Must specify exact ICMP type for testing"


def test_help_and_version_stop_reading():
    assert parse("ipchains -h") == ch.Help()
    assert parse("ipchains -h icmp") == ch.Help(icmp=True)
    assert parse("ipchains -hICMP") == ch.Help(icmp=True)
    assert parse("ipchains -A input -h -bad words") == ch.Help()
    assert parse("ipchains -V -x y") == ch.Version()
    assert message("ipchains -p foo -h") == "unknown protocol `foo' specified"  # read before -h


def test_one_command_per_invocation():
    assert message("ipchains -A input -D input") == "Can't use -D with -A"
    assert message("ipchains -D input 1 -F") == "Can't use -F with -D"
    assert message("ipchains -j ACCEPT") == "no command specified"


# -- getopt_long -----------------------------------------------------------------------------------


@pytest.mark.parametrize("line, same_as", [
    ("ipchains --j MASQ --app forward", "ipchains -A forward -j MASQ"),
    ("ipchains --ins input --pr tcp --dp 22", "ipchains -I input -p tcp --dport 22"),
    ("ipchains --lis --num", "ipchains -L -n"),
    ("ipchains --list=input", "ipchains -L input"),
    ("ipchains --new acct", "ipchains -N acct"),
    ("ipchains --delete-chain acct", "ipchains -X acct"),
    ("ipchains -A input --icmp ping -p icmp", "ipchains -A input -p icmp -s 0/0 echo-request"),
    ("ipchains -A input --T 0xfd 0x00", "ipchains -A input -t 0xfd 0x00"),
    ("ipchains -nvxL", "ipchains -L -n -v -x"),
    ("ipchains -Ainput -ptcp -s1.2.3.4", "ipchains -A input -p tcp -s 1.2.3.4"),
    ("ipchains -A input --source=1.2.3.4 --jump=DENY", "ipchains -A input -s 1.2.3.4 -j DENY"),
])
def test_long_options_by_unique_prefix_and_short_clusters(line, same_as):
    assert parse(line) == parse(same_as)


@pytest.mark.parametrize("line, text", [
    ("ipchains --s 1.2.3.4", "option `--s' is ambiguous"),
    ("ipchains --de input", "option `--de' is ambiguous"),
    ("ipchains --l", "option `--l' is ambiguous"),
    ("ipchains --t 1 2", "unrecognized option `--t'"),  # --TOS is case-sensitive
    ("ipchains -L --log=1", "option `--log' doesn't allow an argument"),
    ("ipchains -A input -q", "invalid option -- q"),
    ("ipchains -A", "option requires an argument -- A"),
    ("ipchains -L --append", "option `--append' requires an argument"),
    ("ipchains -A input -- -j ACCEPT", "unknown arguments found on commandline"),
    ("ipchains -A input stray", "unexpected argument `stray'"),
])
def test_getopt_errors(line, text):
    assert message(line) == text


def test_required_arguments_take_any_word():
    assert parse("ipchains -A input -m -1").rule.actions == (ch.MarkAdd(0xFFFFFFFF),)
    assert parse("ipchains -A -acct -j DENY").rule.chain == "-acct"
    assert parse("ipchains --delete-chain -x").chain == "-x"


# -- chain names and targets ---------------------------------------------------------------------------


def test_chain_names_at_most_eight_characters():
    assert parse("ipchains -N eightchr").chain == "eightchr"
    assert message("ipchains -N ninechars") == "chain name `ninechars' too long (must be under 8 chars)"
    assert message("ipchains -A input -j ninechars") == "Invalid target name `ninechars' (8 chars max)"
    assert message("ipchains -A input -j ''") == "Invalid target name (too short)"


@pytest.mark.parametrize("name, target", [
    ("ACCEPT", fw.Verdict("ACCEPT")), ("DENY", fw.Verdict("DENY")), ("REJECT", Reject()),
    ("RETURN", fw.Verdict("RETURN")), ("acct", fw.ChainJump("acct")), ("reject", fw.ChainJump("reject")),
])
def test_targets_are_case_sensitive(name, target):
    assert rule_of(f"ipchains -A input -j {name}").target == target


def test_masq_and_redirect_targets():
    assert rule_of("ipchains -A forward -s 10.0.0.0/8 -j MASQ").target == Masquerade()
    assert rule_of("ipchains -A input -p tcp -j REDIRECT 3128").target == Redirect(fw.PortRange(3128, 3128))
    assert rule_of("ipchains -A input -p udp -j REDIRECT").target == Redirect()
    assert rule_of("ipchains -A input -p tcp -j REDIRECT http").target == Redirect(fw.PortRange(80, 80))
    assert message("ipchains -A input -p icmp -j REDIRECT") == "redirecting only allowed with TCP or UDP"
    assert message("ipchains -A forward -p tcp -j REDIRECT 80") == "redirect not allowed for output and forward chains"
    assert message("ipchains -A output -j MASQ") == "masquerading not allowed for input and output chains"
    assert rule_of("ipchains -A acct -j MASQ").target == Masquerade()


def test_redirect_port_only_after_redirect():
    assert message("ipchains -A input -p tcp -j DENY 80") == "unexpected argument `80'"


def test_no_jump_is_an_accounting_rule():
    assert rule_of("ipchains -A input -s 1.2.3.4").target is None


# -- -p -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, number", [("tcp", 6), ("TCP", 6), ("Icmp", 1), ("17", 17), ("65535", 65535)])
def test_protocol_by_number_or_name(text, number):
    assert rule_of(f"ipchains -A input -p {text}").protocol.value == fw.Protocol(number)


def test_protocol_all_is_no_test_and_cannot_be_negated():
    assert rule_of("ipchains -A input -p all").protocol is None
    assert rule_of("ipchains -A input -p 0").protocol is None
    assert message("ipchains -A input -p ! all") == "rule would never match protocol"
    assert message("ipchains -A input -p 65536") == "unknown protocol `65536' specified"


# -- addresses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("1.2.3.4", address("1.2.3.4")),
    ("1.2.3.4/24", address("1.2.3.0", 0xFFFFFF00)),
    ("1.2.3.4/255.255.0.0", address("1.2.0.0", 0xFFFF0000)),
    ("1.2.3.4/255.0.255.0", address("1.0.3.0", 0xFF00FF00)),  # a non-contiguous mask
    ("010.1.2.3", address("10.1.2.3")),  # a dotted quad is decimal
    ("10/8", address("0.0.0.0", 0xFF000000)),  # inet_aton: 10 is 0.0.0.10
    ("10.1", address("10.0.0.1")),
    ("10.1.2", address("10.1.0.2")),
    ("012", address("0.0.0.10")),  # octal
    ("167772161", address("10.0.0.1")),
])
def test_addresses_as_ipchains_read_them(text, expected):
    [read] = rule_of(f"ipchains -A input -s {text}").source.value
    assert read == expected
    assert read.text == text


def test_slash_zero_ignores_the_address():
    assert rule_of("ipchains -A input -s whatever.example/0").source is None
    assert rule_of("ipchains -A input -d 1.2.3.4/0.0.0.0").destination is None


def test_inet_aton_reading_leaves_a_note():
    command = parse("ipchains -A input -s 10/8 -j DENY")
    assert command.notes == ('ipchains reads "10/8" as 0.0.0.0/8 (inet_aton); iptables and ip read it as 10.0.0.0/8',)
    assert parse("ipchains -A input -s 0/0").notes == ()
    assert parse("ipchains -A input -s 10.0.0.0/8").notes == ()


@pytest.mark.parametrize("text, error", [
    ("1.2.3.4/33", "invalid mask `33' specified"),
    ("1.2.3.4/255.255", "invalid mask `255.255' specified"),
    ("1.2.3.256", "host/network `1.2.3.256' not found"),
    ("1.2.3.4.5", "host/network `1.2.3.4.5' not found"),
    ("09", "host/network `09' not found"),
    ("bad%name", "host/network `bad%name' not found"),
])
def test_bad_addresses(text, error):
    assert message(f"ipchains -A input -s {text}") == error


def test_a_host_name_waits_for_the_resolver():
    assert rule_of("ipchains -A input -d www.example.com").destination.value == (fw.HostName("www.example.com"),)


def test_negated_address_both_placements():
    inside = rule_of("ipchains -A input -s ! 1.2.3.4").source
    before = rule_of("ipchains -A input ! -s 1.2.3.4").source
    assert inside == before and inside.negated and inside.legacy and not before.legacy


# -- ports ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("80", fw.PortRange(80, 80)), ("1024:", fw.PortRange(1024, 65535)), (":1023", fw.PortRange(0, 1023)),
    ("20:21", fw.PortRange(20, 21)), ("www", fw.PortRange(80, 80)), ("ftp-data:ftp", fw.PortRange(20, 21)),
])
def test_port_forms(text, expected):
    [match] = rule_of(f"ipchains -A input -p tcp -d 1.2.3.4 {text}").matches
    assert match == TcpMatch(dport=fw.Test(expected))


def test_ports_resolve_after_the_whole_line():
    late = rule_of("ipchains -A input -s 1.2.3.4 domain -p udp")
    assert late.matches == (UdpMatch(sport=fw.Test(fw.PortRange(53, 53))),)
    assert message("ipchains -A input -s 1.2.3.4 ssh -p udp") == "invalid port/service `ssh' specified"


def test_port_after_address_with_bang_and_sport_options():
    [match] = rule_of("ipchains -A input -p tcp -s 1.2.3.4 ! 1024: --dport ! 22").matches
    assert match.sport == fw.Test(fw.PortRange(1024, 65535), True, True)
    assert match.dport == fw.Test(fw.PortRange(22, 22), True, True)
    assert message("ipchains -A input -p tcp --sport 1 -s 1.2.3.4 2") == "multiple -s flags not allowed"


def test_a_word_starting_with_dash_or_bang_is_no_port():
    rule = rule_of("ipchains -A input -p tcp -s 1.2.3.4 ! -y")
    assert rule.matches == (TcpMatch(flags=fw.Test(fw.TcpFlags(0x16, 0x02), True)),)


@pytest.mark.parametrize("line, text", [
    ("ipchains -A input -s 1.2.3.4 80", "can only specify ports for icmp, tcp or udp"),
    ("ipchains -A input -p gre -d 1.2.3.4 80", "can only specify ports for icmp, tcp or udp"),
    ("ipchains -A input -p ! tcp --dport 80", "no ports allowed without specific protocol"),
    ("ipchains -A input -p tcp -d 1.2.3.4 65536", "invalid port/service `65536' specified"),
])
def test_ports_only_with_tcp_udp_or_icmp(line, text):
    assert message(line) == text


# -- ICMP ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, icmp", [
    ("echo-reply", fw.IcmpType(0)), ("pong", fw.IcmpType(0)), ("ping", fw.IcmpType(8)),
    ("ttl-exceeded", fw.IcmpType(11)), ("ECHO-REQ", fw.IcmpType(8)), ("port-unr", fw.IcmpType(3, 3, 3)),
    ("destination-unreachable", fw.IcmpType(3)), ("8", fw.IcmpType(8)),
])
def test_icmp_type_after_source(text, icmp):
    assert rule_of(f"ipchains -A input -p icmp -s 0/0 {text}").matches == (IcmpMatch(fw.Test(icmp)),)


def test_icmp_code_after_destination_and_ranges():
    assert rule_of("ipchains -A input -p icmp -s 0/0 3 -d 0/0 4").matches == \
        (IcmpMatch(fw.Test(fw.IcmpType(3, 4, 4))),)
    assert rule_of("ipchains -A input -p icmp -s 0/0 3:5").matches == \
        (ch.IcmpRanges(types=fw.Test(fw.PortRange(3, 5))),)
    assert rule_of("ipchains -A input -p icmp -s 0/0 3 -d 0/0 ! 1").matches == \
        (ch.IcmpRanges(fw.Test(fw.PortRange(3, 3)), fw.Test(fw.PortRange(1, 1), True, True)),)
    assert rule_of("ipchains -A input -p icmp -s 0/0 255").matches == \
        (ch.IcmpRanges(fw.Test(fw.PortRange(255, 255))),)


@pytest.mark.parametrize("line, text", [
    ("ipchains -A input -p icmp -s 0/0 echo", "Ambiguous ICMP `echo' : `echo-reply' or `echo-request'?"),
    ("ipchains -A input -p icmp -s 0/0 ping -d 0/0 0", "Can't use ICMP name and destination port together"),
    ("ipchains -A input -p icmp -s 0/0 ! ping", "Can't invert named ICMP types"),
    ("ipchains -A input -p icmp -s 0/0 bogus", "invalid ICMP type `bogus' specified"),
])
def test_icmp_errors(line, text):
    assert message(line) == text


# -- -i, -f, -y, -b, actions --------------------------------------------------------------------------------


def test_interface_with_plus_wildcard():
    assert rule_of("ipchains -A input -i eth+").in_interface == fw.Test("eth+")
    assert rule_of("ipchains -A input -i +").in_interface is None
    assert rule_of("ipchains -A input -i ! ppp0").in_interface == fw.Test("ppp0", True)
    assert message("ipchains -A input -i abcdefghijklmnopq") == \
        "interface name `abcdefghijklmnopq' must be shorter than IFNAMSIZ (16)"


def test_the_one_interface_is_kept_as_written_whatever_the_chain():
    # in forward and output it is the outgoing interface: the translator maps it, the rule keeps `-i`
    rule = rule_of("ipchains -A forward -i eth1 -j MASQ")
    assert (rule.in_interface, rule.out_interface) == (fw.Test("eth1"), None)


def test_fragments_without_ports_or_syn():
    assert rule_of("ipchains -A input -f").fragment == fw.Test(True)
    assert rule_of("ipchains -A input ! -f").fragment == fw.Test(True, True)
    assert message("ipchains -A input -p tcp -f -d 0/0 80") == "no ports allowed with -f"
    assert message("ipchains -A input -p tcp -f -y") == "-y not allowed with -f"
    assert rule_of("ipchains -A input -p tcp ! -f -y").fragment.negated  # `! -f`: ports and -y allowed


def test_syn_is_tcp_only():
    assert rule_of("ipchains -A input -p tcp -y").matches == (TcpMatch(flags=fw.Test(fw.TcpFlags(0x16, 0x02))),)
    assert message("ipchains -A input -p udp -y") == "-y only allowed with TCP protocol"
    assert message("ipchains -A input -p ! tcp -y") == "-y only allowed with TCP protocol"


def test_bidirectional_mirrors_addresses_and_ports_not_the_interface():
    command = parse("ipchains -A input -p tcp -s 1.2.3.4 ! 80 -d 5.6.7.8/24 22 -i eth0 -b")
    rule, mirrored = command.rules
    assert (mirrored.source, mirrored.destination) == (rule.destination, rule.source)
    assert ports(mirrored.matches[0]) == ports(rule.matches[0])[::-1]
    assert mirrored.in_interface == rule.in_interface
    icmp = parse("ipchains -A input -p icmp -s 1.2.3.4 8 -d 5.6.7.8 0 -b").rules
    assert icmp[1].matches == icmp[0].matches


def test_bidirectional_refuses_several_addresses(hosts):
    assert len(rule_of("ipchains -A input -s twice").source.value) == 2
    assert message("ipchains -A input -s twice -b") == "-b not allowed with multiple source or destination IP addresses"
    assert message("ipchains -A input -s ! twice") == "! not allowed with multiple source or destination IP addresses"


def test_actions_in_the_kernels_order():
    rule = rule_of("ipchains -A input -o -m 5 -t 0xfd 0x10 -l -j ACCEPT")
    assert rule.actions == (Log(level=6), Tos(0x10, 0x02), Mark(5), Nflog(size=65535))


def test_output_size():
    assert rule_of("ipchains -A input -o 128").actions == (Nflog(size=128),)
    assert rule_of("ipchains -A input -o") == rule_of("ipchains -A input -o 65535")


@pytest.mark.parametrize("text, action", [
    ("16", Mark(16)), ("0x10", Mark(16)), ("+1", ch.MarkAdd(1)), ("-1", ch.MarkAdd(0xFFFFFFFF)),
])
def test_mark_sets_adds_or_subtracts(text, action):
    assert rule_of(f"ipchains -A input -m {text}").actions == (action,)


def test_mark_subtraction_keeps_its_sign():
    assert ch.MarkAdd(0xFFFFFFFF).delta == -1
    assert canonical("ipchains -A input -m -3") == "ipchains -A input -m -3"
    assert message("ipchains -A input -m 4294967296") == "Bad value `4294967296' for -m."


def test_tos_and_xor_in_hex():
    assert rule_of("ipchains -A input -t 0x01 0x10").actions == (Tos(0x10, 0xFE),)
    assert rule_of("ipchains -A input -t ff 00").actions == ()  # the kernel's default: no change
    assert message("ipchains -A input -t 0x01 0x100") == "invalid hexbyte `0x100' specified"
    assert message("ipchains -A input -t 0xfe 0x00") == "TOS manipulation cannot alter bit 0 (RFC1349)"
    assert message("ipchains -A input -t 0x01 0x06") == "TOS manipulation cannot set multiple TOS bits (RFC1349)"


def test_tos_that_might_set_two_bits_is_warned_about_unless_W():
    assert parse("ipchains -A input -t 0xff 0x08").notes == (
        "Warning: TOS manipulation may set multiple TOS bits for Maximize Reliability TOS (0x04)",
        "Warning: TOS manipulation may set multiple TOS bits for Minimize Cost TOS (0x02)")
    assert parse("ipchains -A input -W -t 0xff 0x08").notes == ()
    assert parse("ipchains -A input -t 0xff 0x10").notes == ()  # ipchains counts bits 1-3 only


def test_listing_options_are_not_rule_options():
    assert message("ipchains -A input -n") == "Illegal option `-n' with this command"
    assert message("ipchains -L -s 1.2.3.4") == "Illegal option `-s' with this command"
    assert message("ipchains -L --line-numbers --line-numbers") == "multiple -3 flags not allowed"


# -- `!` ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["-j ACCEPT", "-b", "-v", "-m 1", "-n", "-l", "-o", "-t 0xff 0x00", "-x"])
def test_bang_not_allowed_before(option):
    letter = option.split()[0][1]
    assert message(f"ipchains -A input ! {option}") == f"cannot have ! before -{letter}"


@pytest.mark.parametrize("line, text", [
    ("ipchains -A input ! ! -y", "multiple consecutive ! not allowed"),
    ("ipchains -A input -p tcp -y !", "nothing appropriate following !"),
    ("ipchains -A input ! -s ! 1.2.3.4", "Multiple `!' flags not allowed"),
    ("ipchains -A input ! --line-numbers", "cannot have ! before --line-numbers"),
    ("ipchains -A input ! -W", "cannot have ! before --no-warnings"),
    ("ipchains ! -A input", "unexpected ! flag"),
])
def test_bang_errors(line, text):
    assert message(line) == text


def test_bang_after_an_address_without_port_negates_the_next_option():
    assert rule_of("ipchains -A input -p tcp -s 1.2.3.4 ! -y") == rule_of("ipchains -A input -p tcp ! -y -s 1.2.3.4")
    assert rule_of("ipchains -A input -s 1.2.3.4 ! -d 5.6.7.8").destination.negated


@pytest.mark.parametrize("line", ["ipchains -A input -p ! tcp", "ipchains -A input ! -p tcp",
                                  "ipchains -A input -i ! eth0", "ipchains -A input ! -i eth0"])
def test_bang_in_both_placements(line):
    rule = rule_of(line)
    test = rule.protocol or rule.in_interface
    assert test.negated


# -- errors are positioned ------------------------------------------------------------------------------


@pytest.mark.parametrize("line, col", [
    ("ipchains -A input -p foo", 22),
    ("ipchains -A input -s 1.2.3.4/40", 22),
    ("ipchains -A input -p tcp -d 0/0 nosuch", 33),
    ("ipchains -A input -nq", 21),
    ("ipchains -A input -j ACCEPT -j DENY", 29),
])
def test_errors_point_at_the_word(line, col):
    assert column(line) == col


def test_values_known_only_at_run_time_stay_symbols():
    rule = parse("ipchains -A $CHAIN -p tcp -s $NET $PORT -j $TARGET").rule
    assert rule.chain == Symbol("$CHAIN") and rule.source.value == (Symbol("$NET"),)
    assert rule.matches == (TcpMatch(sport=fw.Test(Symbol("$PORT"))),)
    assert rule.target == fw.ChainJump(Symbol("$TARGET"))
    assert error_of("ipchains -A input -p $P -d 1.2.3.4 80").message == \
        "the port `80' needs the protocol, known only when the script runs"


# -- the canonical form -----------------------------------------------------------------------------------


@pytest.mark.parametrize("line, text", [
    ("ipchains -I input -p tcp -s 192.168.2.0/24 -d 0/0 80 -m 2",
     "ipchains -I input 1 -p tcp -s 192.168.2.0/24 -d 0.0.0.0/0 80 -m 2"),
    ("ipchains -A input -s 10/8 -j DENY", "ipchains -A input -s 0.0.0.0/8 -j DENY"),
    ("ipchains --app forward --j MASQ -s 10.0.0.0/255.0.0.0", "ipchains -A forward -s 10.0.0.0/8 -j MASQ"),
    ("ipchains -A input ! -p tcp ! -s 1.2.3.4/32 -i eth0+ ! -f -l -b",
     "ipchains -A input -p ! tcp -s ! 1.2.3.4 -i eth0+ ! -f -l -b"),
    ("ipchains -A input -p icmp --icmp-type pong", "ipchains -A input -p icmp -s 0.0.0.0/0 echo-reply"),
    ("ipchains -A input -p icmp -s 0/0 3 -d 0/0 3", "ipchains -A input -p icmp -s 0.0.0.0/0 port-unreachable"),
    ("ipchains -A input -p tcp -j REDIRECT www", "ipchains -A input -p tcp -j REDIRECT 80"),
    ("ipchains -S 1 2 3", "ipchains -M -S 1 2 3"),
    ("ipchains --delete-chain -odd", "ipchains -X-odd"),
    ("ipchains -Z -nvx --line-numbers -L", "ipchains -L -Z -n -v -x --line-numbers"),
])
def test_canonical_form(line, text):
    assert canonical(line) == text
    assert canonical(text) == text


def test_an_optional_chain_never_starts_with_a_dash():
    # -X leaves `-odd` to getopt: -o with its optional argument `dd` attached
    assert message("ipchains -X -odd") == "-o argument must be 0-65535, not `dd'"


# -- the corpus ---------------------------------------------------------------------------------------------


def test_every_corpus_ipchains_command_parses(corpus):
    count = 0
    for path in sorted(corpus.glob("*/*.sh")):
        for words in script_commands(path.read_text(), str(path)):
            if is_ipchains_command(words):
                assert parse_ipchains(words).rule.origin == "ipchains"
                count += 1
    assert count == 2 + 3 + 17  # example 5, example 7, the firewall with its two loops unrolled


def test_fwmark_examples_set_marks(corpus):
    text = (corpus / "policy-routing" / "example5-fwmark.sh").read_text()
    commands = pyip.parse(text, rt_tables=str(corpus / "policy-routing" / "rt_tables"))
    marks = [c.rule.actions for c in commands if isinstance(c, ch.Insert)]
    assert marks == [(Mark(2),), (Mark(16),)]


def test_uppercase_chains_of_the_article_are_user_chains_that_do_not_exist(corpus):
    text = (corpus / "redundant-isp" / "firewall-ipchains.sh").read_text()
    commands = [c for c in pyip.parse(text) if isinstance(c, ch.Append)]
    assert {c.rule.chain for c in commands} == {"INPUT", "OUTPUT"}
    assert commands[0].rule.in_interface == fw.Test("eth1")
    assert commands[8].rule.matches == (TcpMatch(dport=fw.Test(fw.PortRange(1024, 65535)),
                                                    flags=fw.Test(fw.TcpFlags(0x16, 0x02), True)),)
    assert commands[-1].rule.matches == (IcmpMatch(fw.Test(fw.IcmpType(12))),)
    ruleset = IpchainsRuleset()
    with pytest.raises(PyipError) as caught:
        ruleset.apply(commands[0])
    assert caught.value.message == "No target by that name (chain `INPUT' does not exist)"
    assert caught.value.location.line == 11


def test_parse_cli_prints_ipchains_commands(corpus):
    from click.testing import CliRunner

    from pyip.cli.group import cli

    result = CliRunner().invoke(cli, ["parse", str(corpus / "policy-routing" / "example7-combined.sh"),
                                      "--rt-tables", str(corpus / "policy-routing" / "rt_tables")])
    assert "ipchains -I input 1 -p tcp -s 192.168.1.64/28 -d 172.18.0.0/16 80 -m 1\n" in result.output


def test_both_dialects_read_ipchains_alike():
    line = "ipchains -A input -s 10/8 -j DENY"
    assert pyip.parse(line, "legacy") == pyip.parse(line, "modern")


# -- ipchains-save ----------------------------------------------------------------------------------------


SAVED = """\
# saved by ipchains-save
:input DENY
:forward MASQ
:output ACCEPT
:acct -
-A input -s 0/0 -d 0/0 80 -p tcp -y -j ACCEPT
-A input -j acct
-A forward -s 192.168.1.0/24 -j MASQ
"""


def test_save_format_lines_become_commands():
    commands = list(save_commands(SAVED, "saved"))
    assert commands[:4] == [ch.Policy(chain="input", policy="DENY"), ch.Policy(chain="forward", policy="MASQ"),
                            ch.Policy(chain="output", policy="ACCEPT"), ch.NewChain(chain="acct")]
    assert commands[4] == parse("ipchains -A input -p tcp -d 0/0 80 -y -j ACCEPT")
    assert commands[4].location.line == 6


def test_save_format_errors_are_positioned():
    [bad_policy, not_append, bad_rule] = save_commands(":input DROP\n-I input\n-A input -p foo\n", "f")
    assert (bad_policy.message, bad_policy.location.line) == ("Invalid policy `DROP' for -P", 1)
    assert not_append.message == "ipchains-save: line 2: a rule line starts with -A"
    assert (bad_rule.message, bad_rule.location.line, bad_rule.location.col) == \
        ("unknown protocol `foo' specified", 3, 13)


def test_saved_ruleset_reads_back_the_same():
    ruleset = IpchainsRuleset()
    for command in save_commands(SAVED):
        ruleset.apply(command)
    text = save_file(ruleset)
    assert text.splitlines()[:4] == [":input DENY", ":forward MASQ", ":output ACCEPT", ":acct -"]
    again = IpchainsRuleset()
    for command in save_commands(text):
        again.apply(command)
    assert save_file(again) == text


# -- the ruleset model ---------------------------------------------------------------------------------------


def test_rules_land_in_order_and_insert_reverses_several_addresses(hosts):
    ruleset = run("ipchains -A input -j DENY\nipchains -I input -s twice -j ACCEPT\n")
    sources = [r.source.value[0].address if r.source else None for r in ruleset.chains["input"].rules]
    assert sources == [ipaddress.IPv4Address("10.0.0.2"), ipaddress.IPv4Address("10.0.0.1"), None]


def test_bidirectional_insert_puts_the_mirror_first():
    ruleset = run("ipchains -I input -s 1.1.1.1 -d 2.2.2.2 -b")
    [first, second] = ruleset.chains["input"].rules
    assert first.source.value == (address("2.2.2.2"),) and second.source.value == (address("1.1.1.1"),)


BAD_RULE = "bad rule (does a matching rule exist in that chain?)"


@pytest.mark.parametrize("script, line, text", [
    ("", "ipchains -A INPUT -j ACCEPT", "No target by that name (chain `INPUT' does not exist)"),
    ("", "ipchains -A input -j acct", "No target by that name (chain `acct' does not exist)"),
    ("", "ipchains -A input -j output", "No target by that name (a rule cannot jump to the built-in chain `output')"),
    ("", "ipchains -N input", "Chain already exists"),
    ("", "ipchains -X input", "Device or resource busy (`input' is a built-in chain)"),
    ("", "ipchains -X acct", "No chain by that name (chain `acct' does not exist)"),
    ("ipchains -N acct\nipchains -A input -j acct", "ipchains -X acct",
     "Device or resource busy (rules jump to chain `acct')"),
    ("ipchains -N acct\nipchains -A acct", "ipchains -X acct", "Chain is not empty"),
    ("", "ipchains -D input -j ACCEPT", BAD_RULE),
    ("", "ipchains -D input 1", "No chain by that name (chain `input' has no rule 1)"),
    ("", "ipchains -I input 2 -j ACCEPT", f"{BAD_RULE} (chain `input' has 0 rules)"),
    ("", "ipchains -R input 1 -j ACCEPT", f"{BAD_RULE} (chain `input' has 0 rules)"),
    ("", "ipchains -F nosuch", "No chain by that name (chain `nosuch' does not exist)"),
    ("", "ipchains -L nosuch", "No chain by that name (chain `nosuch' does not exist)"),
    ("", "ipchains -A input ! -s 0/0", "Invalid argument (a `!' makes the rule match nothing)"),
    ("", "ipchains -I input -p tcp -d 0/0 ! 0:65535", f"{BAD_RULE} (a `!' makes the rule match nothing)"),
])
def test_ruleset_refusals(script, line, text):
    assert refusal(run(script), line).message == text


def test_delete_ignores_mark_and_tos():
    ruleset = run("ipchains -A input -p tcp -m 5 -t 0xfd 0x00 -j ACCEPT\nipchains -D input -p tcp -j ACCEPT")
    assert ruleset.chains["input"].rules == []


def test_delete_chain_without_name_deletes_what_it_can():
    ruleset = run("ipchains -N a\nipchains -N b\nipchains -A b -j DENY")
    assert refusal(ruleset, "ipchains -X").message == "Chain is not empty"
    assert list(ruleset.chains) == ["input", "forward", "output", "b"]


def test_policy_flush_and_user_chain_named_like_a_builtin_in_upper_case():
    ruleset = run("ipchains -N INPUT\nipchains -A INPUT -j DENY\nipchains -P output REJECT\nipchains -F INPUT")
    assert ruleset.chains["output"].policy == "REJECT" and ruleset.chains["INPUT"].rules == []


def test_ruleset_refuses_values_known_only_at_run_time():
    assert "known only" in refusal(IpchainsRuleset(), "ipchains -A input -s $NET").message
