"""The rtnetlink socket as iproute2's lib/libnetlink.c opens and reads it, and `ip -n`'s switch.

What a listing needs to talk to the kernel, and nothing more: the drop-in's
`OBJECT show` shortcut (pyip.cli.dropin.fast_show()) imports this module, not
pyip.netlink.common, whose command helpers bring the syntax tree's modules and
the value readers along (start-up time).  pyip.netlink.common re-exports it all.
"""

from __future__ import annotations

import os
import _socket as socket  # the C module: socket.py costs selectors, enum and array at start-up
import _struct as struct  # struct.py only re-exports the C module's names

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK = 10, 11, 12
SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33
BUFFER_BYTES = 8 << 20  # room for the acks of a whole window of requests
BUFFER_START = 1 << 16
MSG_PEEK, MSG_TRUNC = 0x2, 0x20

NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 0x1, 0x2, 0x4
NLM_F_ROOT, NLM_F_MATCH = 0x100, 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND = 0x100, 0x200, 0x400, 0x800
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLMSGERR_ATTR_MSG = 1

RTM_GETLINK = 18
IFLA_IFNAME, IFLA_EXT_MASK, IFLA_PROP_LIST, IFLA_ALT_IFNAME = 3, 29, 52, 53
RTEXT_FILTER_VF = 1

HEADER = struct.Struct("=IHHII")
ERROR = struct.Struct("=i")
ATTR = struct.Struct("=HH")
ATTR_U8 = struct.Struct("=HHB3x")
ATTR_U32 = struct.Struct("=HHI")
IFINFOMSG = struct.Struct("=BxHiII")

FAMILIES = {4: socket.AF_INET, 6: socket.AF_INET6, 0: socket.AF_PACKET, None: socket.AF_UNSPEC}


class CommandFailed(Exception):
    """ip refused the command after parsing it: its stderr text and exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.message = message
        self.status = status


class KernelError(CommandFailed):
    """The kernel's NLMSG_ERROR, printed as rtnl_talk_error() prints it (exit 2)."""

    def __init__(self, code: int, text: str | None):
        self.errno = code
        if text:
            message = "Error: %s%s" % (text, "" if text.endswith(".") else ".")
        else:
            message = "RTNETLINK answers: %s" % os.strerror(code)
        super().__init__(message, 2)


def messages_in(data: bytes):
    """Split a datagram into (type, flags, seq, message bytes)."""
    offset = 0
    while offset + HEADER.size <= len(data):
        length, kind, flags, seq, _ = HEADER.unpack_from(data, offset)
        if length < HEADER.size:
            break
        yield kind, flags, seq, data[offset:offset + length]
        offset += (length + 3) & ~3


def error_of(message: bytes) -> KernelError | None:
    """The refusal an NLMSG_ERROR or NLMSG_DONE carries, or None when it has none.

    After the error code, an NLMSG_ERROR holds the request's header (capped
    by NETLINK_CAP_ACK), an NLMSG_DONE nothing; then come the ack TLVs.
    """
    code = -ERROR.unpack_from(message, HEADER.size)[0]
    if code <= 0:
        return None
    kind = HEADER.unpack_from(message)[1]
    tlvs = HEADER.size + ERROR.size + (HEADER.size if kind == NLMSG_ERROR else 0)
    return KernelError(code, extended_ack_text(message, tlvs))


def extended_ack_text(message: bytes, offset: int) -> str | None:
    """NLMSGERR_ATTR_MSG among the ack TLVs that start at OFFSET."""
    flags = HEADER.unpack_from(message)[2]
    if not flags & NLM_F_ACK_TLVS:
        return None
    while offset + ATTR.size <= len(message):
        length, kind = ATTR.unpack_from(message, offset)
        if length < ATTR.size:
            break
        if kind == NLMSGERR_ATTR_MSG:
            return message[offset + 4:offset + length].split(b"\0", 1)[0].decode(errors="surrogateescape")
        offset += (length + 3) & ~3
    return None


# -- namespaces -------------------------------------------------------------------

CLONE_NEWNET = 0x40000000
NETNS_RUN_DIR = "/var/run/netns"


def _setns_function():
    """libc's setns(2) (os.setns is Python 3.12's), called through _ctypes, loaded only when a
    namespace is entered: the ctypes package would cost three times as much start-up time, for
    what here is one function taking two ints and returning one, with errno kept."""
    global _setns
    if _setns is None:
        import _ctypes

        class Int(_ctypes._SimpleCData):  # ctypes.c_int
            _type_ = "i"

        class Function(_ctypes.CFuncPtr):  # what ctypes.CDLL(None, use_errno=True).setns is
            _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
            _restype_ = Int

        class Libc:  # the program and its libraries, as CDLL(None): dlopen(NULL)
            _handle = _ctypes.dlopen(None, os.RTLD_NOW)

        _setns = Function(("setns", Libc()))
    return _setns


_setns = None


