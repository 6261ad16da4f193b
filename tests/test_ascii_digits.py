"""iproute2 reads numbers with strtoul()/sscanf() and addresses with get_addr_ipv4():
ASCII digits only.  Python's int(), str.isdigit() and the regex \\d take any
Unicode digit (`\u0661` is ARABIC-INDIC DIGIT ONE), which ip refuses."""

from __future__ import annotations

import pytest

from pyip.errors import PyipError
from pyip.names import read_db_lines
from pyip.netlink.common import CommandFailed, Links, ip_protocol
from pyip.prefix import parse_address, parse_prefix, read_prefix

ONE = "\u0661"


@pytest.mark.parametrize("word", [f"1.2.3.{ONE}", f"{ONE}0.0.0.0/8", f"10.0.0.0/{ONE}6", f"10.{ONE}.0.0/16",
                                  f"10.0.0.0/255.{ONE}.0.0", f"1.2.3.0x{ONE}", f"1{ONE}.0.0.0", f"::ffff:1.2.3.{ONE}"])
@pytest.mark.parametrize("family", [None, 4])
def test_addresses_and_prefixes_with_other_digits_are_refused(word, family):
    with pytest.raises(PyipError):
        parse_prefix(word, family)
    with pytest.raises(PyipError):
        parse_address(word, family)
    assert read_prefix(word, family) is None


def test_the_plain_fast_path_still_reads_ascii():
    assert str(parse_prefix("10.1.2.3/24", None)) == "10.1.2.3/24"
    assert str(parse_address("192.168.1.254", 4)) == "192.168.1.254"


def test_protocol_numbers_and_ifN_names_are_ascii():
    assert ip_protocol("6") == 6
    with pytest.raises(CommandFailed):
        ip_protocol(ONE)
    links = Links([])
    assert links.index("if3") == 3
    with pytest.raises(CommandFailed):
        links.index("if" + ONE)


def test_name_databases_read_ascii_numbers(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text("7 seven\n0x10 sixteen\n")
    bad.write_text(f"{ONE} one\n")
    assert read_db_lines(good) == ({7: "seven", 16: "sixteen"}, None)
    entries, warning = read_db_lines(bad)
    assert entries == {} and "is corrupted" in warning
