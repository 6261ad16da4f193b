"""A clean virtual environment with pyip installed, the way a user gets one.

Benchmarks must time what a user meets: `python3 -m venv`, pyip installed into
it, the `pyip` console script run as a process.  The interpreter the benchmark
itself runs under (a development venv, often with the system site-packages on
its path and an editable install's import hook) starts slower than that and
would flatter the ratios, so every benchmark builds one of these instead.

Two ways, the first that works; `CleanVenv.how` says which was used and the
benchmarks print it:

- "pip install": `python3 -m venv` and `pip install CHECKOUT` (needs PyPI
  for the build backend and the dependencies);
- "copied install" (PyPI unreachable): `python3 -m venv --without-pip`, no
  system site-packages; each dependency's files copied from its installed
  distribution (the files its RECORD lists, dist-info included, as pip laid
  them out), pyip's packages copied in the layout pyproject.toml gives them
  (grammar/ as pyip.grammar, compat/ as pyip.compat), bin/pyip as pip
  writes it, and bytecode compiled as pip does at install.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))

# pyproject.toml's package-dir: source folder -> place under site-packages.
PACKAGE_DIRS = {"pyip": "pyip", "grammar": "pyip/grammar", "compat": "pyip/compat"}
SHIPPED = ("*.py", "*.lark", "py.typed")

# bin/pyip, the `pyip` command, with the venv's interpreter where it says `#!python`, as pip writes it.
SCRIPT = REPO / "bin" / "pyip"


@dataclass(frozen=True)
class CleanVenv:
    root: Path
    how: str

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def pyip(self) -> Path:
        return self.root / "bin" / "pyip"

    def describe(self) -> str:
        return f"clean venv ({self.how}) at {self.root}"


@contextlib.contextmanager
def clean_venv():
    """A CleanVenv in a temporary directory, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="pyip-bench-venv-"))
    try:
        root = parent / "venv"
        how = _pip_install(root) or _copied_install(root)
        yield CleanVenv(root, how)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def _pip_install(root: Path) -> str | None:
    try:
        socket.getaddrinfo("pypi.org", 443)
    except OSError:
        return None  # no index to install from; pip would only retry for a while
    subprocess.run([str(BASE_PYTHON), "-m", "venv", str(root)], check=True)
    result = subprocess.run([str(root / "bin" / "pip"), "install", "-q", "--retries", "0", "--timeout", "5",
                             str(REPO)], capture_output=True, text=True)
    return "python3 -m venv + pip install ." if result.returncode == 0 else None


def _copied_install(root: Path) -> str:
    subprocess.run([str(BASE_PYTHON), "-m", "venv", "--clear", "--without-pip", str(root)], check=True)
    site = Path(subprocess.run([str(root / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    names = []
    for dist in _dependencies():
        _copy_distribution(dist, site)
        names.append(f"{dist.metadata['Name']} {dist.version}")
    _copy_pyip(site)
    script = root / "bin" / "pyip"
    shebang, _, rest = SCRIPT.read_text().partition("\n")
    assert shebang == "#!python", shebang
    script.write_text(f"#!{root / 'bin' / 'python'}\n{rest}")
    script.chmod(0o755)
    subprocess.run([str(root / "bin" / "python"), "-m", "compileall", "-q", str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    return ("python3 -m venv --without-pip, no system site-packages; PyPI unreachable, so the dependencies' "
            "installed files were copied in (" + ", ".join(names) + ")")


def _dependencies() -> list[importlib.metadata.Distribution]:
    """pyip's runtime requirements and theirs, as installed for this interpreter (markers applied, no extras)."""
    from packaging.requirements import Requirement  # pip's own dependency; present wherever pip is

    pyproject = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)\]", pyproject, re.S | re.M).group(1)
    wanted = [Requirement(text) for text in re.findall(r'"([^"]+)"', block)]
    found: dict[str, importlib.metadata.Distribution] = {}
    while wanted:
        requirement = wanted.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if key in found:
            continue
        dist = importlib.metadata.distribution(requirement.name)
        found[key] = dist
        wanted.extend(Requirement(text) for text in dist.requires or [])
    return list(found.values())


def _copy_distribution(dist: importlib.metadata.Distribution, site: Path) -> None:
    base = Path(dist.locate_file("")).resolve()
    for file in dist.files or []:
        source = Path(dist.locate_file(file)).resolve()
        if not source.is_relative_to(base) or "__pycache__" in source.parts or not source.is_file():
            continue  # console scripts in ../../bin, stale bytecode: not part of the import path
        target = site / source.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _copy_pyip(site: Path) -> None:
    for source_dir, package_dir in PACKAGE_DIRS.items():
        for pattern in SHIPPED:
            for source in (REPO / source_dir).rglob(pattern):
                relative = source.relative_to(REPO / source_dir)
                if "__pycache__" in relative.parts or (source_dir == "pyip" and relative.parts[0] in ("grammar", "compat")):
                    continue
                target = site / package_dir / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


def import_profile(venv: CleanVenv, args: list[str], stdin: bytes = b"", top: int = 12) -> str:
    """`-X importtime` of one run of the console script: the total and the costliest imports."""
    result = subprocess.run([str(venv.python), "-X", "importtime", str(venv.pyip), *args], input=stdin,
                            capture_output=True)
    rows = []
    for line in result.stderr.decode(errors="replace").splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), int(match.group(2)), len(match.group(3)), match.group(4)))
    total = sum(row[0] for row in rows)
    pyip_modules = sum(1 for row in rows if row[3].startswith("pyip"))
    lines = [f"  {len(rows)} modules imported ({pyip_modules} of pyip), {total / 1000:.1f} ms of import time in all",
             "  costliest by own time (us self | cumulative | module):"]
    for self_us, cumulative_us, _, name in sorted(rows, reverse=True)[:top]:
        lines.append(f"    {self_us:8d} | {cumulative_us:8d} | {name}")
    lines.append("  costliest top-level imports by cumulative time:")
    for self_us, cumulative_us, _, name in sorted((r for r in rows if r[2] == 1), key=lambda r: -r[1])[:top]:
        lines.append(f"    {self_us:8d} | {cumulative_us:8d} | {name}")
    return "\n".join(lines)
