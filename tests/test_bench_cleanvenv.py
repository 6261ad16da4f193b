"""The benchmarks' clean venv is what they claim: isolated from the system and the checkout.

benchmarks/cleanvenv.py builds the venv the benchmarks time pyip from; if it
quietly saw the system site-packages or imported pyip from the checkout (an
editable hook, the current directory), the start-up figures would be taken on
a different interpreter set-up than a user's, which is what issue 13 was about.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from cleanvenv import clean_venv  # noqa: E402


def test_clean_venv_is_isolated_and_runs_the_console_script(tmp_path):
    probe = ("import json, sys, pyip, lark; "
             "print(json.dumps({'path': sys.path, 'pyip': pyip.__file__, 'lark': lark.__file__, "
             "'prefix': sys.prefix}))")
    with clean_venv() as venv:
        # run from an unrelated directory, so '' on sys.path is not the checkout
        seen = json.loads(subprocess.run([str(venv.python), "-c", probe], cwd=tmp_path, capture_output=True,
                                         text=True, check=True).stdout)
        system_site = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["purelib"]
        assert seen["prefix"] == str(venv.root)
        assert system_site not in seen["path"]
        assert not any(str(REPO) in entry for entry in seen["path"])
        assert seen["pyip"].startswith(str(venv.root)) and seen["lark"].startswith(str(venv.root))
        # the grammar files ship inside the package, as pyproject.toml lays them out
        assert (Path(seen["pyip"]).parent / "grammar" / "ip.lark").is_file()
        parsed = subprocess.run([str(venv.pyip), "parse", "-"], input="ip rule add fwmark 1 table 2\n",
                                cwd=tmp_path, capture_output=True, text=True)
        assert (parsed.returncode, parsed.stdout, parsed.stderr) == (0, "ip rule add fwmark 0x1 lookup 2\n", "")
        root = venv.root
    assert not root.exists()
