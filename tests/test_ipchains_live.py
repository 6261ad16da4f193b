"""ipchains on today's kernel (pyip.ipchains_live), against the kernel itself: legacy scripts run through
the shims with the real shell in namespaces; the kernel's nft ruleset is compared with what
`pyip translate --to nft` loads; real packets get 2.2's verdicts; `ipchains -L` is compared with
the text ipchains 1.3.10 printed; a stale transaction is refused by the kernel, not applied."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from pyip.translators.ipchains_iptables import is_error, translate_script

from .test_translate_ipchains import PROBES, ROUTER
from .translate_oracle import nft_load, ns_run, probe, routed_network, scratch_namespace

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "firewall-ipchains.sh"


def shims(tmp_path) -> str:
    directory = tmp_path / "shims"
    done = subprocess.run([sys.executable, "-m", "pyip", "shims", str(directory)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return str(directory)


def in_ns(ns: str, shim_dir: str, script: str) -> subprocess.CompletedProcess:
    """`sh -c SCRIPT` in the namespace with the shims first on PATH, as a legacy boot script runs."""
    return ns_run(ns, "env", f"PATH={shim_dir}:{os.environ['PATH']}", "sh", "-c", script)


def ipchains(ns: str, shim_dir: str, *args: str) -> subprocess.CompletedProcess:
    return ns_run(ns, f"{shim_dir}/ipchains", *args)


def nft_rules(ns: str) -> dict:
    """Each hooked or user chain's rules as nft's JSON expressions, without counters or comments; the nat
    chains by hook (pyip translate puts them in table ip nat, the live ipchains in its own table)."""
    ruleset = json.loads(ns_run(ns, "nft", "-j", "list", "ruleset").stdout)["nftables"]
    hooks = {(c["chain"]["table"], c["chain"]["name"]): c["chain"].get("hook")
             for c in ruleset if "chain" in c}
    rules: dict = {}
    for item in ruleset:
        rule = item.get("rule")
        if rule is None:
            continue
        nat = rule["table"] == "nat" or rule["chain"].startswith("nat-")
        key = f"nat {hooks[rule['table'], rule['chain']]}" if nat else rule["chain"]
        expr = [e for e in rule["expr"] if "counter" not in e]
        if expr:  # the live table's policy counters are counters alone
            rules.setdefault(key, []).append(expr)
    return rules


def test_router_script_through_the_shims_behaves_as_2_2(tmp_path):
    script = tmp_path / "rc.firewall"
    script.write_text(ROUTER)
    shim_dir = shims(tmp_path)
    with routed_network("live") as network:
        ran = in_ns(network["router"], shim_dir, f"sh {script}")
        assert ran.returncode == 0, ran.stderr
        verdicts = probe(network, PROBES)
        live = nft_rules(network["router"])
        masquerading = ipchains(network["router"], shim_dir, "-M", "-L", "-n")
    # -M -L: conntrack's source-NAT entries in ipchains' columns, the client's connection to the server's
    # port 80 among them (closed, still tracked)
    lines = masquerading.stdout.splitlines()
    assert lines[:2] == ["IP masquerading entries", "prot expire   source               destination          ports"]
    assert any(line.startswith("TCP  ") and " 10.0.0.2             63.89.102.1          " in line
               and line.endswith(") -> 80") for line in lines[2:]), lines
    # the verdicts tests/test_translate_ipchains.py establishes for 2.2 (input saw forwarded packets,
    # MASQ on forward, replies through forward's DENY)
    assert verdicts == [
        (True, ("63.89.102.157",)), (False, None), (False, None),
        (False, None), (True, ("10.0.0.2", "63.89.102.1")), (False, None),
        (True, ("10.0.0.2", "63.89.102.1")), (True, None),
    ]
    nft_text, problems = translate_script(ROUTER, "rc.firewall", "nft", "modern")
    assert not [p for p in problems if is_error(p)]
    (tmp_path / "router.nft").write_text(nft_text)
    with scratch_namespace("livetr") as ns:
        assert nft_load(ns, str(tmp_path / "router.nft")).returncode == 0
        translated = nft_rules(ns)
    assert live == translated  # the same kernel rules, whichever way they were loaded


EXPECTED_LISTING = """\
Chain input (policy DENY: 0 packets, 0 bytes):
 pkts bytes target     prot opt    tosa tosx  ifname     mark       outsize  source                destination           ports
    4   336 -          icmp ------ 0xFF 0x00  lo                             0.0.0.0/0             0.0.0.0/0             * ->   *
    4   336 ACCEPT     all  ------ 0xFF 0x00  lo                             0.0.0.0/0             0.0.0.0/0             n/a
    0     0 ACCEPT     tcp  !y---- 0xFF 0x00  eth0                           10.0.0.0/8            192.168.1.1           1024:65535 ->   22
    0     0 acct       all  ------ 0xFF 0x00  *                              0.0.0.0/0             0.0.0.0/0             n/a
    0     0 DENY       icmp ----l- 0xFF 0x00  *                              0.0.0.0/0             0.0.0.0/0             8 ->   *

