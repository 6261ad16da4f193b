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
.RB [ \-\-format " " full | text | json | sarif ]
.RB [ \-\-dialect " " legacy | modern ]
.RB [ \-\-fix " | " \-\-diff ]
.RB [ \-\-select
.IR RULES ]
.RB [ \-\-ignore
.IR RULES ]
.RB [ \-\-severity " " error | warning ]
.RB [ \-\-color " " auto | always | never ]
.RB [ \-\-config
.IR FILE ]
.RB [ \-\-rt\-tables
.IR FILE ]
.RB [ \-P
.IR DIR ]
.RB [ \-D
.IR NAME = VALUE ]
.RB [ \-a
.IR ARG ]
.IR FILE | DIR ...
.br
.B pyip lint \-\-explain
.I RULE
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
.PP
A
.I FILE
that is a directory stands for the shell scripts in it and below it: files
named
.IR *.sh " or " *.bash ,
and files whose first line is a
.B #!
line naming sh, bash, dash, ksh, mksh, ash or busybox sh.  Directories whose
names start with a dot are skipped.
.PP
Wherever a rule is named (options, configuration, comments) its code
.RB ( PI006 ),
a code prefix
.RB ( PI0 )
or its name
.RB ( fwmark\-base )
may be given.
.SH OPTIONS
.TP
.BR \-\-format " " full | text | json | sarif
.B full
(the default) prints each finding as
.IB FILE : LINE : COL ": " "CODE severity" ": " message ,
then the source line and a caret under the column, and at the end a
summary line
.RI ( "N errors, M warnings in K files (F fixable with \-\-fix)" );
nothing at all when there is no finding.
.B text
prints the first line of each finding only.
.B json
and
.B sarif
are described under OUTPUT FORMATS.
.TP
.BR \-\-color " " auto | always | never
Colour the full format.
.B auto
(the default) colours when standard output is a terminal and the
.B NO_COLOR
environment variable is unset or empty.
.TP
.BR \-\-severity " " error | warning
Report findings of this severity and above (default: warning, that is all).
.TP
.BI \-\-select " RULES"
Only these rules, comma\-separated; over the configuration's
.BR select .
.TP
.BI \-\-ignore " RULES"
Not these rules, comma\-separated; over the configuration's
.BR ignore .
.TP
.BI \-\-config " FILE"
Read the settings from
.I FILE
(see CONFIGURATION) instead of looking for them.
.TP
.B \-\-diff
Print what
.B \-\-fix
would change, as a unified diff, and change nothing.  The exit status is 1
when a file would change.
.TP
.B \-\-fix
Rewrite the files with every safe fix (PI002, PI003, PI006 in the legacy
dialect, PI007 reject, iplimit, the string match's \-\-algo and the set
match's \-\-set), leaving the
rest, then report what remains.  For each file rewritten, standard error
says
.IR "FILE: fixed N findings (CODES)" .
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
.BI "\-a, \-\-arg " ARG
An argument the scripts are run with
.RB ( $1 ", " $2 ", ... in order; repeatable), as"
.B sh
.I FILE ARG...
gives them: only the paths the script then takes are checked.  Without it,
every path through the script is checked (see
.BR pyip (8),
.IR "Conditions and the script's arguments" ),
and the checks of a whole ruleset (PI010, PI011, PI016, PI018) look at one
path at a time: the rules of
.B start
and
.B stop
never meet.
.TP
.BI \-\-explain " RULE"
Print a rule's documentation.
.SH CONFIGURATION
The settings come from the file given with
.BR \-\-config ,
else from the nearest of these, from the current directory upwards:
.I .pyip.toml
(a
.B [lint]
table) or a
.I pyproject.toml
with a
.B [tool.pyip.lint]
table:
.PP
.nf
[tool.pyip.lint]
select = ["PI0"]                 # only these rules
ignore = ["fwmark\-base"]         # not these
severity = { PI010 = "error", PI016 = "off" }
per\-file\-ignores = { "legacy/*.sh" = ["PI006", "PI007"] }
.fi
.PP
.B severity
gives a rule another severity
.RB ( error ,
.BR warning ,
or
.B off
to turn it off).  The patterns of
.B per\-file\-ignores
are globs matched against the path as given, the file name, and the path
relative to the configuration file's directory.  An unknown setting or rule
is a usage error (exit status 2).
.SH SUPPRESSING FINDINGS
A comment turns rules off where it stands:
.PP
.nf
iptables \-A INPUT \-i $EXT \-j DROP   # pyip: disable=PI015
# pyip: disable=unset\-variable,PI011
ip rule del from $NET table 5
# pyip: disable\-file=fwmark\-base
.fi
.PP
.B disable=
at the end of a line turns the rules off for the command on that line (all
its continuation lines); on a line of its own, for the command on the next
line.
.B disable\-file=
anywhere turns them off for the whole file.  The library
.RB ( pyip.lint.lint )
honours the comments too.
.SH OUTPUT FORMATS
Both machine formats are stable: a key keeps its meaning within a
.B version
(JSON) and new keys may be added.
.PP
.B json
prints one object:
.B version
(the format's version, now 1),
.B tool
.RB ( name ", " version ),
.B summary
.RB ( errors ", " warnings ", " fixable :
counts), and
.BR findings :
a list of objects with
.BR file ,
.BR line ,
.B column
(1\-based, in characters),
.B code
.RB ( PI006 ),
.B name
.RB ( fwmark\-base ),
.B severity
.RB ( error " or " warning ),
.B message
and
.B fix
(null, or
.B description
and
.BR edits :
objects with
.BR line ,
.BR column ,
.B end_column
(exclusive) and
.BR replacement ).
The JSON Schema (2020\-12) of this document is
.B docs/pyip\-lint\-json.schema.json
in pyip's source; the tests validate pyip's output with it.
.PP
.B sarif
prints a SARIF 2.1.0 log with its
.B $schema
(the OASIS schema's address) and one run: the driver
.B pyip
with its version and every rule's metadata
.RB ( id ,
.BR name ,
.B shortDescription
and
.B fullDescription
from the rule's documentation,
.BR help ,
.B defaultConfiguration.level
and
.BR properties.fixable ),
and a result per finding
.RB ( ruleId ,
.BR ruleIndex ,
.BR level ,
.BR message ,
a physical location with
.B startLine
and
.BR startColumn ,
and
.B fixes
where the finding has one).  File names are URI references
.RB ( "fw%20one.sh" ).
The log is valid by the OASIS SARIF 2.1.0 schema (the tests check it).
.SH ENVIRONMENT
.TP
.B NO_COLOR
When set and not empty,
.B \-\-color auto
does not colour.
.SH EXIT STATUS
.B 0
when no reported finding has severity error,
.B 1
when any has (or a file could not be rewritten, or
.B \-\-diff
would change a file),
.B 2
on a usage error (also a bad configuration).
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
