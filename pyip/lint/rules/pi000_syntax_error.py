from __future__ import annotations

from ...errors import IncompleteCommand, PyipError, UsageError
from ..model import Rule, register


@register
class SyntaxError_(Rule):
    """A command the tool itself would refuse to read, or shell the shell cannot read.

    The message is the tool's own (iproute2's, iptables'), at the word it
    names.  Legacy constructs that explain a failure are reported by their
    own rules instead (PI006, PI007, PI008, ...).

    Bad:  ip route add 10.0.0.0/8 metric x
    Good: ip route add 10.0.0.0/8 metric 10
    """

    code = "PI000"
    name = "syntax-error"

    def check(self, script):
        findings = [self.finding(script, error.location, error.message) for error in script.shell_errors]
        for command in script.commands:
            for error in command_errors(command):
                if id(command) not in script.claimed and not blames_unknown_value(command, error):
                    findings.append(self.finding(script, error.location, strip_error(error.message)))
        return findings


def blames_unknown_value(command, error: PyipError) -> bool:
    """Could the error be an artefact of a value pyip does not know?

    An error at a `$VALUE` word, or a command cut short while a `$VALUE`
    (which may expand to several words) stands in it, is not reported.
    """
    symbols = [word for word in command.words if word.symbol is not None]
    if any(word.location == error.location for word in symbols):
        return True
    return bool(symbols) and isinstance(error, (IncompleteCommand, UsageError))


def command_errors(command):
    """The parse errors a command's parsers raised (in the script's dialect)."""
    errors = [command.ip] if isinstance(command.ip, PyipError) else []
    errors += [error for error in getattr(command, "errors", ()) if isinstance(error, PyipError)]
    return errors


def strip_error(message: str) -> str:
    return message[7:] if message.startswith("Error: ") else message
