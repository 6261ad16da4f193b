"""ipchains -> iptables (-> nftables): the corpus translates and loads (iptables-restore, nft -f), the
translation filters and masquerades real packets as 2.2 would, and nothing is left out silently."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pyip.translators.ipchains_iptables import is_error, translate_script

from .translate_oracle import listen, nft_load, ns_run, probe, routed_network, scratch_namespace, stop

CORPUS = Path("/work/shared/corpus")


def corpus(path: str) -> str:
    return (CORPUS / path).read_text()


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def loads(tmp_path, text: str, script: str = "script.sh") -> tuple[str, str]:
    """The iptables and nft translations; each loads in a fresh namespace."""
    restore, problems = translate_script(text, script, "iptables", "modern")
    assert not [p for p in problems if is_error(p)]
    nft_text, problems = translate_script(text, script, "nft", "modern")
    assert not [p for p in problems if is_error(p)]
    with scratch_namespace("ipc") as ns:
        loaded = ns_run(ns, "iptables-restore", stdin=restore)
        assert loaded.returncode == 0, loaded.stderr
    with scratch_namespace("ipcnft") as ns:
        loaded = nft_load(ns, write(tmp_path, "out.nft", nft_text))
        assert loaded.returncode == 0, loaded.stderr
    return restore, nft_text


@pytest.mark.parametrize("path, marks", [
    ("policy-routing/example5-fwmark.sh", [("192.168.1.0/24", None, 0x10), ("192.168.2.0/24", None, 0x2)]),
    ("policy-routing/example7-combined.sh", [("192.168.2.32/27", "172.18.0.0/16", 0x3),
                                             ("192.168.2.64/28", "10.10.0.0/16", 0x2),
                                             ("192.168.1.64/28", "172.18.0.0/16", 0x1)]),
])
def test_fwmark_corpus_becomes_mark_rules(tmp_path, path, marks):
    restore, nft_text = loads(tmp_path, corpus(path), path)
    rules = [line for line in restore.splitlines() if line.startswith("-A")]
    expected = [f"-A PREROUTING -s {source}{f' -d {dest}' if dest else ''} -p tcp -m tcp --dport 80 "
                f"-j MARK --set-xmark {mark:#x}/0xffffffff" for source, dest, mark in marks]
    assert rules == expected  # -I input puts the later rule first
    assert nft_text.count("meta mark set") == len(marks)
    assert "hook prerouting priority mangle" in nft_text


def test_redundant_isp_corpus_translates_and_loads(tmp_path):
    # as printed the script appends to INPUT/OUTPUT, which ipchains does not have (chains are lowercase)
    script = corpus("redundant-isp/firewall-ipchains.sh")
    script = script.replace("-A INPUT", "-A input").replace("-A OUTPUT", "-A output")
    restore, nft_text = loads(tmp_path, script, "firewall-ipchains.sh")
    assert "-A PREROUTING -d 63.89.102.157/32 -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT" in restore
    assert "-A PREROUTING -d 63.89.102.157/32 -i eth1 -p tcp -m tcp --dport 1024:65535 " \
           "! --tcp-flags SYN,RST,ACK SYN -j ACCEPT" in restore
    assert "-A POSTROUTING -p icmp -m icmp --icmp-type 11 -j ACCEPT" in restore
    # as printed, every command fails: no chain INPUT
    _, problems = translate_script(corpus("redundant-isp/firewall-ipchains.sh"), "f.sh", "iptables", "modern")
    assert len(problems) == 17 and all(is_error(p) for p in problems)


# DENY of a port on input (which saw forwarded packets too), REJECT in a user chain, MASQ on forward.
ROUTER = """\
ipchains -P forward DENY
ipchains -N svc
ipchains -A input -p tcp -d 0/0 5555 -j DENY
ipchains -A input -p tcp -j svc
ipchains -A svc -p tcp -d 0/0 2222 -j DENY
ipchains -A forward -s 10.0.0.0/24 -i eth1 -j MASQ
"""
PROBES = [("client", "server", 80), ("client", "server", 5555), ("server", "client", 8080),
          ("client", "router", 5555), ("client", "router", 22), ("server", "router", 2222),
          ("server", "router", 22), ("client", "server", "ping")]


def behaviour(tmp_path, script: str, style: str) -> tuple[list, list]:
    restore, problems = translate_script(script, "router.sh", "iptables", "modern", style)
    assert not [p for p in problems if is_error(p)]
    nft_text, _ = translate_script(script, "router.sh", "nft", "modern", style)
    with routed_network("ipc") as network:
        loaded = ns_run(network["router"], "iptables-restore", stdin=restore)
        assert loaded.returncode == 0, loaded.stderr
        with_iptables = probe(network, PROBES)
    with routed_network("ipcnft") as network:
        loaded = nft_load(network["router"], write(tmp_path, "router.nft", nft_text))
        assert loaded.returncode == 0, loaded.stderr
        with_nft = probe(network, PROBES)
    return with_iptables, with_nft


def test_faithful_router_behaves_as_2_2(tmp_path):
    with_iptables, with_nft = behaviour(tmp_path, ROUTER, "faithful")
    assert with_nft == with_iptables
    assert with_iptables == [
        (True, ("63.89.102.157",)),  # forwarded and masqueraded; the replies come back through FORWARD DROP
        (False, None),  # input DENYs port 5555 of forwarded packets too
        (False, None),  # forward's policy DENY
        (False, None), (True, ("10.0.0.2", "63.89.102.1")), (False, None),  # router:22 saw both peers
        (True, ("10.0.0.2", "63.89.102.1")), (True, None),
    ]


def test_conventional_router_and_its_notes(tmp_path):
    with_iptables, with_nft = behaviour(tmp_path, ROUTER, "conventional")
    assert with_nft == with_iptables
    # at INPUT, the port 5555 rule no longer sees forwarded packets
    assert [reached for reached, _ in with_iptables] == [True, True, False, False, True, False, True, True]
    _, problems = translate_script(ROUTER, "router.sh", "iptables", "modern", "conventional")
    notes = [str(p) for p in problems]
    assert "router.sh:3:10: warning: conventional style: input's rules and policy are at INPUT, so they no longer " \
           "see forwarded packets (2.2's input saw every inbound packet, before routing)" in notes
    assert not any(is_error(p) for p in problems)


def run_cli(tmp_path, text: str, *options: str) -> subprocess.CompletedProcess:
    path = write(tmp_path, "in.sh", text)
    code = "from pyip.cli.translate import command; command()()"
    return subprocess.run([sys.executable, "-c", code, path, *options], capture_output=True, text=True, timeout=60)


NEVER_SILENT = """\
ipchains -A input -p tcp -d 0/0 22 -j ACCEPT
ipchains -A input -p tcp -d 0/0 23 -m +1
ipchains -A input -p tcp -d 0/0 24 -j REJECT
ipchains -A output -p tcp -d 0/0 25 -j REJECT
ipchains -P output REJECT
"""


@pytest.mark.parametrize("target", ["iptables", "nft", "nft-json"])
def test_never_silent(tmp_path, target):
    result = run_cli(tmp_path, NEVER_SILENT, "--to", target)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    tool = "iptables" if target == "iptables" else "nftables"
    assert lines[0].endswith(f"no {tool} equivalent: -m +1 (iptables' MARK sets, ORs, ANDs or XORs the mark; it "
                             "cannot add to it): this action is left out, the rest of the rule is kept")
    if target == "iptables":
        # input (mangle PREROUTING) cannot reject; output runs where it can: filter OUTPUT for locally made
        # packets, output-routed (where forward's ACCEPTs go) for forwarded ones
        errors = [line for line in lines if ": error: " in line]
        assert [line.split(": error: ")[0].rsplit("in.sh:", 1)[1] for line in errors] == ["2:10", "3:10"]
        assert errors[1].endswith("no iptables equivalent: REJECT cannot stand in mangle PREROUTING (the kernel "
                                  "allows it in the filter table only); the rule drops instead")
        assert any("in.sh:4:10: warning: output: REJECT works in the filter table only, so output runs at filter "
                   "OUTPUT (locally made packets) and in the chain output-routed, where forward's ACCEPTs go "
                   "(forwarded ones), as 2.2 ran output after forward" in line for line in lines)
        assert result.stdout.count("# pyip: left out: ") == 2
        assert "-A PREROUTING -p tcp -m tcp --dport 24 -j DROP" in result.stdout
        assert "iptables -t filter -P OUTPUT DROP\n" in result.stdout  # --to iptables: commands
        assert "iptables -t filter -A FORWARD -g output-routed\n" in result.stdout
        assert "iptables -t filter -A output-routed -p tcp -m tcp --dport 25 -j REJECT --reject-with " \
               "icmp-port-unreachable\niptables -t filter -A output-routed -j REJECT --reject-with " \
               "icmp-port-unreachable\niptables -t filter -A output-routed -j DROP\n" in result.stdout
    else:
        # nft rejects on prerouting, where input runs; output, which cannot reject on postrouting, runs on
        # the output and forward hooks, exactly (nothing masquerades)
        errors = [line for line in lines if ": error: " in line]
        assert [line.split(": error: ")[0].rsplit("in.sh:", 1)[1] for line in errors] == ["2:10"]
        assert any(line.endswith("warning: output: nft cannot REJECT on postrouting, so output runs on the output "
                                 "hook (locally made packets) and on the forward hook after forward (forwarded "
                                 "ones), before masquerading; the same as 2.2, as no rule of output tests the "
                                 "source masquerading rewrites") and "in.sh:4:10" in line for line in lines)
    if target == "nft":
        assert result.stdout.count("# pyip: left out: ") == 1
        assert "tcp dport 24 counter reject\n" in result.stdout
        assert "chain output-local {\n\t\ttype filter hook output priority filter; policy drop;\n" \
               "\t\tip protocol tcp tcp dport 25 counter reject\n\t\tcounter reject\n" in result.stdout
        assert "chain output-routed {\n\t\ttype filter hook forward priority 10; policy drop;" in result.stdout
    if target != "nft-json":
        assert "# pyip: left out: -m +1 (iptables' MARK sets" in result.stdout
    if target != "iptables":
        # with masquerading, an output rule that tests the source keeps forwarded packets on postrouting,
        # where REJECT drops (a warning); locally made ones reject on the output hook
        masq = run_cli(tmp_path, NEVER_SILENT + "ipchains -A forward -s 10.0.0.0/24 -j MASQ\n"
                       "ipchains -A output -s 10.0.0.0/24 -j ACCEPT\n", "--to", target)
        assert [line for line in masq.stderr.splitlines() if ": error: " in line] == [lines[0]]
        assert f"in.sh:4:10: warning: output: nft cannot REJECT on postrouting, and the rule at {tmp_path}/in.sh:7:10 " \
               "tests the source masquerading rewrites: locally made packets go through output on the output hook " \
               "(where REJECT rejects, as 2.2), forwarded ones after masquerading on postrouting, where a REJECT " \
               "drops them without the ICMP error 2.2 sent" in masq.stderr
        if target == "nft":
            assert "chain output {\n\t\ttype filter hook postrouting priority 110; policy drop;\n" \
                   "\t\tmeta iif 0 accept\n\t\tip protocol tcp tcp dport 25 counter drop\n" in masq.stdout
        # a user chain reached from output that rejects cannot be jumped to from postrouting: refused
        chained = run_cli(tmp_path, "ipchains -N rej\nipchains -A rej -j REJECT\nipchains -A output -j rej\n"
                          "ipchains -A forward -s 10.0.0.0/24 -j MASQ\nipchains -A output -s 10.0.0.0/24 -j ACCEPT\n",
                          "--to", target)
        assert chained.returncode == 1
        assert [line.split(": error: ")[1] for line in chained.stderr.splitlines() if ": error: " in line] == [
            "no nftables equivalent: REJECT cannot stand in the postrouting chain `rej' (nft rejects on the "
            "postrouting hook, and output cannot run before masquerading on the output and forward hooks instead: "
            f"the rule at {tmp_path}/in.sh:5:10 tests the source masquerading rewrites); the rule drops instead"]
    partial = run_cli(tmp_path, NEVER_SILENT, "--to", target, "--allow-partial")
    assert partial.returncode == 0 and partial.stdout == result.stdout and partial.stderr == result.stderr
    # conventional: REJECT stands in filter, only -m +1 is left out
    conventional = run_cli(tmp_path, NEVER_SILENT, "--to", target, "--style", "conventional")
    assert conventional.returncode == 1
    assert [line for line in conventional.stderr.splitlines() if ": error: " in line] == [lines[0]]
    if target == "iptables":
        assert conventional.stdout.endswith(  # --to iptables: commands, policies last
            "iptables -t filter -A OUTPUT -p tcp -m tcp --dport 25 -j REJECT --reject-with icmp-port-unreachable\n"
            "iptables -t filter -A OUTPUT -j REJECT --reject-with icmp-port-unreachable\n"
            "iptables -t filter -P INPUT ACCEPT\niptables -t filter -P FORWARD ACCEPT\n"
            "iptables -t filter -P OUTPUT DROP\n")


def test_warnings_alone_exit_0(tmp_path):
    result = run_cli(tmp_path, "ipchains -A input -p tcp -d 0/0 22 -j DENY\n", "--to", "iptables",
                     "--style", "conventional")
    assert result.returncode == 0
    assert ": warning: conventional style: input's rules" in result.stderr
    assert "-A INPUT -p tcp -m tcp --dport 22 -j DROP" in result.stdout


def test_side_actions_and_chain_copies(tmp_path):
    script = """\
