"""Talking rtnetlink the way iproute2's lib/libnetlink.c does.

Messages are packed by hand (struct) and sent on one raw NETLINK_ROUTE
socket: pyroute2's IPRoute costs ~170 ms to import and ~0.7 ms a request,
which a drop-in `ip` run once per script line, or 100,000 times in a
batch, cannot afford.  The socket asks for extended acks, so a refusal
reads exactly as ip prints it: `Error: MSG.` or `RTNETLINK answers: ...`.
"""

from __future__ import annotations

import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up

from .. import records

from ..ast import Symbol
from ..cnumbers import scanf_unsigned
from ..errors import PyipError
from ..parser import values
# The socket, the namespace switch, the kernel's refusals and the constants live in .rtnl, which a
# listing imports alone; here they are the names every object module has always imported.
from .rtnl import (  # noqa: F401  (re-exported)
    ATTR, ATTR_U8, ATTR_U32, BUFFER_BYTES, CLONE_NEWNET, ERROR, FAMILIES, HEADER, IFINFOMSG, IFLA_ALT_IFNAME,
    IFLA_EXT_MASK, IFLA_IFNAME, IFLA_PROP_LIST, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK,
    NETLINK_ROUTE, NETNS_RUN_DIR, NLM_F_ACK, NLM_F_ACK_TLVS, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL,
    NLM_F_MATCH, NLM_F_MULTI, NLM_F_REPLACE, NLM_F_REQUEST, NLM_F_ROOT, NLMSG_DONE, NLMSG_ERROR,
    NLMSGERR_ATTR_MSG, RTEXT_FILTER_VF, RTM_GETLINK, SO_RCVBUFFORCE, SO_SNDBUFFORCE, SOL_NETLINK, CommandFailed,
    KernelError, Rtnl, dump_links, error_of, extended_ack_text, inside, messages_in, open_netns, setns,
    switch_netns, written_to)


class Result(metaclass=records.frozen):
    """What one command did: ip's exit status and output, and for a listing
    (show, get) the kernel's objects as pyip.ast nodes."""

    status: int = 0
    stdout: str = ""
    stderr: str = ""
    objects: tuple = ()
    unsupported: bool = False  # a feature pyip does not run, refused before anything changed
    errno: int | None = None  # the kernel's error number when it refused (status 2), as errno.EEXIST

    def check(self) -> Result:
        """This result, or NetlinkError if the command failed (with the kernel's errno, if it said one)."""
        if self.status != 0:
            raise NetlinkError(self.errno or 0, self.stderr.strip(), self)
        return self


class NetlinkError(OSError):
    """A command ip (and so pyip) refuses or the kernel refused: `errno` (0 when ip refused it before
    the kernel saw it), `strerror` ip's message, `result` the whole Result (its exit `status`)."""

    def __init__(self, code: int, message: str, result: Result):
        super().__init__(code, message)
        self.result = result


# The invarg() reasons that iproute2 6.1 writes without a "\n" of their own.
ONE_NEWLINE_REASONS = frozenset((
    '"iif"/"dev" not a valid ifname', '"oif" not a valid ifname', "Failed to parse rule type",
    "invalid mark value", "invalid scope value.", "preferred_lft value", "valid_lft value"))


def invarg_text(message: str) -> str:
    """The message and its newline; most of ip's invarg() reasons end in a
    newline of their own, so the line is followed by an empty one."""
    reason = invarg_reason(message)
    if reason is not None and reason not in ONE_NEWLINE_REASONS:
        return message + "\n\n"
    return message + "\n"


INVARG_HEAD, INVARG_SEPARATOR = 'Error: argument "', '" is wrong: '


def invarg_reason(message: str) -> str | None:
    """REASON of `Error: argument "ARG" is wrong: REASON` (the last separator, as a greedy .* takes it)."""
    if not message.startswith(INVARG_HEAD):
        return None
    at = message.rfind(INVARG_SEPARATOR, len(INVARG_HEAD))
    return None if at < 0 else message[at + len(INVARG_SEPARATOR):]


class Unsupported(CommandFailed):
    """A feature of ip that pyip does not run (yet), raised before any request reaches the kernel:
    the drop-in then lets iproute2's own ip run the command."""


def unsupported(what: str) -> Unsupported:
    """A feature of ip that pyip does not run (yet): said plainly, exit 1."""
    return Unsupported('pyip: "%s" is not supported' % what, 1)


def known(value):
    """A value the command holds, refusing a shell value known only at run time."""
    if isinstance(value, Symbol):
        raise ValueError("%s is a value known only when the script runs" % value.name)
    return value


def ip_protocol(word: str) -> int:
    """inet_proto_a2n(): a protocol name from /etc/protocols, or a number (values.ip_protocol())."""
    return _as_failure(values.ip_protocol, word)


