"""iptables' own extension tests (.t) and translation vectors (.txlate), v1.8.9, as a peer suite.

The files (tests/peer/iptables-1.8.9, see its PROVENANCE) say what
iptables' authors expected; here they only supply the rules.  The oracle is
the installed iptables and nft, run in a namespace made for the purpose:

- .t: each rule line, in each chain of its `:CHAIN,...` line and its
  `*table`, is added with the real `iptables -A`.  When iptables accepts it,
  the lines iptables-save prints for it are what `pyip translate --to
  iptables-restore` must print for the same command; when iptables refuses
  it, pyip must refuse it too.  A rule the file expects to load but the
  installed iptables refuses (a kernel module or an nfacct object this
  machine lacks) is counted apart, as `environment`; so is a rule the file
  expects to fail for kernel state alone (KERNEL_STATE: an nfacct object
  that does not exist) when pyip, reading the rule alone, accepts it.
- .txlate: each `iptables-translate` vector runs through the installed
  iptables-translate (the reference) and through `pyip translate --to nft`;
  both are loaded with `nft -f` into fresh rulesets and the kernel's
  listings compared, rule by rule.  pyip may refuse a rule (with its
  reason) where the reference does not load or iptables-translate refuses
  it; an output that nft refuses is always a failure.

`t_results()` and `txlate_results()` return one verdict per case; the test
(tests/test_peer_iptables.py) and the benchmark (benchmarks/peer_iptables.py)
count them.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import shlex
from pathlib import Path

import attrs

from .netns import run

PEER = Path(__file__).parent / "peer" / "iptables-1.8.9"


# -- the .t files ---------------------------------------------------------------------------


@attrs.frozen
class TCase:
    file: str
    line: int
    table: str
    chain: str
    rule: str  # the iptables arguments after `-A CHAIN`
    expected: str  # the file's OK or FAIL: information only, the installed iptables decides

    @property
    def command(self) -> str:
        return f"iptables -t {self.table} -A {self.chain} {self.rule}"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.command}"


@attrs.frozen
class External:
    """A `@command` or `%command` line: state the following rules need (an nfacct object, a rate estimator)."""

    command: str


def t_files(extension: str | None = None) -> list[Path]:
    """Every .t file, or those of one extension (match and target: libxt_connmark.t, libxt_CONNMARK.t)."""
    return [path for path in sorted(PEER.glob("lib*.t")) if extension is None or of_extension(path, extension)]


def of_extension(path: Path, extension: str) -> bool:
    return path.stem.split("_", 1)[1].lower() == extension.lower()


@attrs.frozen
class Prepared(External):
    """State the file's rules need that iptables-test.py leaves to the machine it runs on: it must be made."""


# The sets libxt_set.t and libxt_SET.t name (iptables asks the kernel for a set while it reads the rule: without
# it, "Set foo doesn't exist."), made with the real ipset in the test namespace before the file's rules.
PREPARED = {"libxt_set.t": ("ipset create foo hash:ip,port",), "libxt_SET.t": ("ipset create foo hash:ip,port",)}


def t_steps(path: Path) -> list:
    """The file's cases and external commands in file order, as iptables-test.py walks them."""
    steps, chains, table = [Prepared(command) for command in PREPARED.get(path.name, ())], [], "filter"
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(":"):
            chains = line[1:].split(",")
        elif line.startswith("*"):
            table = line[1:].strip()
        elif line[0] in "@%":
            steps.append(External(line[1:]))
        else:
            fields = line.split(";")
            steps += [TCase(path.name, number, table, chain, fields[0], fields[2].strip()) for chain in chains]
    return steps


@attrs.frozen
class Oracle:
    status: int
    message: str
    saved: tuple  # iptables-save's lines of the new rule(s)


def ns_shell(ns: str, script: str):
    """A shell in the namespace, without pathname expansion (`-i *` is a name, not the files here)."""
    return run("ip", "netns", "exec", ns, "sh", "-fc", script)


@contextlib.contextmanager
def scratch(tag: str):
    name = f"pyippeer-{tag}-{os.getpid()}"
    run("ip", "netns", "add", name, check=True)
    try:
        run("ip", "-n", name, "link", "set", "lo", "up")
        yield name
    finally:
        run("ip", "netns", "del", name)


def chain_lines(save_text: str, chain: str) -> list[str]:
    return [line for line in save_text.splitlines() if line.startswith(f"-A {chain} ")]


