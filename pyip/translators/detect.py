"""What a `pyip translate` input is, cheaply: the CLI asks before it loads any translator.

Kept apart from the translators so that an iptables script never imports
the ipchains and nftables machinery (start-up counts: a script's commands
are compiled once, but the program starts every time).
"""

from __future__ import annotations

from ..errors import PyipError, is_error  # noqa: F401  (is_error: this module's API too)


def is_ipchains_save(text: str) -> bool:
    """An ipchains-save file (Red Hat's /etc/sysconfig/ipchains): its first line that says anything is
    `:CHAIN POLICY` or `-A CHAIN ...`, which no shell script or iptables-save file starts with."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line.startswith(":") or line.split()[0] == "-A"
    return False


def uses_ipchains(text: str, file: str = "-", commands: list | None = None) -> bool:
    """Does the script run ipchains anywhere?  `commands`: its script_commands(), when the caller has
    read them already (reading a script is most of the work here).  Only a program word ending in
    `ipchains` can be one (the grammar's PROGRAM): other commands need no ipchains parser loaded."""
    from ..script import script_commands
    from .pipeline import is_save_file

    if is_save_file(text):
        return False
    for words in script_commands(text, file) if commands is None else commands:
        if not isinstance(words, PyipError) and words and words[0].text.endswith("ipchains"):
            from ..parser.ipchains import is_ipchains_command

            if is_ipchains_command(words):
                return True
    return False
