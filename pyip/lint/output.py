"""Findings as text, JSON, or SARIF 2.1.0 (for code-scanning tools)."""

from __future__ import annotations

import json

from ..errors import printable
from .model import RULES, Finding


def as_text(findings: list[Finding]) -> str:
    return "".join(f"{finding}\n" for finding in findings)


def finding_data(finding: Finding) -> dict:
    fix = None
    if finding.fix is not None:
        fix = {"description": finding.fix.description,
               "edits": [{"line": e.line, "column": e.col, "end_column": e.end_col, "replacement": e.replacement}
                         for e in finding.fix.edits]}
    return {"file": finding.file, "line": finding.line, "column": finding.col, "code": finding.code,
            "name": finding.name, "severity": finding.severity, "message": printable(finding.message), "fix": fix}


def as_json(findings: list[Finding]) -> str:
    return json.dumps([finding_data(f) for f in findings], indent=2, ensure_ascii=False) + "\n"


def as_sarif(findings: list[Finding]) -> str:
    from .. import __version__

    rules = [{"id": code, "name": rule.name,
              "shortDescription": {"text": summary(rule)},
              "fullDescription": {"text": doc(rule)},
              "defaultConfiguration": {"level": rule.severity}}
             for code, rule in sorted(RULES.items())]
    results = [{"ruleId": f.code, "level": f.severity, "message": {"text": f.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.file},
                                                    "region": {"startLine": f.line, "startColumn": f.col}}}],
                **({"fixes": [sarif_fix(f)]} if f.fix else {})}
               for f in findings]
    log = {"version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "pyip", "version": __version__, "rules": rules}},
                     "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def sarif_fix(finding: Finding) -> dict:
    return {"description": {"text": finding.fix.description},
            "artifactChanges": [{"artifactLocation": {"uri": finding.file},
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
