"""iptables -> nftables: the output loads (`nft -f`, `nft -j -f`), and filters and masquerades real packets
as the iptables ruleset does, between test namespaces."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pyip.translators.pipeline import to_nft
from pyip.translators.pipeline import to_iptables_restore

from .translate_oracle import nft_load, ns_run, probe, routed_network, scratch_namespace

# The corpus script (redundant-isp/firewall-iptables.sh) with its printed mistakes fixed: the missing -A,
# the em dashes, `-s ! NET`; plus the policies that make its ACCEPT rules mean something.
CORPUS_FIXED = """\
INT_IFACE="eth0"
EXT_IFACE="eth1"
INT_NET="10.0.0.0/24"
IP="63.89.102.157"
iptables -P INPUT DROP
iptables -P FORWARD DROP
iptables -t filter -A INPUT -m state --state ESTABLISHED -i $EXT_IFACE -p tcp -d $IP --dport 1024: -j ACCEPT
iptables -t filter -A INPUT -m state --state ESTABLISHED -i $EXT_IFACE -p udp -d $IP --dport 1024: -j ACCEPT
for service in ftp ssh smtp domain http auth ldap https; do
    iptables -t filter -A INPUT -m state --state NEW,ESTABLISHED -i $EXT_IFACE -p tcp -d $IP --dport $service -j ACCEPT
done
iptables -t filter -A INPUT -m state --state RELATED -i $EXT_IFACE -p tcp -d $IP --dport 1024: --sport ftp-data -j ACCEPT
iptables -t filter -A FORWARD -m state --state NEW,ESTABLISHED -i $INT_IFACE -s $INT_NET -j ACCEPT
iptables -t filter -A FORWARD -m state --state NEW,ESTABLISHED,RELATED -i $EXT_IFACE ! -s $INT_NET -j ACCEPT
iptables -t nat -A POSTROUTING -o $INT_IFACE -j ACCEPT
iptables -t nat -A POSTROUTING -o $EXT_IFACE -j MASQUERADE
"""

# Probes: (from, to, port or "ping").
CORPUS_PROBES = [("client", "server", 80), ("client", "server", 5555), ("server", "client", 8080),
                 ("server", "router", 22), ("server", "router", 2222), ("client", "router", 22),
                 ("client", "server", "ping")]

# A script of my own: user chains, -I positions, multiport, negation, wildcards, REJECT, SNAT, DNAT, mark.
OWN_SCRIPT = """\
iptables -P FORWARD DROP
iptables -N web
iptables -N deny_log
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -i eth+ -p tcp -m multiport --dports 80,8000:8100 -j web
iptables -A FORWARD -p icmp --icmp-type echo-request -j ACCEPT
iptables -A FORWARD -j deny_log
iptables -I FORWARD 1 -p tcp --dport 8050 -j REJECT --reject-with tcp-reset
iptables -A web ! -s 10.0.0.3 -p tcp --tcp-flags SYN,RST,ACK SYN -m comment --comment "new web \\"flows\\"" -j ACCEPT
iptables -A deny_log -m limit --limit 10/sec -j LOG --log-prefix "it's denied: " --log-level info
iptables -A deny_log -j DROP
iptables -t mangle -A PREROUTING -i eth0 -p tcp --dport 7000 -j MARK --set-mark 7
iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 7000 -j DNAT --to-destination 63.89.102.1:80
iptables -t nat -A POSTROUTING -o eth1 -m mark --mark 7 -j SNAT --to-source 63.89.102.157
iptables -t nat -A POSTROUTING -o eth1 -p tcp --dport 8000:8100 -j MASQUERADE
"""
OWN_PROBES = [("client", "server", 80), ("client", "server", 8001), ("client", "server", 8050),
              ("client", "server", 22), ("client", "router", 7000), ("client", "server", "ping"),
              ("server", "client", 80)]


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def behaviour(tmp_path, script: str, probes: list) -> tuple[list, list]:
    """The probes' results with the iptables ruleset in one router, and with its nft translation in another."""
    restore, errors = to_iptables_restore(script, "script.sh")
    assert errors == []
    nft_text, problems = to_nft(script, "script.sh")
    assert problems == []
    with routed_network("ipt") as network:
        loaded = ns_run(network["router"], "iptables-restore", stdin=restore)
        assert loaded.returncode == 0, loaded.stderr
        with_iptables = probe(network, probes)
    with routed_network("nft") as network:
        loaded = nft_load(network["router"], write(tmp_path, "out.nft", nft_text))
        assert loaded.returncode == 0, loaded.stderr
        with_nft = probe(network, probes)
    return with_iptables, with_nft


