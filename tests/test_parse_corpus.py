"""Every ip command of the documents parses, with the meaning its era gave it."""

from __future__ import annotations

import pytest

import pyip
from pyip.errors import PyipError

POLICY = "policy-routing"


def tables_for(path) -> str:
    """The rt_tables file a document's example needs."""
    name = "rt_tables.int" if "int-tables" in path.name else "rt_tables"
    return str(path.parent.parent / POLICY / name)


def corpus_scripts(corpus):
    return sorted(corpus.glob("*/*.sh"))


def ip_results(text: str, dialect: str, file: str, rt_tables: str | None = None):
    """What pyip reads of each ip command (the firewall commands have tests of their own)."""
    from pyip.names import Databases
    from pyip.parser.ip import is_ip_command, parse_ip
    from pyip.script import script_commands

    names = Databases.load(rt_tables=rt_tables)
    for words in script_commands(text, file):
        if isinstance(words, PyipError) or not is_ip_command(words):
            continue
        try:
            yield parse_ip(words, dialect, names)
        except PyipError as error:
            yield error


def test_every_corpus_ip_command_parses_in_the_legacy_dialect(corpus):
    count = 0
    for path in corpus_scripts(corpus):
        text = path.read_text()
        for result in ip_results(text, "legacy", str(path), tables_for(path)):
            assert not isinstance(result, PyipError), str(result)
            count += 1
    assert count >= 70  # the documents hold 77 ip commands outside loops


def test_static_routes_file_lines_parse(corpus):
    """The `advanced DEV ARGS` lines of static-routes run as `ip route add ARGS`."""
    for line in (corpus / "redundant-isp" / "static-routes").read_text().splitlines():
        args = line.split(maxsplit=2)[2]
        [command] = pyip.parse(f"ip route add {args}")
        assert command.body.table.number in (1, 2)


def test_legacy_fwmark_is_hexadecimal(corpus):
    text = (corpus / POLICY / "example5-fwmark.sh").read_text()
    rules = [c for c in pyip.parse(text, "legacy", rt_tables=tables_for(corpus / POLICY / "x"))
             if getattr(c, "object", None) == "rule"]
    assert [r.body.fwmark for r in rules] == [2, 16]
    assert any("hexadecimal" in note for note in rules[1].notes)
    assert str(rules[1]) == "ip rule add fwmark 0x10 prohibit"


def test_modern_fwmark_is_decimal(corpus):
    [command] = pyip.parse("ip rule add fwmark 10 prohibit")
    assert command.body.fwmark == 10
    assert str(command) == "ip rule add fwmark 0xa prohibit"


def test_reject_is_prohibit_in_legacy_and_an_error_today(corpus):
    text = (corpus / POLICY / "example1-deny-subnet.sh").read_text()
    legacy = pyip.parse(text, "legacy")
    assert str(legacy[-1]) == "ip rule add from 192.168.2.0/24 priority 32777 prohibit"
    modern = list(pyip.parse_script(text, "modern", file="ex1"))
    error = modern[-1]
    assert isinstance(error, PyipError)
    assert error.message == 'Error: argument "reject" is wrong: Failed to parse rule type'
    assert (error.location.line, error.location.col, error.exit_status) == (9, 44, 255)


def test_equalize_is_accepted_in_legacy_and_garbage_today(corpus):
    text = (corpus / "redundant-isp" / "static-rules.sh").read_text()
    [multipath] = [c for c in pyip.parse(text, "legacy") if c.body is not None
                   and getattr(c.body, "nexthops", ())]
    assert [str(n.gateway.address) for n in multipath.body.nexthops] == ["63.89.102.1", "65.3.17.1"]
    assert str(multipath) == ("ip route add default nexthop via 63.89.102.1 dev eth1 "
                              "nexthop via 65.3.17.1 dev eth2")
    errors = [r for r in pyip.parse_script(text, "modern") if isinstance(r, PyipError)]
    assert [e.message for e in errors] == ['Error: either "to" is duplicate, or "equalize" is a garbage.']
    assert errors[0].location.line == 15


def test_legacy_and_modern_equivalents_compare_equal():
    [old] = pyip.parse("ip rule add fwmark 10 table 5 reject", "legacy")
    [new] = pyip.parse("ip rule add fwmark 0x10 lookup 5 prohibit", "modern")
    assert old == new


def test_zero_prefix_is_default():
    [command] = pyip.parse("ip route add 0/0 via 10.0.0.1 table 1")
    assert str(command) == "ip route add default via 10.0.0.1 table 1"
    assert command == pyip.parse("ip route add default via 10.0.0.1 table 1")[0]


def test_table_names_are_numbers_that_remember_their_name(corpus):
    tables = str(corpus / POLICY / "rt_tables")
    [named] = pyip.parse("ip route add 10.10.10.0/24 via 192.168.1.2 table goodnet1", rt_tables=tables)
    [numbered] = pyip.parse("ip route add 10.10.10.0/24 via 192.168.1.2 table 1", rt_tables=tables)
    assert named == numbered
    assert str(named).endswith("table goodnet1")
    assert str(numbered).endswith("table 1")


def test_unknown_table_name_without_the_documents_rt_tables():
    with pytest.raises(PyipError) as info:
        pyip.parse("ip route add 10.10.10.0/24 via 192.168.1.2 table goodnet1",
                   names=pyip_builtin_names())
    assert info.value.message == 'Error: argument "goodnet1" is wrong: "table" value is invalid'


def pyip_builtin_names():
    from pyip.names import Databases

    return Databases.builtin()
