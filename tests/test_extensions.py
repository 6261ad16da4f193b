"""Each extension module (pyip/extensions/NAME.py) against iptables' own tests for it, judged by the real tools.

For every module: every rule of its .t files that the installed iptables
accepts must come out of `pyip translate --to iptables-restore` as
iptables-save prints it, every rule iptables refuses must be refused, and
every .txlate vector must translate to what the kernel lists for the
reference (or be refused where iptables or nft refuse the reference, or
differ from a reference known to be wrong: tests/peer_iptables.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pyip.extensions

from .peer_iptables import t_results, txlate_results

MODULES = sorted(path.stem for path in Path(pyip.extensions.__file__).parent.glob("*.py")
                 if not path.stem.startswith("_"))  # __init__, __main__, _history_index are no extensions

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")


def test_every_module_is_a_registered_extension():
    for name in MODULES:
        module = pyip.extensions.extension_module(name)
        faces = [getattr(module, kind, None) for kind in ("MATCH", "TARGET")]
        assert any(faces), f"{name}.py has neither MATCH nor TARGET"
        for face in filter(None, faces):
            assert face.name.lower() == name
            assert pyip.extensions.parser("match" if face is faces[0] else "target", face.name) is face


# What a module does not do yet, each a strict xfail: it fails the day the gap closes, to be taken off here.
GAPS: dict = {}


def with_gaps(kind: str) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(reason=GAPS[name, kind], strict=True))
            if (name, kind) in GAPS else name for name in MODULES]


@pytest.mark.parametrize("name", with_gaps("t"))
def test_iptables_own_rules(name):
    results = t_results(name)
    wrong = [str(result) for result in results if result.verdict not in ("same", "rejected", "environment")]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("name", with_gaps("txlate"))
def test_iptables_translate_vectors(name):
    results = txlate_results(name)
    wrong = [str(result) for result in results if result.verdict not in ("same", "corrected", "justified", "declined",
                                                                         "environment")]
    assert not wrong, "\n".join(wrong)


def test_the_module_names_are_pkgutils(tmp_path):
    """extensions.modules_in() reads the directory itself (pkgutil imports inspect: start-up); it must give
    pkgutil.iter_modules()'s names, for this package and for a directory of every kind of entry."""
    import pkgutil

    from pyip import extensions
    from pyip.extensions import set as _  # noqa: F401  (the package's `set` is this module from now on)

    assert extensions.module_names() == frozenset(
        module.name for module in pkgutil.iter_modules(extensions.__path__) if not module.name.startswith("_"))
    assert {"comment", "tcp", "socket", "time"} <= extensions.module_names()
    for name in ("plain.py", "compiled.pyc", "native.cpython-311-x86_64-linux-gnu.so", "dotted.name.py", "noext",
                 "README.md", "__init__.py", "_private.py", "package/__init__.py", "package.dotted/__init__.py",
                 "compiled_package/__init__.pyc", "not_a_package/module.py", "__pycache__/plain.cpython-311.pyc",
                 "dir.py/x"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    import zipfile

    with zipfile.ZipFile(tmp_path / "z.zip", "w") as archive:  # a zip's path: pkgutil's to read
        archive.writestr("inside/zipped.py", "")
    directories = (str(tmp_path), str(tmp_path / "missing"), str(tmp_path / "z.zip" / "inside"))
    expected = {module.name for module in pkgutil.iter_modules(list(directories))}
    assert expected >= {"plain", "compiled", "native", "package", "compiled_package", "_private", "dir", "zipped"}
    assert set(extensions.modules_in(directories)) == expected
