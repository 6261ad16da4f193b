"""Options several pyip commands share."""

from __future__ import annotations

import re
import sys

import click

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def defines(ctx, param, values: tuple[str, ...]) -> dict[str, str]:
    """NAME=VALUE pairs as a dict; click reports a malformed one as a usage error (exit 2)."""
    result = {}
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not _NAME.fullmatch(name):
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", ctx, param)
        result[name] = text
    return result


def source_path(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    """Where `.`/`source` find their files, after the script's directory: set for the shell layer."""
    if values:
        from ..shell import SOURCE_PATH

        SOURCE_PATH.set(tuple(values))
    elif "pyip.shell" in sys.modules:  # an earlier command of this process may have set it
        sys.modules["pyip.shell"].SOURCE_PATH.set(())
    # else the shell's default, (): a save file is translated without importing the shell (80 ms)
    return tuple(values)


def script_args(ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    """The scripts' arguments ($1 ...), for `pyip lint`, which takes several files: set for the shell layer."""
    from ..shell import SCRIPT_ARGS

    SCRIPT_ARGS.set(tuple(values) if values else None)
    return tuple(values)


script_args_option = click.option(
    "-a", "--arg", "script_args", multiple=True, metavar="ARG", callback=script_args, expose_value=False,
    help="An argument the scripts are run with ($1, $2 ... in order; repeatable): only the paths "
         "`sh FILE ARG...` takes are checked.")


source_path_option = click.option(
    "-P", "--source-path", "source_path", multiple=True, metavar="DIR", callback=source_path, expose_value=False,
    type=click.Path(file_okay=False), help="Look here for files the script sources (`. ./functions`, "
    "`. /etc/sysconfig/firewall` as DIR/etc/sysconfig/firewall or DIR/firewall) after the script's directory; "
    "they are read, never run. Repeatable, like shellcheck's -P.")

define_option = click.option(
    "-D", "--define", "defines", multiple=True, metavar="NAME=VALUE", callback=defines,
    help="Give a shell variable the value it has when the script runs (`EXTIP=63.89.102.157` for "
         "EXTIP=`ifconfig ...`); wins over the script's own assignments. Repeatable.")