Chain forward (policy ACCEPT: 0 packets, 0 bytes):
    0     0 MASQ       all  ------ 0xFF 0x00  eth1                           10.0.0.0/24           0.0.0.0/0             n/a

Chain output (policy ACCEPT: 4 packets, 336 bytes):
Chain acct (refcnt = 1):
"""

EXPECTED_SHORT = """\
Chain input (policy DENY):
target     prot opt     source                destination           ports
-          icmp ------  anywhere              anywhere              any ->   any
ACCEPT     all  ------  anywhere              anywhere              n/a
ACCEPT     tcp  !y----  10.0.0.0/8            192.168.1.1           1024:65535 ->   ssh
acct       all  ------  anywhere              anywhere              n/a
DENY       icmp ----l-  anywhere              anywhere              echo-request
"""

COMMANDS = """\
ipchains -P input DENY
ipchains -N acct
ipchains -A input -i lo -p icmp
ipchains -A input -i lo -j ACCEPT
ipchains -A input -i eth0 -p tcp ! -y -s 10.0.0.0/8 1024: -d 192.168.1.1 ssh -j ACCEPT
ipchains -A input -j acct
ipchains -A input -p icmp -s 0/0 echo-request -j DENY -l
ipchains -A forward -i eth1 -s 10.0.0.0/24 -j MASQ
"""


def test_listing_as_ipchains_printed_it_with_the_kernels_counters(tmp_path):
    shim_dir = shims(tmp_path)
    with scratch_namespace("livels") as ns:
        ns_run(ns, "ip", "link", "set", "lo", "up")
        ran = in_ns(ns, shim_dir, COMMANDS)
        assert ran.returncode == 0, ran.stderr
        assert ns_run(ns, "ping", "-c2", "-i0.2", "-W1", "127.0.0.1").returncode == 0
        verbose = ipchains(ns, shim_dir, "-L", "-n", "-v")
        short = ipchains(ns, shim_dir, "-L", "input")
        saved = ns_run(ns, f"{shim_dir}/ipchains-save")
        zeroed = ipchains(ns, shim_dir, "-Z", "input")
        after = ipchains(ns, shim_dir, "-L", "input", "-v", "-x")
    assert verbose.returncode == 0, verbose.stderr
    assert verbose.stdout == EXPECTED_LISTING
    assert short.stdout == EXPECTED_SHORT
    assert saved.stdout.splitlines()[:4] == [":input DENY", ":forward ACCEPT", ":output ACCEPT", ":acct -"]
    assert "-A input -p tcp -s 10.0.0.0/8 1024:65535 -d 192.168.1.1 22 -i eth0 ! -y -j ACCEPT" in saved.stdout
    assert zeroed.returncode == 0
    assert "       4        336 ACCEPT" not in after.stdout and "       0          0 ACCEPT" in after.stdout


def test_ipchains_messages_and_exit_statuses_and_no_change_on_refusal(tmp_path):
    shim_dir = shims(tmp_path)
    with scratch_namespace("liveerr") as ns:
        assert ipchains(ns, shim_dir, "-A", "input", "-s", "1.2.3.4", "-j", "DENY").returncode == 0
        before = ns_run(ns, "nft", "list", "ruleset").stdout
        no_target = ipchains(ns, shim_dir, "-A", "input", "-j", "nosuch")
        no_chain = ipchains(ns, shim_dir, "-A", "nosuch", "-j", "DENY")
        bad_option = ipchains(ns, shim_dir, "-A", "input", "-x")
        unknown = ipchains(ns, shim_dir, "-L", "nosuch")
        no_rule = ipchains(ns, shim_dir, "-D", "input", "-s", "5.6.7.8", "-j", "DENY")
        builtin = ipchains(ns, shim_dir, "-X", "input")
        assert ns_run(ns, "nft", "list", "ruleset").stdout == before  # refused: the kernel holds what it held
    assert (no_target.returncode, no_target.stderr) == (1, "No target by that name\n")
    assert (no_chain.returncode, no_chain.stderr) == (1, "No target by that name\n")
    assert (bad_option.returncode, bad_option.stderr) == (
        2, "ipchains: Illegal option `-x' with this command\nTry `ipchains -h' for more information.\n")
    assert (unknown.returncode, unknown.stderr) == (
        2, "ipchains: unknown chain `nosuch'.\nTry `ipchains -h' for more information.\n")
    assert (no_rule.returncode, no_rule.stderr) == (1, "bad rule (does a matching rule exist in that chain?)\n")
    assert (builtin.returncode, builtin.stderr) == (1, "Device or resource busy\n")


STALE = """\
import sys
from pyip.ipchains_live.command import main
from pyip.ipchains_live.nftlib import Nft, NftError
from pyip.ipchains_live.state import read_model, read_state
from pyip.ipchains_live.transaction import transaction
from pyip.parser.ipchains import parse_ipchains
from pyip.parser.words import Word
nft = Nft()
state = read_state(nft)
model = read_model(state)
model.ruleset.apply(parse_ipchains([Word(w) for w in "ipchains -A input -s 9.9.9.9 -j DENY".split()]))
stale = transaction(state, model.ruleset)
assert main(["-A", "input", "-s", "8.8.8.8", "-j", "DENY"]) == 0  # another change commits first
try:
    nft.run(stale)