ipchains -N common
ipchains -A input -j common
ipchains -A forward -j common
ipchains -A common -i eth0 -p icmp -s 0/0 3:4 -d 0/0 1:2 -l -t 0x01 0x10 -m 7 -o 128 -j ACCEPT
ipchains -A forward -i eth0 -p icmp -s 0/0 3:4 -t 0x01 0x10
ipchains -A common -p udp -s 0/0 0:1023 -j DENY
ipchains -A common -p tcp -f
ipchains -A input -p tcp -d 10.0.0.1 80 -j REDIRECT 8080
ipchains -P forward MASQ
"""
    restore, nft_text = loads_with_notes(tmp_path, script)
    for line in (
            "-A common-input -i eth0 -p icmp -m icmp --icmp-type 3/2 -j LOG --log-level 6",
            "-A common-input -i eth0 -p icmp -m icmp --icmp-type 4/1 -j TOS --set-tos 0x10/0xfe",
            "-A common-input -i eth0 -p icmp -m icmp --icmp-type 3/1 -j MARK --set-xmark 0x7/0xffffffff",
            "-A common-input -i eth0 -p icmp -m icmp --icmp-type 4/2 -j NFLOG --nflog-size 128",
            "-A common-forward -o eth0 -p icmp -m icmp --icmp-type 3/2 -j LOG --log-level 6",
            "-A FORWARD -o eth0 -p icmp -m icmp --icmp-type 3 -j TOS --set-tos 0x10/0xfe",
            "-A common-forward -p udp -m udp --sport 0:1023 -j DROP",
            "-A common-input -p tcp -f",
            "-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080",
            "-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT",
            "-A POSTROUTING -j MASQUERADE",
            ":FORWARD ACCEPT [0:0]"):
        assert line in restore, line


def loads_with_notes(tmp_path, script: str) -> tuple[str, str]:
    restore, problems = translate_script(script, "s.sh", "iptables", "modern")
    errors = [str(p) for p in problems if is_error(p)]
    # TOS works in mangle only: the forward copy of `common' (filter) cannot hold it
    assert errors == ["s.sh:4:10: error: no iptables equivalent: -t in a user chain of the filter table (TOS works "
                      "in mangle only)"]
    nft_text, problems = translate_script(script, "s.sh", "nft", "modern")
    # nft sets TOS in any chain, so both copies of `common' take it (four ICMP variants each), but never
    # exactly: bit 0x02 is lost
    assert [str(p) for p in problems if is_error(p)] == [
        f"s.sh:{line}:10: error: no exact nftables equivalent: TOS --set-tos 0x10/0xfe: `ip dscp set' replaces "
        "bits 2-7 (0xfc) whole, but it changes bit 0x02 (ECN)" for line in (4,) * 8 + (5, 5)]
    with scratch_namespace("ipcn") as ns:
        loaded = ns_run(ns, "iptables-restore", stdin=restore)
        assert loaded.returncode == 0, loaded.stderr
    with scratch_namespace("ipcn2") as ns:
        loaded = nft_load(ns, write(tmp_path, "s.nft", nft_text))
        assert loaded.returncode == 0, loaded.stderr
        assert "redirect to :8080" in ns_run(ns, "nft", "list", "ruleset").stdout
    return restore, nft_text


# Straight to nft, each chain sits on its 2.2 hook: output after masquerading, REJECT on input.
HOOKS = """\
ipchains -A forward -s 10.0.0.0/24 -i eth1 -j MASQ
ipchains -A output -p tcp -s 63.89.102.157 -d 63.89.102.1 7000 -j DENY
ipchains -A input -p tcp -d 0/0 2222 -j REJECT
"""


def refused(ns: str, host: str, port: int) -> bool:
    """Did the connection get an answer that refuses it (a REJECT), rather than nothing (a DROP)?"""
    code = (f"import socket, sys\ntry: socket.create_connection(({host!r}, {port}), timeout=2)\n"
            "except ConnectionRefusedError: sys.exit(3)\nexcept OSError: sys.exit(4)")
    return ns_run(ns, sys.executable, "-c", code).returncode == 3


def refused_with_listener(network: dict, port: int) -> bool:
    """refused() from the client to the router's PORT while the router listens there, so that a refusal
    can only come from the firewall."""
    listener = listen(network["router"], [port])
    try:
        return refused(network["client"], "10.0.0.1", port)
    finally:
        stop(listener)


def test_nft_chains_run_on_2_2_hooks(tmp_path):
    restore, problems = translate_script(HOOKS, "hooks.sh", "iptables", "modern")
    assert [str(p) for p in problems if is_error(p)] == [
        "hooks.sh:3:10: error: no iptables equivalent: REJECT cannot stand in mangle PREROUTING (the kernel allows "
        "it in the filter table only); the rule drops instead"]
    assert any("mangle POSTROUTING runs before masquerading" in str(p) for p in problems)
    nft_text, problems = translate_script(HOOKS, "hooks.sh", "nft", "modern")
    assert not [p for p in problems if is_error(p)]
    assert "type filter hook postrouting priority 110; policy accept;" in nft_text
    probes = [("client", "server", 7000), ("client", "server", 80), ("router", "server", 7000)]
    with routed_network("ipch") as network:
        assert nft_load(network["router"], write(tmp_path, "hooks.nft", nft_text)).returncode == 0
        with_nft = probe(network, probes)
        rejects = refused_with_listener(network, 2222)
    # 2.2's output saw the forwarded packet masqueraded (source 63.89.102.157): DENY holds for the client too
    assert [reached for reached, _ in with_nft] == [False, True, False]
    assert rejects  # REJECT on the prerouting hook answers, as 2.2's input did
    with routed_network("ipchi") as network:
        assert ns_run(network["router"], "iptables-restore", stdin=restore).returncode == 0
        with_iptables = probe(network, probes)
        drops = not refused_with_listener(network, 2222)
    # the iptables mapping tests the source before masquerading, and drops instead of rejecting (both reported)
    assert [reached for reached, _ in with_iptables] == [True, True, False]
    assert drops


IPCHAINS_SAVED = """\
# /etc/sysconfig/ipchains, as ipchains-save wrote it
:input DENY
:forward DENY
:output ACCEPT
:acct -
-A input -s 0/0 -d 0/0 22 -p tcp -y -j ACCEPT
-A input -i lo -j ACCEPT
-A input -j acct
-A acct -p icmp
-A forward -s 10.0.0.0/24 -i eth1 -j MASQ
"""


def test_ipchains_save_file_translates(tmp_path):
    restore, nft_text = loads(tmp_path, IPCHAINS_SAVED, "ipchains.saved")
    assert ":PREROUTING DROP [0:0]" in restore
    assert "-A PREROUTING -p tcp -m tcp --dport 22 --tcp-flags SYN,RST,ACK SYN -j ACCEPT" in restore
    assert "-A POSTROUTING -s 10.0.0.0/24 -o eth1 -j MASQUERADE" in restore
    assert "chain input {\n\t\ttype filter hook prerouting priority mangle; policy drop;" in nft_text
    # the CLI finds the format by itself, and positions what does not read
    result = run_cli(tmp_path, IPCHAINS_SAVED + "-A input -p foo\n", "--to", "nft")
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if ": error: " in line] == [
        f"{tmp_path}/in.sh:11:13: error: unknown protocol `foo' specified"]
    assert "# pyip: left out: " in result.stdout and "chain acct {" in result.stdout


def test_the_example_firewall_translates_and_loads(tmp_path):
    path = Path(__file__).resolve().parents[1] / "examples" / "firewall-ipchains.sh"
    restore, nft_text = loads(tmp_path, path.read_text(), str(path))
    assert "-A POSTROUTING -s 10.0.0.0/24 -o eth2 -j MASQUERADE" in restore
    assert "chain output {\n\t\ttype filter hook postrouting priority 110; policy accept;" in nft_text


def test_a_router_rejecting_in_output_rejects_through_iptables(tmp_path):
    """To iptables, output's REJECT stands at filter OUTPUT and in output-routed, after forward: the same
    verdicts as the live ipchains and nft give (tests/test_ipchains_live.py)."""
    from .test_ipchains_live import REJECTING_ROUTER, refused_by_firewall

    restore, problems = translate_script(REJECTING_ROUTER, "rc.firewall", "iptables-restore", "modern")
    assert not [p for p in problems if is_error(p)]
    with routed_network("ipcrej") as network:
        loaded = ns_run(network["router"], "iptables-restore", stdin=restore)
        assert loaded.returncode == 0, loaded.stderr
        verdicts = probe(network, [("client", "server", 80)])
        forwarded = refused_by_firewall(network, "server", 7000)  # forward accepts, output rejects
        local = refused_by_firewall(network, "router", 7000)
    assert verdicts == [(True, ("63.89.102.157",))]
    assert forwarded and local


@pytest.mark.parametrize("reached_from", ["input", "input forward"])
def test_a_chain_nothing_reaches_may_jump_to_one_that_is_reached(tmp_path, reached_from):
    """`orphan` is never jumped to, and jumps to `acct`, which input (and forward, on another interface:
    two copies) reach.  Found by the live-ipchains property test: the translator had no name for
    acct seen from an unreached chain.  Both translations must load in the real tools; the live
    ipchains (the same translator, direct to nft) must take the commands."""
    jumps = "".join(f"ipchains -A {chain} -i eth{n} -j acct\n" for n, chain in enumerate(reached_from.split()))
    script = f"ipchains -N acct\nipchains -N orphan\n{jumps}ipchains -A orphan -j acct\n"
    loads(tmp_path, script)
    restore, problems = translate_script(script, "script.sh", "iptables", "modern")
    if "-A orphan -j acct" not in restore:  # input's copy stands in mangle: the jump is left out, and said
        assert any("orphan' is reached by no chain" in str(problem) for problem in problems), problems
    with scratch_namespace("ipcorphan") as ns:
        live = [ns_run(ns, sys.executable, "-m", "pyip", "ipchains", *line.split()[1:]) for line in script.splitlines()]
        assert [done.returncode for done in live] == [0] * len(live), [done.stderr for done in live]
