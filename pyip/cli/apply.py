"""`pyip apply [--to nft|iptables] [-n NETNS] [--timeout S] [--check] FILE [ARG]...`: translate and load, or roll back.

Like iptables-apply: FILE (a script, an iptables-save or ipchains-save
file; ARGs are the script's $1...) is translated as `pyip translate` does,
refused whole if anything has no exact equivalent, and loaded in one
transaction (`nft -f`: each table the ruleset names is replaced; or
`iptables-restore`).  The ruleset it replaces is kept; unless the user
answers `y` within the timeout (a remote administrator locked out by the
new rules cannot), the previous one is loaded back, also in one
transaction.  `--check` only asks the kernel whether it would load
(`nft -c`, `iptables-restore --test`).  Exit status: 0 applied and
confirmed (or checked), 1 refused, failed to load, or rolled back.
"""

from __future__ import annotations

import argparse
import re
import select
import shlex
import subprocess
import sys

from ..ast import firewall as fw
from ..errors import Location, is_error
from ..line_endings import shell_lines

TABLE_LINE = re.compile(r"^table (\w+) (\S+) \{$", re.M)
DEFAULT_TIMEOUT = 10.0


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="pyip apply", description="Translate FILE (a script, whose $1... are the ARGs, or a save file) and "
        "load it in one transaction; load the replaced ruleset back unless `y' is answered within the timeout.")
    parser.add_argument("--to", choices=("nft", "iptables"), default="nft")
    parser.add_argument("-n", "--netns", help="load into this network namespace")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="seconds to wait for the confirmation (default 10)")
    parser.add_argument("--check", action="store_true", help="only test that the ruleset would load")
    parser.add_argument("--style", choices=("faithful", "conventional"), default="faithful")
    parser.add_argument("-D", "--define", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("file")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


class Kernel:
    """The tools, run in the namespace if one is given."""

    def __init__(self, netns: str | None):
        self.prefix = ["ip", "netns", "exec", netns] if netns else []

    def run(self, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([*self.prefix, *command], input=stdin, capture_output=True, text=True)


def main(argv: list[str]) -> int:
    options = arguments(argv)
    try:
        with open(options.file, "rb") as file:
            raw = file.read().decode("utf-8", "surrogateescape")
    except OSError as error:
        sys.stderr.write(f"pyip apply: {options.file}: {error.strerror}\n")
        return 1
    text, endings = shell_lines(raw, options.file)
    if endings is not None:  # the real run of the file fails on every such line: apply nothing
        sys.stderr.write(f"{endings}\npyip apply: nothing applied: 1 error(s) above\n")
        return 1
    ruleset = translated(text, options)
    if ruleset is None:
        return 1
    kernel = Kernel(options.netns)
    loader = NftLoader(kernel, ruleset) if options.to == "nft" else IptablesLoader(kernel, ruleset)
    if options.check:
        return loader.check()
    return apply(loader, options.timeout)


def translated(text: str, options) -> str | None:
    """The ruleset text, or None after printing why nothing is applied."""
    from ..translators.pipeline import translate

    shift = 0
    if options.args:  # the script's $1...: a first line `set -- ARG...`, reported lines put back
        text = "set -- " + " ".join(shlex.quote(a) for a in options.args) + "\n" + text
        shift = 1
    defines = dict(item.split("=", 1) for item in options.define if "=" in item)
    target = "nft" if options.to == "nft" else "iptables-restore"
    output, problems = translate(text, options.file, target, "modern", options.style, defines)
    for problem in problems:
        where = problem.location
        problem.location = Location(where.file, max(1, where.line - shift), where.col)
        sys.stderr.write(f"{problem}\n")
    errors = [p for p in problems if is_error(p)]
    if errors:
        sys.stderr.write(f"pyip apply: nothing applied: {len(errors)} error(s) above\n")
        return None
    return output


def apply(loader, timeout: float) -> int:
    previous = loader.save()
    sys.stdout.write("Applying new ruleset... ")
    sys.stdout.flush()
    loaded = loader.load()
    if loaded.returncode != 0:
        sys.stdout.write("failed.\n")
        sys.stderr.write(loaded.stderr)
        return 1
    sys.stdout.write("done.\nCan you establish NEW connections to the machine? (y/N) ")
    sys.stdout.flush()
    answer = confirmation(timeout)
    if answer is not None and answer.strip().lower() in ("y", "yes"):
        sys.stdout.write("... then my job is done. See you next time.\n")
        return 0
    sys.stdout.write("\nTimeout. Something happened (or did not). Better play it safe...\n" if answer is None
                     else "\nNo confirmation. Better play it safe...\n")
    sys.stdout.write("Reverting to old ruleset... ")
    sys.stdout.flush()
    reverted = loader.restore(previous)
    if reverted.returncode != 0:
        sys.stdout.write("failed.\n")
        sys.stderr.write(reverted.stderr)
        return 1
    sys.stdout.write("done.\n")
    return 1


def confirmation(timeout: float) -> str | None:
    """A line from standard input within the timeout; None if none came (EOF is an answer: no)."""
    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
    except (ValueError, OSError):
        return ""
    if not ready:
        return None
    return sys.stdin.readline()


class NftLoader:
    """Each table the new ruleset names is replaced whole, in one `nft -f` transaction."""

    def __init__(self, kernel: Kernel, ruleset: str):
        self.kernel, self.ruleset = kernel, ruleset
        self.tables = TABLE_LINE.findall(ruleset)

    def replacing(self) -> str:
        return "".join(f"add table {family} {name}\ndelete table {family} {name}\n" for family, name in self.tables)

    def check(self) -> int:
        done = self.kernel.run("nft", "-c", "-f", "-", stdin=self.replacing() + self.ruleset)
        sys.stderr.write(done.stderr)
        if done.returncode == 0:
            sys.stdout.write("The new ruleset would load.\n")
        return 0 if done.returncode == 0 else 1

    def save(self) -> str:
        """The tables as they are now (those that exist)."""
        saved = []
        for family, name in self.tables:
            listed = self.kernel.run("nft", "list", "table", family, name)
            if listed.returncode == 0:
                saved.append(listed.stdout)
        return "".join(saved)

    def load(self) -> subprocess.CompletedProcess:
        return self.kernel.run("nft", "-f", "-", stdin=self.replacing() + self.ruleset)

    def restore(self, previous: str) -> subprocess.CompletedProcess:
        return self.kernel.run("nft", "-f", "-", stdin=self.replacing() + previous)


class IptablesLoader:
    """iptables-restore replaces each table the file names; rolling back, a table that was not there is
    emptied (policies ACCEPT) and the saved ones are restored."""

    def __init__(self, kernel: Kernel, ruleset: str):
        self.kernel, self.ruleset = kernel, ruleset
        self.tables = re.findall(r"^\*(\w+)$", ruleset, re.M)

    def check(self) -> int:
        done = self.kernel.run("iptables-restore", "--test", stdin=self.ruleset)
        sys.stderr.write(done.stderr)
        if done.returncode == 0:
            sys.stdout.write("The new ruleset would load.\n")
        return 0 if done.returncode == 0 else 1

    def save(self) -> str:
        return self.kernel.run("iptables-save").stdout

    def load(self) -> subprocess.CompletedProcess:
        return self.kernel.run("iptables-restore", stdin=self.ruleset)

    def restore(self, previous: str) -> subprocess.CompletedProcess:
        present = set(re.findall(r"^\*(\w+)$", previous, re.M))
        added = [table for table in self.tables if table not in present]
        empty = "".join(f"*{table}\n" + "".join(f":{chain} ACCEPT [0:0]\n" for chain in fw.TABLES.get(table, ()))
                        + "COMMIT\n" for table in added)
        done = self.kernel.run("iptables-restore", stdin=empty + previous)
        if done.returncode == 0 and added and "nf_tables" in self.kernel.run("iptables", "-V").stdout:
            # iptables-nft keeps an emptied table; the kernel held none before: delete it as well
            self.kernel.run("nft", "-f", "-", stdin="".join(f"delete table ip {table}\n" for table in added))
        return done