def test_corpus_script_behaves_the_same(tmp_path):
    with_iptables, with_nft = behaviour(tmp_path, CORPUS_FIXED, CORPUS_PROBES)
    assert with_nft == with_iptables
    # the oracle saw something: masqueraded client, dropped port, reached service
    assert with_iptables[0] == (True, ("63.89.102.157",))
    assert with_iptables[4] == (False, None)
    assert with_iptables[3][0] is True


def test_own_script_behaves_the_same(tmp_path):
    script = OWN_SCRIPT.replace('\\"flows\\"', "flows")  # iptables' own comment quoting is tested below
    with_iptables, with_nft = behaviour(tmp_path, script, OWN_PROBES)
    assert with_nft == with_iptables
    assert [reached for reached, _ in with_iptables] == [True, True, False, False, True, True, True]
    # port 7000 of the router is DNATed to the server's port 80 and SNATed by its mark
    assert with_iptables[0] == (True, ("10.0.0.2", "63.89.102.157"))


def listing(ns: str) -> str:
    return ns_run(ns, "nft", "list", "ruleset").stdout


def test_text_and_json_load_and_list_the_same(tmp_path):
    text, problems = to_nft(OWN_SCRIPT, "own.sh")
    as_json, _ = to_nft(OWN_SCRIPT, "own.sh", as_json=True)
    with scratch_namespace("load") as ns:
        # nft's text syntax cannot quote `"`: a comment never costs a rule, its `"` becomes `'` with a warning
        assert [str(p) for p in problems] == [
            "own.sh:9:10: warning: the nft rule has `\"' written as `'' in its comment (nft's text syntax cannot "
            "quote `\"')"]
        assert "left out" not in text
        assert nft_load(ns, write(tmp_path, "own.nft", text)).returncode == 0
        listed = listing(ns)
        assert 'comment "new web \'flows\'"' in listed
        for expected in ("chain web {", 'iifname "eth*" tcp dport { 80, 8000-8100 } counter packets 0 bytes 0 jump web',
                         "reject with tcp reset", 'log prefix "it\'s denied: " level info',
                         "dnat to 63.89.102.1:80", "type nat hook postrouting priority srcnat; policy accept;",
                         "type filter hook forward priority filter; policy drop;"):
            assert expected in listed
        ns_run(ns, "nft", "flush", "ruleset")
        loaded = nft_load(ns, write(tmp_path, "own.json", as_json), as_json=True)
        assert loaded.returncode == 0, loaded.stderr
        assert 'comment "new web "flows""' in listing(ns)


def test_every_construct_loads(tmp_path):
    script = (tmp_path / "all.sh")
    script.write_text(ALL_CONSTRUCTS)
    for as_json in (False, True):
        output, problems = to_nft(ALL_CONSTRUCTS, "all.sh", as_json=as_json)
        assert {p.location.line for p in problems} == {17, 23, 30}
        with scratch_namespace("all") as ns:
            loaded = nft_load(ns, write(tmp_path, "all.out", output), as_json)
            assert loaded.returncode == 0, loaded.stderr
            listed = listing(ns)
            for expected in ALL_EXPECTED:
                assert expected in listed, expected


