"""The ruleset model against the kernel: what a script leaves, and which calls fail, with which message.

Differential: a script runs with the real iptables, call by call, in one
namespace; pyip compiles it to one iptables-restore file, loaded by the
real iptables-restore in another namespace; both namespaces' iptables-save
must be the same, and equal to pyip's file.
"""

from __future__ import annotations

import random

import pytest

import pyip
from pyip.errors import PyipError
from pyip.parser.iptables import parse_iptables
from pyip.ruleset import Ruleset
from pyip.script import script_commands
from pyip.translators.pipeline import to_iptables_restore

from .firewall import restore, run_calls, save
from .netns import namespace, run

SCRIPTS = {
    "stateful-host": """
IPT=/sbin/iptables
EXT=eth1
$IPT -F
$IPT -X
$IPT -P INPUT DROP
$IPT -P FORWARD DROP
$IPT -P OUTPUT ACCEPT
$IPT -A INPUT -i lo -j ACCEPT
$IPT -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
for port in ssh smtp domain www https; do
    $IPT -A INPUT -i $EXT -p tcp --dport $port -m state --state NEW -j ACCEPT
done
$IPT -A INPUT -i $EXT -p udp --dport domain -j ACCEPT
$IPT -A INPUT -p icmp --icmp-type echo-request -m limit --limit 1/s --limit-burst 4 -j ACCEPT
$IPT -A INPUT -m limit --limit 5/min -j LOG --log-prefix "INPUT drop: " --log-level warning
""",
    "nat-gateway": """
INT_IFACE="eth0"
EXT_IFACE="eth1"
INT_NET="10.0.0.0/24"
IP="63.89.102.157"
iptables -t nat -F
iptables -t nat -A POSTROUTING -o $INT_IFACE -j ACCEPT
iptables -t nat -A POSTROUTING -o $EXT_IFACE -s $INT_NET -j MASQUERADE
iptables -t nat -A PREROUTING -i $EXT_IFACE -p tcp -d $IP --dport 8080 -j DNAT --to-destination 10.0.0.5:80
iptables -t nat -A PREROUTING -i $EXT_IFACE -p udp --dport 53 -j DNAT --to 10.0.0.2
iptables -t nat -A OUTPUT -p tcp --dport 3128 -j REDIRECT --to-ports 8080
iptables -t nat -A POSTROUTING -o ppp+ -p tcp -j SNAT --to-source 1.2.3.4:1024-2000 --random
iptables -A FORWARD -m state --state NEW,ESTABLISHED -i $INT_IFACE -s $INT_NET -j ACCEPT
iptables -A FORWARD -m state --state ESTABLISHED,RELATED -i $EXT_IFACE ! -s $INT_NET -j ACCEPT
iptables -P FORWARD DROP
""",
    "mangle-tos-mark": """
iptables -t mangle -A PREROUTING -j TOS --set-tos Minimize-Delay -p tcp --dport ssh
iptables -t mangle -A OUTPUT -j TOS --set-tos Minimize-Delay -p tcp --sport ssh
iptables -t mangle -A PREROUTING -p tcp --dport ftp-data -j TOS --set-tos Maximize-Throughput
iptables -t mangle -A PREROUTING -p tcp -m multiport --dports 25,110 -j MARK --set-mark 2
iptables -t mangle -A PREROUTING -s 10.1.0.0/16 -j MARK --set-mark 0x10/0xff
iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
iptables -t mangle -A POSTROUTING -o eth1 -j TTL --ttl-set 64
iptables -t mangle -A PREROUTING -m tos --tos Minimize-Cost -j MARK --or-mark 4
iptables -t mangle -I PREROUTING 2 -m mark --mark 2 -j ACCEPT
""",
    "log-prefixes": """
iptables -N LOGDROP
iptables -A LOGDROP -j LOG --log-prefix 'dropped: "bad" packet ' --log-level info
iptables -A LOGDROP -j LOG --log-prefix "it's a trap"
iptables -A LOGDROP -j LOG --log-prefix 'back\\slash' --log-tcp-options --log-ip-options
iptables -A LOGDROP -j LOG --log-prefix "a prefix that is much longer than twenty-nine characters"
iptables -A LOGDROP -j NFLOG --nflog-group 3 --nflog-prefix "nf log" --nflog-threshold 5
iptables -A LOGDROP -j DROP
iptables -A INPUT -p tcp --dport 23 -j LOGDROP
iptables -A INPUT -m comment --comment "telnet is \\"dead\\"" -j LOGDROP
""",
    "user-chains": """
iptables -N tcp_in
iptables -N udp_in
iptables -N Zed
iptables -N abc
iptables -A tcp_in -p tcp --dport 22 -j ACCEPT
iptables -A tcp_in -p tcp --dport 80 -j ACCEPT
iptables -A udp_in -p udp --dport 53 -j ACCEPT
iptables -A INPUT -p tcp -j tcp_in
iptables -A INPUT -p udp -g udp_in
iptables -E udp_in udp_services
iptables -E abc abd
iptables -X Zed
iptables -A abd -j RETURN
iptables -A FORWARD -j abd
""",
    "positions": """
iptables -A INPUT -s 10.0.0.1 -j ACCEPT
iptables -A INPUT -s 10.0.0.2 -j ACCEPT
iptables -A INPUT -s 10.0.0.3 -j ACCEPT
iptables -I INPUT -s 10.0.0.4 -j DROP
iptables -I INPUT 3 -s 10.0.0.5 -j DROP
iptables -I INPUT 6 -s 10.0.0.6 -j DROP
iptables -R INPUT 2 -s 10.0.0.7 -j REJECT
iptables -D INPUT 1
iptables -D INPUT -s 10.0.0.2 -j ACCEPT
iptables -A INPUT -s 192.168.1.0/24,192.168.2.0/24 -d 10.9.0.1,10.9.0.2 -j ACCEPT
iptables -I INPUT 2 -s 172.16.0.1,172.16.0.2 -j DROP
iptables -D INPUT -s 192.168.2.0/24 -d 10.9.0.1,10.9.0.2 -j ACCEPT
iptables -A OUTPUT -j ACCEPT
iptables -F OUTPUT
""",
    "matches": """
iptables -A INPUT -p tcp --syn -m connlimit_free -j DROP 2>/dev/null || true
iptables -A INPUT -p tcp ! --syn -m state --state NEW -j DROP
iptables -A INPUT -m conntrack --ctstate INVALID -j DROP
iptables -A INPUT -m conntrack --ctstate NEW,DNAT --ctproto tcp --ctorigdst 10.0.0.0/8 -j ACCEPT
iptables -A INPUT -p tcp --tcp-flags ALL NONE -j DROP
iptables -A INPUT -p tcp --tcp-flags SYN,FIN SYN,FIN -j DROP
iptables -A INPUT -f -j DROP
iptables -A INPUT -m mac --mac-source 00:0A:95:9D:68:16 -j ACCEPT
iptables -A OUTPUT -m owner --uid-owner root -j ACCEPT
iptables -A INPUT -m iprange --src-range 10.0.0.10-10.0.0.20 -j ACCEPT
iptables -A INPUT -m string --string "GET /etc/passwd" --algo bm -j DROP
iptables -A INPUT -m string --hex-string "|0d0a|" --algo kmp --from 40 --to 1000 -j DROP
iptables -A INPUT -p tcp --dport 22 -m recent --name ssh --set
iptables -A INPUT -p tcp --dport 22 -m recent --name ssh --update --seconds 60 --hitcount 4 -j DROP
iptables -A INPUT -m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=1:5,7" -j DROP
iptables -A INPUT -m length --length 1400: -j DROP
iptables -A INPUT -m ttl --ttl-lt 2 -j DROP
iptables -A INPUT -m addrtype --dst-type BROADCAST,MULTICAST -j DROP
iptables -A INPUT -m pkttype --pkt-type broadcast -j DROP
iptables -A INPUT -p udp -m multiport --sports 67,68 --j ACCEPT
iptables -A INPUT -p tcp -m multiport ! --dports 1:1023,8080 -j ACCEPT
iptables -A INPUT -p icmp ! --icmp-type echo-reply -j ACCEPT
iptables -A INPUT -p gre -j ACCEPT
iptables -A INPUT -p 50 -j ACCEPT
iptables -A INPUT -i eth+ ! -o ppp0 -j ACCEPT 2>/dev/null || iptables -A FORWARD -i eth+ ! -o ppp0 -j ACCEPT
""",
    "tables-and-policies": """
iptables -t raw -A PREROUTING -p udp --dport 53 -j ACCEPT
iptables -t security -A INPUT -j ACCEPT
iptables -t nat -N empty_nat
iptables -t mangle -P FORWARD DROP
iptables -P OUTPUT DROP
iptables -P OUTPUT ACCEPT
iptables -t raw -Z
iptables -t filter -L -n
""",
    "flush-and-rebuild": """
iptables -N old
iptables -A old -j ACCEPT
iptables -A INPUT -j old
iptables -F
iptables -X
iptables -N new
iptables -A new -s 10.0.0.0/8 -j REJECT --reject-with icmp-admin-prohibited
iptables -A INPUT -j new
""",
}

