"""`show` streams and takes shortcuts (issue 13); each shortcut is checked against the plain path.

- A listing is written as the kernel dumps it: several writes of whole
  lines (or JSON pieces) whose concatenation is ip's output, not one write
  at the end.
- A new namespace (lo down, no routes, so no table main) lists nothing, as
  ip does: ip lets the kernel's `FIB table does not exist` pass for table
  main only (save_route_errhndlr()).
- netlink.Layouts (one unpack_from per message, its layout guessed from the
  message's length) decodes every message as the plain walk does, whatever
  the guess.
- Routes, rules and addresses print from their keys' templates
  (pyip.show.templates): the listing is the same as printing every entry in
  full, with and without selectors, also for copies of the messages with
  other values where the templates put them.
"""

from __future__ import annotations

import io
import os
import socket
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyip.cli.dropin import drop_in
from pyip.netlink.common import Rtnl, dump_links, inside, messages_in
from pyip.show import ShowOptions, netlink
from pyip.show.route import RouteListing

from .differential import pyip_process, real_ip
from .netns import namespace, run
from .test_show import ns  # noqa: F401  (the namespace of many kinds of routes)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

RTM_NEWROUTE, RTM_GETROUTE = 24, 26
ROUTES = 3000  # about 200 KB of messages: several datagrams of a dump


def outcome(result) -> tuple:
    return result.returncode, result.stdout, result.stderr


def assert_same_text(ours: str, expected: str) -> None:
    """Equal texts, or the first place they differ (pytest's diff of two big texts takes minutes)."""
    if ours != expected:
        at = next(i for i, (a, b) in enumerate(zip(ours + "\0", expected + "\0")) if a != b)
        raise AssertionError("the texts differ at %d: %r against %r" % (at, ours[at - 80:at + 80],
                                                                       expected[at - 80:at + 80]))


@pytest.fixture
def bare_namespace():
    """A namespace as `ip netns add` leaves it: lo down, no route in any table."""
    name = "pyipbare-%d" % os.getpid()
    run("ip", "netns", "add", name, check=True)
    try:
        yield name
    finally:
        run("ip", "netns", "del", name)


@pytest.mark.parametrize("argv", [
    ["route", "show"], ["route", "list", "table", "main"], ["-j", "route", "show"], ["-6", "route", "show"],
    ["route", "show", "table", "all"], ["route", "show", "table", "7"], ["-j", "route", "show", "table", "local"],
    ["route", "flush", "table", "main"],
])
def test_a_new_namespace_lists_as_ip_does(bare_namespace, argv):
    ours = real_ip(bare_namespace, argv)
    theirs = pyip_process(bare_namespace, argv)
    assert (theirs.returncode, theirs.stdout, theirs.stderr) == ours
    if argv == ["route", "show"]:
        assert ours == (0, "", "")  # the case of the bug: pyip said "Dump terminated", exit 2


