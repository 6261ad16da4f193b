"""pyip's own commands (click): the group `pyip parse|translate|lint`, and its help.

Imported only when one of them runs, so the drop-in (`pyip route ...`,
pyip.cli.dropin) never pays for click.
"""

from __future__ import annotations

import click


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


def _add_commands() -> None:
    from . import parse, translate
    from .lint import lint

    cli.add_command(parse.command())
    cli.add_command(lint)
    cli.add_command(translate.command(), "translate")


_add_commands()
