"""The real iptables (nf_tables, 1.8) as the tests' oracle, always inside a test namespace.

Every call goes through `ip netns exec NS`, so the host's own firewall is
never read or touched.
"""

from __future__ import annotations

import re

import attrs

from .netns import run

VERSION_PREFIX = re.compile(r"^iptables(?:-restore)? v[\d.]+ \(nf_tables\): ?")


@attrs.frozen
class Call:
    """One iptables call's verdict: exit status and stderr."""

    status: int
    stderr: str
    stdout: str = ""

    @property
    def message(self) -> str:
        """iptables' error: the first line with its `iptables vX (nf_tables): ` prefix (which is cut),
        or the line after it when the message starts on a new line; else the first line (warnings
        come without the prefix)."""
        lines = [line for line in self.stderr.splitlines()]
        for index, line in enumerate(lines):
            if VERSION_PREFIX.match(line):
                rest = [VERSION_PREFIX.sub("", line).strip()] + [l.strip() for l in lines[index + 1:]]
                return next((text for text in rest if text), "")
        return next((line.strip() for line in lines if line.strip()), "")


def run_calls(ns: str, lines: list[str]) -> list[Call]:
    """Run shell lines (`iptables ...`) one after the other in the namespace; one shell for all of them."""
    script = ['T=$(mktemp -d)']
    for index, line in enumerate(lines):
        script.append(f'{line} >"$T/o" 2>"$T/e" </dev/null; printf "\\n@@@%d %d\\n" {index} $?; cat "$T/e"; '
                      f'printf "\\n@@@out\\n"; cat "$T/o"')
    script.append('rm -rf "$T"')
    result = run("ip", "netns", "exec", ns, "sh", stdin="\n".join(script))
    calls = {}
    for block in result.stdout.split("\n@@@")[1:]:
        header, _, text = block.partition("\n")
        if header == "out":
            calls[index] = attrs.evolve(calls[index], stdout=text)
            continue
        index, status = map(int, header.split())
        calls[index] = Call(status, text)
    assert len(calls) == len(lines), result.stderr
    return [calls[i] for i in range(len(lines))]


def save(ns: str) -> str:
    """iptables-save without its timestamped comment lines."""
    result = run("ip", "netns", "exec", ns, "iptables-save", check=True)
    return "".join(line + "\n" for line in result.stdout.splitlines() if not line.startswith("#"))


def restore(ns: str, text: str):
    return run("ip", "netns", "exec", ns, "iptables-restore", stdin=text)


def is_parse_rejection(call: Call) -> bool:
    """iptables refused the command before looking at the ruleset (exit 2 or 3, not a missing jump target)."""
    if call.status == 3:
        return True
    return call.status == 2 and not re.fullmatch(r"Chain '.*' does not exist", call.message)
