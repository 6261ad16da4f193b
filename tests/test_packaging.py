"""The wheel, installed on its own, holds everything: grammars, compat, every subpackage,
the man pages; and the README's two commands work as written from a clean clone, with
Debian's own python3 (which refuses pip outside a venv)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO

# A fresh Debian's PATH: Debian's python3, not whatever runs these tests.
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def readme_blocks() -> list[str]:
    """The README's ```sh blocks, in order."""
    return re.findall(r"^```sh\n(.*?)^```$", (REPO / "README.md").read_text(), re.S | re.M)


def readme_output_after(marker: str) -> list[str]:
    """The lines of the README's first plain ``` block after MARKER, up to its "..."."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"^```\n(.*?)^```$", text[text.index(marker):], re.S | re.M).group(1)
    return [line for line in block.splitlines() if line != "..."]


def clean_clone(tmp_path: Path) -> Path:
    """The checkout's tracked files (as a clone would have them), nothing else:
    no ../shared beside it, no .venv, no build leftovers."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    clone = tmp_path / "pyip"
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def fresh_env(tmp_path: Path) -> dict[str, str]:
    """A root shell on a fresh Debian: no venv active, Debian's PATH; apt waits for
    a lock another job holds instead of failing (APT_CONFIG adds to apt.conf.d)."""
    apt_conf = tmp_path / "apt.conf"
    apt_conf.write_text('DPkg::Lock::Timeout "300";\n')
    keep = ("HOME", "LANG", "TERM", "PIP_FIND_LINKS", "PIP_CERT", "PIP_DEFAULT_TIMEOUT",
            "PIP_DISABLE_PIP_VERSION_CHECK")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    return env | {"PATH": DEBIAN_PATH, "APT_CONFIG": str(apt_conf), "DEBIAN_FRONTEND": "noninteractive"}


