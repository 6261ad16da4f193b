"""`pyip translate --to TARGET FILE`: the command line; the work is pyip.translators.pipeline's."""

from __future__ import annotations

import sys

import click

from ..compat import legacy
from ..translators.pipeline import STYLES, TARGETS, nft_commands, translate
from .options import define_option, source_path_option


@click.command("translate")
@click.argument("file", type=click.File("rb"), required=False)
@click.argument("args", nargs=-1)
@click.option("-e", "--expression", "expressions", multiple=True, metavar="COMMAND",
              help="Translate this command (`iptables -A INPUT ...`) instead of a FILE; repeatable. "
                   "--to nft prints one `nft 'add rule ...'` line a rule, as iptables-translate does.")
@click.option("--to", "target", type=click.Choice(TARGETS),
              required=True, help="iptables: a sh script of iptables commands that rebuilds the ruleset; iptables-restore: "
                                  "a restore file; nft: `nft -f` text; ipchains: ipchains commands, for review, "
                                  "where ipchains can say it; nft-json: "
                                  "`nft -j -f` JSON.")
@click.option("--style", type=click.Choice(STYLES), default="faithful", show_default=True,
              help="ipchains input: keep where its chains ran, or use INPUT/FORWARD/OUTPUT.")
@click.option("--allow-partial", is_flag=True, help="Exit 0 even if something was left out.")
@click.option("--dialect", type=click.Choice(legacy.DIALECTS), default=legacy.MODERN, show_default=True,
              help="legacy: also read the 2001 negation `-s ! NET`.")
@source_path_option
@define_option
def translate_command(file, args: tuple, expressions: tuple, target: str, style: str, allow_partial: bool,
                      dialect: str, defines: dict) -> None:
    """Print the ruleset FILE (- for stdin: a script or an iptables-save file) leaves, for TARGET; what cannot
    be said exactly is reported and left out.  ARGS are the script's arguments ($1 ...), as in `sh FILE ARGS...`."""
    from ..translators.detect import is_error, uses_ipchains

    if (file is None) == (not expressions):
        raise click.UsageError("give a FILE or -e COMMAND, not both")
    if expressions:
        text, name = "".join(f"{command}\n" for command in expressions), "-e"
        if target == "nft" and not uses_ipchains(text, name):
            output, problems = nft_commands(text, name, dialect, defines)
        else:
            output, problems = translate(text, name, target, dialect, style, defines)
    else:
        from ..line_endings import shell_lines

        name = "-" if file.name == "<stdin>" else file.name
        text, endings = shell_lines(file.read().decode("utf-8", "surrogateescape"), name)
        output, problems = translate(text, name, target, dialect, style, defines, args or None)
        problems = [endings, *problems] if endings is not None else problems
    # A loop unrolled by the shell layer repeats its command: say each problem once per place.
    for line in dict.fromkeys(str(problem) for problem in problems):
        click.echo(line, err=True)
    sys.stdout.write(output)
    sys.exit(1 if any(map(is_error, problems)) and not allow_partial else 0)
