"""The rt_* name databases, read as iproute2 reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyip.names import Databases, parse_c_number, read_db_lines


def test_c_numbers():
    assert parse_c_number("10") == 10
    assert parse_c_number("0x10") == 16
    assert parse_c_number("010") == 8
    assert parse_c_number("08") is None
    assert parse_c_number("10", 16) == 16
    assert parse_c_number("256", 0, 255) is None
    assert parse_c_number("") is None
    assert parse_c_number("1x") is None


def test_documents_rt_tables(corpus):
    db = Databases.load(rt_tables=corpus / "policy-routing" / "rt_tables")
    assert [db.tables.lookup(n) for n in ("goodnet1", "goodnet2", "badnet1", "badnet2", "internet")] == [1, 2, 3, 4, 5]
    assert db.tables.lookup("main") == 254
    assert db.tables.name(5) == "internet"
    assert db.tables.name(5, numeric=True) == "5"
    assert db.tables.name(77) == "77"


def test_corrupted_database_stops_reading_with_iproute2s_warning(tmp_path):
    path = tmp_path / "rt_tables"
    path.write_text("1 one\n0x2 two # trailing comment\nthree 3\n4 four\n")
    entries, warning = read_db_lines(path)
    assert entries == {1: "one", 2: "two"}
    assert warning == f"Database {path} is corrupted at three 3"


def test_conf_directories_and_fallback(tmp_path):
    (tmp_path / "rt_tables").write_text("100 isp1\n")
    (tmp_path / "rt_tables.d").mkdir()
    (tmp_path / "rt_tables.d" / "extra.conf").write_text("200 isp2\n")
    (tmp_path / "rt_tables.d" / "ignored.txt").write_text("201 nope\n")
    (tmp_path / "rt_protos").write_text("99 openr\n")
    db = Databases.load(confdir=tmp_path)
    assert db.tables.lookup("isp1") == 100
    assert db.tables.lookup("isp2") == 200
    assert db.tables.lookup("nope") is None
    assert db.protocols.lookup("openr") == 99
    assert db.protocols.lookup("static") == 4  # built-in
    assert db.scopes.lookup("link") == 253


def test_name_before_number(tmp_path):
    """A table named "10" makes `table 10` mean that table, as in iproute2."""
    (tmp_path / "rt_tables").write_text("1 10\n")
    db = Databases.load(confdir=tmp_path)
    assert db.tables.lookup("10") == 1


def test_dsfield_numbers_are_hex():
    db = Databases.builtin()
    assert db.dsfield.lookup("10") == 16
    assert db.dsfield.name(16) == "0x10"


@pytest.mark.parametrize("text", ["", ".", "/", "//", "///", "a", "a/", "./a", "a//b", "a/./b", "a/../b", "/etc//iproute2/",
                                  "//host/x", "///x", "./", "x/.", ".a/..b"])
def test_file_names_are_said_as_pathlib_says_them(text):
    """names.path_text() stands for str(pathlib.Path()), which the start-up cannot afford to import."""
    from pathlib import Path

    from pyip.names import is_conf, path_text

    assert path_text(text) == str(Path(text))
    for name in (".conf", "a.conf", "..conf", "a.conf.bak", "conf", "a.", "a.CONF"):
        assert is_conf(name) == (Path(name).suffix == ".conf")


@given(st.text(alphabet="0x19aFg-# \t\u00a0\u2003\x1c\x85é\r", max_size=14))
@settings(max_examples=3000, deadline=None)
def test_database_lines_read_as_the_pattern_reads_them(line):
    """names.db_entry() reads a line as re.fullmatch(LINE_PATTERN) does, without compiling it."""
    import re

    from pyip.names import LINE_PATTERN, db_entry

    match = re.fullmatch(LINE_PATTERN, line)
    assert db_entry(line) == (match.groups() if match else None)


@pytest.mark.parametrize("line", ["1 a", "0x1f b", "-3 c", "1 a#b c", "1 a#b#c d", "1 #a", "1 a # c", "1 a\t#c",
                                  "0xg a", "0X1 a", "1", "1 ", "a 1", "1 a b", "10\u00a0x", "007 seven"])
def test_database_lines_read_as_the_pattern_reads_them_examples(line):
    import re

    from pyip.names import LINE_PATTERN, db_entry

    match = re.fullmatch(LINE_PATTERN, line)
    assert db_entry(line) == (match.groups() if match else None)
