"""The held-out set of issue 10: real public scripts, measured as a new user would meet them.

    python -m tests.realscripts_heldout DIR      (DIR: tests/data/realscripts/fetch.py --heldout DIR)

For each script of tests/data/realscripts/heldout.tsv: a crash (any exception but pyip's own
errors), the share of its commands pyip reads (command lines of ip, iptables or ipchains in the
text, by a plain look at each line, against those pyip finds on some path and hands to the
command readers; how many of those parse without an error is counted too), silence (nothing found and nothing said), and for a script that runs iptables, the
differential: `bash SCRIPT` in a network namespace, in a private mount namespace whose /etc, /var,
/root and /home are throw-away copies, with a PATH of the real iptables and ip and harmless tools
only; pyip's translation loaded in a twin; both compared with iptables-save.  The bar: no crash,
at least 97% read, no silent script, no translation that differs without an error.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

HERE = Path(__file__).parent / "data" / "realscripts"
PROGRAMS = ("ip", "iptables", "ipchains")
# What the sandboxed run may find on its PATH: the real tools under test, and text tools.
SAFE_TOOLS = ("iptables", "iptables-save", "iptables-restore", "ip", "sed", "grep", "awk", "cat", "cut", "tr",
              "head", "tail", "basename", "dirname", "expr", "id", "uname", "seq", "sort", "uniq", "wc", "sleep")
NO_OPS = ("modprobe", "depmod", "rmmod", "insmod", "lsmod", "sysctl", "logger", "service", "systemctl")
# sudo and doas run what follows their options (the run is root already)
RUNNER_STUB = '#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n'


def heldout() -> list[dict]:
    with open(HERE / "heldout.tsv", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def local_name(row: dict) -> str:
    return f"{row['repository']}/{row['path']}".replace("/", "__")


# ------------------------------------------------------------------ what the text holds

_SEGMENT = re.compile(r";|&&|\|\||\|")
_LEADING = re.compile(r"^(?:(?:then|do|else|elif|if|while|until|!|\{|\(|time|sudo(?:\s+-\S+)*|nice(?:\s+-n\s*\S+)?|"
                      r"[A-Za-z_][A-Za-z0-9_]*=\S*)\s+)*")
_ASSIGNED_PROGRAM = re.compile(r"^\s*(?:export\s+|local\s+)?([A-Za-z_][A-Za-z0-9_]*)=[\"']?(?:[\w/.-]*/)?"
                               r"(ip|iptables|ipchains)[\"']?\s*(?:#.*)?$", re.M)


def command_lines(text: str) -> set[int]:
    """Lines that run ip, iptables or ipchains, by a plain look: a program word (or a variable the
    text sets to one) first in a command, after the usual prefixes."""
    variables = {m.group(1) for m in _ASSIGNED_PROGRAM.finditer(text)}
    found = set()
    heredoc = None
    for number, line in enumerate(text.splitlines(), 1):
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        m = re.search(r"<<-?\s*['\"]?(\w+)", line)
        if m:
            heredoc = m.group(1)
        code = line.split(" #", 1)[0].strip()
        if code.startswith("#"):
            continue
        for segment in _SEGMENT.split(code):
            if re.match(r"\s*(?:export\s+|local\s+)?[A-Za-z_][A-Za-z0-9_]*=\S*\s*$", segment):
                continue  # `IPT=/sbin/iptables` names the program, runs nothing
            word = _LEADING.sub("", segment.strip()).split(" ", 1)[0].strip("\"'")
            name = re.fullmatch(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", word)
            if word.rsplit("/", 1)[-1] in PROGRAMS or (name and name.group(1) in variables):
                found.add(number)
                break
    return found


# ------------------------------------------------------------------ what pyip makes of it

def measure(path: Path) -> dict:
    from pyip import command_parser
    from pyip.errors import PyipError, is_error
    from pyip.script import commands_judged, parser_word
    from pyip.shell import read_script
    from pyip.translators.pipeline import translate

    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    wanted = command_lines(text)
    result = {"lines": len(wanted), "crash": "", "read": 0, "parsed": 0, "found": 0, "said": 0}
    try:
        with commands_judged():
            script = read_script(text, str(path), all_paths=True)
        read = set()
        found = set()
        for run in script.paths:
            for command in run.commands:
                found.add(command.line)
                words = [parser_word(w, str(path)) for w in command.words]
                parse = command_parser(words)
                try:
                    if parse is not None:
                        parse(words, "modern", None)
                        read.add(command.line)
                except PyipError:
                    pass
        result["found"] = len(found)
        result["read"] = len(wanted & found)
        result["parsed"] = len(wanted & read)
        result["said"] = len(script.errors) + len(script.warnings) + len(script.undecided) + len(script.failures)
        output, problems = translate(text, str(path), "iptables-restore", "modern")
        result["translation"] = output
        result["problems"] = [str(p) for p in problems]
        result["errors"] = any(map(is_error, problems))
    except Exception:  # noqa: BLE001 - a crash is what is measured
        result["crash"] = traceback.format_exc(limit=3)
    return result


# ------------------------------------------------------------------ the real run, sandboxed

def sandbox_bin(directory: Path) -> Path:
    bin_dir = directory / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in SAFE_TOOLS:
        for prefix in ("/usr/sbin", "/usr/bin", "/sbin", "/bin"):
            if os.path.exists(f"{prefix}/{tool}") and not (bin_dir / tool).exists():
                (bin_dir / tool).symlink_to(f"{prefix}/{tool}")
    for tool, body in [(tool, "#!/bin/sh\nexit 0\n") for tool in NO_OPS] + [("sudo", RUNNER_STUB), ("doas", RUNNER_STUB)]:
        stub = bin_dir / tool
        stub.write_text(body)
        stub.chmod(0o755)
    return bin_dir


def real_run(ns: str, script: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    """bash SCRIPT in NS, with throw-away copies of /etc, /var, /root and /home (its writes go nowhere)."""
    inner = ("set -e; for d in /var /root /home /srv /opt /mnt; do mount -t tmpfs none $d; done; "
             "cp -a /etc /tmp/pyip-etc-$$ 2>/dev/null || true; mount -t tmpfs none /etc; "
             "cp -a /tmp/pyip-etc-$$/. /etc/; rm -rf /tmp/pyip-etc-$$; "
             f"cd /tmp; exec env -i PATH={bin_dir} HOME=/root /bin/bash {script} </dev/null")
    return subprocess.run(["ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private",
                           "sh", "-c", inner], capture_output=True, text=True, timeout=60)


def differential(path: Path, translation: str, errors: bool, bin_dir: Path) -> str:
    from .netns import namespace, run
    from .test_shell_paths import reset, saved

    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    if not re.search(r"\biptables\b|\$\{?IPT", text) or re.search(r"\bipchains\b", text):
        return "no iptables"
    with namespace("pyipho-real") as real, namespace("pyipho-mine") as mine:
        reset(real)
        try:
            real_run(real, path, bin_dir)
        except subprocess.TimeoutExpired:
            return "real run timed out"
        reset(mine)
        loaded = run("ip", "netns", "exec", mine, "iptables-restore", stdin=translation)
        if loaded.returncode != 0:
            return "pyip's output not loaded: " + loaded.stderr.strip()[:80]
        same = saved(real) == saved(mine)
    if same:
        return "equal"
    return "differs, with an error" if errors else "DIFFERS WITHOUT AN ERROR"


def main(directory: str) -> None:
    root = Path(directory)
    rows = heldout()
    totals = {"lines": 0, "read": 0, "parsed": 0}
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        bin_dir = sandbox_bin(Path(tmp))
        for row in rows:
            path = root / local_name(row)
            result = measure(path)
            totals["lines"] += result["lines"]
            totals["read"] += result["read"]
            totals["parsed"] += result["parsed"]
            said = subprocess.run([sys.executable, "-m", "pyip", "parse", str(path)], capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=120)
            silent = not (said.stdout or said.stderr)  # what a user of `pyip parse` sees
            diff = "" if result["crash"] else differential(path, result["translation"], result["errors"], bin_dir)
            share = f"{result['read']}/{result['lines']} ({result['parsed']} parsed)"
            print(f"{row['repository']}:{row['path']}\t{share}\t{'CRASH' if result['crash'] else ''}"
                  f"{'SILENT' if silent else ''}\t{diff}")
            if result["crash"]:
                print(result["crash"], file=sys.stderr)
            if result["crash"] or silent or diff.startswith("DIFFERS WITHOUT"):
                failed.append(row["path"])
    print(f"read {totals['read']}/{totals['lines']} = {100 * totals['read'] / max(1, totals['lines']):.1f}%, "
          f"parsed without an error {totals['parsed']}")
    if failed or totals["read"] < 0.97 * totals["lines"]:
        print(f"the bar is not met: {failed}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1])