ALL_CONSTRUCTS = """\
iptables -P INPUT DROP
iptables -N svc
iptables -A INPUT -i lo -j ACCEPT
iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
iptables -A INPUT -p tcp -m multiport --dports 22,80,1000:2000 -j svc
iptables -I INPUT 2 -s 10.0.0.0/255.0.255.0 -p icmp --icmp-type echo-request -j ACCEPT
iptables -A INPUT -p icmp ! --icmp-type 3/4 -j ACCEPT
iptables -A svc -i eth+ -p tcp --tcp-flags SYN,RST,ACK SYN -m limit --limit 3/min -j LOG --log-prefix "it's new " --log-level info --log-tcp-sequence --log-ip-options
iptables -A svc -m comment --comment "web 'x'" -p tcp --dport 80 -j ACCEPT
iptables -A svc -m mark --mark 0x5/0xff -m ttl --ttl-lt 5 -m length --length 100:200 -j REJECT --reject-with icmp-host-prohibited
iptables -A svc -p tcp -j REJECT --reject-with tcp-reset
iptables -A svc -m iprange --src-range 10.0.0.1-10.0.0.9 -m addrtype --dst-type LOCAL,BROADCAST -m tos --tos 0x10/0x3f -j DROP
iptables -A OUTPUT -m owner --uid-owner 1000-2000 -m pkttype --pkt-type broadcast -j NFLOG --nflog-group 3 --nflog-size 100
iptables -A FORWARD -f -m conntrack --ctstate NEW --ctorigsrc 10.0.0.0/8 --ctstatus ASSURED,SEEN_REPLY --ctdir ORIGINAL -j ACCEPT
iptables -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
iptables -A FORWARD -m mac --mac-source 00:11:22:33:44:AA -p udp --sport 53 -j ACCEPT
iptables -A FORWARD -m string --string "GET /" --algo bm -j DROP
iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
iptables -t nat -A POSTROUTING -o eth2 -p tcp -j MASQUERADE --to-ports 1024-2000 --random
iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080
iptables -t nat -A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 10.0.0.1-10.0.0.3:1000-2000
iptables -t nat -A POSTROUTING -s 10.1.0.0/16 -j SNAT --to-source 1.2.3.4
iptables -t mangle -A PREROUTING -p tcp --dport 22 -j TOS --set-tos 0x10/0x3f
iptables -t mangle -A PREROUTING -p tcp --dport 23 -j TOS --set-tos 0x20/0xfc
iptables -t mangle -A PREROUTING -j MARK --set-mark 5
iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x5/0xff
iptables -t mangle -A PREROUTING -j MARK --or-mark 0x8
iptables -t mangle -A PREROUTING -j MARK --and-mark 0xf0
iptables -t mangle -A FORWARD -j TTL --ttl-set 64
iptables -t mangle -A OUTPUT -j TTL --ttl-dec 1
iptables -t raw -A PREROUTING -p udp -j ACCEPT
"""
ALL_EXPECTED = (
    "ip saddr & 255.0.255.0 == 10.0.0.0 icmp type echo-request",
    "icmp type . icmp code != { destination-unreachable . frag-needed }",
    "tcp dport { 22, 80, 1000-2000 } counter packets 0 bytes 0 jump svc",
    "tcp flags syn / syn,rst,ack limit rate 3/minute",
    'log prefix "it\'s new " level info flags tcp sequence flags ip options',
    "comment \"web 'x'\"", "meta mark & 0x000000ff == 0x00000005 ip ttl < 5 ip length 100-200",
    "reject with icmp host-prohibited", "ip saddr 10.0.0.1-10.0.0.9 fib daddr type { local, broadcast }",
    "@nh,8,8 & 0x3f == 0x10", "meta skuid 1000-2000 meta pkttype broadcast", "log group 3 snaplen 100",
    "ip frag-off & 8191 != 0 ct direction original ct state ",  # JSON lists `ct state == new`
    "new ct status seen-reply,assured ct original ip saddr 10.0.0.0/8",
    "tcp option maxseg size set rt mtu", "ether saddr 00:11:22:33:44:aa udp sport 53",
    "masquerade to :1024-2000 random", "redirect to :8080", "dnat to 10.0.0.1-10.0.0.3:1000-2000",
    "snat to 1.2.3.4", "ip dscp set cs1", "meta mark set 0x00000005", "meta mark set meta mark | 0x00000008",
    "meta mark set meta mark & 0x000000f0", "ip ttl set 64", "type route hook output priority mangle",
    "type filter hook prerouting priority raw; policy accept;",
)


def run_cli(tmp_path, text: str, *options: str) -> subprocess.CompletedProcess:
    path = write(tmp_path, "in.sh", text)
    code = "from pyip.cli.translate import command; command()()"
    return subprocess.run([sys.executable, "-c", code, path, *options], capture_output=True, text=True, timeout=60)


NEVER_SILENT = """\
iptables -A INPUT -p tcp --dport 22 -j ACCEPT
iptables -A INPUT -m string --string "GET /" --algo bm -j DROP
iptables -t mangle -A PREROUTING -p tcp --dport 22 -j TOS --set-tos 0x02/0xff
"""


@pytest.mark.parametrize("target", ["nft", "nft-json"])
def test_never_silent(tmp_path, target):
    result = run_cli(tmp_path, NEVER_SILENT, "--to", target)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith("in.sh:2:10: error: no exact nftables equivalent: the string match (nft cannot search "
                             "the payload for a string)")
    assert "in.sh:3:20: error: no exact nftables equivalent: TOS --set-tos 0x02/0xff" in lines[1]
    assert lines[1].endswith("`ip dscp set' replaces bits 2-7 (0xfc) whole, but it changes bits 0x03 (ECN)")
    if target == "nft":
        assert '# pyip: left out: the string match (nft cannot search the payload for a string): ' \
               '-A INPUT -m string --string "GET /" --algo bm -j DROP' in result.stdout
    partial = run_cli(tmp_path, NEVER_SILENT, "--to", target, "--allow-partial")
    assert partial.returncode == 0 and partial.stdout == result.stdout and partial.stderr == result.stderr


