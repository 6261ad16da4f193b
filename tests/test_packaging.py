"""The wheel, installed on its own, holds everything: grammars, compat, every subpackage."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from .conftest import REPO


def test_wheel_installs_and_runs(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(REPO)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("pyip-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for grammar in ("ip", "ip_route", "ip_rule", "ip_addr", "iptables", "ipchains"):
        assert f"pyip/grammar/{grammar}.lark" in names
    assert "pyip/compat/legacy.py" in names
    # A venv that sees the installed dependencies but not this checkout.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    subprocess.run([venv / "bin" / "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True, timeout=300)
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
