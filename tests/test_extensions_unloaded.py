"""SECMARK, nfacct, LED, CLUSTERIP, ipvs and ULOG against the installed iptables, in namespaces made here.

The kernel these tests run on lacks LED, CLUSTERIP (gone since Linux 6.3),
IPVS and ULOG (gone since 3.17), and has no LSM that maps SECMARK contexts,
so the oracle is split the way iptables itself works:

- iptables reads every option before the kernel sees the rule: a bad one is
  refused with exit 2 and its message, which pyip must give too;
- a rule it reads and the kernel then refuses for want of the module exits
  4 (RULE_APPEND failed); there the saved words are those of the
  extension's C save function (libxt_LED.c's LED_save(), ...), written out
  below, and iptables-restore --test must read pyip's restore file back.
  Where the kernel does load the rule (an LSM for SECMARK, IPVS built in),
  iptables-save itself is the expectation;
- nfacct's kernel side is here: with the accounting objects made by the
  nfacct tool, iptables-save is the oracle of the whole round trip.
"""

from __future__ import annotations

import os
import shlex

import pytest

from .netns import run
from .peer_iptables import External, TCase, judge_t, ns_shell, oracle_for_steps, pyip_restore, scratch

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

TRIGGER = '--led-trigger-id "foo"'
MAC = "01:AA:7B:47:F7:D7"

# (table, chain, rule after -A CHAIN, the rule as the extension's C save function prints it)
READ = [
    ("filter", "INPUT", "-j LED --led-trigger-id foo", "-j LED " + TRIGGER),
    ("filter", "INPUT", "-j LED --led-trigger-id 'a\"b\\c' --led-delay 42 --led-always-blink",
     '-j LED --led-trigger-id "a\\"b\\\\c" --led-delay 42 --led-always-blink'),
    ("filter", "OUTPUT", "-j LED --led-trigger-id '' --led-delay 0", '-j LED --led-trigger-id ""'),
    ("filter", "OUTPUT", "-j LED --led-trigger-id 0123456789abcdef --led-delay 0x10",
     '-j LED --led-trigger-id "0123456789abcdef" --led-delay 16'),
    # LED_save() prints `--led-delay -1` here, which iptables-restore refuses: pyip writes `inf` (see led.py)
    ("filter", "FORWARD", "-j LED --led-trigger-id x --led-delay Infinity", '-j LED --led-trigger-id "x" --led-delay inf'),
    ("filter", "INPUT", f"-d 10.31.3.236/32 -i lo -j CLUSTERIP --new --hashmode sourceip-sourceport "
                        f"--clustermac {MAC.lower()} --total-nodes 16 --local-node 16",
     f"-d 10.31.3.236/32 -i lo -j CLUSTERIP --new --hashmode sourceip-sourceport --clustermac {MAC} "
     "--total-nodes 16 --local-node 16 --hash-init 0"),
    ("filter", "INPUT", f"-d 10.0.0.1 -j CLUSTERIP --hash-init 0xffffffff --local-node 2 --total-nodes 3 "
                        f"--clustermac {MAC} --hashmode sourceip-sourceport-destport --new",
     f"-d 10.0.0.1/32 -j CLUSTERIP --new --hashmode sourceip-sourceport-destport --clustermac {MAC} "
     "--total-nodes 3 --local-node 2 --hash-init 4294967295"),
    ("filter", "INPUT", "-d 10.0.0.1 -j CLUSTERIP", "-d 10.0.0.1/32 -j CLUSTERIP"),
    ("filter", "INPUT", "-m ipvs --ipvs --vproto udp", "-m ipvs --vproto 17"),
    ("filter", "INPUT", "-m ipvs ! --vaddr 10.1.2.3/255.0.255.0 --vport 70000 --vdir reply ! --vmethod masq "
                        "--vportctl ftp",
     "-m ipvs ! --vaddr 10.1.2.3 --vport 4464 --vdir REPLY ! --vmethod MASQ --vportctl 21"),
    ("filter", "FORWARD", "-m ipvs --vaddr 10.1.2.3/8 --vproto all", "-m ipvs --vproto 0 --vaddr 10.1.2.3/8"),
    ("filter", "FORWARD", "-m ipvs --vaddr localhost/16", "-m ipvs --vaddr 127.0.0.1/16"),  # getaddrinfo()'s
    ("filter", "FORWARD", "-m ipvs ! --vaddr 10.1", "-m ipvs ! --vaddr 10.0.0.1"),  # inet_aton()'s short form
    ("filter", "INPUT", "-j ULOG", "-j ULOG"),
    ("filter", "INPUT", "-j ULOG --ulog-qthreshold 50 --ulog-cprange 0x100 --ulog-nlgroup 32 --ulog-prefix 'a b'",
     '-j ULOG --ulog-prefix "a b" --ulog-nlgroup 32 --ulog-cprange 256 --ulog-qthreshold 50'),
    ("filter", "INPUT", "-j ULOG --ulog-nlgroup 1 --ulog-qthreshold 1 --ulog-cprange 0 --ulog-prefix " + "p" * 40,
     "-j ULOG --ulog-prefix " + "p" * 31),
    ("mangle", "INPUT", "-j SECMARK --selctx system_u:object_r:ssh_packet_t:s0",
     "-j SECMARK --selctx system_u:object_r:ssh_packet_t:s0"),
    ("security", "OUTPUT", "-j SECMARK --selctx " + "c" * 300, "-j SECMARK --selctx " + "c" * 255),
    # SECMARK_save() prints `--selctx a b"c`, which iptables-restore refuses: pyip quotes it (see secmark.py)
    ("mangle", "FORWARD", "-j SECMARK --selctx 'a b\"c'", '-j SECMARK --selctx "a b\\"c"'),
]