def test_a_script_without_firewall_commands_gets_a_warning(tmp_path):
    result = run_cli(tmp_path, "ip route add default via 10.0.0.1\necho done\n", "--to", "nft")
    assert result.returncode == 0 and result.stdout == ""
    assert result.stderr.endswith(":1:1: warning: no iptables or ipchains command to translate\n")


def test_a_comment_never_costs_a_rule(tmp_path):
    """Several comments, `"`, and more than nft's 128 bytes: the rule stays, nft loads it, each change warned."""
    long = "x" * 200
    script = (f'iptables -A INPUT -m comment --comment one -m comment --comment \'say "two"\' -j ACCEPT\n'
              f"iptables -A INPUT -p tcp -m comment --comment {long} -j DROP\n")
    text, problems = to_nft(script, "c.sh")
    assert [str(p).split(": warning: ")[0] for p in problems] == ["c.sh:1:10", "c.sh:2:10"]
    assert "joined" in str(problems[0]) and "`'" in str(problems[0]) and "128 bytes" in str(problems[1])
    with scratch_namespace("comment") as ns:
        assert nft_load(ns, write(tmp_path, "c.nft", text)).returncode == 0
        listed = listing(ns)
    assert 'accept comment "one; say \'two\'"' in listed
    assert f'drop comment "{"x" * 128}"' in listed


def clock(seconds: int) -> str:
    seconds %= 86400
    return f"{seconds // 3600:02}:{seconds // 60 % 60:02}"


def test_time_rules_filter_packets_as_xt_time_does(tmp_path):
    """xt_time counts in UTC; nft's meta hour and time too, when given numbers (a quoted hour or date nft reads in
    its own timezone, so nft runs in another one here).  Windows two hours either side of now: the test is not
    near an edge."""
    import time as clock_module

    now = int(clock_module.time())
    day = now % 86400
    today = clock_module.strftime("%Y-%m-%d", clock_module.gmtime(now))
    tomorrow = clock_module.strftime("%Y-%m-%d", clock_module.gmtime(now + 86400))
    script = "\n".join([
        f"iptables -A FORWARD -p tcp --dport 80 -m time --timestart {clock(day - 7200)} --timestop {clock(day + 7200)} -j DROP",
        f"iptables -A FORWARD -p tcp --dport 8001 -m time --timestart {clock(day + 3600)} --timestop {clock(day + 10800)} -j DROP",
        f"iptables -A FORWARD -p tcp --dport 8050 -m time --timestart {clock(day + 7200)} --timestop {clock(day - 7200)} -j DROP",
        f"iptables -A FORWARD -p tcp --dport 22 -m time --datestart {today} -j DROP",
        f"iptables -A FORWARD -p tcp --dport 7000 -m time --datestart {tomorrow} -j DROP",
        f"iptables -A FORWARD -p tcp --dport 7001 -m time --datestop {today} -j DROP", ""])
    probes = [("client", "server", port) for port in (80, 8001, 8050, 22, 7000, 7001)]
    import os
    os.environ["TZ"], saved = "Asia/Kolkata", os.environ.get("TZ")  # nft (a child) reads quoted times in +05:30
    try:
        with_iptables, with_nft = behaviour(tmp_path, script, probes)
    finally:
        os.environ.pop("TZ") if saved is None else os.environ.__setitem__("TZ", saved)
    assert with_nft == with_iptables
    assert [reached for reached, _ in with_iptables] == [False, True, True, False, True, True]


def test_ctexpire_is_whole_seconds(tmp_path):
    """xt_conntrack's --ctexpire compares the whole seconds left; nft's ct expiration milliseconds."""
    script = ("iptables -A INPUT -m conntrack --ctexpire 3 -j ACCEPT\n"
              "iptables -A INPUT -m conntrack --ctexpire 10:20 -j ACCEPT\n"
              "iptables -A INPUT -m conntrack ! --ctexpire 5: -j ACCEPT\n"
              "iptables -A INPUT -m conntrack --ctexpire 0: -j ACCEPT\n")
    text, problems = to_nft(script, "e.sh")
    assert problems == []
    with scratch_namespace("expire") as ns:
        assert nft_load(ns, write(tmp_path, "e.nft", text)).returncode == 0
        listed = listing(ns)
    for expected in ("ct expiration >= 3s ct expiration < 4s counter", "ct expiration >= 10s ct expiration < 21s counter",
                     "ct expiration < 5s counter", "ct state established,related,new counter"):
        assert expected in listed
    refused, problems = to_nft("iptables -A INPUT -m conntrack ! --ctexpire 3 -j ACCEPT\n", "e.sh")
    assert [str(p) for p in problems] == ["e.sh:1:10: error: no exact nftables equivalent: ! --ctexpire with both "
                                          "bounds (outside a range is an OR of two tests in nft)"]
