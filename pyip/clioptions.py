"""Options several pyip commands share."""

from __future__ import annotations

import re

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


define_option = click.option(
    "-D", "--define", "defines", multiple=True, metavar="NAME=VALUE", callback=defines,
    help="Give a shell variable the value it has when the script runs (`EXTIP=63.89.102.157` for "
         "EXTIP=`ifconfig ...`); wins over the script's own assignments. Repeatable.")