# (table, chain, rule): iptables refuses each while it reads the options (exit 2), before any kernel check
REFUSED = [
    ("filter", "INPUT", "-j LED"),
    ("filter", "INPUT", "-j LED --led-trigger-id 0123456789abcdefg"),
    ("filter", "INPUT", "-j LED --led-trigger-id x --led-delay -1"),
    ("filter", "INPUT", "-j LED --led-trigger-id x --led-delay 4294967296"),
    ("filter", "INPUT", "-j LED --led-trigger-id x --led-delay in"),
    ("filter", "INPUT", "-j LED --led-trigger-id x ! --led-always-blink"),
    ("filter", "INPUT", "-j LED --led-trigger-id x --led-delay 1 --led-delay 2"),
    ("filter", "INPUT", "-j CLUSTERIP --new --hashmode foo"),
    ("filter", "INPUT", "-j CLUSTERIP --new --hashmode sourceip --clustermac 00:AA:7B:47:F7:D7"),
    ("filter", "INPUT", "-j CLUSTERIP --clustermac 01:AA:7B:47:F7"),
    ("filter", "INPUT", "-j CLUSTERIP --clustermac 01:AAA:7B:47:F7:D7"),
    ("filter", "INPUT", "-j CLUSTERIP --total-nodes 17"),
    ("filter", "INPUT", "-j CLUSTERIP --local-node x"),
    ("filter", "INPUT", "-j CLUSTERIP --hash-init 4294967296"),
    ("filter", "INPUT", "-j CLUSTERIP --new"),
    ("filter", "INPUT", f"-j CLUSTERIP --new --hashmode sourceip --clustermac {MAC} --total-nodes 2 --hash-init 1"),
    ("filter", "INPUT", "-j CLUSTERIP --new --new"),
    ("filter", "INPUT", "-j CLUSTERIP ! --new"),
    ("filter", "INPUT", "-m ipvs"),
    ("filter", "INPUT", "-m ipvs ! --ipvs --vproto tcp"),
    ("filter", "INPUT", "-m ipvs --vproto tcp ! --ipvs"),
    ("filter", "INPUT", "-m ipvs --vproto nosuchproto"),
    ("filter", "INPUT", "-m ipvs --vport nosuchport"),
    ("filter", "INPUT", "-m ipvs --vportctl 0x10000"),
    ("filter", "INPUT", "-m ipvs --vdir sideways"),
    ("filter", "INPUT", "-m ipvs ! --vdir REPLY"),
    ("filter", "INPUT", "-m ipvs --vmethod NAT"),
    ("filter", "INPUT", "-m ipvs --vaddr 1.2.3.4/255.255.0.x"),
    ("filter", "INPUT", "-m ipvs --vproto tcp --vproto udp"),
    ("filter", "INPUT", "-j ULOG --ulog-nlgroup 0"),
    ("filter", "INPUT", "-j ULOG --ulog-nlgroup 33"),
    ("filter", "INPUT", "-j ULOG --ulog-prefix ''"),
    ("filter", "INPUT", "-j ULOG --ulog-prefix 'a\nb'"),  # a newline within the quotes
    ("filter", "INPUT", "-j ULOG --ulog-cprange -1"),
    ("filter", "INPUT", "-j ULOG --ulog-cprange 18446744073709551616"),
    ("filter", "INPUT", "-j ULOG --ulog-qthreshold 0"),
    ("filter", "INPUT", "-j ULOG --ulog-qthreshold 51"),
    ("filter", "INPUT", "-j ULOG ! --ulog-prefix x"),
    ("mangle", "INPUT", "-j SECMARK"),
    ("mangle", "INPUT", "-j SECMARK ! --selctx x"),
    ("mangle", "INPUT", "-j SECMARK --selctx a --selctx b"),
    ("filter", "INPUT", "-m nfacct"),
    ("filter", "INPUT", "-m nfacct --nfacct-name ''"),
    ("filter", "INPUT", "-m nfacct --nfacct-name 'a\nb'"),
    ("filter", "INPUT", "-m nfacct ! --nfacct-name test"),
    ("filter", "INPUT", "-m nfacct --nfacct-name a --nfacct-name b"),
]


