"""Where shims written by pyip before the CLI became one package (pyip.cli) look for `run_as`.

`pyip shims DIR` writes `python -c 'from pyip.ipchains_live.entry import run_as; ...'`
into each shim it wrote before 2026-12-03; those files live in the user's
directories and must keep working after an upgrade without `pyip shims` being
run again.  New shims name pyip.cli.ipchains.
"""

from __future__ import annotations

from ..cli.ipchains import ipchains, ipchains_restore, ipchains_save, run_as

__all__ = ["ipchains", "ipchains_restore", "ipchains_save", "run_as"]
