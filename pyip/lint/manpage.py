"""Write man/pyip-lint.1 from the rule catalog: `python -m pyip.lint.manpage > man/pyip-lint.1`.

The rule docstrings are the single source; tests/test_lint_docs.py checks
that the committed page matches them.
"""

from __future__ import annotations

import inspect

HEADER = r""".TH PYIP-LINT 1 "2026-11-23" "pyip 0.1.0" "User Commands"
.SH NAME
pyip\-lint \- find what breaks ip, ipchains and iptables scripts on today's systems
.SH SYNOPSIS
.B pyip lint
.RB [ \-\-format " " text | json | sarif ]
.RB [ \-\-dialect " " legacy | modern ]
.RB [ \-\-fix ]
.RB [ \-\-rt\-tables
.IR FILE ]
.RB [ \-\-select
.IR CODES ]
.RB [ \-D
.IR NAME = VALUE ]
.IR FILE ...
.br
.B pyip lint \-\-explain
.I CODE
.SH DESCRIPTION
.B pyip lint
reads shell scripts as the shell would run them (loops unrolled, functions
called, known variables substituted) and checks every
.BR ip ,
.B ipchains
and
.B iptables
command in them.  Findings are reported where the command stands, also
inside loops and functions, once per place.  A value the script computes at
run time is never guessed, and never causes an error.
.PP
.B \-\-dialect legacy
judges a script by the Linux 2.2/2.4\-era tools it was written for: what
was correct then is at most a warning (advice to migrate).
.B \-\-dialect modern
(the default) judges it by today's tools.
.SH OPTIONS
.TP
.BR \-\-format " " text | json | sarif
.B text
prints
.IB FILE : LINE : COL ": " "CODE severity" ": " message
per finding;
.B json
a list of objects with file, line, column, code, name, severity
.RB ( error | warning ),
message and fix;
.B sarif
a SARIF 2.1.0 log for code\-scanning tools.
.TP
.B \-\-fix
Rewrite the files with every safe fix (PI002, PI003, PI006 in the legacy
dialect, PI007 reject, iplimit and the string match's \-\-algo), leaving the
rest, then report what remains.
A file is rewritten atomically: the fixed text goes to a hidden temporary
file in the same directory, which is synced and renamed over the original,
so a kill or a full disk leaves the original (a kill may leave the hidden
.RI \\&. NAME .XXXXXXXX.pyip
file behind).
The file keeps its mode (and owner and group when run as root), its bytes
that are not UTF\-8 and each line's ending (LF, CRLF or a lone CR).
A symbolic link is not followed: it is reported
.RI ( FILE ": error: a symbolic link ...)"
and left as it is; run
.B \-\-fix
on the file it points to.
A file that changed while it was checked is not rewritten either.
The exit status is 1 when a file could not be rewritten.
A hard link to the file keeps the old text (the rename makes a new file).
.TP
.BI \-\-rt\-tables " FILE"
Read table names from
.I FILE
instead of
.IR /etc/iproute2/rt_tables .
.TP
.BI "\-D, \-\-define " NAME = VALUE
Give the shell variable
.I NAME
the value it has when the script runs, wherever the script reads it and
over the script's own assignments: for values a script computes at run
time
.RB ( "EXTIP=\`ifconfig ppp0 ...\`" ),
which otherwise stay symbols that cannot be judged or translated.
Repeatable.
.TP
.BI "\-P, \-\-source\-path " DIR
Where
.B .
and
.B source
find the files a script reads in, after the script's own directory (like
.BR shellcheck (1)'s
.BR \-P );
an absolute name is looked up only under
.IR DIR .
A sourced file is read, never run.  One that cannot be found is a PI000
warning.  Repeatable.
.TP
.BI \-\-select " CODES"
Only these rules, comma\-separated.
.TP
.BI \-\-explain " CODE"
Print a rule's documentation.
.SH EXIT STATUS
.B 0
when no finding has severity error,
.B 1
when any has,
.B 2
on a usage error.
.SH RULES
"""

FOOTER = r""".SH PRE-COMMIT
The repository's
.I .pre\-commit\-hooks.yaml
defines the hook
.BR pyip\-lint :
.PP
.nf
repos:
  \- repo: PYIP_REPOSITORY
    rev: v0.1.0
    hooks:
      \- id: pyip\-lint
        args: [\-\-dialect, legacy]
.fi
.SH SEE ALSO
.BR pyip (8),
.BR ip (8),
.BR iptables (8)
"""


def roff(text: str) -> str:
    """Escape text for roff: backslashes, and lines that start with a dot or quote."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line[:1] in ".'" else line for line in text.split("\n"))


def rule_section(rule) -> str:
    doc = inspect.cleandoc(rule.__doc__)
    summary, _, body = doc.partition("\n")
    prose, _, examples = body.partition("\nBad:")
    fixable = ", fixable" if rule.fixable else ""
    lines = [f".SS {rule.code} {roff(rule.name)} ({rule.severity}{fixable})", roff(summary), ".PP"]
    lines += [roff(paragraph.replace("\n", " ")) + "\n.PP" for paragraph in prose.strip().split("\n\n")]
    lines += [".nf", roff("Bad:" + examples.rstrip()), ".fi"]
    return "\n".join(lines) + "\n"


def page() -> str:
    from . import rules  # noqa: F401  (registers the rules)
    from .model import RULES

    return HEADER + "".join(rule_section(RULES[code]) for code in sorted(RULES)) + FOOTER


if __name__ == "__main__":
    import sys

    sys.stdout.write(page())
