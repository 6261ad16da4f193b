"""Findings, fixes and rules: the vocabulary of `pyip lint`.

A rule is a code, a name, a severity, a doc with a bad and a good example,
and a check (ruff's model).  Rules see a Script: every command the shell
would run, with its words and positions, and the ip commands parsed in the
script's dialect and in the other one.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from .. import records

from ..errors import printable

ERROR = "error"
WARNING = "warning"


class Edit(NamedTuple):
    """Replace the text from (line, col) to (line, end_col) on one line (1-based, end exclusive)."""

    line: int
    col: int
    end_col: int
    replacement: str


class Fix(metaclass=records.frozen):
    description: str
    edits: tuple[Edit, ...]


class Finding(metaclass=records.frozen):
    file: str
    line: int
    col: int
    code: str
    name: str
    severity: str
    message: str
    fix: Fix | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.code} {self.severity}: {printable(self.message)}"


class Rule:
    """A lint rule.  Subclasses set the class attributes and implement check().

    The docstring of a rule class is its documentation page: what it finds,
    why it matters, a bad and a good example (rendered by `pyip lint
    --explain CODE` and into man/pyip-lint.1).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = ERROR
    fixable: ClassVar[bool] = False

    def check(self, script) -> list[Finding]:
        raise NotImplementedError

    def finding(self, script, location, message: str, severity: str | None = None,
                fix: Fix | None = None) -> Finding:
        return Finding(location.file if location.file != "-" else script.file, location.line, location.col,
                       self.code, self.name, severity or self.severity, message, fix)


RULES: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the catalog under its code."""
    if rule.code in RULES:
        raise ValueError(f"duplicate rule code {rule.code}")
    RULES[rule.code] = rule
    return rule