except NftError:
    print("refused")
"""


def test_a_stale_transaction_is_refused_and_foreign_rules_stay(tmp_path):
    shim_dir = shims(tmp_path)
    with scratch_namespace("livecc") as ns:
        assert ipchains(ns, shim_dir, "-A", "input", "-s", "1.2.3.4", "-j", "DENY").returncode == 0
        stale = ns_run(ns, sys.executable, "-c", STALE)
        assert stale.stdout == "refused\n", stale.stderr
        # a rule added with nft directly is kept through ipchains' changes and listed as nft shows it
        added = ns_run(ns, "nft", "insert", "rule", "ip", "ipchains", "input", "ip", "daddr", "7.7.7.7", "drop")
        assert added.returncode == 0, added.stderr
        assert ipchains(ns, shim_dir, "-I", "input", "-s", "5.5.5.5", "-j", "ACCEPT").returncode == 0
        assert ipchains(ns, shim_dir, "-D", "input", "2").returncode == 0
        listed = ipchains(ns, shim_dir, "-L", "input", "-n")
        kernel = ns_run(ns, "nft", "list", "chain", "ip", "ipchains", "input").stdout
    assert listed.stdout.splitlines()[2:] == [
        "ACCEPT     all  ------  5.5.5.5               0.0.0.0/0             n/a",
        "DENY       all  ------  8.8.8.8               0.0.0.0/0             n/a",
        "nft:  ip daddr 7.7.7.7 drop  (not an ipchains rule: changed with nft)",
    ]
    assert "9.9.9.9" not in kernel and "ip daddr 7.7.7.7 drop" in kernel


def test_check_packet_save_restore_and_timeouts(tmp_path):
    shim_dir = shims(tmp_path)
    with scratch_namespace("livepk") as ns:
        ran = in_ns(ns, shim_dir, f"sh {EXAMPLE}")
        assert ran.returncode == 0, ran.stderr
        checks = [ipchains(ns, shim_dir, "-C", *packet.split()).stdout for packet in (
            "input -p tcp -s 1.2.3.4 5000 -d 10.0.0.1 22 -i eth1",
            "input -p tcp -s 1.2.3.4 5000 -d 10.0.0.1 23 -i eth1 -y",
            "forward -p tcp -s 10.0.0.5 5000 -d 8.8.8.8 80 -i eth2",
            "forward -p tcp -s 10.0.0.5 5000 -d 8.8.8.8 80 -i eth0",
        )]
        saved = ns_run(ns, f"{shim_dir}/ipchains-save").stdout
        before = nft_rules(ns)
        assert ipchains(ns, shim_dir, "-F").returncode == 0
        assert ipchains(ns, shim_dir, "-P", "input", "ACCEPT").returncode == 0
        restored = ns_run(ns, f"{shim_dir}/ipchains-restore", stdin=saved)
        assert restored.returncode == 0, restored.stderr
        assert nft_rules(ns) == before and ns_run(ns, f"{shim_dir}/ipchains-save").stdout == saved
        ns_run(ns, "conntrack", "-L")  # loads conntrack in the namespace
        timeouts = ipchains(ns, shim_dir, "-M", "-S", "7200", "0", "60")
        tcp = ns_run(ns, "sysctl", "-n", "net.netfilter.nf_conntrack_tcp_timeout_established").stdout.strip()
        udp = ns_run(ns, "sysctl", "-n", "net.netfilter.nf_conntrack_udp_timeout").stdout.strip()
        masq = ipchains(ns, shim_dir, "-M", "-L")
    assert checks == ["packet accepted\n", "packet denied\n", "packet masqueraded\n", "packet denied\n"]
    assert timeouts.returncode == 0 and (tcp, udp) == ("7200", "60")
    assert "every tracked connection" in timeouts.stderr
    assert masq.returncode == 0 and masq.stdout == "IP masquerading entries\n"


def test_save_of_one_chain_and_restore_options(tmp_path):
    """ipchains-save CHAIN, ipchains-restore -p (create the chains rules jump to) and -f (flush the user
    chains first), the usage lines, and a refused file that changes nothing in the kernel."""
    shim_dir = shims(tmp_path)
    with scratch_namespace("livesr") as ns:
        for command in ("-N svc", "-A svc -p tcp -d 0/0 80 -j ACCEPT", "-A input -j svc", "-A input -s 1.2.3.4 -j DENY"):
            assert ipchains(ns, shim_dir, *command.split()).returncode == 0, command
        save = lambda *args: ns_run(ns, f"{shim_dir}/ipchains-save", *args)  # noqa: E731
        restore = lambda text, *args: ns_run(ns, f"{shim_dir}/ipchains-restore", *args, stdin=text)  # noqa: E731
        one = save("svc")
        missing, usage = save("nosuch"), save("-x")
        before = nft_rules(ns)
        refused = [restore(":input ACCEPT\n-A input -j newc\n"), restore("garbage line\n"), restore("", "-z")]
        unchanged = nft_rules(ns)
        created = restore(":input ACCEPT\n-A input -j newc\n", "-p")
        after_p = save().stdout
        flushed = restore(":input DENY\n-A input -s 5.6.7.8 -j REJECT\n", "-f")
        after_f = save().stdout
    assert one.returncode == 0 and one.stdout == ":svc -\n-A svc -p tcp -d 0.0.0.0/0 80 -j ACCEPT\n"
    assert (missing.returncode, missing.stderr) == (1, "ipchains-save: no chain `nosuch'\n")
    assert (usage.returncode, usage.stderr) == (1, "Usage: ipchains-save [chain] [-v]\n")
    assert [(r.returncode, r.stderr) for r in refused] == [
        (1, "ipchains-restore: line 2: No target by that name\n"),
        (1, "ipchains-restore: line 1: a rule line starts with -A\n"),
        (1, "Usage: ipchains-restore [-f] [-v] [-p]\n")]
    assert unchanged == before
    assert created.returncode == 0 and ":newc -" in after_p.splitlines() and "-A input -j newc" in after_p
    assert "-A svc -p tcp -d 0.0.0.0/0 80 -j ACCEPT" in after_p  # without -f the other chains stay
    assert flushed.returncode == 0, flushed.stderr
    assert after_f == ":input DENY\n:forward ACCEPT\n:output ACCEPT\n-A input -s 5.6.7.8 -j REJECT\n"


def test_shims_are_whole_executable_scripts(tmp_path):
    shim_dir = Path(shims(tmp_path))
    assert sorted(p.name for p in shim_dir.iterdir()) == ["ip", "ipchains", "ipchains-restore", "ipchains-save"]
    for shim in shim_dir.iterdir():
        assert shim.stat().st_mode & stat.S_IXUSR
        assert shim.read_text().startswith("#!/bin/sh\n")
    # `pyip ipchains` is the same program
    done = subprocess.run([sys.executable, "-m", "pyip", "ipchains", "-h", "icmp"], capture_output=True, text=True)
    assert done.returncode == 0 and "\necho-reply (pong)\n" in done.stdout


def test_shims_written_before_the_cli_package_still_run(tmp_path):
    """A shim `pyip shims` wrote before pyip.cli existed names pyip.ipchains_live.entry; after an
    upgrade it must run as before, without the user writing the shims again."""
    old = tmp_path / "ipchains"
    old.write_text("#!/bin/sh\n# ipchains for legacy scripts, written by `pyip shims`: pyip runs it on this kernel.\n"
                   f"exec {sys.executable} -c 'import sys; from pyip.ipchains_live.entry import run_as; "
                   "sys.exit(run_as(\"ipchains\", sys.argv[1:]))' \"$@\"\n")
    old.chmod(0o755)
    done = subprocess.run([str(old), "-h", "icmp"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "\necho-reply (pong)\n" in done.stdout


# A 2.2 router that rejects in output: output sees forwarded and local packets; nft cannot reject on
# postrouting, so output runs on the output and forward hooks (nothing in it tests the source).
REJECTING_ROUTER = """\
EXTIF=eth1
INTIF=eth0
INTNET=10.0.0.0/24
ipchains -P forward DENY
ipchains -A forward -s $INTNET -i $EXTIF -j MASQ
ipchains -A forward -p tcp -d $INTNET 7000 -i $INTIF -j ACCEPT
ipchains -A output -i $EXTIF -d $INTNET -l -j REJECT
ipchains -A output -p tcp -i $INTIF -d $INTNET 7000 -j REJECT
"""


def refused_by_firewall(network: dict, source: str, port: int) -> bool:
    """Is a connection from SOURCE to the client's PORT refused while the client listens there?"""
    from .test_translate_ipchains import refused
    from .translate_oracle import listen, stop

    listener = listen(network["client"], [port])
    try:
        return refused(network[source], "10.0.0.2", port)
    finally:
        stop(listener)


