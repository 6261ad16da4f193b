"""The `pyip` command: pyip's own subcommands, or else a drop-in `ip`.

    pyip parse|translate|lint ...     pyip's commands (pyip.commands, click)
    pyip [OPTIONS] route|addr|rule ...  what ip does (pyip.dropin)

This module imports nothing heavy: the drop-in runs once per line of a
legacy script, so its start-up is what it costs.
"""

from __future__ import annotations

import sys

# Not "-h": to ip, and so to the drop-in, -h is -human-readable (`pyip -h -s addr`).
SUBCOMMANDS = ("parse", "translate", "lint", "help", "--help", "--version")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] not in SUBCOMMANDS:
        from . import dropin

        sys.exit(dropin.main(sys.argv[1:]))
    from .commands import cli

    args = sys.argv[1:]
    if args[:1] == ["help"]:  # `pyip help`, `pyip help lint`: pyip's own help, not ip's usage
        args = [*args[1:2], "--help"]
    cli(args=args, prog_name="pyip")