def added(ns: str, table: str, chain: str, rule: str):
    """The real iptables adds the rule: (exit status, first message, what iptables-save lists for the chain)."""
    result = ns_shell(ns, f"iptables -t {table} -A {chain} {rule}")
    saved = run("ip", "netns", "exec", ns, "iptables-save", "-t", table).stdout
    run("ip", "netns", "exec", ns, "iptables", "-t", table, "-F", chain)
    message = next((line for line in result.stderr.splitlines() if "iptables" in line and "Warning" not in line), "")
    return result.returncode, message, [line for line in saved.splitlines() if line.startswith(f"-A {chain} ")]


@pytest.fixture(scope="module")
def namespace():
    with scratch("unloaded") as ns:
        yield ns


def pyip_command(table: str, chain: str, rule: str) -> str:
    """The rule as a script line for pyip: the same shell words the oracle's sh reads."""
    return f"iptables -t {table} -A {chain} {rule}"


@pytest.mark.parametrize("table, chain, rule, saved", READ)
def test_read_and_saved_as_the_c_save_function_prints(namespace, table, chain, rule, saved):
    status, message, listed = added(namespace, table, chain, rule)
    lines, why = pyip_restore(pyip_command(table, chain, rule))
    assert lines is not None, why
    if status == 0:  # the kernel has the module here: iptables-save is the expectation
        assert lines == listed
        return
    assert status == 4 and "RULE_APPEND failed" in message, (status, message)  # read, then refused by the kernel
    assert lines == [f"-A {chain} {saved}"]
    restore = f"*{table}\n{lines[0]}\nCOMMIT\n"
    loaded = run("ip", "netns", "exec", namespace, "iptables-restore", "--test", stdin=restore)
    assert loaded.returncode == 0, loaded.stderr  # iptables reads pyip's words back


@pytest.mark.parametrize("table, chain, rule", REFUSED)
def test_refused_with_iptables_message(namespace, table, chain, rule):
    status, message, _ = added(namespace, table, chain, rule)
    assert status == 2, (status, message)
    expected = message.split("(nf_tables): ", 1)[1].strip()
    lines, why = pyip_restore(pyip_command(table, chain, rule))
    assert lines is None and why.endswith("error: " + expected), why