def test_a_router_rejecting_in_output_runs_and_rejects(tmp_path):
    script = tmp_path / "rc.firewall"
    script.write_text(REJECTING_ROUTER)
    shim_dir = shims(tmp_path)
    with routed_network("liverej") as network:
        ran = in_ns(network["router"], shim_dir, f"sh {script}")
        assert ran.returncode == 0, ran.stderr
        verdicts = probe(network, [("client", "server", 80)])
        forwarded = refused_by_firewall(network, "server", 7000)  # forward accepts, output rejects
        local = refused_by_firewall(network, "router", 7000)
        listed = ipchains(network["router"], shim_dir, "-L", "output", "-n", "-v", "-x")
        live = nft_rules(network["router"])
    assert verdicts == [(True, ("63.89.102.157",))]  # masqueraded; output does not touch it
    assert forwarded and local
    # both hooks counted: one SYN forwarded, one made locally (and each retry nothing more: refused at once)
    assert "       2        120 REJECT     tcp" in listed.stdout, listed.stdout
    nft_text, problems = translate_script(REJECTING_ROUTER, "rc.firewall", "nft", "modern")
    assert not [p for p in problems if is_error(p)]
    (tmp_path / "router.nft").write_text(nft_text)
    with scratch_namespace("liverejtr") as ns:
        assert nft_load(ns, str(tmp_path / "router.nft")).returncode == 0
        assert nft_rules(ns) == live