def open_netns(name: str) -> int:
    """A descriptor of namespace NAME, failing as ip's netns_switch() does."""
    try:
        # "%s/%s" as ip joins them: never os.path.join(), which would take an absolute NAME as is
        return os.open(NETNS_RUN_DIR + "/" + name, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        raise CommandFailed('Cannot open network namespace "%s": %s' % (name, error.strerror), 255) from None


def setns(fd: int, name: str) -> None:
    if _setns_function()(fd, CLONE_NEWNET) != 0:
        import _ctypes

        code = _ctypes.get_errno()
        raise CommandFailed('setting the network namespace "%s" failed: %s' % (name, os.strerror(code)), 255)


def switch_netns(name: str) -> None:
    """Move this thread into namespace NAME for good, like `ip -n NAME`."""
    fd = open_netns(name)
    try:
        setns(fd, name)
    finally:
        os.close(fd)


class inside:
    """`with inside(NAME):` runs the body in namespace NAME (sockets opened there stay there), then
    comes back.  A class, not contextlib.contextmanager: contextlib costs the drop-in start-up time."""

    def __init__(self, netns: str | None):
        self.netns = netns
        self.home: int | None = None

    def __enter__(self) -> None:
        if self.netns is None:
            return
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            switch_netns(self.netns)
        except BaseException:
            os.close(home)
            raise
        self.home = home

    def __exit__(self, *exception) -> bool:
        home, self.home = self.home, None
        if home is not None:
            try:
                setns(home, "of this process")
            finally:
                os.close(home)
        return False


# -- the socket -------------------------------------------------------------------

class Rtnl:
    """One NETLINK_ROUTE socket, as ip's rtnl_open() sets it up."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        for option, fallback in ((SO_SNDBUFFORCE, socket.SO_SNDBUF), (SO_RCVBUFFORCE, socket.SO_RCVBUF)):
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, option, BUFFER_BYTES)
            except PermissionError:
                self.sock.setsockopt(socket.SOL_SOCKET, fallback, BUFFER_BYTES)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        # rtnl_set_strict_dump(): dump filters are checked and applied by the
        # kernel, which is where `Error: ipv4: FIB table does not exist.` comes from
        self.sock.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        self.sock.bind((0, 0))
        self.seq = 0
        # 64 KB: the kernel makes a dump's datagrams as big as the buffers read so far, up to 32 KB;
        # receive() grows it for a bigger datagram.  Not a megabyte from the start, which would fit
        # any datagram: zeroing it cost every run 0.4 ms (256 page faults).
        self.buffer = bytearray(BUFFER_START)
        self.peek = bytearray(HEADER.size)  # where receive() drops a datagram it has read

    def close(self) -> None:
        self.sock.close()

    def request(self, kind: int, flags: int, body: bytes) -> bytes:
        """A framed message with the next sequence number."""
        self.seq += 1
        return HEADER.pack(HEADER.size + len(body), kind, flags, self.seq, 0) + body

    def receive(self) -> bytes:
        """The next datagram, whatever its size, as ip's rtnl_recvmsg() reads it: peeked first
        (MSG_PEEK | MSG_TRUNC: its whole length), then taken off the queue, read again into the
        buffer grown to it if it did not fit (a link's with many VFs)."""
        sock, buffer = self.sock, self.buffer
        size = sock.recv_into(buffer, 0, MSG_PEEK | MSG_TRUNC)
        if size > len(buffer):
            buffer = self.buffer = bytearray(size)
            size = sock.recv_into(buffer)
        else:
            sock.recv_into(self.peek)  # its bytes are in the buffer already
        return bytes(memoryview(buffer)[:size])

    def replies(self):
        """Every message the kernel sends back, datagram after datagram."""
        while True:
            yield from messages_in(self.receive())

    def talk(self, message: bytes) -> list[bytes]:
        """Send one request; return the kernel's answers, or raise its refusal."""
        _, _, request_flags, seq, _ = HEADER.unpack_from(message)
        self.sock.send(message)
        answers = []
        for kind, flags, reply_seq, reply in self.replies():
            if reply_seq != seq:
                continue
            if kind == NLMSG_ERROR:
                error = error_of(reply)
                if error:
                    raise error
                return answers
            answers.append(reply)
            if not request_flags & NLM_F_ACK and not flags & NLM_F_MULTI:
                return answers

    def dump(self, kind: int, body: bytes) -> list[bytes]:
        """A NLM_F_DUMP request: every message up to NLMSG_DONE."""
        message = self.request(kind, NLM_F_REQUEST | NLM_F_DUMP, body)
        seq = self.seq
        self.sock.send(message)
        found = []
        for reply_kind, _, reply_seq, reply in self.replies():
            if reply_seq != seq:
                continue
            if reply_kind in (NLMSG_DONE, NLMSG_ERROR):
                error = error_of(reply) if len(reply) >= HEADER.size + ERROR.size else None
                if error:
                    raise error
                return found
            found.append(reply)

    def dump_stream(self, kind: int, body: bytes, wanted: int):
        """A NLM_F_DUMP request read as the kernel answers it, one datagram at a time:
        (datagram bytes, [(offset, length) of each WANTED message]), so a listing
        prints while the kernel is still dumping, as ip does.  The kernel's refusal
        at the end (NLMSG_DONE or NLMSG_ERROR with an error) is raised after the
        messages before it."""
        self.sock.send(self.request(kind, NLM_F_REQUEST | NLM_F_DUMP, body))
        seq, receive, unpack = self.seq, self.receive, HEADER.unpack_from
        while True:
            data = receive()
            size = len(data)
            found, end, offset = [], None, 0
            while offset + HEADER.size <= size:
                length, reply_kind, _, reply_seq, _ = unpack(data, offset)
                if length < HEADER.size or offset + length > size:
                    break
                if reply_seq == seq:
                    if reply_kind == wanted:
                        found.append((offset, length))
                    elif reply_kind in (NLMSG_DONE, NLMSG_ERROR):
                        end = data[offset:offset + length]
                        break
                offset += (length + 3) & ~3
            if found:
                yield data, found
            if end is not None:
                error = error_of(end) if len(end) >= HEADER.size + ERROR.size else None
                if error:
                    raise error
                return

    def dump_into(self, kind: int, body: bytes, consume) -> None:
        """A NLM_F_DUMP request whose datagrams go to CONSUME(datagram, seq) as they come; it walks
        the messages (a listing's own loop: a big table's messages are walked once) and returns
        the message that ends the dump (NLMSG_DONE or NLMSG_ERROR) when the datagram holds it,
        else None.  The kernel's refusal at the end is raised, as by dump_stream()."""
        self.sock.send(self.request(kind, NLM_F_REQUEST | NLM_F_DUMP, body))
        seq, receive = self.seq, self.receive
        while True:
            end = consume(receive(), seq)
            if end is not None:
                error = error_of(end) if len(end) >= HEADER.size + ERROR.size else None
                if error:
                    raise error
                return

    def send_window(self, messages: list[bytes]) -> dict[int, KernelError]:
        """Send requests that all ask for an ack in one datagram; read every ack.

        The kernel handles the whole datagram before send() returns, so a
        refusal does not stop the requests after it: only a caller that may
        go on after a failure (-force) sends more than one at a time.
        Returns the refusals by sequence number.
        """
        self.sock.send(b"".join(messages))
        waiting = {HEADER.unpack_from(message)[3] for message in messages}
        refusals: dict[int, KernelError] = {}
        while waiting:
            self.read_acks(waiting, refusals)
        return refusals

    def send_one(self, message: bytes) -> KernelError | None:
        """send_window() of one request, unrolled: a batch without -force sends 100,000 of them."""
        sock, buffer = self.sock, self.buffer
        sock.send(message)
        seq = HEADER.unpack_from(message)[3]
        while True:
            size = sock.recv_into(buffer)
            offset = 0
            while offset + HEADER.size <= size:
                length, kind, _, reply_seq, _ = HEADER.unpack_from(buffer, offset)
                if length < HEADER.size:
                    break
                if kind == NLMSG_ERROR and reply_seq == seq:
                    if ERROR.unpack_from(buffer, offset + HEADER.size)[0] < 0:
                        return error_of(bytes(buffer[offset:offset + length]))
                    return None
                offset += (length + 3) & ~3

    def read_acks(self, waiting: set, refusals: dict) -> None:
        """One datagram of acks: replies() and error_of() unrolled, since each ack
        comes in a datagram of its own and a batch reads 100,000 of them."""
        buffer = self.buffer
        size = self.sock.recv_into(buffer)
        offset = 0
        while offset + HEADER.size <= size:
            length, kind, _, seq, _ = HEADER.unpack_from(buffer, offset)
            if length < HEADER.size:
                return
            if kind == NLMSG_ERROR and seq in waiting:
                waiting.discard(seq)
                if ERROR.unpack_from(buffer, offset + HEADER.size)[0] < 0:
                    refusals[seq] = error_of(bytes(buffer[offset:offset + length]))
            offset += (length + 3) & ~3


def written_to(out, listing, wanted: int):
    """Rtnl.dump_into()'s consumer for a listing printed as the dump comes (messages of type WANTED):
    each datagram's lines written and flushed when it is printed (a datagram holds a few hundred
    routes or rules, about 1 ms)."""
    def consume(data: bytes, seq: int) -> bytes | None:
        end = listing.feed_datagram(data, seq, wanted)
        out.write(listing.take())
        out.flush()
        return end

    return consume


def dump_links(rtnl: Rtnl, family: int = socket.AF_UNSPEC) -> list[bytes]:
    """The link dump ip makes (iplink_filter_req(): RTEXT_FILTER_VF); the
    kernel's strict IPv6 link dump takes no attributes."""
    body = IFINFOMSG.pack(family, 0, 0, 0, 0)
    if family != socket.AF_INET6:
        body += ATTR_U32.pack(8, IFLA_EXT_MASK, RTEXT_FILTER_VF)
    return rtnl.dump(RTM_GETLINK, body)
