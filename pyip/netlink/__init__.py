"""Run parsed `ip address | route | rule` commands against the kernel, as iproute2 6.1 does.

    import pyip
    from pyip.netlink import run, state

    [command] = pyip.parse("ip route add 10.0.0.0/8 dev lo table 5")
    result = run(command, netns="ns1")     # Result(status, stdout, stderr, objects, errno)
    result.check()                         # NetlinkError (an OSError: .errno, .strerror) if it failed
    routes = state("ns1", "routes")        # [pyip.ast.Route, ...] in every table

A Result holds what `ip` would have printed and its exit status: 0, or 1
(`Cannot find device "X"`), 2 (a kernel refusal: `Error: MSG.` or
`RTNETLINK answers: ...`), 255 (an argument ip refuses once it sees the
kernel's devices).  For show and get, `objects` holds what was listed as
pyip.ast nodes (Route, Rule, InterfaceAddress).  One module per object, like
iproute2 (route.py, rule.py, address.py); common.py holds the socket,
batch.py runs `ip -batch`.
"""

from __future__ import annotations

from .. import records

__all__ = ["run", "state", "execute", "Result", "Session", "CommandFailed", "NetlinkError"]

# The package's names from .common, loaded on first use: the drop-in's `OBJECT show` shortcut
# imports pyip.netlink.rtnl alone, and .common brings the syntax tree and the value readers.
_FROM_COMMON = ("Result", "Session", "CommandFailed", "NetlinkError")


def __getattr__(name: str):
    if name not in _FROM_COMMON:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import common

    value = getattr(common, name)
    globals()[name] = value
    return value

STATES = ("routes", "rules", "addresses")


def run(command, netns: str | None = None, *, names=None) -> Result:
    """Run one command in namespace NETNS, or this one: a parsed pyip.ast.IpCommand, or the
    text of one `ip` command (`"ip route add 10.0.0.0/8 dev eth0"`), parsed as pyip.parse()
    does (its errors raised, positioned).

    `names` (pyip.names.Databases) names tables, protocols...; the host's
    /etc/iproute2 files by default.  The command's own `-n` option is not
    followed: the namespace is the caller's choice.
    """
    from .common import CommandFailed, Result, Session, inside

    command = one_ip_command(command, names)
    try:
        with inside(netns):
            session = Session(names)
            try:
                return execute(command, session)
            finally:
                session.close()
    except CommandFailed as failure:
        return Result(failure.status, stderr=failure.message + "\n", errno=getattr(failure, "errno", None))


def one_ip_command(command, names=None):
    """The IpCommand that run() was given, or that its text holds; TypeError/ValueError otherwise."""
    from ..ast import IpCommand

    if isinstance(command, str):
        from .. import parse

        parsed = parse(command, names=names)
        if len(parsed) != 1 or not isinstance(parsed[0], IpCommand):
            raise ValueError("pyip.netlink.run() takes one ip command; the text holds %d commands, %d of them ip's"
                             % (len(parsed), sum(isinstance(item, IpCommand) for item in parsed)))
        return parsed[0]
    if not isinstance(command, IpCommand):
        raise TypeError("pyip.netlink.run() takes a pyip.ast.IpCommand or the text of one ip command, not %s"
                        % type(command).__name__)
    return command


def execute(command, session, words=(), out=None):
    """Run one parsed command on an open Session; ip's refusals become the Result.

    `words`, the command as typed, let `ip address del ADDR` without a
    /len do ip's wildcard deletion (pyip.ast.Prefix does not record it).
    The command's notes (legacy readings, ip's own warnings) lead its stderr.
    With OUT (a text stream), a listing is written there as the kernel dumps
    it (the Result then holds no stdout and no objects), as ip prints it.
    """
    from ..lazy import submodule
    from .common import CommandFailed, Result, Unsupported, invarg_text

    notes = note_lines(command.notes)
    # only the command's own object module: a `route show` need not pay for address's and rule's code
    module = submodule(__name__, command.object)  # address, route or rule
    try:
        result = module.execute(command, session, words, out)
    except Unsupported as failure:
        return Result(failure.status, stderr=notes + invarg_text(failure.message), unsupported=True)
    except CommandFailed as failure:
        return Result(failure.status, stderr=notes + invarg_text(failure.message), errno=getattr(failure, "errno", None))
    return records.evolve(result, stderr=notes + result.stderr) if notes else result


def note_lines(notes) -> str:
    """ip's own warnings as they are; pyip's legacy readings as warnings too."""
    return "".join((note if note.startswith("Warning") else "Warning: " + note) + "\n" for note in notes)


def state(netns: str | None, what: str, *, names=None) -> list:
    """What the kernel holds in NETNS as pyip.ast nodes: "routes" (every
    table and family), "rules" (IPv4 and IPv6) or "addresses"."""
    from . import address, route, rule
    from .common import Links, Session, dump_links, inside

    if what not in STATES:
        raise ValueError("state() reads one of %s, not %r" % (", ".join(STATES), what))
    with inside(netns):
        session = Session(names)
    try:
        if what == "routes":
            links = Links(dump_links(session.rtnl))
            messages = session.rtnl.dump(route.RTM_GETROUTE, route.RTMSG.pack(*[0] * 9))
            return [route.route_node(m, links, session.names) for m in messages]
        if what == "rules":
            messages = session.rtnl.dump(rule.RTM_GETRULE, rule.FIB_RULE_HDR.pack(*[0] * 9))
            return [rule.rule_node(m, session.names) for m in messages]
        links = Links(dump_links(session.rtnl))
        return [address.address_node(m, links, session.names) for m in address.dump(session, None)]
    finally:
        session.close()