CORPUS_SCRIPT = Path("/work/shared/corpus/redundant-isp/firewall-ipchains.sh")


def test_corpus_script_runs_unchanged_and_fixed(tmp_path):
    shim_dir = shims(tmp_path)
    fixed = tmp_path / "fixed.sh"
    fixed.write_text(CORPUS_SCRIPT.read_text().replace("-A INPUT", "-A input").replace("-A OUTPUT", "-A output"))
    with scratch_namespace("livecorp") as ns:
        # as printed: every command names a chain ipchains does not have; the shell goes on after each
        as_printed = in_ns(ns, shim_dir, f"sh {CORPUS_SCRIPT}; echo done")
        assert ipchains(ns, shim_dir, "-L", "input", "-n").stdout == "Chain input (policy ACCEPT):\n"
        ran = in_ns(ns, shim_dir, f"sh {fixed}")
        listed = ipchains(ns, shim_dir, "-L", "-n")
    assert as_printed.stdout == "done\n"
    assert as_printed.stderr == "No target by that name\n" * 17
    assert ran.returncode == 0, ran.stderr
    rules = listed.stdout.splitlines()
    ports = [21, 22, 25, 53, 80, 113, 389, 443]
    assert rules[:10] == ["Chain input (policy ACCEPT):",
                          "target     prot opt     source                destination           ports"] + [
        f"ACCEPT     tcp  ------  0.0.0.0/0             63.89.102.157         * ->   {port}" for port in ports]
    assert rules[10:12] == [
        "ACCEPT     tcp  !y----  0.0.0.0/0             63.89.102.157         * ->   1024:65535",
        "ACCEPT     udp  ------  0.0.0.0/0             63.89.102.157         * ->   1024:65535"]
    assert rules[-7:] == [f"ACCEPT     icmp ------  0.0.0.0/0             0.0.0.0/0             {t} ->   *"
                          for t in (0, 3, 4, 5, 8, 11, 12)]