def oracle_for_file(path: Path) -> list[tuple[TCase, Oracle]]:
    """Each case of the file with what the installed iptables does with it, in one fresh namespace."""
    return oracle_for_steps(t_steps(path))


def oracle_for_steps(steps: list) -> list[tuple[TCase, Oracle]]:
    verdicts = []
    with scratch("t") as ns:
        for step in steps:
            if isinstance(step, External):
                made = ns_shell(ns, step.command)
                if isinstance(step, Prepared) and made.returncode != 0:
                    raise RuntimeError(f"{step.command}: {made.stderr.strip()}")
                continue
            before = chain_lines(ns_shell(ns, f"iptables-save -t {step.table}").stdout, step.chain)
            result = ns_shell(ns, f'{step.command}\necho "@@$?"\niptables-save -t {step.table}')
            status_text, _, save_text = result.stdout.partition("\n")
            status = int(status_text.strip("@")) if status_text.startswith("@@") else -1
            added = chain_lines(save_text, step.chain)[len(before):] if status == 0 else []
            verdicts.append((step, Oracle(status, first_message(result.stderr), tuple(added))))
            for _ in added:  # back to the state before, keeping what external commands added
                ns_shell(ns, f"iptables -t {step.table} -D {step.chain} {len(before) + 1}")
    return verdicts


VERSION_PREFIX = re.compile(r"^iptables(?:-restore)? v[\d.]+ \(nf_tables\): ?")


def first_message(stderr: str) -> str:
    lines = [VERSION_PREFIX.sub("", line).strip() for line in stderr.splitlines()]
    return next((line for line in lines if line), "")


@attrs.frozen
class Judged:
    case: object
    verdict: str  # see T_VERDICTS / TXLATE_VERDICTS
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.verdict}: {self.case}" + (f"\n    {self.detail}" if self.detail else "")


# same: accepted, printed as iptables-save prints it; different: accepted, printed otherwise; refused: iptables
# accepts, pyip refuses; rejected: both refuse; accepted: iptables refuses, pyip accepts; environment: see above
T_VERDICTS = ("same", "different", "refused", "rejected", "accepted", "environment", "crash")


def pyip_restore(command: str) -> tuple[list[str] | None, str]:
    """pyip's restore-file lines for one command, or None and why pyip refuses it."""
    from pyip.translators.pipeline import translate
    from pyip.translators.detect import is_error

    try:
        output, problems = translate(command + "\n", "-", "iptables-restore", "modern")
    except Exception as crash:  # a traceback is a defect of its own: counted, never hidden
        return None, f"CRASH {type(crash).__name__}: {crash}"
    errors = [problem for problem in problems if is_error(problem)]
    if errors:
        return None, str(errors[0])
    return [line for line in output.splitlines() if line.startswith("-A ")], ""


# FAIL rules that the kernel refuses for the state it holds, not for their text: pyip reads a rule alone and
# cannot know which objects will exist when it is loaded.  (file, line) -> (the kernel's errno text, why).  Such a
# rule that pyip accepts counts as `environment` only when iptables' refusal is exactly the kernel's one.
KERNEL_STATE = {
    ("libxt_nfacct.t", 8): ("No such file or directory", "no nfacct object `wrong' exists (the file made only "
                                                         "`test'); nfacct objects are kernel state"),
}


def judge_t(case: TCase, oracle: Oracle) -> Judged:
    lines, why = pyip_restore(case.command)
    if why.startswith("CRASH"):
        return Judged(case, "crash", why)
    if oracle.status == 0:
        if lines is None:
            return Judged(case, "refused", f"pyip: {why}")
        if lines == list(oracle.saved):
            return Judged(case, "same")
        return Judged(case, "different", f"iptables-save: {list(oracle.saved)}\n    pyip:          {lines}")
    if case.expected == "OK":
        return Judged(case, "environment", f"iptables (exit {oracle.status}): {oracle.message}")
    if lines is None:
        return Judged(case, "rejected")
    state = KERNEL_STATE.get((case.file, case.line))
    if state is not None and oracle.status == 4 and f"({state[0]})" in oracle.message:
        return Judged(case, "environment", f"iptables (exit 4): {oracle.message}: {state[1]}")
    return Judged(case, "accepted", f"iptables (exit {oracle.status}): {oracle.message}\n    pyip: {lines}")


def t_results(extension: str | None = None) -> list[Judged]:
    return [judge_t(case, oracle) for path in t_files(extension) for case, oracle in oracle_for_file(path)]