class Recorder(io.StringIO):
    """A stdout that keeps each write apart."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


@pytest.fixture(scope="module")
def big_table():
    with namespace("pyipstream", veths=("s0",)) as name:
        run("ip", "-n", name, "addr", "add", "10.255.0.1/16", "dev", "s0", check=True)
        lines = ["route add 10.%d.%d.0/24 via 10.255.0.%d%s" % (n // 256, n % 256, 2 + n % 50,
                                                               " metric %d" % n if n % 3 else "")
                 for n in range(ROUTES)]
        lines += ["rule add %s lookup %d pref %d" % ("fwmark %#x" % n if n % 2 else "from 10.%d.%d.0/24" % (n // 256, n % 256),
                                                     1 + n % 9, 1000 + n)
                  for n in range(ROUTES)]
        result = run("ip", "-n", name, "-batch", "-", stdin="\n".join(lines) + "\n")
        assert result.returncode == 0, result.stderr
        yield name


@pytest.mark.parametrize("options", [[], ["-j"], ["-d"], ["-o"]])
@pytest.mark.parametrize("what", ["route", "rule"])
def test_a_big_listing_is_written_as_it_comes(big_table, options, what):
    argv = [*options, what, "show"]
    status, expected, _ = real_ip(big_table, argv)
    assert status == 0 and expected.count("\n") >= (1 if options == ["-j"] else ROUTES)
    out, err = Recorder(), io.StringIO()
    with inside(big_table):
        assert drop_in(argv, out, err) == 0
    assert_same_text("".join(out.writes), expected)
    assert err.getvalue() == ""
    pieces = [piece for piece in out.writes if piece]
    assert len(pieces) >= 3, "the listing came in %d writes, not as the dump went" % len(pieces)
    if not options:
        assert all(piece.endswith("\n") for piece in pieces)  # whole lines each time


def dumped_routes(name: str) -> list[bytes]:
    """Every route of every table and family, each message its own bytes."""
    with inside(name):
        rtnl = Rtnl()
    try:
        return rtnl.dump(RTM_GETROUTE, bytes(12))
    finally:
        rtnl.close()


def test_layouts_decode_as_the_plain_walk_does(ns):  # noqa: F811
    messages = dumped_routes(ns)
    assert len(messages) > 40
    layouts = netlink.Layouts(netlink.RTMSG)
    # Twice, and backwards: each message meets the layout of another of its length, or its own.
    for message in messages + messages[::-1]:
        plain = netlink.decode(message, netlink.RTMSG)
        header, attributes, layout, kinds = layouts.decode(message, 0, len(message))
        assert (header, attributes) == (plain.header, plain.attrs)
        assert kinds == tuple(kind for kind, _ in netlink.attribute_list(message[28:]))
        assert [message[start:start + 2] for start in layout.bounds[:-1]] == [
            struct.pack("=H", 4 + len(payload)) for _, payload in netlink.attribute_list(message[28:])]


def message(attributes: list[tuple[int, bytes]], length: int | None = None) -> bytes:
    body = netlink.RTMSG.pack(socket.AF_INET, 24, 0, 0, 254, 4, 0, 1, 0)
    for kind, payload in attributes:
        size = 4 + len(payload)
        body += struct.pack("=HH", size, kind) + payload + bytes(netlink.align(size) - size)
    total = 16 + len(body) if length is None else length
    return netlink.NLMSG_HEADER.pack(total, RTM_NEWROUTE, 2, 1, 0) + body + bytes(max(0, total - 16 - len(body)))


def test_a_wrong_layout_guess_is_noticed():
    """Three messages of one length whose attributes differ in number, length, type and order;
    a repeated type (the first wins) and a nested flag; trailing bytes too short for an attribute."""
    cases = [
        message([(15, struct.pack("=I", 254)), (1, bytes([10, 1, 2, 0])), (5, bytes([10, 0, 0, 1])), (4, struct.pack("=I", 2))]),
        message([(15, struct.pack("=I", 254)), (1, bytes([10, 1, 3, 0])), (8, struct.pack("=HHI", 8, 2, 1400))]),
        message([(4, struct.pack("=I", 3)), (1, bytes([10, 1, 4, 0])), (1, bytes([10, 9, 9, 0])), (0x8000 | 6, struct.pack("=I", 7))]),
        message([(1, bytes([10, 1, 5, 0])), (12, bytes(16))]),
        message([(1, bytes([10, 1, 6, 0]))], length=16 + 12 + 8 + 2),
    ]
    assert len({len(case) for case in cases[:4]}) == 2
    layouts = netlink.Layouts(netlink.RTMSG)
    for case in cases * 2:
        plain = netlink.decode(case, netlink.RTMSG)
        header, attributes, _, _ = layouts.decode(case, 0, len(case))
        assert (header, attributes) == (plain.header, plain.attrs)


@pytest.mark.parametrize("options", [ShowOptions(), ShowOptions(details=True, stats=1), ShowOptions(oneline=True),
                                     ShowOptions(json=True), ShowOptions(json=True, pretty=True, details=True)])
@pytest.mark.parametrize("selection", [{}, {"via": "192.168.2.254"}, {"to": ("root", "10.0.0.0/8")},
                                       {"protocol": 4}])
def test_reused_text_after_the_prefixes_is_the_full_printout(ns, big_table, options, selection):  # noqa: F811
    """Each route twice (the second prints from what the first left), against each printed in full."""
    messages = dumped_routes(ns)
    with inside(ns):
        rtnl = Rtnl()
    try:
        links = dump_links(rtnl)
    finally:
        rtnl.close()
    from pyip.show.route import RouteFilter

    # the big table's routes differ in their gateways and metrics, and its links are not these
    messages += [m for m in dumped_routes(big_table) if m[16 + 4] == 254][:500]

    every = RouteFilter(table="all", **selection)
    reused, full = RouteListing(links, options, every), RouteListing(links, options, every)
    full.templates = None  # no line templates either
    plain_print = full.printer.route
    full.printer.route = lambda route, key=None: plain_print(route)
    # copies with other destinations, gateways, sources and metrics (zeros, equal ones) than the first
    # routes and some of the big table's
    messages += [copy for m in messages[:80] + messages[-40:] for copy in variants(m, reused.templates)]
    for data in messages + messages:
        full.feed(data, [(0, len(data))])
    fed_as_dumped(reused, messages + messages, RTM_NEWROUTE)
    text = reused.result()
    assert_same_text(text, full.result())
    if not selection:
        assert text.count("nexthop") >= 4 and "expires" in text and "1400" in text and "cubic" in text
    used = [entry for layouts in reused.templates.known.values() for layout in layouts
            for entry in layout.templates.values() if entry[1] is not None]
    assert len(used) >= (1 if selection else 5)  # the templates were made, so the listing above printed from them


def test_addresses_read_with_layouts_are_the_plain_ones(ns):  # noqa: F811
    from pyip.show.address import Address

    with inside(ns):
        rtnl = Rtnl()
    try:
        messages = rtnl.dump(22, bytes(8))  # RTM_GETADDR, every family
    finally:
        rtnl.close()
    assert len(messages) > 10
    layouts = netlink.Layouts(netlink.IFADDRMSG)
    for message in messages + messages[::-1]:
        assert Address.of(message, layouts) == Address.of(message)


def fed_as_dumped(listing, messages: list[bytes], wanted: int) -> None:
    """The messages, as one dump's datagrams of up to 20 messages and its NLMSG_DONE, through
    feed_datagram() (the drop-in's way: the listing walks the datagram itself); messages of
    another sequence number or type in each datagram are passed over: another request's
    NLMSG_DONE, and copies of the datagram's first message, printed from a template by now,
    with another sequence number and with another type."""
    done = netlink.NLMSG_HEADER.pack(20, 3, 2, 7, 0) + bytes(4)
    stranger = netlink.NLMSG_HEADER.pack(20, 3, 2, 8, 0) + bytes(4)  # NLMSG_DONE of another request
    renumbered = [m[:8] + struct.pack("=I", 7) + m[12:] + bytes(-len(m) % 4) for m in messages]

    def strangers(first: bytes) -> bytes:
        other_request = first[:8] + struct.pack("=I", 8) + first[12:]
        other_type = first[:4] + struct.pack("=H", wanted + 1) + first[6:]
        return stranger + other_request + other_type

    datagrams = [b"".join(renumbered[start:start + 20]) + strangers(renumbered[start])
                 for start in range(0, len(renumbered), 20)]
    datagrams.append(done)
    for number, data in enumerate(datagrams):
        end = listing.feed_datagram(data, 7, wanted)
        assert (end is not None) == (number == len(datagrams) - 1)


def variants(message: bytes, templates) -> list[bytes]:
    """Copies of a message with other values in its varying fields (pyip.show.templates): zeros,
    all ones, and values of the same shape, some of them equal across fields."""
    walked = templates.varying(message, 0, len(message))
    fields = walked[0] if walked else []
    if not fields:
        return []
    copies = []
    for number, fill in enumerate((0x00, 0xFF, 0x0A, None, None)):
        copy = bytearray(message)
        for index, field in enumerate(fields):
            if fill is None:
                value = bytes((number * 37 + index * 11 + k * 5) % 256 for k in range(field.size))
            else:
                value = bytes([fill]) * field.size
            copy[field.start:field.start + field.size] = value
        copies.append(bytes(copy))
    grouped = [field for field in fields if field.group is not None]
    if len(grouped) > 1:  # equal fields of a group (an address and its peer), then but for their last byte
        copy = bytearray(message)
        for field in grouped:
            copy[field.start:field.start + field.size] = bytes([0x0A]) * field.size
        copies.append(bytes(copy))
        copy[grouped[-1].start + grouped[-1].size - 1] ^= 1
        copies.append(bytes(copy))
    return copies


def rule_messages(*names: str) -> list[bytes]:
    messages = []
    for name in names:
        with inside(name):
            rtnl = Rtnl()
        try:
            messages += rtnl.dump(34, bytes(12))  # RTM_GETRULE, both families
        finally:
            rtnl.close()
    return messages


RULE_OPTIONS = [ShowOptions(), ShowOptions(family=socket.AF_INET6, details=True), ShowOptions(oneline=True),
                ShowOptions(json=True), ShowOptions(json=True, pretty=True)]


@pytest.mark.parametrize("options", RULE_OPTIONS)
def test_rules_from_templates_are_the_full_printout(ns, big_table, options):  # noqa: F811
    """Each rule (every kind test_show.py makes: fwmark/mask, iif/oif, uidrange, ipproto, ports,
    l3mdev, realms, goto, tun_id, IPv6), its copies with other priorities, prefixes and marks (zero
    too), and all of it again: printed from templates against each printed in full."""
    from pyip.show.rule import RuleListing

    messages = rule_messages(ns, big_table)
    templated, full = RuleListing({}, options), RuleListing({}, options)
    assert templated.templates is not None
    full.templates = None
    plain_print = full.printer.rule
    full.printer.rule = lambda rule, key=None: plain_print(rule)
    messages += [copy for m in messages[:60] + messages[-40:] for copy in variants(m, templated.templates)]
    for data in messages + messages:
        full.feed(data, [(0, len(data))])
    fed_as_dumped(templated, messages + messages, 32)  # RTM_NEWRULE
    text = templated.result()
    assert_same_text(text, full.result())
    assert "fwmark" in text and ("lookup" in text or '"table"' in text)
    used = [entry for layouts in templated.templates.known.values() for layout in layouts
            for entry in layout.templates.values() if entry[1] is not None]
    assert len(used) >= 3  # the templates were made, so the listing above printed from them


@pytest.mark.parametrize("json", [False, True])
@pytest.mark.parametrize("numeric", [False, True])
def test_rule_tables_print_their_names_from_templates(ns, big_table, tmp_path, json, numeric):  # noqa: F811
    """A rule's table varies within its key's template (its name baked in; a new table of a
    known key's other bytes takes that key's template, not a new printing): names a JSON string
    escapes, a `%`, names the rules are met with in turn, a table 0 (no `lookup`), -N; each rule
    and its copies with other tables, priorities and prefixes against each printed in full."""
    from pyip.names import Databases
    from pyip.show.rule import TABLE_NAME, RuleListing

    rt_tables = tmp_path / "rt_tables"
    rt_tables.write_text('1 one\n2 t"wo\n3 th\\ree\n4 f%sour%%u\n5 5\n6 \tsix\n255 local\n254 main\n')
    options = ShowOptions(json=json, numeric=numeric, names=Databases.load(rt_tables=rt_tables))
    messages = rule_messages(ns, big_table)
    templated, full = RuleListing({}, options), RuleListing({}, options)
    full.templates = None
    plain_print = full.printer.rule
    full.printer.rule = lambda rule, key=None: plain_print(rule)
    copies = []
    for m in messages[:60] + messages[-60:]:
        walked = templated.templates.varying(m, 0, len(m))
        table = next((f for f in walked[0] if f.role == TABLE_NAME), None) if walked else None
        for number in (0, 1, 2, 3, 4, 5, 6, 7, 254, 0xFFFFFFFF, 1000 + len(copies)):
            if table is not None:
                copy = bytearray(m)
                copy[table.start:table.start + 4] = struct.pack("=I", number)
                copies.append(bytes(copy))
    assert len(copies) > 500
    messages += copies + [copy for m in copies[::7] for copy in variants(m, templated.templates)]
    for data in messages + messages:
        full.feed(data, [(0, len(data))])
    fed_as_dumped(templated, messages + messages, 32)  # RTM_NEWRULE
    text = templated.result()
    assert_same_text(text, full.result())
    if not numeric:
        assert ('t\\"wo' if json else 't"wo') in text and "f%sour%%u" in text
    protos = [proto for layouts in templated.templates.known.values() for layout in layouts
              for proto in layout.protos.values()]
    assert protos  # the tables' templates came from other tables' ones


@pytest.mark.parametrize("options", [ShowOptions(), ShowOptions(json=True)])
def test_reused_rule_text_is_the_full_printout(ns, big_table, options):  # noqa: F811
    """With a selector (no templates): each rule twice, the second printing from what the first
    left, against each printed in full."""
    from pyip.show.rule import RuleFilter, RuleListing

    messages = rule_messages(ns, big_table)
    selector = RuleFilter(table=9)
    reused, full = RuleListing({}, options, selector), RuleListing({}, options, selector)
    plain_print = full.printer.rule
    full.printer.rule = lambda rule, key=None: plain_print(rule)
    for listing in (reused, full):
        for data in messages + messages:
            listing.feed(data, [(0, len(data))])
    text = reused.result()
    assert_same_text(text, full.result())
    assert "fwmark" in text and ("lookup" in text or '"table"' in text)


ADDRESS_OPTIONS = [ShowOptions(), ShowOptions(family=socket.AF_INET), ShowOptions(family=socket.AF_INET6, details=True),
                   ShowOptions(oneline=True), ShowOptions(brief=True), ShowOptions(stats=1),
                   ShowOptions(json=True), ShowOptions(json=True, pretty=True)]


@pytest.mark.parametrize("options", ADDRESS_OPTIONS)
def test_addresses_from_templates_are_the_full_printout(ns, monkeypatch, options):  # noqa: F811
    """Every address of test_show.py's namespace (peers, labels, lifetimes, flags, metric, IPv6),
    its copies with other addresses (equal to their peers, and not), and all of it again: printed
    from templates (fed message by message, and walked as a dump's datagrams) against each
    printed in full."""
    from pyip.show import address
    from pyip.show.templates import Templates

    family = options.family or 0
    with inside(ns):
        rtnl = Rtnl()
    try:
        links = dump_links(rtnl, family)
        messages = rtnl.dump(22, bytes([family]) + bytes(7))  # RTM_GETADDR
    finally:
        rtnl.close()
    probe = Templates(netlink.IFADDRMSG, address.varying_fields, None, address.NAME_OF, address.header_fields)
    messages += [copy for m in messages for copy in variants(m, probe)]
    messages += messages
    made = []
    real_templates = address.Templates

    def counting(*args, **named):
        templates = real_templates(*args, **named)
        made.append(templates)
        return templates

    monkeypatch.setattr(address, "Templates", counting)
    templated = address.format_addresses(links, messages, options)
    streamed = address.AddressListing(links, options)  # the drop-in's way: the datagrams walked as they come
    fed_as_dumped(streamed, messages, 20)  # RTM_NEWADDR
    monkeypatch.setattr(address, "NO_FILTER", object())  # no selector is now "a selector": the full path
    full = address.format_addresses(links, messages, options)
    assert_same_text(templated, full)
    assert_same_text(streamed.result(), full)
    used = [entry for layouts in made[0].known.values() for layout in layouts
            for entry in layout.templates.values() if entry[1] is not None]
    assert len(used) >= 3  # the templates were made, so the listing above printed from them
    if not options.brief and not options.family:
        assert "peer" in templated and "valid_lft" in templated or "valid_life_time" in templated


@pytest.mark.parametrize("printer", ["twice", "by_value", "plain"])
def test_a_key_no_template_fits_is_printed_in_full(printer):
    """Where the sentinel's text stands twice, or the text depends on a varying value other than
    through its text (which the template's check against the real message finds), the key's
    messages are printed in full, each of them, and the same as without templates."""
    from pyip.show.templates import ADDR4, RENDERED, Templates

    def render(data: bytes, offset: int, length: int) -> str:
        destination = netlink.address(2, bytes(data[offset + 40:offset + 44]))  # RTA_DST, after RTA_TABLE
        if printer == "twice":
            return "%s via %s\n" % (destination, destination)
        if printer == "by_value":
            return "%s %s\n" % ("high" if data[offset + 40] >= 128 else "low", destination)
        return "to %s\n" % destination

    templates = Templates(netlink.RTMSG, lambda kind, size, family: ((0, 4, ADDR4, None),) if kind == 1 else (),
                          render)
    messages = [message([(15, struct.pack("=I", 254)), (1, bytes([octet, 1, 2, 0]))]) for octet in (10, 200, 11, 130)]
    texts = [templates.text(m, 0, len(m)) for m in messages + messages]
    assert texts == [render(m, 0, len(m)) for m in messages + messages]
    entries = [entry for layouts in templates.known.values() for layout in layouts for entry in layout.templates.values()]
    assert entries == ([RENDERED] if printer != "plain" else [entries[0]]) and (printer != "plain" or entries[0][1])


@pytest.fixture(scope="module")
def dumped(ns, big_table):  # noqa: F811
    """The rules of both namespaces, and test_show.py's links and addresses (every family)."""
    with inside(ns):
        rtnl = Rtnl()
    try:
        links, addresses = dump_links(rtnl), rtnl.dump(22, bytes(8))  # RTM_GETADDR
    finally:
        rtnl.close()
    return rule_messages(ns, big_table), links, addresses


def generated_copies(data, messages: list[bytes], templates) -> list[bytes]:
    """Copies of some of MESSAGES with values hypothesis draws in their varying fields (named and
    shadowed ones too): zeros, all ones, small numbers, equal to another field's or to it but for
    its last byte, anything."""
    copies = []
    pool = data.draw(st.lists(st.sampled_from(messages), min_size=1, max_size=3))  # few: their keys meet again
    for message in data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=12)):
        walked = templates.varying(message, 0, len(message))
        fields = walked[0] if walked else []
        copy = bytearray(message)
        drawn: list[bytes] = []
        for field in fields:
            alike = [d for d in drawn if len(d) == field.size]
            value = data.draw(st.one_of(
                st.sampled_from([bytes(field.size), b"\xff" * field.size]),
                st.integers(0, 300).map(lambda n, size=field.size: (n % (1 << 8 * size)).to_bytes(size, "little")),
                st.binary(min_size=field.size, max_size=field.size),
                *([st.sampled_from(alike), st.sampled_from(alike).map(lambda d: d[:-1] + bytes([d[-1] ^ 1]))]
                  if alike else [])))
            drawn.append(value)
            copy[field.start:field.start + field.size] = value
        copies += [bytes(copy)] * data.draw(st.integers(1, 2))
    return copies


FUZZ_EXAMPLES = int(os.environ.get("PYIP_FUZZ_EXAMPLES", "150"))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=FUZZ_EXAMPLES <= 150,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_generated_values_print_from_templates_as_in_full(dumped, data):
    """Rules and addresses whose priorities, prefixes, marks, tables, addresses, peers and prefix
    lengths hypothesis draws, in any order and repeated: printed from templates (the tables' and
    prefix lengths' taken from other keys' Protos too) against each printed in full."""
    from unittest import mock

    from pyip.show import address
    from pyip.show.rule import RuleListing
    from pyip.show.templates import Templates

    rules, links, addresses = dumped
    options = data.draw(st.sampled_from(RULE_OPTIONS))
    templated, full = RuleListing({}, options), RuleListing({}, options)
    full.templates = None
    plain_print = full.printer.rule
    full.printer.rule = lambda rule, key=None: plain_print(rule)
    messages = generated_copies(data, rules, templated.templates) + data.draw(st.lists(st.sampled_from(rules), max_size=5))
    for message in messages:
        full.feed(message, [(0, len(message))])
    fed_as_dumped(templated, messages, 32)  # RTM_NEWRULE
    assert_same_text(templated.result(), full.result())

    options = data.draw(st.sampled_from(ADDRESS_OPTIONS))
    probe = Templates(netlink.IFADDRMSG, address.varying_fields, None, address.NAME_OF, address.header_fields)
    messages = generated_copies(data, addresses, probe) + data.draw(st.lists(st.sampled_from(addresses), max_size=5))
    templated_text = address.format_addresses(links, messages, options)
    with mock.patch.object(address, "NO_FILTER", object()):  # no selector is now "a selector": the full path
        assert_same_text(templated_text, address.format_addresses(links, messages, options))


def dump_datagrams(name: str, read, start_buffer: int | None = None) -> list[bytes]:
    """The datagrams of a route dump in namespace NAME, each read by READ(rtnl); the socket's buffer
    first START_BUFFER bytes long when given."""
    with inside(name):
        rtnl = Rtnl()
    try:
        if start_buffer is not None:
            rtnl.buffer = bytearray(start_buffer)
        rtnl.sock.send(rtnl.request(RTM_GETROUTE, 0x301, bytes(12)))  # NLM_F_REQUEST | NLM_F_DUMP
        found = []
        while not found or struct.unpack_from("=H", found[-1], 4)[0] != 3:  # up to NLMSG_DONE
            found.append(read(rtnl))
            assert len(found) < 10_000
        return found
    finally:
        rtnl.close()


def test_a_dump_read_at_each_datagram_s_size_is_the_dump_a_big_buffer_reads(big_table):
    """Rtnl.receive() peeks each datagram's length and reads it into the socket's buffer, grown when
    the datagram is bigger (the buffer starts at 64 KB, not at a megabyte): the dump is the one a
    megabyte buffer receives, in the kernel's big datagrams (which it sizes by the buffers read)."""
    big = bytearray(1 << 20)
    whole = dump_datagrams(big_table, lambda rtnl: bytes(big[:rtnl.sock.recv_into(big)]))
    received = dump_datagrams(big_table, Rtnl.receive)
    assert len(received) > 3 and max(map(len, received)) > 16384
    assert [len(data) for data in received] == [len(data) for data in whole]

    def messages(datagrams: list[bytes]) -> list[bytes]:  # but the sequence numbers, which differ
        return [message[:8] + message[12:] for data in datagrams for _, _, _, message in messages_in(data)]

    assert messages(received) == messages(whole)
    grown = dump_datagrams(big_table, Rtnl.receive, start_buffer=64)  # every datagram bigger than it
    assert messages(grown) == messages(whole)