def test_resident_shim_answers_as_the_plain_one(tmp_path):
    """`pyip shims --resident`: a bash shim hands each call to the namespace's resident pyip; every answer
    (stdout, stderr, exit status) and the kernel's rules are those of the plain shim."""
    plain = shims(tmp_path)
    resident = str(tmp_path / "resident")
    done = subprocess.run([sys.executable, "-m", "pyip", "shims", "--resident", resident],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shim = Path(resident, "ipchains").read_text()
    assert shim.startswith("#!/bin/bash\n")
    # a copy that cannot run anything itself: each of its answers comes from the resident pyip
    served_only = tmp_path / "served-only"
    served_only.mkdir()
    lines = shim.splitlines()
    assert lines[-1].startswith("exec ")
    (served_only / "ipchains").write_text("\n".join(lines[:-1] + ["exit 99"]) + "\n")
    (served_only / "ipchains").chmod(0o755)
    calls = [line.split()[1:] for line in COMMANDS.splitlines()] + [
        ["-A", "input", "-j", "nosuch"], ["-A", "input", "-x"], ["-L", "nosuch"], ["-D", "input", "9"],
        ["-A", "input", "-s", "a b", "-j", "DENY"], ["-L", "-n", "-v"], ["-L"], ["-h", "icmp"]]
    answers = {}
    for name, shim_dir in (("plain", plain), ("resident", resident)):
        with scratch_namespace(f"liveres{name[0]}") as ns:
            ipchains(ns, shim_dir, "-N", "warm")  # the resident shim starts its server here
            if name == "resident":
                wait_for_server(ns)
                shim_dir = str(served_only)
            answers[name] = [ipchains(ns, shim_dir, *call) for call in calls]
            rules = nft_rules(ns)
        answers[name] = ([(a.returncode, a.stdout, a.stderr) for a in answers[name]], rules)
    assert answers["resident"] == answers["plain"]
    assert [status for status, _, _ in answers["plain"][0][8:12]] == [1, 2, 2, 1]


def wait_for_server(ns: str, seconds: float = 30) -> int:
    """The pid of the resident pyip of the namespace, once it listens."""
    import time

    from pyip.ipchains_live.server import BASE

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for link in Path(BASE).glob("*/*/netns"):
            try:
                if os.path.samefile(link, f"/run/netns/{ns}"):
                    return int(link.parent.name)
            except OSError:
                continue
        time.sleep(0.05)
    raise AssertionError("the resident pyip did not start")


# The IP Masquerade HOWTO's "stronger" 2.2 ruleset, in its shape: REJECT policies everywhere, an output
# chain that tests the masqueraded source (`-s $EXTIP` accepts what masquerading rewrote).
STRONG = """\
#!/bin/sh
EXTIF="eth1"
INTIF="eth0"
EXTIP="63.89.102.157"
INTNET="10.0.0.0/24"
UNIVERSE="0.0.0.0/0"
ipchains -F input
ipchains -P input REJECT
ipchains -A input -i $INTIF -s $INTNET -d $UNIVERSE -j ACCEPT
ipchains -A input -i $EXTIF -s $INTNET -d $UNIVERSE -l -j REJECT
ipchains -A input -i lo -s $UNIVERSE -d $UNIVERSE -j ACCEPT
ipchains -A input -i $EXTIF -s $UNIVERSE -d $EXTIP/32 -j ACCEPT
ipchains -A input -s $UNIVERSE -d $UNIVERSE -l -j REJECT
ipchains -F output
ipchains -P output REJECT
ipchains -A output -i $INTIF -s $UNIVERSE -d $INTNET -j ACCEPT
ipchains -A output -i $EXTIF -s $UNIVERSE -d $INTNET -l -j REJECT
ipchains -A output -i $EXTIF -s $INTNET -d $UNIVERSE -l -j REJECT
ipchains -A output -i $EXTIF -s $EXTIP/32 -d $UNIVERSE -j ACCEPT
ipchains -A output -i lo -s $UNIVERSE -d $UNIVERSE -j ACCEPT
ipchains -A output -s $UNIVERSE -d $UNIVERSE -l -j REJECT
ipchains -F forward
ipchains -P forward DENY
ipchains -A forward -i $EXTIF -s $INTNET -j MASQ
ipchains -A forward -s $UNIVERSE -d $UNIVERSE -l -j REJECT
"""


def test_the_howto_stronger_ruleset_runs_with_2_2_verdicts(tmp_path):
    from .test_translate_ipchains import refused

    script = tmp_path / "rc.firewall"
    script.write_text(STRONG)
    shim_dir = shims(tmp_path)
    with routed_network("livestr") as network:
        ran = in_ns(network["router"], shim_dir, f"sh {script}")
        verdicts = probe(network, [("client", "server", 80), ("client", "router", 22), ("server", "router", 22),
                                   ("server", "client", 80), ("router", "client", "ping")])
        ns_run(network["router"], "ip", "route", "add", "192.0.2.0/24", "dev", "eth0")
        local_rejected = refused(network["router"], "192.0.2.9", 80)  # output's last rule, made locally
        listed = ipchains(network["router"], shim_dir, "-L", "output", "-n")
        live = nft_rules(network["router"])
    assert ran.returncode == 0, ran.stderr
    assert verdicts == [
        (True, ("63.89.102.157",)),  # masqueraded: output (after masquerading) accepts -s $EXTIP
        (True, ("10.0.0.2", "63.89.102.1")), (True, ("10.0.0.2", "63.89.102.1")),  # router:22 from both sides
        (False, None),  # input REJECTs what comes in on eth1 for the inside
        (True, None),
    ]
    assert local_rejected
    assert listed.stdout.splitlines()[2:] == [
        "ACCEPT     all  ------  0.0.0.0/0             10.0.0.0/24           n/a",
        "REJECT     all  ----l-  0.0.0.0/0             10.0.0.0/24           n/a",
        "REJECT     all  ----l-  10.0.0.0/24           0.0.0.0/0             n/a",
        "ACCEPT     all  ------  63.89.102.157         0.0.0.0/0             n/a",
        "ACCEPT     all  ------  0.0.0.0/0             0.0.0.0/0             n/a",
        "REJECT     all  ----l-  0.0.0.0/0             0.0.0.0/0             n/a",
    ]
    nft_text, problems = translate_script(STRONG, "rc.firewall", "nft", "modern")
    assert not [p for p in problems if is_error(p)]
    (tmp_path / "strong.nft").write_text(nft_text)
    with scratch_namespace("livestrtr") as ns:
        assert nft_load(ns, str(tmp_path / "strong.nft")).returncode == 0
        assert nft_rules(ns) == live