# -- the .txlate files ------------------------------------------------------------------------


@attrs.frozen
class XCase:
    file: str
    line: int
    command: str  # `iptables-translate ...`
    expected: tuple  # the file's nft lines: information only, the installed iptables-translate decides

    @property
    def arguments(self) -> list[str]:
        return shlex.split(self.command)[1:]

    @property
    def table(self) -> str:
        args = self.arguments
        return next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-t", "--table")), "filter")

    @property
    def chain(self) -> str | None:
        args = self.arguments
        return next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-A", "-I", "--append", "--insert")),
                    None)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.command}"


def txlate_cases(extension: str | None = None) -> list[XCase]:
    """Each `iptables-translate` line with the `nft` lines under it (ip6tables and ebtables cases passed over)."""
    cases = []
    for path in sorted(PEER.glob("*.txlate")):
        if extension is not None and (path.stem == "generic" or not of_extension(path, extension)):
            continue
        current = None
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith("iptables-translate "):
                current = (number, line, [])
                cases.append((path.name, current))
            elif line.startswith("#") or not line.strip() or line.split()[0].endswith("-translate"):
                current = None
            elif current is not None:
                current[2].append(line)
    return [XCase(file, number, command, tuple(expected)) for file, (number, command, expected) in cases]


def skeleton(table: str, chain: str | None, others: set) -> str:
    """The table and chains the reference's `add rule` lines need: the same for both sides."""
    lines = [f"add table ip {table}"]
    if chain in ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"):
        kind = "nat" if table == "nat" else "route" if (table, chain) == ("mangle", "OUTPUT") else "filter"
        lines.append(f"add chain ip {table} {chain} {{ type {kind} hook {chain.lower()} priority 0; }}")
    elif chain is not None:
        lines.append(f"add chain ip {table} {chain}")
    lines += [f"add chain ip {table} {name}" for name in sorted(others - {chain})]
    return "\n".join(lines) + "\n"


def nft_commands(output: str) -> list[str]:
    """iptables-translate's `nft '...'` lines as lines for `nft -f`."""
    return [" ".join(shlex.split(line)[1:]) for line in output.splitlines() if line.startswith("nft ")]


def jump_targets(text: str) -> set:
    return set(re.findall(r"\b(?:jump|goto) (\w[\w.-]*)", text))


def listing(ns: str) -> dict | None:
    """`nft list ruleset`, by object: (kind, table, name) -> its lines; a chain's hook line left out, empty ones
    dropped.  None when nft cannot list what it loaded (nft 1.0.6 aborts on a few expressions)."""
    listed = run("ip", "netns", "exec", ns, "nft", "list", "ruleset")
    if listed.returncode != 0:
        return None
    result = listed.stdout
    objects: dict = collections.defaultdict(list)
    table = key = None
    for line in result.splitlines():
        depth, text = len(line) - len(line.lstrip("\t")), line.strip()
        if depth == 0 and text.startswith("table "):
            table = text.split()[2]
        elif depth == 1 and text.endswith("{"):
            kind, name = text.split()[:2]
            key = (kind, table, name)
        elif depth >= 2 and key is not None and not (key[0] == "chain" and text.startswith("type ")):
            objects[key].append(text)
    return {key: lines for key, lines in objects.items() if lines}


def load(ns: str, text: str):
    run("ip", "netns", "exec", ns, "nft", "flush", "ruleset", check=True)
    return run("ip", "netns", "exec", ns, "nft", "-f", "-", stdin=text)


# same: both load, same kernel listing; different: both load, listings differ; corrected: differs from a reference
# known to be wrong (WRONG_REFERENCES); refused: pyip refuses, the reference loads; justified: pyip refuses, and
# iptables itself refuses the rule, or the reference does not exist or does not load; unloadable: nft refuses
# pyip's output; extra: pyip translates what the reference cannot (not counted as good); environment: neither
# loads, this kernel lacking the module for an expression (not counted); declined: pyip refuses a reference that
# loads but is not exact (INEXACT_REFERENCES; not counted as good)
TXLATE_VERDICTS = ("same", "corrected", "different", "refused", "declined", "justified", "unloadable", "extra",
                   "environment", "crash")


def pyip_nft(script: str) -> tuple[str | None, str]:
    from pyip.translators.pipeline import translate
    from pyip.translators.detect import is_error

    try:
        output, problems = translate(script, "-", "nft", "modern")
    except Exception as crash:
        return None, f"CRASH {type(crash).__name__}: {crash}"
    errors = [problem for problem in problems if is_error(problem)]
    return (None, str(errors[0])) if errors else (output, "")


