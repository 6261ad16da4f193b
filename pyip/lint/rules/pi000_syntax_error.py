from __future__ import annotations

from ...errors import IncompleteCommand, NotRead, PyipError, UsageError
from ..model import Rule, register


@register
class SyntaxError_(Rule):
    """A command the tool itself would refuse to read, or shell the shell cannot read.

    The message is the tool's own (iproute2's, iptables', ipchains'), at the
    word it names: an unknown match (`-m psd`, a patch-o-matic match never
    merged), a missing option (`-m string` without `--algo`), ...  Legacy
    constructs that explain a failure are reported by their own rules
    instead (PI002, PI005, PI006, PI007, ...).

    Bad:  ip route add 10.0.0.0/8 metric x
    Good: ip route add 10.0.0.0/8 metric 10
    """

    code = "PI000"
    name = "syntax-error"

    def check(self, script):
        findings = [self.finding(script, error.location, error.message, getattr(error, "severity", None))
                    for error in script.shell_errors]
        explaining = {(line, col) for line, col, code in script.explained if code not in NOT_EXPLAINING}
        for command in script.commands:
            for error in command_errors(command):
                if id(command) not in script.claimed and not blames_unknown_value(command, error):
                    findings.append(self.finding(script, error.location, strip_error(error.message)))
            error = command.firewall
            if isinstance(error, PyipError) and is_mistake(error, command, explaining):
                findings.append(self.finding(script, error.location, error.message))
        return findings


# Rules about values and the ruleset, not about how a command is written: they never say why it fails to read.
NOT_EXPLAINING = frozenset({"PI009", "PI010", "PI011", "PI015", "PI016", "PI018"})


def is_mistake(error: PyipError, command, explaining: set) -> bool:
    """A firewall command's parse error that is the script's mistake and no other rule's finding: not an
    extension pyip cannot read (the tool takes it), nor an artefact of an unknown value."""
    return not isinstance(error, NotRead) and not explained(explaining, command) \
        and not blames_unknown_value(command, error)


def explained(explaining: set, command) -> bool:
    """Has another rule reported at one of the command's words what makes the tool refuse it?"""
    return any((word.location.line, word.location.col) in explaining for word in command.words)


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
    errors = [command.ip] if isinstance(command.ip, PyipError) and command.program == "ip" else []
    errors += [error for error in getattr(command, "errors", ()) if isinstance(error, PyipError)]
    return errors


def strip_error(message: str) -> str:
    return message[7:] if message.startswith("Error: ") else message