def group_number(word: str, why: str) -> int:
    """rtnl_group_a2n(): a name from /etc/iproute2/group, or a number (values.group())."""
    return _as_failure(values.group, word, why)


def _as_failure(read, *args):
    try:
        return read(*args)
    except PyipError as error:
        raise CommandFailed(error.message, 255) from None


# -- messages ---------------------------------------------------------------------

def attr(kind: int, payload: bytes) -> bytes:
    """One rtattr, padded to 4 bytes."""
    length = ATTR.size + len(payload)
    return ATTR.pack(length, kind) + payload + b"\0" * (-length % 4)


def attr_u8(kind: int, value: int) -> bytes:
    return ATTR_U8.pack(5, kind, value)


def attr_u32(kind: int, value: int) -> bytes:
    return ATTR_U32.pack(8, kind, value)


def attr_string(kind: int, text: str) -> bytes:
    """An asciiz attribute: the bytes of the word (argv decodes undecodable bytes as surrogates)."""
    return attr(kind, text.encode("utf-8", "surrogateescape") + b"\0")


# -- links --------------------------------------------------------------------------

class Links:
    """ifindex <-> name, as ll_name_to_index() resolves a `dev NAME` (altnames too)."""

    def __init__(self, messages: list[bytes]):
        from ..show import netlink as raw

        self.names: dict[int, str] = {}
        self.indexes: dict[str, int] = {}
        for message in messages:
            link = raw.decode(message, raw.IFINFOMSG)
            index = link.header[2]
            name = raw.string(link.attrs.get(IFLA_IFNAME, b""))
            self.names[index] = name
            self.indexes.setdefault(name, index)
            for kind, payload in raw.attribute_list(link.attrs.get(IFLA_PROP_LIST, b"")):
                if kind == IFLA_ALT_IFNAME:
                    self.indexes.setdefault(raw.string(payload), index)

    @classmethod
    def dump(cls, rtnl: Rtnl, family: int = socket.AF_UNSPEC) -> Links:
        return cls(dump_links(rtnl, family))

    def index(self, name) -> int:
        """The ifindex of NAME, or `Cannot find device "NAME"` (exit 1) as ip says."""
        name = known(name)
        index = self.indexes.get(name)
        if index is None and name.startswith("if"):
            scanned = scanf_unsigned(name, 2, 32)  # ll_idx_a2n(): sscanf(name, "if%u")
            index = scanned[0] if scanned else None
        if not index:
            raise CommandFailed('Cannot find device "%s"' % name, 1)
        return index

    def name(self, index: int) -> str:
        return self.names.get(index) or "if%u" % index


# -- one ip run -------------------------------------------------------------------

class Session:
    """What one `ip` run keeps between commands: the socket, the names, the link map."""

    def __init__(self, names=None):
        self.rtnl = Rtnl()
        self._names = names
        self._links: Links | None = None

    @property
    def names(self):
        """The name databases given, else the host's (pyip.names.system(): the namespace's files
        under `-n`, as the session is used inside netns_names()), read at the first use: a route
        change of plain values (`route add 10.0.0.0/8 dev lo`) needs none of the five files."""
        if self._names is None:
            from ..names import system

            self._names = system()
        return self._names

    @property
    def links(self) -> Links:
        """ip's ll_map: read once, on the first `dev NAME`."""
        if self._links is None:
            self._links = Links.dump(self.rtnl)
        return self._links

    def close(self) -> None:
        self.rtnl.close()


class Request(metaclass=records.frozen):
    """A change ready to send: the message, and the warnings ip prints before sending it."""

    message: bytes
    warnings: str = ""


def talk(session: Session, request: Request) -> Result:
    """Send one change and wait for its ack, as rtnl_talk() does."""
    try:
        session.rtnl.talk(request.message)
    except KernelError as error:
        return Result(2, stderr=request.warnings + error.message + "\n", errno=error.errno)
    return Result(0, stderr=request.warnings)


def prefix_text(prefix) -> str | None:
    """A pyip.ast Prefix as pyip.show's filters take it: "ADDRESS/LENGTH"."""
    return None if prefix is None else "%s/%d" % (known(prefix).address, prefix.length)


def show_options(options, names):
    """pyip.show's ShowOptions for a command's top-level options."""
    from ..show import ShowOptions

    family = None if options.family is None else FAMILIES[options.family]
    return ShowOptions(family=family, numeric=options.numeric, details=options.details,
                       oneline=options.oneline, json=options.json, pretty=options.pretty,
                       stats=options.stats, brief=options.brief, names=names)


def named(db, number: int):
    """A pyip.ast Named for a number the kernel holds, with its name if the database has one."""
    from ..ast import Named

    return Named(number, db.names.get(number))