BUILT_IN = ("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING")

# References that nft loads but that do not do what the iptables rule does, and what pyip writes instead.
WRONG_REFERENCES = {
    ("libxt_conntrack.txlate", 19): "iptables-translate prints the masked address in the wrong byte order "
                                    "(0.0.10.100 for 10.100.0.0/16); pyip's `10.100.0.0/16' is the rule",
    ("libxt_length.txlate", 1): "xt_length tests the IPv4 header's total length (`ip length'); `meta length' is "
                                "skb->len, which differs for GSO packets",
    ("libxt_length.txlate", 4): "as libxt_length.txlate:1",
    ("libxt_length.txlate", 7): "as libxt_length.txlate:1",
    ("libxt_length.txlate", 10): "as libxt_length.txlate:1",
    ("libxt_devgroup.txlate", 16): "iptables-translate carries the `!' of --src-group over to --dst-group; the "
                                   "kernel inverts each test on its own",
    ("libxt_CONNMARK.txlate", 7): "`ct mark xor 0x16 and 0xffffffed' clears bits the kernel's (ctmark & ~mask) ^ value "
                                  "sets; pyip writes `ct mark & 0xffffffed ^ 0x16'",
    ("libxt_conntrack.txlate", 46): "xt_conntrack's --ctexpire 3 compares the whole seconds left (3000 to 3999 ms); "
                                    "the reference's `ct expiration 3' one millisecond count, 3000; pyip writes "
                                    "`ct expiration >= 3s ct expiration < 4s'",
    ("libxt_conntrack.txlate", 52): "as libxt_conntrack.txlate:46 (--ctexpire)",
    **{("libxt_time.txlate", line): "the reference's quoted dates and hours are read in nft's own timezone (right "
                                    "only where nft runs in UTC), its date range ends a second early (xt_time "
                                    "compares whole seconds), and without --datestop it matches past "
                                    "2038-01-19T03:14:07, where iptables' default stop date ends the rule; pyip "
                                    "writes UTC seconds: `meta time < 2147483648 meta hour 43200-86399'"
       for line in range(4, 20, 3)},
    **{("libxt_connlimit.txlate", line): "the reference's set holds nft's default 65535 addresses: from the 65536th "
                                         "on nft cannot add the element and the rule does not match, where "
                                         "xt_connlimit counts any number; pyip's set is as large as nft can say "
                                         "(size 4294967295)" for line in (1, 5, 9, 13)},
    ("libxt_CONNMARK.txlate", 22): "nft 1.0.6 keeps only the shift of `( ct mark xor 0x23 and 0xffffff9c ) >> 5' "
                                   "(it lists `ct mark >> 5'); pyip writes `(ct mark & 0xffffff9c ^ 0x23) >> 5'",
}


# References that load but are not exact, where pyip refuses with its reason (counted apart, not as good).
INEXACT_REFERENCES = {
    ("libxt_owner.txlate", 7): "xt_owner's `! --uid-owner' also matches a packet without a socket; nft's skuid != "
                               "matches none of those",
    **{("libxt_cluster.txlate", line): "xt_cluster numbers nodes from 1 (the reference's `eq' is off by one), hashes a "
                                       "related connection's master and sets pkttype host only for a multicast one"
       for line in range(1, 40, 3)},
    **{("libxt_time.txlate", line): "nft's meta day follows the kernel's timezone (sys_tz), xt_time's --weekdays "
                                    "count in UTC" for line in (1, 22, 25)},
    ("libxt_hashlimit.txlate", 1): "xt_hashlimit's byte mode counts 16-byte chunks and spends its burst as whole "
                                   "refills of a second's credit; nft's `limit rate over 20 kbytes/second burst 1 "
                                   "mbytes' is a bucket of bytes",
    ("libxt_hashlimit.txlate", 4): "iptables keeps 300/s as an interval of 3333 us (300.03 packets a second, 108 more "
                                   "an hour); nft's 300/second is 300 (pyip translates rates that are whole "
                                   "intervals, as for -m limit); and the meter holds nft's default 65535 keys, "
                                   "xt_hashlimit's table 8 x 8192",
    ("libxt_sctp.txlate", 40): "nft's `sctp chunk X flags' tests the first chunk of a type, xt_sctp every chunk",
    ("libxt_sctp.txlate", 43): "xt_sctp's `only' refuses every chunk type not listed, also those nft has no "
                               "name for; `exists' of the listed type is no part of it",
}