def build_wheel(tmp_path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(REPO)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("pyip-*.whl")
    return wheel


def test_wheel_installs_and_runs(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for grammar in ("ip", "ip_route", "ip_rule", "ip_addr", "iptables", "ipchains"):
        assert f"pyip/grammar/{grammar}.lark" in names
    assert "pyip/compat/legacy.py" in names and "pyip/py.typed" in names
    assert "pyip-0.1.0.data/data/share/bash-completion/completions/pyip" in names
    assert "pyip-0.1.0.data/data/share/zsh/site-functions/_pyip" in names
    # every package of the checkout (pyproject.toml lists them: a new one must be added there)
    for init in sorted((REPO / "pyip").rglob("__init__.py")):
        assert init.relative_to(REPO).as_posix() in names, f"{init.parent.name} is not in the wheel"
    # A new venv: the wheel, and the dependencies this test's venv has (no package index needed),
    # nothing of this checkout (an editable install's .pth is not read from a directory added by a .pth).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    dependencies = [path for path in map(Path, sys.path) if path.name == "site-packages" and path.is_dir()]
    [site] = (venv / "lib").glob("python3*/site-packages")
    (site / "test-dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies))
    subprocess.run([venv / "bin" / "pip", "install", "--quiet", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    located = subprocess.run([venv / "bin" / "python", "-c", "import pyip; print(pyip.__file__)"],
                             capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert located.stdout.startswith(str(site)), located  # the wheel's pyip, not the checkout's
    result = subprocess.run([venv / "bin" / "pyip", "parse", "--dialect", "legacy", "-"],
                            input="ip rule add fwmark 10 reject\n", capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ip rule add fwmark 0x10 prohibit\n"
    script = tmp_path / "fw.sh"
    script.write_text("iptables -t filter INPUT -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j DROP\n")
    lint = subprocess.run([venv / "bin" / "pyip", "lint", str(script)], capture_output=True, text=True, timeout=60)
    assert lint.returncode == 1 and "PI001" in lint.stdout, lint.stderr
    nft = subprocess.run([venv / "bin" / "pyip", "translate", "--to", "nft", "--allow-partial", str(script)],
                         capture_output=True, text=True, timeout=60)
    assert "tcp dport 22" in nft.stdout, nft.stderr
    check_help_and_man_pages(venv)


def check_help_and_man_pages(venv: Path) -> None:
    """`pyip --help` runs; man finds the pages from the venv's bin on PATH alone
    (as after `. .venv/bin/activate`), and they render without a groff warning."""
    env = {"PATH": f"{venv / 'bin'}:{DEBIAN_PATH}", "MANWIDTH": "80", "LANG": "C.UTF-8", "MANPAGER": "cat"}
    helped = subprocess.run([venv / "bin" / "pyip", "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert helped.returncode == 0 and "parse" in helped.stdout, helped.stderr
    for page, section in (("pyip", 8), ("pyip-lint", 1)):
        where = subprocess.run(["man", "-w", page], capture_output=True, text=True, env=env, timeout=60)
        assert where.stdout.strip() == str(venv / "share" / "man" / f"man{section}" / f"{page}.{section}"), where
        shown = subprocess.run(["man", "--warnings", "-l", where.stdout.strip()], capture_output=True, text=True,
                               env=env, timeout=60)
        assert shown.returncode == 0 and shown.stderr == "", shown.stderr
        assert re.search(rf"^NAME\n\s+{page}\s+-\s", shown.stdout, re.M), shown.stdout[:400]


def package_index_reachable(env: dict, tmp_path: Path) -> bool:
    """Can pip fetch a dependency (the README's `pip install .` needs one, as on any fresh machine)?"""
    import tomllib

    wanted = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    probe = subprocess.run(["python3", "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(tmp_path / "probe"),
                            "--retries", "1", "--timeout", "15", *wanted], env=env, capture_output=True, timeout=300)
    return probe.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="the README's commands are for root on a fresh Debian")
def test_readme_commands_from_a_clean_clone(tmp_path):
    clone = clean_clone(tmp_path)
    env = fresh_env(tmp_path)
    if not package_index_reachable(env, tmp_path):
        pytest.skip("no package index reachable: the README's pip install cannot fetch the dependencies")
    try_it, run_tests = readme_blocks()[:2]
    assert "../" not in "".join(readme_blocks()), "a README command reaches outside the checkout"
    # The first command: set up pyip and run it on examples/, as the README shows.
    first = subprocess.run(["bash", "-euc", try_it], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    shown = readme_output_after("This prints")
    printed = first.stdout.splitlines()  # apt and pip speak first
    start = next(n for n, line in enumerate(printed) if line.startswith("ip "))
    assert printed[start:start + len(shown)] == shown, first.stdout[-2000:]
    check_help_and_man_pages(clone / ".venv")
    # Every other README example that names a file runs on a file the clone has.
    pyip = clone / ".venv" / "bin" / "pyip"
    for line in "\n".join(readme_blocks()[2:]).splitlines():
        words = shlex.split(line.split("#")[0].split("|")[0])
        if words[:1] == ["pyip"] and words[1] in ("parse", "translate", "lint"):
            ran = subprocess.run([pyip, *words[1:]], cwd=clone, env=env, capture_output=True, text=True, timeout=120)
            assert ran.returncode in (0, 1) and "Traceback" not in ran.stderr, (line, ran.stderr[-2000:])
            assert ran.stdout, line
    # The second: set up the tests in the clone's own venv and run pytest from it
    # (collecting only: this test is already inside a run of them).
    second = subprocess.run(["bash", "-euc", f"{run_tests.strip()} --collect-only -q tests/test_cli_parse.py"],
                            cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-2000:] + second.stdout[-2000:]
    assert re.search(r"^tests/test_cli_parse.py: [1-9]\d*$", second.stdout, re.M), second.stdout[-2000:]
    assert (clone / ".venv" / "bin" / "pytest").exists()
