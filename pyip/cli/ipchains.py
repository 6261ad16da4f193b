"""The programs of the live ipchains: `ipchains`, `ipchains-save`, `ipchains-restore`, and `pyip shims DIR`.

pyip.cli.main hands over when pyip runs under one of these names (a link, an
entry point, a shim) or as `pyip ipchains|ipchains-save|ipchains-restore|shims ...`.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile

PROGRAMS = ("ipchains", "ipchains-save", "ipchains-restore", "shims")


def run_as(program: str, argv: list[str]) -> int:
    if program == "ipchains":
        from ..ipchains_live.command import main

        return main(argv)
    if program == "ipchains-save":
        from ..ipchains_live.saving import save_main

        return save_main(argv, sys.stdout, sys.stderr)
    if program == "ipchains-restore":
        from ..ipchains_live.saving import restore_main

        return restore_main(argv, sys.stdin, sys.stderr)
    return shims_main(argv)


def ipchains() -> None:
    sys.exit(run_as("ipchains", sys.argv[1:]))


def ipchains_save() -> None:
    sys.exit(run_as("ipchains-save", sys.argv[1:]))


def ipchains_restore() -> None:
    sys.exit(run_as("ipchains-restore", sys.argv[1:]))


# -- shims ---------------------------------------------------------------------------------------

SHIM_USAGE = "Usage: pyip shims [--resident] DIR\n"


def shim_text(python: str, program: str) -> str:
    """A /bin/sh script that runs pyip's `program` with this Python (no PATH lookup, no pyip on PATH needed)."""
    if program == "ip":
        call = f"exec {shlex.quote(python)} -m pyip \"$@\""
    else:
        call = (f"exec {shlex.quote(python)} -c 'import sys; from pyip.cli.ipchains import run_as; "
                f"sys.exit(run_as(\"{program}\", sys.argv[1:]))' \"$@\"")
    return f"#!/bin/sh\n# {program} for legacy scripts, written by `pyip shims`: pyip runs it on this kernel.\n{call}\n"


def write_atomically(path: str, text: str, mode: int = 0o755) -> None:
    """A temporary file in the same directory, synced, then renamed over `path`: never a half-written shim."""
    directory = os.path.dirname(path) or "."
    fd, temporary = tempfile.mkstemp(prefix=".pyip-", dir=directory)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def shims_main(argv: list[str]) -> int:
    """`pyip shims [--resident] DIR`: ipchains, ipchains-save, ipchains-restore and ip in DIR, for
    `PATH=DIR:$PATH`; --resident: an ipchains shim in bash fed by a resident pyip (pyip.ipchains_live.server)."""
    resident = "--resident" in argv
    argv = [a for a in argv if a != "--resident"]
    if len(argv) != 1 or argv[0].startswith("-"):
        sys.stderr.write(SHIM_USAGE)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    directory = argv[0]
    try:
        os.makedirs(directory, exist_ok=True)
        for program in ("ipchains", "ipchains-save", "ipchains-restore", "ip"):
            text = shim_text(sys.executable, program)
            if resident and program == "ipchains":
                from ..ipchains_live.server import shim_script

                text = shim_script(shlex.quote(sys.executable))
            write_atomically(os.path.join(directory, program), text)
    except OSError as error:
        sys.stderr.write(f"pyip shims: {directory}: {error.strerror}\n")
        return 1
    return 0
