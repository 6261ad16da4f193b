"""`pyip lint`: the command line of the linter (pyip.lint)."""

from __future__ import annotations

import sys

import click

from ..compat.legacy import DIALECTS, MODERN
from .options import define_option, script_args_option, source_path_option

FORMATS = ("full", "text", "json", "sarif")
COLOR = ("auto", "always", "never")


@click.command()
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="full", show_default=True,
              help="full: each finding with its source line and a caret, and a summary; text: one line each.")
@click.option("--dialect", type=click.Choice(DIALECTS), default=MODERN, show_default=True,
              help="legacy: judge the scripts by the Linux 2.2/2.4-era tools they were written for.")
@click.option("--fix", is_flag=True, help="Rewrite the files with every safe fix, and say what changed.")
@click.option("--diff", is_flag=True, help="Print what --fix would change, as a unified diff; change nothing.")
@click.option("--rt-tables", type=click.Path(exists=True, dir_okay=False),
              help="Read table names from this file instead of /etc/iproute2/rt_tables.")
@click.option("--select", help="Only these rules: codes, code prefixes or names, comma-separated (PI006,unset-variable).")
@click.option("--ignore", help="Not these rules (codes, prefixes or names).")
@click.option("--severity", "threshold", type=click.Choice(("error", "warning")), default="warning",
              show_default=True, help="Report findings of this severity and above.")
@click.option("--color", "--colour", "colour", type=click.Choice(COLOR), default="auto", show_default=True,
              help="Colour the full format: auto (a terminal, and NO_COLOR unset), always, never.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Read settings from this file (else .pyip.toml or pyproject.toml's [tool.pyip.lint], "
                   "nearest from the current directory up).")
@click.option("--explain", metavar="CODE", help="Print the documentation of a rule (code or name) and exit.")
@source_path_option
@script_args_option
@define_option
def lint(files, output_format, dialect, fix, diff, rt_tables, select, ignore, threshold, colour, config_file,
         explain, defines) -> None:
    """Find what breaks ip, ipchains and iptables scripts on today's systems.

    FILE may be a directory: the shell scripts in it (a .sh name or a shell
    #! line) are checked, recursively.  Prints each finding as FILE:LINE:COL:
    CODE severity: message.  Exit status 0 when no error-severity finding, 1
    when any (or when --diff would change a file), 2 on a usage error.
    """
    from ..lint.config import ConfigError

    try:
        run(files, output_format, dialect, fix, diff, rt_tables, select, ignore, threshold, colour, config_file,
            explain, defines)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def run(files, output_format, dialect, fix, diff, rt_tables, select, ignore, threshold, colour, config_file,
        explain, defines) -> None:
    from pathlib import Path

    from ..lint import config
    from ..lint.output import as_full, as_json, as_sarif, as_text
    from ..lint.output import explain as explain_rule

    if explain:
        click.echo(explain_rule(_one_code(explain)), nl=False)
        return
    if not files:
        raise click.UsageError("give at least one FILE or directory (- for standard input)")
    if fix and diff:
        raise click.UsageError("--fix writes the changes, --diff only shows them: give one")
    found_config = Path(config_file) if config_file else config.find(Path.cwd())
    settings = config.load(found_config) if found_config else config.Settings()
    settings = _with_command_line(settings, select, ignore)
    findings, sources, status = [], {}, 0
    for path in _scripts(files):
        checked = _check_file(path, settings, dialect, fix, diff, rt_tables, defines)
        findings += checked.findings
        sources[path] = checked.text
        status = max(status, checked.status)
    findings = [finding for finding in findings if threshold == "warning" or finding.severity == "error"]
    if not diff:
        render = {"text": as_text, "json": as_json, "sarif": as_sarif}.get(output_format)
        sys.stdout.write(render(findings) if render else as_full(findings, sources, _colour(colour)))
    sys.exit(max(status, 1 if any(f.severity == "error" for f in findings) else 0))


class Checked:
    def __init__(self, findings, text: str, status: int):
        self.findings, self.text, self.status = findings, text, status


def _check_file(path, settings, dialect, fix, diff, rt_tables, defines) -> Checked:
    """Lint one file (or standard input); with fix, rewrite it; with diff, print the change."""
    from ..fileio import RewriteRefused, rewrite
    from ..lint import apply_fixes
    from ..lint import lint as run_lint

    script = None if path == "-" else _read(path)
    text = _read_stdin() if script is None else script.text
    endings = None if script is None else script.endings  # a file's text comes with LF; PI021 asks

    def lint_text(text):
        found = run_lint(text, path, dialect, rt_tables=rt_tables, select=settings.codes_for(path),
                         defines=defines, line_endings=endings)
        return [settings.rated(finding) for finding in found]

    found, status = lint_text(text), 0
    if fix or diff:
        fixed, count = apply_fixes(text, found)
        if count and diff:
            sys.stdout.write(_unified_diff(path, text, fixed))
            return Checked(found, text, 1)
        if count and script is not None:
            try:
                rewrite(path, script.encode(fixed), script.status)
            except RewriteRefused as why:
                click.echo(f"{path}: error: {why}", err=True)
                status = 1
            else:
                click.echo(f"{path}: fixed {_what_was_fixed(found, count)}", err=True)
                text, found = fixed, lint_text(fixed)
    return Checked(found, text, status)


def _what_was_fixed(found, count: int) -> str:
    """`3 findings (PI002 x2, PI006)`: how many fixes went in, and the rules that offered them."""
    from collections import Counter

    codes = Counter(f.code for f in found if f.fix is not None)
    listed = ", ".join(f"{code} x{n}" if n > 1 else code for code, n in sorted(codes.items()))
    return f"{count} finding{'s' if count != 1 else ''} ({listed})"


def _unified_diff(path: str, text: str, fixed: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(text.splitlines(keepends=True), fixed.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def _colour(choice: str) -> bool:
    import os

    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _with_command_line(settings, select, ignore):
    """The command line's --select and --ignore over the configuration's."""
    from ..records import evolve

    from ..lint.config import split_codes

    chosen = split_codes(select, "--select: ")
    ignored = split_codes(ignore, "--ignore: ")
    return evolve(settings, select=settings.select if chosen is None else chosen,
                        ignore=settings.ignore if ignored is None else ignored)


def _scripts(arguments) -> list[str]:
    """The files to check: each argument, a directory's shell scripts in name order."""
    import os

    out = []
    for argument in arguments:
        if argument == "-" or not os.path.isdir(argument):
            out.append(argument)
            continue
        for directory, subdirectories, names in os.walk(argument):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".") and d not in SKIPPED)
            out += [os.path.join(directory, name) for name in sorted(names)
                    if is_shell_script(os.path.join(directory, name))]
    return out


SKIPPED = {"__pycache__", "node_modules"}


def is_shell_script(path: str) -> bool:
    """A .sh/.bash name, or a #! line naming a Bourne-family shell (sh, bash, dash, ksh, ash, busybox sh)."""
    import re

    if path.endswith((".sh", ".bash")):
        return True
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return re.match(rb"#!\s*\S*?(?:/env\s+)?\S*\b(?:sh|bash|dash|ksh|mksh|ash|busybox\s+sh)\b", first) is not None


def _one_code(word: str) -> str:
    from ..lint.config import ConfigError, codes_of

    try:
        codes = codes_of([word])
    except ConfigError:
        codes = frozenset()
    if len(codes) != 1:
        from ..lint.config import rules

        raise click.UsageError(f"no rule {word}; see `pyip lint --explain` with one of {', '.join(rules())}")
    return next(iter(codes))


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
