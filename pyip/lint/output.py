"""Findings as text (one line each, or with the source line and a caret), JSON, or SARIF 2.1.0
(for code-scanning tools).  The JSON and SARIF shapes are documented in pyip-lint(1) and kept
stable: JSON_VERSION changes when a key changes meaning or goes away."""

from __future__ import annotations

import json
import os

from ..errors import printable
from .model import ERROR, RULES, Finding

JSON_VERSION = 1
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
COLOURS = {ERROR: "red", "warning": "yellow"}


def as_text(findings: list[Finding]) -> str:
    return "".join(f"{finding}\n" for finding in findings)


def as_full(findings: list[Finding], sources: dict[str, str], colour: bool = False) -> str:
    """Each finding, the source line under it with a caret at the column, and a summary line
    (nothing at all when there is no finding, as shellcheck does)."""
    import click

    def style(text: str, **how) -> str:
        return click.style(text, **how) if colour else text

    out = []
    lines_of = {file: text.split("\n") for file, text in sources.items() if text is not None}  # once a file:
    # a 50,000-rule script has as many findings, and splitting it for each one was quadratic
    for finding in findings:
        where = style(f"{finding.file}:{finding.line}:{finding.col}:", bold=True)
        severity = style(finding.severity, fg=COLOURS.get(finding.severity), bold=True)
        out.append(f"{where} {style(finding.code, bold=True)} {severity}: {printable(finding.message)}\n")
        line = source_line(lines_of.get(finding.file), finding.line)
        if line is not None:
            out.append(f"  {line}\n  {caret_padding(line, finding.col)}"
                       f"{style('^', fg=COLOURS.get(finding.severity), bold=True)}\n")
    if findings:
        out.append(summary_line(findings) + "\n")
    return "".join(out)


def source_line(lines: list[str] | None, number: int) -> str | None:
    if lines is None:
        return None
    return printable(lines[number - 1].rstrip("\r")) if 0 < number <= len(lines) else None


def caret_padding(line: str, col: int) -> str:
    """Blanks up to the column, tabs kept as tabs so the caret stands under the character."""
    return "".join("\t" if char == "\t" else " " for char in line[:max(col - 1, 0)])


def summary_line(findings: list[Finding]) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    files = len({f.file for f in findings})
    fixable = sum(f.fix is not None for f in findings)
    counted = f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(files, 'file')}"
    return counted + (f" ({fixable} fixable with --fix)" if fixable else "")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def finding_data(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {"description": finding.fix.description,
               "edits": [{"line": e.line, "column": e.col, "end_column": e.end_col, "replacement": e.replacement}
                         for e in finding.fix.edits]}
    return {"file": finding.file, "line": finding.line, "column": finding.col, "code": finding.code,
            "name": finding.name, "severity": finding.severity, "message": printable(finding.message), "fix": fix}


def as_json(findings: list[Finding]) -> str:
    from .. import __version__

    errors = sum(f.severity == ERROR for f in findings)
    document = {"version": JSON_VERSION, "tool": {"name": "pyip", "version": __version__},
                "summary": {"errors": errors, "warnings": len(findings) - errors,
                            "fixable": sum(f.fix is not None for f in findings)},
                "findings": [finding_data(f) for f in findings]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_sarif(findings: list[Finding]) -> str:
    from .. import __version__

    rules = [{"id": code, "name": rule.name,
              "shortDescription": {"text": summary(rule)},
              "fullDescription": {"text": doc(rule)},
              "help": {"text": f"pyip lint --explain {code}; man pyip-lint, section RULES"},
              "defaultConfiguration": {"level": rule.severity},
              "properties": {"fixable": rule.fixable}}
             for code, rule in sorted(RULES.items())]
    index = {code: position for position, code in enumerate(sorted(RULES))}
    results = [{"ruleId": f.code, "ruleIndex": index[f.code], "level": f.severity, "message": {"text": f.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": file_uri(f.file)},
                                                    "region": {"startLine": f.line, "startColumn": f.col}}}],
                **({"fixes": [sarif_fix(f)]} if f.fix else {})}
               for f in findings]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "pyip", "version": __version__, "rules": rules}},
                     "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def file_uri(path: str) -> str:
    """The file as a URI reference, as SARIF requires: `fw one.sh` is `fw%20one.sh`; bytes that are
    not UTF-8 are escaped as the bytes they are."""
    from urllib.parse import quote

    return quote(os.fsencode(path), safe="/")


def sarif_fix(finding: Finding) -> dict:
    return {"description": {"text": finding.fix.description},
            "artifactChanges": [{"artifactLocation": {"uri": file_uri(finding.file)},
                                 "replacements": [{"deletedRegion": {"startLine": e.line, "startColumn": e.col,
                                                                     "endColumn": e.end_col},
                                                   "insertedContent": {"text": e.replacement}}
                                                  for e in finding.fix.edits]}]}


def doc(rule) -> str:
    import inspect

    return inspect.cleandoc(rule.__doc__ or "")


def summary(rule) -> str:
    return doc(rule).split("\n", 1)[0]


def explain(code: str) -> str:
    """A rule's documentation page (`pyip lint --explain CODE`)."""
    rule = RULES[code]
    fix = "yes" if rule.fixable else "no"
    return f"{rule.code} {rule.name} ({rule.severity}; fixable: {fix})\n\n{doc(rule)}\n"
