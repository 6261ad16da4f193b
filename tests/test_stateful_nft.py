"""connlimit and hashlimit to nft, judged by the kernel: the same script runs as iptables in one pair of namespaces
and as pyip's nft translation in a twin pair; the same connections or packets go through both, and each rule's
counter, and which connections got through, must agree.  Then the sets' declarations (once per table, names
unique and valid, in text, JSON and `-e` commands, each loaded by nft) and what stays refused, with its reason.

Topology of a pair: client (10.0.0.2 and 10.0.0.3 on c0) -- server (10.0.0.1 on s0); the rules stand in the
server's INPUT chain.  Namespaces are made here and always deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys

import pytest

from pyip.translators.pipeline import translate

from .netns import run
from .translate_oracle import address, link, ns_run

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

SERVER, CLIENTS = "10.0.0.1", ("10.0.0.2", "10.0.0.3")


@contextlib.contextmanager
def pair(tag: str):
    names = {role: f"pyipst-{tag}-{role}-{os.getpid()}" for role in ("client", "server")}
    try:
        for name in names.values():
            run("ip", "netns", "add", name, check=True)
            run("ip", "-n", name, "link", "set", "lo", "up", check=True)
        link(names["client"], "c0", names["server"], "s0")
        for client in CLIENTS:
            address(names["client"], "c0", f"{client}/24")
        address(names["server"], "s0", f"{SERVER}/24")
        yield names
    finally:
        for name in names.values():
            run("ip", "netns", "del", name)


def nft_text(script: str, as_json: bool = False) -> str:
    output, problems = translate(script, "-", "nft-json" if as_json else "nft", "modern")
    assert not problems, problems
    return output


def load_iptables(ns: str, script: str) -> None:
    result = ns_run(ns, "sh", "-ec", script)
    assert result.returncode == 0, result.stderr


def load_nft(ns: str, text: str, as_json: bool) -> None:
    result = ns_run(ns, "nft", *(["-j"] if as_json else []), "-f", "-", stdin=text)
    assert result.returncode == 0, result.stderr + text


def iptables_counters(ns: str) -> list:
    saved = ns_run(ns, "iptables-save", "-c", "-t", "filter").stdout
    return [int(line[1:].split(":")[0]) for line in saved.splitlines() if line.startswith("[") and " -A INPUT " in line]


def nft_counters(ns: str) -> list:
    """The packet counters of the translated rules; a guard rule's (which drops what a full hashlimit table would)
    is added to the rule it guards, as a list, so that they compare with iptables' only where a guard dropped."""
    listed = json.loads(ns_run(ns, "nft", "-j", "list", "chain", "ip", "filter", "INPUT").stdout)
    counters = []
    for rule in (item["rule"] for item in listed["nftables"] if "rule" in item):
        packets = next(expr["counter"]["packets"] for expr in rule["expr"] if "counter" in expr)
        if any(str(expr.get("match", {}).get("right", "")).startswith("@") for expr in rule["expr"]):
            if packets:
                counters[-1] = [counters[-1], packets]
        else:
            counters.append(packets)
    return counters


def judged(script: str, client: str, *arguments: str, as_json: bool = False) -> tuple:
    """(what the client saw, the INPUT rules' packet counters) under iptables, then under pyip's nft."""
    text = nft_text(script, as_json)
    outcomes = []
    for side in ("iptables", "nft"):
        with pair(side) as names:
            if side == "iptables":
                load_iptables(names["server"], script)
            else:
                load_nft(names["server"], text, as_json)
            seen = client_run(names, client, *arguments)
            outcomes.append((seen, iptables_counters(names["server"]) if side == "iptables"
                             else nft_counters(names["server"])))
    return outcomes[0], outcomes[1], text