# The corpus script with the article's defects fixed as iptables 1.8 needs (`-A`, `--state`, `! -s`).
CORPUS_FIXED = {
    "    iptables -t filter INPUT ": "    iptables -t filter -A INPUT ",
    "—state": "--state",
    "-s ! $INT_NET": "! -s $INT_NET",
}


def corpus_script(corpus) -> str:
    text = (corpus / "redundant-isp" / "firewall-iptables.sh").read_text()
    for printed, meant in CORPUS_FIXED.items():
        assert printed in text
        text = text.replace(printed, meant)
    return text


def differential(script: str) -> tuple[str, str, str, list]:
    """(save after running the script, save after loading pyip's file, pyip's file, pyip's errors)."""
    compiled, errors = to_iptables_restore(script, "script.sh")
    with namespace("pyipcalls") as calls, namespace("pyiprestore") as restored:
        run("ip", "netns", "exec", calls, "sh", "-c", script)
        loaded = restore(restored, compiled)
        assert loaded.returncode == 0, loaded.stderr
        return save(calls), save(restored), compiled, errors


def without_comments(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script_differential(name):
    real, loaded, compiled, errors = differential(SCRIPTS[name])
    assert loaded == real
    assert without_comments(compiled) == real
    if name != "matches":
        assert errors == []


def test_corpus_script_differential(corpus):
    real, loaded, compiled, errors = differential(corpus_script(corpus))
    assert errors == []
    assert loaded == real == compiled
    assert "-A FORWARD ! -s 10.0.0.0/24 -i eth1 -m state --state NEW,RELATED,ESTABLISHED -j ACCEPT" in compiled


# -- which calls fail, and how ----------------------------------------------------------------

FAILING_SEQUENCE = [
    "iptables -A NOSUCH -j ACCEPT", "iptables -A INPUT -j NOSUCH", "iptables -A NOSUCH -j NOSUCH2",
    "iptables -D INPUT 1", "iptables -R INPUT 1 -j ACCEPT", "iptables -D INPUT -j ACCEPT",
    "iptables -C INPUT -j ACCEPT", "iptables -X INPUT", "iptables -F INPUT", "iptables -Z INPUT",
    "iptables -L INPUT -n", "iptables -E a b", "iptables -X nosuch",
    "iptables -A INPUT -j ACCEPT", "iptables -A INPUT -j DROP", "iptables -I INPUT 4 -j RETURN",
    "iptables -I INPUT 3 -j RETURN", "iptables -R INPUT 5 -j ACCEPT", "iptables -R INPUT 3 -j DROP",
    "iptables -D INPUT 5", "iptables -D INPUT -j RETURN", "iptables -D INPUT -p tcp -j DROP",
    "iptables -C INPUT -j DROP", "iptables -C INPUT -j RETURN", "iptables -X INPUT",
    "iptables -N a", "iptables -N a", "iptables -N INPUT", "iptables -A a -j ACCEPT", "iptables -X a",
    "iptables -N b", "iptables -A b -j a", "iptables -F a", "iptables -X a", "iptables -X",
    "iptables -E b a", "iptables -E b INPUT", "iptables -E b c", "iptables -A INPUT -j c", "iptables -F",
    "iptables -X", "iptables -L nosuch -n", "iptables -S nosuch", "iptables -F nosuch", "iptables -Z nosuch",
    "iptables -P a DROP", "iptables -P INPUT REJECT", "iptables -P INPUT FOO", "iptables -P nosuch FOO",
    "iptables -P FORWARD DROP", "iptables -t nat -P PREROUTING ACCEPT",
    "iptables -A INPUT -j MASQUERADE", "iptables -t nat -A PREROUTING -j MASQUERADE",
    "iptables -t nat -I POSTROUTING -j MASQUERADE", "iptables -t nat -A POSTROUTING -j DNAT --to 1.2.3.4",
    "iptables -t nat -A INPUT -j SNAT --to-source 1.2.3.4", "iptables -t nat -A PREROUTING -j SNAT --to 1.2.3.4",
    "iptables -t nat -A POSTROUTING -j REDIRECT", "iptables -t nat -A OUTPUT -j REDIRECT",
    "iptables -t nat -R POSTROUTING 1 -j DNAT --to 1.2.3.4", "iptables -t mangle -A INPUT -j REJECT",
    "iptables -A INPUT -j TOS --set-tos Minimize-Delay", "iptables -A INPUT -j TTL --ttl-set 5",
    "iptables -t mangle -A INPUT -j TCPMSS --set-mss 100", "iptables -t mangle -A INPUT -p tcp -j TCPMSS --set-mss 100",
    "iptables -t mangle -A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu",
    "iptables -t mangle -A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu",
    "iptables -A INPUT -p udp -j REJECT --reject-with tcp-reset", "iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset",
    "iptables -A OUTPUT -m mac --mac-source 00:11:22:33:44:55", "iptables -A INPUT -m owner --uid-owner 0",
    "iptables -A OUTPUT -m owner --uid-owner 5-2", "iptables -A INPUT -m icmp --icmp-type 8", "iptables -A INPUT -m udp",
    "iptables -A INPUT ! -s 0/0 -j ACCEPT", "iptables -t nat -N natchain", "iptables -t nat -A natchain -j MASQUERADE",
    "iptables -t nat -A PREROUTING -j natchain", "iptables -t nat -A POSTROUTING -j natchain",
    "iptables -N loop1", "iptables -N loop2", "iptables -A loop1 -j loop2", "iptables -A loop2 -j loop1",
    "iptables -A INPUT -g loop1", "iptables -D loop2 1", "iptables -A INPUT -g loop1", "iptables -A loop2 -j loop1",
    "iptables -N self", "iptables -A self -j self", "iptables -A FORWARD -j self", "iptables -X self",
    "iptables -A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT", "iptables -D INPUT -s 10.0.0.1,10.0.0.3 -j ACCEPT",
    "iptables -D INPUT -s 10.0.0.2,10.0.0.1 -j ACCEPT", "iptables -A INPUT -m addrtype --src-type LOCAL --limit-iface-out",
    "iptables -A OUTPUT -m addrtype --src-type LOCAL --limit-iface-out",
    "iptables -A INPUT -m string --algo nosuch --string x", "iptables -A INPUT ! -d 0.0.0.0/0",
    "iptables -I INPUT -m string --algo kmp --string x -j DROP", "iptables -t mangle -A OUTPUT -j TTL --ttl-inc 1",
    "iptables -N r1", "iptables -A r1 -s 10.0.0.1 -j ACCEPT", "iptables -A INPUT -j r1", "iptables -E r1 r2",
    "iptables -D r2 -s 10.0.0.1 -j ACCEPT", "iptables -D INPUT -j r2", "iptables -X r2",
]


def pyip_verdicts(commands: list[str]) -> tuple[list, Ruleset]:
    ruleset = Ruleset()
    verdicts = []
    for command in commands:
        [words] = script_commands(command)
        try:
            ruleset.apply(parse_iptables(words))
            verdicts.append(None)
        except PyipError as error:
            verdicts.append(error)
    return verdicts, ruleset


def assert_same_verdicts(commands: list[str], real: list, mine: list) -> None:
    for command, call, error in zip(commands, real, mine):
        if call.status == 0:
            assert error is None, f"{command}: iptables accepts, pyip: {error}"
        else:
            assert error is not None, f"{command}: iptables says {call.status} {call.message!r}, pyip accepts"
            assert (error.message, error.exit_status) == (call.message, call.status), command


def test_failing_calls_fail_alike():
    with namespace("pyipfail") as ns:
        real = run_calls(ns, FAILING_SEQUENCE)
        final = save(ns)
    mine, ruleset = pyip_verdicts(FAILING_SEQUENCE)
    assert_same_verdicts(FAILING_SEQUENCE, real, mine)
    from pyip.render.iptables_save import restore_file

    assert restore_file(ruleset) == final


def random_script(seed: int, length: int = 60) -> list[str]:
    """Rule and chain commands at random positions, valid and not, over a few chains.

    No -E of a built-in chain: iptables-nft renames it out of its own sight (pyip refuses to follow)."""
    rng = random.Random(seed)
    chains = ["INPUT", "FORWARD", "OUTPUT", "web", "mail"]
    specs = ["-p tcp --dport 22", "-s 10.0.0.0/8", "-i eth0", "-p udp --sport 53", "-m state --state NEW",
             "-p icmp --icmp-type 8", "-d 192.168.0.1", "! -s 172.16.0.0/12", "-m limit --limit 1/s", ""]
    targets = ["-j ACCEPT", "-j DROP", "-j RETURN", "-j web", "-j mail", "-j LOG --log-prefix 'x y'", ""]
    lines = ["iptables -N web", "iptables -N mail"]
    for _ in range(length):
        chain, spec, target = rng.choice(chains), rng.choice(specs), rng.choice(targets)
        verb = rng.choices(["-A", "-I", "-D", "-R", "-N", "-X", "-F", "-E", "-Dn"], [12, 4, 2, 2, 1, 1, 1, 1, 2])[0]
        position = rng.randint(1, 6)
        lines.append({
            "-A": f"iptables -A {chain} {spec} {target}", "-I": f"iptables -I {chain} {position} {spec} {target}",
            "-D": f"iptables -D {chain} {spec} {target}", "-R": f"iptables -R {chain} {position} {spec} {target}",
            "-N": f"iptables -N {chain}", "-X": f"iptables -X {chain}", "-F": f"iptables -F {chain}",
            "-E": f"iptables -E {rng.choice(chains[3:])} {rng.choice(chains)}",
            "-Dn": f"iptables -D {chain} {position}",
        }[verb])
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_random_scripts_fail_and_end_alike(seed):
    commands = random_script(seed)
    with namespace("pyiprand") as ns:
        real = run_calls(ns, commands)
        final = save(ns)
    mine, ruleset = pyip_verdicts(commands)
    assert_same_verdicts(commands, real, mine)
    from pyip.render.iptables_save import restore_file

    assert restore_file(ruleset) == final
    assert sum(call.status == 0 for call in real) > len(commands) // 3


def test_values_known_only_at_run_time_are_reported():
    compiled, errors = to_iptables_restore('iptables -A INPUT -s "$1" -j DROP\niptables -A INPUT -j ACCEPT\n', "s.sh")
    [error] = errors
    assert str(error) == "s.sh:1:1: error: $1 is known only when the script runs (give its variable a value " \
                         "with -D NAME=VALUE)"
    assert "-A INPUT -j ACCEPT" in compiled and "DROP" not in compiled.split("\n", 1)[1]


def test_parse_and_apply_api():
    ruleset = Ruleset()
    for command in pyip.parse("iptables -N web\niptables -A INPUT -p tcp --dport 80 -j web\n"):
        ruleset.apply(command)
    assert [rule.target.chain for rule in ruleset.tables["filter"].chains["INPUT"].rules] == ["web"]
