"""`pyip lint`: find what breaks legacy routing and firewall scripts on today's systems.

    findings = pyip.lint.lint(text, file="firewall.sh", dialect="legacy")
    fixed, count = pyip.lint.apply_fixes(text, findings)

Rules live in pyip/lint/rules/, one module per rule; RULES maps codes to them.
"""

from __future__ import annotations

from ..compat.legacy import MODERN

__all__ = ["lint", "apply_fixes", "RULES", "Finding", "Fix", "Edit", "Rule", "ERROR", "WARNING"]


def __getattr__(name: str):
    """The model's names, loaded on first use: `pyip translate` imports this package for its CLI only."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import model

    return getattr(model, name)


def lint(text: str, file: str = "-", dialect: str = MODERN, *, names=None, rt_tables=None,
         select=None, defines: dict[str, str] | None = None, line_endings: tuple[str, ...] | None = None,
         args=None) -> list[Finding]:
    """Every finding in the script, in source order, each place reported once.  `defines`: values of
    variables the script computes when it runs; `args`: its arguments (pyip.shell.read_script).
    `line_endings`: each line's ending in the file, when `text` has them all as LF
    (pyip.fileio.read_script).  Every path through the script is checked; each finding is reported once."""
    from ..errors import check_api_input
    from ..script import collector_paused

    check_api_input(text, dialect, file)
    with collector_paused():
        return script_findings(text, file, dialect, names, rt_tables, select, defines, line_endings, args)


def script_findings(text: str, file: str, dialect: str, names, rt_tables, select, defines,
                    line_endings=None, args=None) -> list[Finding]:
    from . import rules  # noqa: F401  (registers the rules)
    from ..names import Databases, system
    from .model import RULES
    from .script import read_paths

    if names is None:
        names = Databases.load(rt_tables=rt_tables) if rt_tables else system()
    paths = read_paths(text, file, dialect, names, defines, args)
    # Every rule runs, also those not selected: a parse error a rule explains stays that rule's
    # (PI000 does not report it), whether or not the rule's findings are wanted.
    codes = sorted(RULES)
    findings: dict = {}
    # The rules that reason over the ruleset a run leaves see one path at a time: the rules of
    # `start` and `stop` never meet.  The others read every command of every path once.
    for script in paths:
        check(script, [code for code in codes if code in PATH_RULES], line_endings, findings)
    union = paths[0] if len(paths) == 1 else union_of(paths)
    # PI000 last: a parse error another rule explains is reported by that rule only.
    rest = sorted((code for code in codes if code not in PATH_RULES), key=lambda code: code == "PI000")
    check(union, rest, line_endings, findings)
    from .config import suppressed

    wanted = [finding for finding in findings.values() if select is None or finding.code in select]
    return suppressed(sorted(wanted, key=lambda f: (f.file, f.line, f.col, f.code)), text)


# Rules whose findings depend on which commands ran before (unused tables, deletes of what
# nothing made, shadowed and duplicate rules).
PATH_RULES = frozenset({"PI010", "PI011", "PI016", "PI018"})


def check(script, codes, line_endings, findings: dict) -> None:
    from .model import RULES

    script.line_endings = line_endings
    for code in codes:
        if code == "PI000":
            script.explained = frozenset((f.line, f.col, f.code) for f in findings.values())
        for finding in RULES[code]().check(script):
            findings.setdefault((finding.line, finding.col, finding.code, finding.message), finding)


def union_of(paths: list):
    """One Script with every command of every path, each once, in the order first met."""
    from ..records import evolve

    seen: dict = {}
    for script in paths:
        for command in script.commands:
            seen.setdefault(id(command), command)
    errors = {str(e): e for script in paths for e in script.shell_errors}
    return evolve(paths[0], commands=list(seen.values()), shell_errors=list(errors.values()),
                        claimed=set(), iptables_chains=None)


def apply_fixes(text: str, findings: list[Finding]) -> tuple[str, int]:
    """The text with every fix applied (overlapping edits skipped); and how many fixes."""
    lines = text.split("\n")
    taken: dict[int, list[tuple[int, int]]] = {}
    applied = 0
    edits: list[Edit] = []
    for finding in findings:
        if finding.fix is None:
            continue
        spans = [(edit.line, edit.col, edit.end_col) for edit in finding.fix.edits]
        if any(overlaps(taken.get(line, []), col, end) for line, col, end in spans):
            continue
        for line, col, end in spans:
            taken.setdefault(line, []).append((col, end))
        edits += finding.fix.edits
        applied += 1
    for edit in sorted(edits, key=lambda e: (e.line, e.col, e.end_col), reverse=True):
        line = lines[edit.line - 1]
        lines[edit.line - 1] = line[:edit.col - 1] + edit.replacement + line[edit.end_col - 1:]
    return "\n".join(lines), applied


def overlaps(spans, col: int, end: int) -> bool:
    return any(col < other_end and other_col < end or (col == end == other_col == other_end)
               for other_col, other_end in spans)

