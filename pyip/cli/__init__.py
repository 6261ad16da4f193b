"""The `pyip` command: pyip's own subcommands, or else a drop-in `ip`.

    pyip parse|translate|lint ...     pyip's commands (pyip.cli.group, click; a module each)
    pyip [OPTIONS] route|addr|rule ...  what ip does (pyip.cli.dropin)
    pyip ipchains|ipchains-save|ipchains-restore|shims ...   ipchains on this kernel (pyip.cli.ipchains)
    pyip apply ...                     translate and load, roll back unless confirmed (pyip.cli.apply)

This module imports nothing heavy: the drop-in runs once per line of a
legacy script, so its start-up is what it costs.
"""

from __future__ import annotations

import _signal as signal  # signal.py's constants are enums: it imports enum, start-up time for nothing here
import gc
import os
import sys

# Not "-h": to ip, and so to the drop-in, -h is -human-readable (`pyip -h -s addr`).
SUBCOMMANDS = ("parse", "translate", "lint", "help", "--help", "--version")

# What a shell reports for a command that SIGINT ended; ip ends quietly.
INTERRUPTED_STATUS = 128 + signal.SIGINT


class Interrupted(BaseException):
    """Ctrl-C, raised instead of KeyboardInterrupt: click would catch that, print "Aborted!" and exit 1."""


# The cyclic garbage collector's first generation is collected every this many container
# allocations (Python's default is 700).  A start makes some 15,000 objects that live to the end
# (modules, classes, functions, tables) and no garbage cycles, and at 700 the collector's passes
# over them, the full ones included, cost about 1.5 ms a start (issue 13).  A long run (a batch, a
# big script) still collects, every 100,000 allocations: its garbage cycles stay bounded.
COLLECT_EVERY = 100_000

# The live ipchains (pyip.ipchains_live): `pyip ipchains ...`, or pyip started as `ipchains` (a link).
LIVE = ("ipchains", "ipchains-save", "ipchains-restore", "shims")


def main() -> None:
    gc.set_threshold(COLLECT_EVERY, *gc.get_threshold()[1:])
    program = sys.argv[0].rpartition("/")[2]
    if program in LIVE[:3] or (len(sys.argv) > 1 and sys.argv[1] in LIVE):
        from .ipchains import run_as

        sys.exit(run_as(program, sys.argv[1:]) if program in LIVE[:3] else run_as(sys.argv[1], sys.argv[2:]))
    if sys.argv[1:2] == ["apply"]:
        from .apply import main as apply_main

        sys.exit(apply_main(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] not in SUBCOMMANDS:
        from ..codecache import install

        install("dropin")
        from . import dropin

        finish(dropin.main(sys.argv[1:]))
    signal.signal(signal.SIGINT, _interrupt)
    try:
        args = sys.argv[1:]
        if args[:1] == ["parse"]:
            from ..codecache import install

            install("parse")
            from .parse import fast_main

            try:
                fast_main(args[1:])  # exits, unless click must read these arguments
            except SystemExit as done:
                finish(done.code)
        if args[:1] == ["translate"]:
            # One translation, then the process ends (finish()).  Its work runs with the collector paused
            # (pyip.script.collector_paused), which gives it back as it found it: on, the first allocation
            # after it walked everything the work made (13 ms after a 10,000-line script).
            gc.disable()
            from .translate import fast_main as translate_fast_main

            try:
                translate_fast_main(args[1:])  # exits, unless click must read these arguments
            except SystemExit as done:
                finish(done.code)
        from .group import cli

        if args[:1] == ["help"]:  # `pyip help`, `pyip help lint`: pyip's own help, not ip's usage
            args = [*args[1:2], "--help"]
        try:
            cli(args=args, prog_name="pyip")
        except SystemExit as done:  # click's standalone mode ends every command so
            finish(done.code)
    except Interrupted:
        sys.exit(INTERRUPTED_STATUS)
    except BrokenPipeError:  # `pyip parse big.sh | head`: the reader left; nothing to say
        _silence_stdout()
        sys.exit(1)
    except Exception as error:  # noqa: BLE001  (the last resort: a bug must not end in a traceback)
        if os.environ.get("PYIP_DEBUG"):
            raise
        print(f"pyip: internal error: {type(error).__name__}: {error} (a bug in pyip: please report it with "
              f"the input; PYIP_DEBUG=1 shows the traceback)", file=sys.stderr)
        sys.exit(1)


def finish(status: int | str | None) -> None:
    """sys.exit(STATUS), without the interpreter's teardown when nothing waits for it.

    Freeing each module's objects one by one at exit costs the drop-in about a
    quarter of its own time (3 ms), and the kernel frees a process's memory at
    once.  So, once stdout and stderr are flushed, the process ends there, unless
    an atexit handler is registered (a profiler, a test's probe, a library's
    cleanup), which then runs as usual, or STATUS is a message to print.
    """
    import atexit

    from ..codecache import save

    save()  # the modules this run read from their .pyc, for the next run (pyip.codecache)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the usual exit deals with it, as before
        sys.exit(status)
    if (status is None or type(status) is int) and atexit._ncallbacks() == 0:  # noqa: SLF001  (no public count)
        os._exit(status or 0)
    sys.exit(status)


def _interrupt(signum, frame) -> None:
    raise Interrupted


def _silence_stdout() -> None:
    """Python flushes stdout at exit; to a closed pipe that would raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
