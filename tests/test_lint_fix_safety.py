"""`pyip lint --fix` never leaves a file other than the original or the fixed one.

Oracles: the file's own bytes (before, and as a complete --fix run leaves them), the kernel's
ENOSPC from a small tmpfs mounted here, SIGKILL at the moment the temporary file exists.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXABLE = "iptables -A INPUT -m state \u2014state NEW -j ACCEPT"  # PI002: the em dash becomes --
FIXED = "iptables -A INPUT -m state --state NEW -j ACCEPT"
KILLS = int(os.environ.get("PYIP_FIX_KILLS", "8"))


def lint_fix(*paths, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", "lint", "--fix", *map(str, paths)], capture_output=True,
                          text=True, timeout=120, **options)


def big_script(lines: int) -> bytes:
    """One fixable command and many long comment lines: a file whose writing takes a while."""
    return "\n".join([FIXABLE] + ["# " + "x" * 200] * lines).encode() + b"\n"


def leftovers(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith(".pyip")]


def test_line_endings_bytes_and_mode_are_kept(tmp_path):
    original = (FIXABLE.encode() + b"\r\n# caf\xe9 (latin-1, not UTF-8)\r\n"
                b"ipchains -A input -j DENY\rno newline at the end " + "\u2014".encode())
    script = tmp_path / "fw.sh"
    script.write_bytes(original)
    script.chmod(0o751)
    os.chown(script, 1234, 4321)  # the tests run as root: the owner must come back too
    result = lint_fix(script)
    assert result.returncode == 1 and "PI021" in result.stdout, result.stdout + result.stderr  # CR LF: reported, kept
    assert script.read_bytes() == original.replace(FIXABLE.encode(), FIXED.encode())
    status = script.stat()
    assert (stat.S_IMODE(status.st_mode), status.st_uid, status.st_gid) == (0o751, 1234, 4321)
    assert leftovers(tmp_path) == []


def test_a_file_without_a_fix_is_not_touched(tmp_path):
    script = tmp_path / "fw.sh"
    script.write_bytes(b"iptables -A INPUT -j ACCEPT\r\n")
    before = script.stat()
    assert lint_fix(script).returncode == 1  # PI021 reports the CR LF, which --fix keeps
    assert (script.stat().st_ino, script.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_symbolic_link_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "real.sh"
    target.write_text(FIXABLE + "\n")
    link = tmp_path / "link.sh"
    link.symlink_to(target)
    result = lint_fix(link)
    assert result.returncode == 1
    assert result.stderr == f"{link}: error: a symbolic link (to {target}): not rewritten; run --fix on the file it points to\n"
    assert link.is_symlink() and target.read_text() == FIXABLE + "\n"
    assert "PI002" in result.stdout  # the findings are still reported
    assert lint_fix(target).returncode == 0 and target.read_text() == FIXED + "\n"


def test_a_full_disk_leaves_the_original(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "pyip-test", str(mount)], check=True)
    try:
        original = big_script(800)  # ~160 KB: the file fits, a second copy does not
        script = mount / "fw.sh"
        script.write_bytes(original)
        result = lint_fix(script)
        assert result.returncode == 1
        assert result.stderr == f"{script}: error: not rewritten: No space left on device\n"
        assert script.read_bytes() == original
        assert leftovers(mount) == []
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_kill_while_writing_leaves_the_original_or_the_fixed_file(tmp_path):
    original = big_script(25_000)  # 5 MB
    reference = tmp_path / "reference.sh"
    reference.write_bytes(original)
    assert lint_fix(reference).returncode == 0
    fixed = reference.read_bytes()
    assert fixed != original
    work = tmp_path / "work"
    work.mkdir()
    outcomes = []
    for run in range(KILLS):
        script = work / "fw.sh"
        script.write_bytes(original)
        process = subprocess.Popen([sys.executable, "-m", "pyip", "lint", "--fix", str(script)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_temporary_file(work, process)
        time.sleep(random.uniform(0, 0.03))  # somewhere in the write, the fsync or just after the rename
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        content = script.read_bytes()
        assert content in (original, fixed), f"run {run}: {len(content)} bytes, neither original nor fixed"
        outcomes.append(content == fixed)
        for name in leftovers(work):  # what a kill leaves: a hidden temporary file, never the script
            os.unlink(work / name)
    assert not all(outcomes), "no kill landed before the rename: the test did not test the write"


def _wait_for_temporary_file(directory: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not leftovers(directory):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail("lint --fix ended (or hung) without writing a temporary file beside the script")
        time.sleep(0.0005)
