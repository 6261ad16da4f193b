"""pyip's own commands (click): parse, translate, lint.

Imported only when one of them runs, so the drop-in (`pyip route ...`,
pyip.dropin) never pays for click.
"""

from __future__ import annotations

import sys

import click

from .clioptions import define_option, source_path_option
from .compat.legacy import DIALECTS, MODERN


DROP_IN_HELP = """\b
Any other first argument makes pyip a drop-in for iproute2's ip 6.1:
  pyip [IP-OPTIONS] address|route|rule COMMAND ...
  pyip [-force] -batch FILE|-
  pyip [IP-OPTIONS] --dialect legacy rule add fwmark 10 table 5 reject
\b
address, route and rule run over netlink as ip runs them (same kernel
changes, output, messages, exit statuses); ip's other objects (link,
neigh, ...) and the options pyip does not implement itself go to the
real ip.  There, -h is ip's -human-readable; `pyip -help` prints ip's
usage.  `pyip help COMMAND` is `pyip COMMAND --help`.  See man pyip.

\b
ipchains 1.3.10 on nftables, and loading with a way back:
  pyip ipchains|ipchains-save|ipchains-restore ARGS...
  pyip shims [--resident] DIR      (ipchains, ip, ... for PATH=DIR:$PATH)
  pyip apply [--to nft|iptables] [-n NETNS] [--timeout S] [--check] FILE [ARG]...
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=DROP_IN_HELP)
@click.version_option(package_name="pyip")
def cli() -> None:
    """Read, run, check and migrate Linux ip, ipchains and iptables commands."""


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8", errors="surrogateescape"))
@click.argument("args", nargs=-1)
@click.option("--dialect", type=click.Choice(DIALECTS), default=MODERN, show_default=True,
              help="legacy: read commands as the Linux 2.2-era tools did.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per command.")
@click.option("--rt-tables", type=click.Path(exists=True, dir_okay=False),
              help="Read table names from this file instead of /etc/iproute2/rt_tables.")
@source_path_option
@define_option
def parse(file, args: tuple, dialect: str, as_json: bool, rt_tables: str | None, defines: dict) -> None:
    """Print each ip command of FILE (- for stdin) in canonical form; ARGS are the script's
    arguments ($1 ...), as in `sh FILE ARGS...`.

    Errors go to stderr as FILE:LINE:COL: error: MESSAGE; parsing goes on
    with the next command, and the exit status is 1 if any command failed.
    """
    from . import parse_script
    from .errors import PyipError, is_error
    from .parser.ip import OtherObject
    from .script import collector_paused

    text = file.read()
    name = "-" if file.name == "<stdin>" else file.name
    lines = text.splitlines()
    failed = False
    out = sys.stdout
    said = set()  # a loop unrolled by the shell layer repeats its errors: each is said once
    with collector_paused():  # many small acyclic objects: the collector would only cost time
        for result in parse_script(text, dialect, file=name, rt_tables=rt_tables, defines=defines,
                                   args=args or None):
            if isinstance(result, PyipError):
                if str(result) in said:
                    continue
                said.add(str(result))
            if isinstance(result, OtherObject):  # `ip link set eth0 up`: fine, just not pyip's to print
                out.flush()
                click.echo(f"{result.location}: warning: {result.message}: passed over", err=True)
                if as_json:
                    out.write(json_problem("warning", result, lines) + "\n")
            elif isinstance(result, PyipError):
                failed = failed or is_error(result)
                out.flush()  # keep stdout and stderr in command order
                click.echo(str(result), err=True)
                if as_json:  # a program reading the stream sees the whole file, in order
                    out.write(json_problem("error", result, lines) + "\n")
            else:
                out.write((json_line(result, lines) if as_json else str(result)) + "\n")
    out.flush()
    sys.exit(1 if failed else 0)


def json_line(command, lines: list[str]) -> str:
    import json

    from .render.json import to_data

    line = command.location.line
    from .errors import json_bytes

    data = {"line": line, "source": lines[line - 1] if 0 < line <= len(lines) else "",
            "canonical": str(command), "ast": to_data(command)}
    return json_bytes(json.dumps(data, ensure_ascii=False))


def json_problem(severity: str, error, lines: list[str]) -> str:
    """`{"error": MESSAGE, "line", "col", "file", "source"}` (or "warning"): what stderr says, as JSON."""
    import json

    from .errors import json_bytes

    where = error.location
    text = error.message[7:] if error.message.startswith("Error: ") else error.message
    data = {severity: text, "file": where.file, "line": where.line, "col": where.col,
            "source": lines[where.line - 1] if 0 < where.line <= len(lines) else ""}
    return json_bytes(json.dumps(data, ensure_ascii=False))


def _add_commands() -> None:
    from .lint.cli import lint
    from .translators.cli import translate_command

    cli.add_command(lint)
    cli.add_command(translate_command, "translate")


_add_commands()
