"""`pyip lint`: the command line of the linter."""

from __future__ import annotations

import sys

import click

from ..clioptions import define_option, source_path_option
from ..compat.legacy import DIALECTS, MODERN

FORMATS = ("text", "json", "sarif")


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--dialect", type=click.Choice(DIALECTS), default=MODERN, show_default=True,
              help="legacy: judge the scripts by the Linux 2.2/2.4-era tools they were written for.")
@click.option("--fix", is_flag=True, help="Rewrite the files with every safe fix.")
@click.option("--rt-tables", type=click.Path(exists=True, dir_okay=False),
              help="Read table names from this file instead of /etc/iproute2/rt_tables.")
@click.option("--select", help="Only these rule codes, comma-separated (PI006,PI007).")
@click.option("--explain", metavar="CODE", help="Print the documentation of a rule and exit.")
@source_path_option
@define_option
def lint(files, output_format, dialect, fix, rt_tables, select, explain, defines) -> None:
    """Find what breaks ip, ipchains and iptables scripts on today's systems.

    Prints FILE:LINE:COL: CODE severity: message.  Exit status 0 when no
    error-severity finding, 1 when any, 2 on a usage error.
    """
    from ..fileio import RewriteRefused, rewrite
    from . import RULES, apply_fixes
    from . import lint as run_lint
    from .output import as_json, as_sarif, as_text, explain as explain_rule

    if explain:
        if explain.upper() not in RULES and not _load_rules(explain):
            raise click.UsageError(f"no rule {explain}; see `pyip lint --explain` with one of {', '.join(RULES)}")
        click.echo(explain_rule(explain.upper()), nl=False)
        return
    if not files:
        raise click.UsageError("give at least one FILE (- for standard input)")
    codes = _selected(select)
    findings, refused = [], False
    for path in files:
        script = None if path == "-" else _read(path)
        text = _read_stdin() if script is None else script.text
        endings = None if script is None else script.endings  # a file's text comes with LF; PI021 asks
        found = run_lint(text, path, dialect, rt_tables=rt_tables, select=codes, defines=defines,
                         line_endings=endings)
        if fix and script is not None:
            fixed, count = apply_fixes(text, found)
            if count:
                try:
                    rewrite(path, script.encode(fixed), script.status)
                except RewriteRefused as why:
                    click.echo(f"{path}: error: {why}", err=True)
                    refused = True
                else:
                    found = run_lint(fixed, path, dialect, rt_tables=rt_tables, select=codes, defines=defines,
                                     line_endings=endings)
        findings += found
    render = {"text": as_text, "json": as_json, "sarif": as_sarif}[output_format]
    sys.stdout.write(render(findings))
    sys.exit(1 if refused or any(f.severity == "error" for f in findings) else 0)


def _load_rules(code: str) -> bool:
    from . import rules  # noqa: F401  (registers the rules)
    from .model import RULES

    return code.upper() in RULES


def _selected(select: str | None):
    if not select:
        return None
    from . import rules  # noqa: F401
    from .model import RULES

    codes = {code.strip().upper() for code in select.split(",") if code.strip()}
    unknown = codes - set(RULES)
    if unknown:
        raise click.UsageError(f"unknown rule code(s): {', '.join(sorted(unknown))}")
    return codes


def _read_stdin() -> str:
    """Standard input as written: CR LF (PI021) and bytes that are not UTF-8 kept."""
    import io

    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape", newline="").read()


def _read(path: str):
    from ..fileio import read_script

    try:
        return read_script(path)
    except OSError as error:
        raise click.UsageError(f"{path}: {error.strerror}") from None