def client_run(names: dict, client: str, *arguments: str) -> str:
    listener = subprocess.Popen(["ip", "netns", "exec", names["server"], sys.executable, "-c", LISTENER],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert listener.stdout.readline().strip() == "ready"
        result = ns_run(names["client"], sys.executable, "-c", client, *arguments)
        assert result.returncode == 0, result.stderr
        return result.stdout
    finally:
        listener.terminate()
        listener.wait(timeout=10)


# The server: accepts on TCP 8000 and keeps every connection open; UDP 9000 and 9001 just receive.
LISTENER = r"""
import selectors, socket, time
sel = selectors.DefaultSelector()
tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("0.0.0.0", 8000)); tcp.listen(64); tcp.setblocking(False); sel.register(tcp, selectors.EVENT_READ)
for port in (9000, 9001):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("0.0.0.0", port))
    udp.setblocking(False); sel.register(udp, selectors.EVENT_READ)
kept = []
print("ready", flush=True)
end = time.time() + 60
while time.time() < end:
    for key, _ in sel.select(0.2):
        if key.fileobj is tcp:
            kept.append(tcp.accept()[0])
        else:
            key.fileobj.recv(2048)
"""

# Opens one TCP connection a source address given, in order, keeping them all open; prints which got through.
CONNECTIONS = r"""
import socket, sys
kept, seen = [], []
for source in sys.argv[1:]:
    s = socket.socket(); s.bind((source, 0)); s.settimeout(2)
    try:
        s.connect(("10.0.0.1", 8000)); kept.append(s); seen.append("open")
    except OSError as error:
        seen.append(type(error).__name__)
print(" ".join(seen))
"""

CONNLIMIT_CASES = [
    # above 2 per address: the third connection from 10.0.0.2 is refused, 10.0.0.3 has its own count
    ("-p tcp --syn --dport 8000 -m connlimit --connlimit-above 2 -j REJECT --reject-with tcp-reset",
     "10.0.0.2 10.0.0.2 10.0.0.3 10.0.0.2 10.0.0.3"),
    # the /24 counts as one: 10.0.0.3's connection is the third of the network
    ("-p tcp --syn --dport 8000 -m connlimit --connlimit-above 2 --connlimit-mask 24 -j REJECT "
     "--reject-with tcp-reset", "10.0.0.2 10.0.0.2 10.0.0.3 10.0.0.3"),
    # up to 1 per destination address: accepted, the rest refused by the next rule
    ("-p tcp --syn --dport 8000 -m connlimit --connlimit-upto 1 --connlimit-daddr -j ACCEPT\n"
     "iptables -A INPUT -p tcp --syn --dport 8000 -j REJECT --reject-with tcp-reset", "10.0.0.2 10.0.0.3 10.0.0.2"),
    # ! --connlimit-upto 1 with mask 0: above one connection in the whole address space
    ("-p tcp --syn --dport 8000 -m connlimit ! --connlimit-upto 1 --connlimit-mask 0 -j REJECT "
     "--reject-with tcp-reset", "10.0.0.2 10.0.0.3"),
]


@needs_root
@pytest.mark.parametrize("rule, sources", CONNLIMIT_CASES)
def test_connlimit_counts_connections_as_iptables(rule, sources):
    script = f"iptables -A INPUT {rule}\n"
    iptables, nft, text = judged(script, CONNECTIONS, *sources.split())
    assert "add @connlimit0" in text
    assert iptables == nft, f"iptables: {iptables}\nnft: {nft}\n{text}"
    assert "open" in iptables[0] and "ConnectionRefusedError" in iptables[0]  # the limit was reached, not missed


# Sends bursts of UDP datagrams: arguments are `SOURCE:PORT*COUNT` groups and `sleep:SECONDS`, in order.
DATAGRAMS = r"""
import socket, sys, time
sockets = {}
for step in sys.argv[1:]:
    if step.startswith("sleep:"):
        time.sleep(float(step[6:]))
        continue
    target, count = step.split("*")
    source, port = target.split(":")
    s = sockets.get(source)
    if s is None:
        s = sockets[source] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((source, 0))
    for _ in range(int(count)):
        s.sendto(b"x", ("10.0.0.1", int(port)))
"""

HASHLIMIT_CASES = [
    # a bucket of 3 per source address, 2 more a second: 3 + 3 of the first 8, then 2 + 2 after a second
    ("-p udp -m hashlimit --hashlimit-upto 2/sec --hashlimit-burst 3 --hashlimit-mode srcip "
     "--hashlimit-name persource --hashlimit-htable-expire 5000 -j ACCEPT",
     "10.0.0.2:9000*4 10.0.0.3:9000*4 sleep:1.05 10.0.0.2:9000*5 10.0.0.3:9000*5"),
    # above the rate, by source network and destination port (the udp match first: no later fragment gets there)
    ("-p udp -m udp --dport 9000:9001 -m hashlimit --hashlimit-above 10/min --hashlimit-burst 2 "
     "--hashlimit-mode srcip,dstport --hashlimit-srcmask 24 --hashlimit-name perport -j DROP",
     "10.0.0.2:9000*3 10.0.0.3:9000*3 10.0.0.2:9001*4"),
    # no mode: one bucket for every packet
    ("-p udp -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 4 --hashlimit-name all "
     "--hashlimit-htable-expire 10000 -j ACCEPT", "10.0.0.2:9000*3 10.0.0.3:9001*3"),
    # by destination address and source port: each client socket has its own port, so its own bucket
    ("-p udp -m udp --dport 9000 -m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 1 "
     "--hashlimit-mode dstip,srcport --hashlimit-name perflow --hashlimit-htable-max 20 -j ACCEPT",
     "10.0.0.2:9000*3 10.0.0.3:9000*3"),
]


@needs_root
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_full_hashlimit_table_drops_as_iptables_does(as_json):
    """A table of one entry: the second source's datagrams are dropped by iptables before any later rule sees them
    (xt_hashlimit's hotdrop); nft's update fails and the guard rule drops them."""
    script = ("iptables -A INPUT -p udp -m hashlimit --hashlimit-upto 100/sec --hashlimit-mode srcip "
              "--hashlimit-htable-size 1 --hashlimit-htable-max 1 --hashlimit-name one -j ACCEPT\n"
              "iptables -A INPUT -p udp -j ACCEPT\n")
    iptables, nft, text = judged(script, DATAGRAMS, "10.0.0.2:9000*3", "10.0.0.3:9000*4", "10.0.0.2:9000*2",
                                 as_json=as_json)
    assert iptables == ("", [5, 0])
    assert nft == ("", [[5, 4], 0]), f"{nft}\n{text}"


@needs_root
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("rule, steps", HASHLIMIT_CASES)
def test_hashlimit_limits_packets_as_iptables(rule, steps, as_json):
    script = f"iptables -A INPUT {rule}\niptables -A INPUT -p udp -j DROP\n"
    iptables, nft, text = judged(script, DATAGRAMS, *steps.split(), as_json=as_json)
    assert iptables == nft, f"iptables: {iptables}\nnft: {nft}\n{text}"
    passed, total = iptables[1][0], sum(int(step.split("*")[1]) for step in steps.split() if "*" in step)
    assert 0 < passed < total  # the limit let some through and held some back


# -- the sets' declarations --------------------------------------------------------------------------------------

NAMED = """\
iptables -A INPUT -m connlimit --connlimit-above 2 -j DROP
iptables -A INPUT -p tcp -m connlimit --connlimit-upto 8 --connlimit-mask 16 -j ACCEPT
iptables -t mangle -A PREROUTING -m connlimit --connlimit-above 9 --connlimit-daddr
iptables -A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name 'a:b'
iptables -A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode dstip --hashlimit-name a_b
iptables -A INPUT -m hashlimit --hashlimit-above 4/min --hashlimit-mode srcip --hashlimit-name limit \
    --hashlimit-htable-size 100 --hashlimit-htable-expire 90500
iptables -A INPUT -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 2 --hashlimit-mode dstip \
    --hashlimit-name big --hashlimit-htable-max 5000000 --hashlimit-htable-expire 7200000
"""


def test_sets_are_declared_once_per_table_under_unique_names():
    text = nft_text(NAMED)
    filter_table, mangle_table = text[text.index("table ip filter"):], text[:text.index("table ip filter")]
    assert "set connlimit0 {" in mangle_table and "add @connlimit0 { ip daddr ct count over 9 }" in mangle_table
    for name in ("connlimit0", "connlimit1", "hashlimit_a_b", "hashlimit_a_b_2", "hashlimit_limit", "hashlimit_big"):
        assert filter_table.count(f"\tset {name} {{") == 1, name
        assert filter_table.index(f"set {name} {{") < filter_table.index("chain INPUT")
    assert "add @connlimit1 { ip saddr & 255.255.0.0 ct count 8 }" in filter_table
    assert "update @hashlimit_a_b { ip saddr limit rate 10/second" in filter_table
    assert "update @hashlimit_a_b_2 { ip daddr limit rate 10/second" in filter_table
    # 8 entries a bucket; --hashlimit-htable-max is capped at 2^20, as the kernel caps it; 90.5 s rounds up
    assert "set hashlimit_limit {\n\t\ttype ipv4_addr\n\t\tsize 800\n\t\tflags dynamic,timeout\n\t\ttimeout 91s" \
        in filter_table
    assert "set hashlimit_big {\n\t\ttype ipv4_addr\n\t\tsize 1048576\n" in filter_table
    assert "update @hashlimit_limit { ip saddr limit rate over 4/minute burst 5 packets }" in filter_table


@needs_root
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_declared_sets_load(as_json):
    with pair("load") as names:
        load_nft(names["server"], nft_text(NAMED, as_json), as_json)
        listed = ns_run(names["server"], "nft", "list", "ruleset").stdout
    assert listed.count("flags dynamic") == 7 and "size 4294967295" in listed, listed


@needs_root
def test_commands_declare_the_set_before_the_rule():
    from pyip.translators.pipeline import nft_commands

    output, problems = nft_commands("iptables -A INPUT -m connlimit --connlimit-above 2 -j DROP\n", "-", "modern", None)
    assert not problems
    assert output.splitlines() == [
        "nft 'add set ip filter connlimit0 { type ipv4_addr; size 4294967295; flags dynamic; }'",
        "nft 'add rule ip filter INPUT add @connlimit0 { ip saddr ct count over 2 } counter drop'"]
    with pair("commands") as names:
        skeleton = "add table ip filter\nadd chain ip filter INPUT { type filter hook input priority 0; }\n"
        load_nft(names["server"], skeleton + "".join(line[5:-1] + "\n" for line in output.splitlines()), False)


# -- what stays refused --------------------------------------------------------------------------------------------

REFUSED = [
    ("-m hashlimit --hashlimit-upto 20kb/s --hashlimit-name x", "hashlimit in bytes"),
    ("-m hashlimit --hashlimit-upto 7/hour --hashlimit-name x --hashlimit-rate-match", "--hashlimit-rate-match"),
    ("-m hashlimit --hashlimit-upto 3/sec --hashlimit-name x --hashlimit-htable-expire 5000",
     "no whole number of packets"),
    ("-m hashlimit --hashlimit-upto 1/sec --hashlimit-name x",  # a bucket of 5 takes 5 s to fill, the entry lives 1 s
     "--hashlimit-htable-expire 1000 ms, shorter than the 5000 ms a bucket takes to fill again"),
    ("-m hashlimit --hashlimit-upto 10/sec --hashlimit-mode dstport --hashlimit-name x",
     "port modes without -p tcp, udp, dccp or sctp"),
    ("-p icmp -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcport --hashlimit-name x",
     "port modes without -p tcp, udp, dccp or sctp"),
    ("-p udp -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip,dstport --hashlimit-name x",
     "port modes without -m udp before -m hashlimit"),
    ("-p udp -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode dstport --hashlimit-name x -m udp --dport 53",
     "port modes without -m udp before -m hashlimit"),
    ("-m limit --limit 10/sec -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name x",
     "a match that keeps state or acts before hashlimit"),
    ("-m statistic --mode nth --every 2 --packet 0 -m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip "
     "--hashlimit-name x", "a match that keeps state or acts before hashlimit"),
]


@pytest.mark.parametrize("rule, reason", REFUSED)
def test_hashlimit_without_an_exact_nft_equivalent_is_refused(rule, reason):
    output, problems = translate(f"iptables -A INPUT {rule}\n", "-", "nft", "modern")
    assert [str(problem) for problem in problems] == [
        f"-:1:10: error: no exact nftables equivalent: {problems[0].message.split(': ', 1)[1]}"]
    assert reason in problems[0].message and "# pyip: left out: " in output and "@" not in output


def test_rules_sharing_a_hashlimit_name_are_refused_in_every_table():
    script = ("iptables -A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-name ssh -j ACCEPT\n"
              "iptables -t mangle -A PREROUTING -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode srcip "
              "--hashlimit-name ssh\n"
              "iptables -A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode srcip --hashlimit-name other\n"
              "iptables -A INPUT -p udp -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode dstport "
              "--hashlimit-name other2\n"
              "iptables -A INPUT -p udp -m udp -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode dstport "
              "--hashlimit-name other2\n")
    output, problems = translate(script, "-", "nft", "modern")
    shared = "no exact nftables equivalent: the 2 rules naming --hashlimit-name {} share one state in iptables"
    expected = [(1, shared.format("ssh")), (2, shared.format("ssh")),
                (4, "no exact nftables equivalent: hashlimit's port modes without -m udp before -m hashlimit"),
                (5, shared.format("other2"))]
    assert len(problems) == len(expected)
    for problem, (line, message) in zip(problems, expected):
        assert problem.location.line == line and problem.message.startswith(message), problem
    assert "hashlimit_ssh" not in output and "hashlimit_other2" not in output
    assert "set hashlimit_other {" in output and "update @hashlimit_other {" in output