MISSING_MODULE = "Could not process rule: No such file or directory"  # the kernel has no module for an expression


def user_chains(case: XCase, targets: set) -> list[str]:
    return sorted(targets | ({case.chain} if case.chain and case.chain not in BUILT_IN else set()))


def iptables_refuses(case: XCase, ns: str, chains: list[str]) -> str:
    """Why the real iptables refuses the rule itself (with its chains there), or ""."""
    run("ip", "netns", "exec", ns, "nft", "flush", "ruleset", check=True)
    script = "".join(f"iptables -t {case.table} -N {name}\n" for name in chains)
    result = ns_shell(ns, script + "iptables " + shlex.join(case.arguments))
    return "" if result.returncode == 0 else f"iptables (exit {result.returncode}): {first_message(result.stderr)}"


def judge_txlate(case: XCase, ref_ns: str, pyip_ns: str) -> Judged:
    reference = ns_shell(ref_ns, case.command)
    ref_lines = nft_commands(reference.stdout) if reference.returncode == 0 else []
    chains = user_chains(case, jump_targets(reference.stdout))
    ref_listing, ref_why = None, f"iptables-translate (exit {reference.returncode}): {first_message(reference.stderr)}"
    if ref_lines:
        loaded = load(ref_ns, skeleton(case.table, case.chain, set(chains)) + "\n".join(ref_lines) + "\n")
        if loaded.returncode == 0:
            ref_listing = listing(ref_ns)
            ref_why = "" if ref_listing is not None else "nft cannot list the reference it loaded"
        else:
            ref_why = f"the reference does not load: {loaded.stderr.strip()[:300]}"
    script = "".join(f"iptables -t {case.table} -N {name}\n" for name in chains)
    output, why = pyip_nft(script + "iptables " + shlex.join(case.arguments) + "\n")
    if why.startswith("CRASH"):
        return Judged(case, "crash", why)
    if output is None:
        refusal = iptables_refuses(case, ref_ns, chains)
        justified = ref_listing is None or refusal
        inexact = INEXACT_REFERENCES.get((case.file, case.line))
        verdict = "justified" if justified else "declined" if inexact else "refused"
        return Judged(case, verdict, f"pyip: {why}; {refusal or ref_why or inexact}")
    loaded = load(pyip_ns, output)
    if loaded.returncode != 0 and MISSING_MODULE in loaded.stderr and MISSING_MODULE in ref_why:
        return Judged(case, "environment", f"this kernel lacks the module for both: {ref_why}")
    if loaded.returncode != 0:
        return Judged(case, "unloadable", f"nft: {loaded.stderr.strip()[:300]}\n{output}")
    if ref_listing is None:
        return Judged(case, "extra", ref_why)
    mine = listing(pyip_ns)
    if mine is None:
        return Judged(case, "unloadable", f"nft cannot list what it loaded\n{output}")
    if mine == ref_listing:
        return Judged(case, "same")
    detail = f"reference: {ref_listing}\n    pyip:      {mine}"
    wrong = WRONG_REFERENCES.get((case.file, case.line))
    return Judged(case, "corrected" if wrong else "different", f"{wrong}\n    {detail}" if wrong else detail)


def txlate_results(extension: str | None = None) -> list[Judged]:
    with scratch("ref") as ref_ns, scratch("pyip") as pyip_ns:
        return [judge_txlate(case, ref_ns, pyip_ns) for case in txlate_cases(extension)]


# -- counting ---------------------------------------------------------------------------------


def t_score(results: list[Judged]) -> dict:
    counts = collections.Counter(result.verdict for result in results)
    accepted = counts["same"] + counts["different"] + counts["refused"]
    refused = counts["rejected"] + counts["accepted"]
    return {"accepted": accepted, "same": counts["same"], "refused_by_iptables": refused,
            "refused_by_both": counts["rejected"], "environment": counts["environment"], "crash": counts["crash"],
            "same_percent": percent(counts["same"], accepted),
            "refused_percent": percent(counts["rejected"], refused)}


def txlate_score(results: list[Judged]) -> dict:
    counts = collections.Counter(result.verdict for result in results)
    total = len(results) - counts["environment"]
    good = counts["same"] + counts["corrected"] + counts["justified"]
    return {"cases": total, **{verdict: counts[verdict] for verdict in TXLATE_VERDICTS},
            "good": good, "good_percent": percent(good, total)}


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0
