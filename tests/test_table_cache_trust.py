"""The parser-table cache is loaded only when no other user could have written it.

A poisoned cache file (a valid marshal of tables that parse nothing) shows whether pyip loaded
it: loaded, the command fails; not loaded, pyip compiles the grammar and the command parses.
The tests run as root; another user's file is made with chown, as `sudo -E` meets it.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = "ip rule add from 10.0.0.0/8 lookup 5\n"
OTHER_USER = 1234


def parse(cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", "parse", "-"], input=COMMAND, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "XDG_CACHE_HOME": str(cache), "PYIP_DEBUG": ""})


def parses(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0 and result.stdout == COMMAND


@pytest.fixture
def poisoned(tmp_path) -> Path:
    """A cache whose ip_rule tables are poisoned: a valid marshal file of empty tables."""
    assert parses(parse(tmp_path))  # fills the cache
    [rule_tables] = (tmp_path / "pyip").glob("ip_rule-*.marshal")
    rule_tables.write_bytes(marshal.dumps({"terminals": [], "rules": [], "states": {}, "start": {}}))
    return rule_tables


def test_own_private_cache_is_loaded(tmp_path, poisoned):
    poisoned.chmod(0o600)
    assert not parses(parse(tmp_path))  # the poison works: this is the file pyip loads


def test_another_users_file_is_not_loaded_and_is_replaced(tmp_path, poisoned):
    os.chown(poisoned, OTHER_USER, OTHER_USER)
    assert parses(parse(tmp_path))
    assert poisoned.stat().st_uid == os.geteuid()  # compiled and written again, ours now
    assert parses(parse(tmp_path))


def test_a_group_or_other_writable_file_is_not_loaded(tmp_path, poisoned):
    for mode in (0o620, 0o602):
        poisoned.chmod(mode)
        assert parses(parse(tmp_path))


def test_a_symbolic_link_is_not_followed(tmp_path, poisoned):
    elsewhere = tmp_path / "elsewhere.marshal"
    poisoned.rename(elsewhere)
    poisoned.symlink_to(elsewhere)
    assert parses(parse(tmp_path))


def test_another_users_directory_is_neither_read_nor_written(tmp_path, poisoned):
    # root running with the user's HOME (sudo -E): the user's cache directory and files
    directory = poisoned.parent
    for path in (directory, *directory.iterdir()):
        os.chown(path, OTHER_USER, OTHER_USER)
    poisoned.chmod(0o600)
    before = {path.name: path.read_bytes() for path in directory.iterdir()}
    assert parses(parse(tmp_path))
    assert {path.name: path.read_bytes() for path in directory.iterdir()} == before  # nothing written
    assert {path.stat().st_uid for path in directory.iterdir()} == {OTHER_USER}


def test_no_cache_directory_is_made_inside_another_users(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, OTHER_USER, OTHER_USER)
    assert parses(parse(home / ".cache"))
    assert not (home / ".cache").exists()


def test_a_new_cache_directory_and_files_are_private(tmp_path):
    assert parses(parse(tmp_path / "cache"))
    directory = tmp_path / "cache" / "pyip"
    assert directory.stat().st_mode & 0o777 == 0o700
    assert {path.stat().st_mode & 0o777 for path in directory.iterdir()} == {0o600}


def test_an_own_group_writable_directory_is_closed_and_used(tmp_path, poisoned):
    poisoned.chmod(0o600)
    poisoned.parent.chmod(0o775)
    assert not parses(parse(tmp_path))  # ours: made private, then trusted (the poison is loaded)
    assert poisoned.parent.stat().st_mode & 0o777 == 0o755
