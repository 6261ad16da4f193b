"""`pyip parse FILE`: each ip, iptables and ipchains command of a script in canonical form (or JSON)."""

from __future__ import annotations

import sys

import click

from ..compat.legacy import DIALECTS, MODERN
from .options import define_option, source_path_option


@click.command()
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
    from .. import parse_script
    from ..errors import PyipError, is_error
    from ..parser.ip import OtherObject
    from ..script import collector_paused

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

    from ..render.json import to_data

    line = command.location.line
    from ..errors import json_bytes

    data = {"line": line, "source": lines[line - 1] if 0 < line <= len(lines) else "",
            "canonical": str(command), "ast": to_data(command)}
    return json_bytes(json.dumps(data, ensure_ascii=False))


def json_problem(severity: str, error, lines: list[str]) -> str:
    """`{"error": MESSAGE, "line", "col", "file", "source"}` (or "warning"): what stderr says, as JSON."""
    import json

    from ..errors import json_bytes

    where = error.location
    text = error.message[7:] if error.message.startswith("Error: ") else error.message
    data = {severity: text, "file": where.file, "line": where.line, "col": where.col,
            "source": lines[where.line - 1] if 0 < where.line <= len(lines) else ""}
    return json_bytes(json.dumps(data, ensure_ascii=False))
