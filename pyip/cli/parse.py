"""`pyip parse FILE`: each ip, iptables and ipchains command of a script in canonical form (or JSON).

`pyip parse -` of a few commands is a start-up cost like the drop-in's, so
click is not imported for it: fast_arguments() reads the usual command lines
(FILE, ARGS, --json, --dialect, --rt-tables, -D) itself and gives up on
anything else (--help, -P, a bad value, an unknown option), which click then
reads, with its messages.  tests/test_cli_parse.py holds both readings equal.
"""

from __future__ import annotations

import os
import sys

from ..compat.legacy import DIALECTS, MODERN


def command():
    """The click command (pyip.cli.group): imported only where click reads the command line."""
    import click

    from .options import define_option, source_path_option

    @click.command()
    @click.argument("file", type=click.File("rb"))
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
        text = file.read().decode("utf-8", "surrogateescape")  # bytes: CR LF kept for run() to judge
        run(text, "-" if file.name == "<stdin>" else file.name, args, dialect, as_json, rt_tables, defines)

    return parse


class Arguments:
    """What `pyip parse` was told, as the click command receives it."""

    def __init__(self):
        self.file: str | None = None
        self.args: list[str] = []
        self.dialect = MODERN
        self.as_json = False
        self.rt_tables: str | None = None
        self.defines: dict[str, str] = {}


VALUED = {"--dialect": "dialect", "--rt-tables": "rt_tables", "-D": "defines", "--define": "defines"}


def fast_arguments(argv: list[str]) -> Arguments | None:
    """ARGV (after `parse`) read as click reads it, for the plain forms only; None for anything
    else, which click reads (and reports on) instead."""
    got = Arguments()
    positional = plain_words(argv, got, {"--json": "as_json"}, VALUED,
                             lambda option, value: take_value(got, VALUED[option], value))
    if not positional:
        return None
    got.file, got.args = positional[0], positional[1:]
    return got


def plain_words(argv: list[str], got, flags: dict, valued, take, attached: str | None = None) -> list[str] | None:
    """ARGV's positional words as click reads a command line of plain forms (`pyip parse`, `pyip translate`):
    `-` and words not starting with `-` are positional; a flag (`flags`: its word -> the field of `got` it
    sets) sets its field; a valued option (`--opt V`, `--opt=V`, and `attached` as `-DV`) gives its value to
    take(option, value), which says False where click would not take the value as it stands.  None for any
    other word, which click reads (and reports on) instead."""
    positional = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if word == "-" or not word.startswith("-"):
            positional.append(word)
            continue
        if word in flags:
            setattr(got, flags[word], True)
            continue
        if attached is not None and word.startswith(attached) and len(word) > len(attached):
            option, equals, value = attached, True, word[len(attached):]  # a short option's value attached
        else:
            option, equals, value = word.partition("=")
        if option not in valued or not equals and i >= len(argv):
            return None
        if not equals:
            value = argv[i]
            i += 1
        if not take(option, value):
            return None
    return positional


def take_value(got: Arguments, field: str, value: str) -> bool:
    """Set one option's value, if click would take it as it stands."""
    if field == "dialect":
        if value not in DIALECTS:
            return False
        got.dialect = value
    elif field == "rt_tables":  # click.Path(exists=True, dir_okay=False), readable
        if not os.path.exists(value) or os.path.isdir(value) or not os.access(value, os.R_OK):
            return False
        got.rt_tables = value
    else:
        name, equals, text = value.partition("=")
        if not equals or not is_shell_name(name):
            return False
        got.defines[name] = text
    return True


def is_shell_name(name: str) -> bool:
    """[A-Za-z_][A-Za-z0-9_]*, without compiling a regex."""
    return name.isascii() and name.isidentifier()


def fast_main(argv: list[str]) -> bool:
    """Run `pyip parse ARGV` without click if its arguments are plain; False if click must read them."""
    got = fast_arguments(argv)
    if got is None:
        return False
    if got.file == "-":
        import io

        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape", newline="")
        text, name = stream.read(), "-"
    else:
        try:
            with open(got.file, encoding="utf-8", errors="surrogateescape", newline="") as file:
                text = file.read()
        except OSError:  # click says why, as a usage error
            return False
        name = got.file
    run(text, name, tuple(got.args), got.dialect, got.as_json, got.rt_tables, got.defines)
    return True


def echo_error(message: str) -> None:
    """click.echo(message, err=True), which takes ANSI escapes out of what goes to a file or pipe."""
    if "\x1b" in message:
        import click

        click.echo(message, err=True)
        return
    sys.stdout.flush()
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def run(text: str, name: str, args: tuple, dialect: str, as_json: bool, rt_tables: str | None,
        defines: dict) -> None:
    """The command's work, once its arguments are read (by click, or by fast_arguments())."""
    from .. import parse_script
    from ..errors import PyipError, is_error
    from ..parser.ip import OtherObject
    from ..line_endings import shell_lines
    from ..script import collector_paused

    text, endings = shell_lines(text, name)
    lines = text.splitlines()
    failed = endings is not None
    out = sys.stdout
    if endings is not None:  # the real run fails on every line: say so first, then read the lines as meant
        echo_error(str(endings))
        if as_json:
            out.write(json_problem("error", endings, lines) + "\n")
    said = set()  # a loop unrolled by the shell layer repeats its errors: each is said once
    produced = False
    pending = []  # output lines not yet written: see OUTPUT_BATCH
    with collector_paused():  # many small acyclic objects: the collector would only cost time
        for result in parse_script(text, dialect, file=name, rt_tables=rt_tables, defines=defines,
                                   args=args or None):
            produced = True
            if isinstance(result, PyipError):
                if str(result) in said:
                    continue
                said.add(str(result))
            if isinstance(result, OtherObject):  # `ip link set eth0 up`: fine, just not pyip's to print
                write_out(out, pending)  # keep stdout and stderr in command order
                echo_error(f"{result.location}: warning: {result.message}: passed over")
                if as_json:
                    pending.append(json_problem("warning", result, lines) + "\n")
            elif isinstance(result, PyipError):
                failed = failed or is_error(result)
                write_out(out, pending)  # keep stdout and stderr in command order
                echo_error(str(result))
                if as_json:  # a program reading the stream sees the whole file, in order
                    pending.append(json_problem("error", result, lines) + "\n")
            else:
                pending.append((json_line(result, lines) if as_json else str(result)) + "\n")
                if len(pending) >= OUTPUT_BATCH:
                    write_out(out, pending)
    write_out(out, pending)
    if not produced:  # never silent: a script that runs nothing pyip reads says so
        echo_error(f"{name}:1:1: warning: no ip, ipchains or iptables command found")
    sys.exit(1 if failed else 0)


# Lines written to stdout at once.  Under PYTHONUNBUFFERED=1 (python -u; many container images set
# it) each write() of stdout is a write(2) of its own: a 100,000-line script made 100,000 of them,
# 0.1-0.9 s of system time (measured) and the reader's wake-ups when stdout is a pipe.  The script is
# read whole before the first line is printed, so holding a few hundred lines delays nobody.
OUTPUT_BATCH = 256


def write_out(out, pending: list[str]) -> None:
    """The pending lines written and flushed (before anything goes to stderr, and at the end)."""
    if pending:
        out.write("".join(pending))
        pending.clear()
    out.flush()


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