# nfacct: the objects exist (made by the nfacct tool), so iptables-save is the oracle of the round trip.
NFACCT = [
    External("nfacct add test"),
    External("nfacct add 'a b\"c'"),
    External("nfacct add " + "n" * 40),  # the tool keeps 31 bytes, as iptables does
    TCase("nfacct", 1, "filter", "INPUT", "-m nfacct --nfacct-name test", "OK"),
    TCase("nfacct", 2, "filter", "OUTPUT", "-m nfacct --nfacct-name 'a b\"c' -j ACCEPT", "OK"),
    TCase("nfacct", 3, "filter", "FORWARD", "-m nfacct --nfacct-name " + "n" * 40, "OK"),
    TCase("nfacct", 4, "mangle", "PREROUTING", "-m nfacct --nfacct-name test -m nfacct --nfacct-name " + "n" * 31,
          "OK"),
    # SECMARK outside mangle and security: the kernel's table check, whatever the LSM
    TCase("secmark", 1, "filter", "INPUT", "-j SECMARK --selctx system_u:object_r:ssh_packet_t:s0", "FAIL"),
    TCase("secmark", 2, "raw", "PREROUTING", "-j SECMARK --selctx x", "FAIL"),
    # CLUSTERIP's local node 0: the kernel's check refused it (ipt_CLUSTERIP.c, "bad local_nodes")
    TCase("clusterip", 1, "filter", "INPUT", f"-d 10.0.0.1 -j CLUSTERIP --new --hashmode sourceip --clustermac {MAC} "
                                              "--total-nodes 2 --local-node 0", "FAIL"),
]


@pytest.fixture(scope="module")
def nfacct_judged():
    return [judge_t(case, oracle) for case, oracle in oracle_for_steps(NFACCT)]


@pytest.mark.parametrize("number", range(len([s for s in NFACCT if isinstance(s, TCase)])))
def test_as_iptables_save_prints_or_refused(nfacct_judged, number):
    result = nfacct_judged[number]
    assert result.verdict in ("same", "rejected"), str(result)
    assert result.verdict == ("same" if result.case.expected == "OK" else "rejected"), str(result)


def test_nfacct_saved_with_iptables_two_spaces():
    """nfacct_save() prints "--nfacct-name " and xtables_save_string() its own space: the shell words stay the same."""
    lines, _ = pyip_restore("iptables -A INPUT -m nfacct --nfacct-name test")
    assert lines == ["-A INPUT -m nfacct --nfacct-name  test"]
    assert shlex.split(lines[0]) == ["-A", "INPUT", "-m", "nfacct", "--nfacct-name", "test"]


# nft: none of the six has an exact equivalent in nft 1.0.6; iptables-translate leaves each as `nft # ...`.
UNTRANSLATED = [
    ("-t mangle -A INPUT -j SECMARK --selctx system_u:object_r:ssh_packet_t:s0", "secmark object"),
    ("-A INPUT -m nfacct --nfacct-name test", "nft's named counters"),
    ("-A INPUT -j LED --led-trigger-id foo", "LED trigger"),
    ("-A INPUT -d 10.0.0.1 -j CLUSTERIP", "removed from Linux 6.3"),
    ("-A INPUT -m ipvs --ipvs", "IPVS connections"),
    ("-A INPUT -j ULOG", "removed from Linux 3.17"),
]


@pytest.mark.parametrize("rule, reason", UNTRANSLATED)
def test_no_nft_translation(namespace, rule, reason):
    from .peer_iptables import pyip_nft

    reference = ns_shell(namespace, f"iptables-translate {rule}")
    assert reference.returncode == 0 and reference.stdout.startswith("nft # "), reference.stdout
    output, why = pyip_nft(f"iptables {rule}\n")
    assert output is None and "no exact nftables equivalent" in why and reason in why, why


@pytest.mark.parametrize("target, version", [("ULOG", "3.17"), ("CLUSTERIP", "6.3")])
def test_lint_says_the_target_is_gone(target, version):
    from pyip.lint import lint

    findings = lint(f"iptables -A INPUT -d 10.0.0.1 -j {target}\n", "script.sh")
    gone = [finding for finding in findings if finding.code == "PI007"]
    assert len(gone) == 1 and f"removed in Linux {version}" in gone[0].message
