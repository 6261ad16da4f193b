"""`ip [-force] -batch FILE`: ip/ip.c batch() over lib/utils.c getcmdline() and makeargs().

A line is `OBJECT COMMAND ARGS`; `#` starts a comment anywhere in a line; a
backslash at the end of a line joins the next one; a word that begins with
a quote runs to the next such quote.  That is ip's reader, not a shell's
(no `;`, no `$`, no escapes), so it is done here rather than by
pyip.reader, and with str methods, which a 100,000-line batch needs.

A failing command prints its error and `Command failed FILE:LINE`, where
LINE is the command's last line, and stops the batch unless -force; the
exit status is then 1.  Errors ip meets while reading the arguments end it
at once with their own status (255, or 1 for a bad address), as ip exits.

With -force, changes go to the kernel up to WINDOW in one datagram, their
acks read together, each refusal reported at its own line: the kernel
applies every request of a datagram even after a refused one, which -force
wants anyway (ip goes on too).  Without -force every change is sent alone
and acknowledged before the next line runs, as ip does: the kernel must
never see a change after a failure, not even for a moment (a route added
and taken back again would have made a concurrent batch fail on it).
Whatever ends the batch (its end, a failure, an error in pyip, Ctrl-C), the
changes waiting in the window are sent first: ip made them before it got
to the line that ended it.  `-batch -` runs each line as it arrives, and
sends the window whenever the pipe has nothing more for now.

Route lines of simple shapes skip the parse tree (fast.FastRoutes); any
other line, or any doubt, takes the general path.
"""

from __future__ import annotations

import io
import os
import re
import select
import time

import attrs

from ..errors import Location, PyipError, UsageError
from ..parser.ip import OtherObject, parse_ip
from ..parser.words import Word
from . import address, execute, note_lines, route, rule, usage
from ..compat.legacy import MODERN
from .common import HEADER, CommandFailed, Session, Unsupported, invarg_text
from .fast import FastRoutes

WINDOW = 256
MAX_ARGS = 512  # do_batch(): makeargs(line, largv, MAX_ARGS), which takes up to 511 words
WORD = re.compile(r"[^ \t\r\n]+")
_new_tuple = tuple.__new__  # Word(text, location) without NamedTuple's Python-level __new__
HELP_COMMAND = re.compile(r'Command "(.+)" is unknown, try "ip (\w+) help"\.')
USAGES = {"route": usage.ROUTE, "rule": usage.RULE, "address": usage.ADDRESS}
CHANGES = {"route": (route, frozenset(route.MODIFY_VERBS)), "rule": (rule, frozenset(("add", "delete"))),
           "address": (address, frozenset(address.MODIFY_VERBS))}


class Stop(Exception):
    """The batch ends here with this exit status."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def refusal(error: PyipError) -> tuple[str, int]:
    """What ip prints, and its exit status, for a command it cannot parse:
    the whole usage text where it calls usage(), else the message."""
    help_word = HELP_COMMAND.fullmatch(error.message)
    if isinstance(error, UsageError):
        return USAGES[error.object], 255
    if help_word and "help".startswith(help_word.group(1)):
        return USAGES[help_word.group(2)], 255
    return invarg_text(error.message), error.exit_status


def ends_batch(error: PyipError) -> bool:
    """Errors that ip meets with exit() rather than a return: invarg() and
    usage() (255) and a bad prefix or address (exit(1), `Error: ...`)."""
    return error.exit_status == 255 or error.message.startswith("Error: ")


def command_lines(lines, complain):
    """getcmdline(): yield (number of the command's last line, text) from LINES (str, or an
    iterable of lines each ending with "\n" but perhaps the last), read as they come, as ip
    reads `-batch -` from a pipe."""
    lines = iter(lines_of(lines) if isinstance(lines, str) else lines)
    number = 0
    for raw in lines:
        number += 1
        if "#" not in raw and not raw.endswith("\\\n"):  # most lines: continued() would change nothing
            yield number, raw[:-1] if raw.endswith("\n") else raw
            continue
        line, joined = continued(raw)
        while joined:
            raw = next(lines, None)
            if raw is None:
                complain("Missing continuation line\n")
                return
            more, joined = continued(raw)
            line = line[:-1] + more
            number += 1
        yield number, line


def lines_of(text: str):
    """The text's lines, each with its "\n" (split on "\n" only, as getline() does: a StringIO
    with newline="\n" splits there alone and translates nothing, and iterates in C)."""
    return io.StringIO(text, newline="\n")


def continued(raw: str) -> tuple[str, bool]:
    """A line without its comment, and whether it goes on (a \\ at its end, then a newline)."""
    newline = raw.endswith("\n")
    line, cut = uncomment(raw[:-1] if newline else raw)
    return line, newline and not cut and line.endswith("\\")


def uncomment(line: str) -> tuple[str, bool]:
    head, mark, _ = line.partition("#")
    return head, bool(mark)


def texts_of(words: list[Word], prefix: list[Word]) -> list[str]:
    """The line's own words, without the `ip -4` the batch put in front of them."""
    return [word.text for word in words[len(prefix):]]


def split_words(line: str) -> list[str]:
    """makeargs(): words split on blanks; one that begins with a quote ends at the next."""
    if '"' in line or "'" in line:
        words = quoted_words(line)
    elif line.isprintable():
        # str.split() splits on any white space, but a printable line holds no white space but
        # the ASCII space (every other character split() splits on is a control character or a
        # separator: not printable), so it splits as makeargs() does, four times faster than findall()
        words = line.split()
    else:
        words = WORD.findall(line)
    if len(words) >= MAX_ARGS:
        raise CommandFailed("Too many arguments to command", 1)
    return words


def quoted_words(line: str) -> list[str]:
    words, i = [], 0
    while True:
        match = WORD.search(line, i)
        if match is None:
            return words
        i = match.start()
        if line[i] in "'\"":
            end = line.find(line[i], i + 1)
            if end < 0:
                raise CommandFailed("Unterminated quoted string", 1)
            words.append(line[i + 1:end])
            i = end + 1
        else:
            words.append(match.group())
            i = match.end()


class Progress:
    """`N commands` on a terminal's stderr, redrawn at most twice a second; never on a file or pipe."""

    def __init__(self, stream, delay: float = 0.5):
        self.stream = stream
        self.enabled = stream.isatty()
        self.shown = False
        self.delay = delay
        self.next = time.monotonic() + delay

    def tick(self, count: int) -> None:
        if self.enabled and count % 1000 == 0 and time.monotonic() >= self.next:
            self.stream.write("\rpyip: %d commands" % count)
            self.stream.flush()
            self.shown, self.next = True, time.monotonic() + self.delay

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.shown = False


class Batch:
    """One -batch run: the lines of one file, on one session."""

    def __init__(self, session: Session, name: str, options, dialect: str, out, err):
        self.session = session
        self.name = name
        self.options = options
        # Of the options only the family changes how a line reads: parse each as `ip [-4|-6] LINE`.
        family = {4: ["-4"], 6: ["-6"], 0: ["-0"]}.get(options.family, [])
        self.prefix = [Word(text) for text in ["ip", *family]]
        self.dialect = dialect
        self.force = options.force
        self.fast = FastRoutes(session, self.prefix, dialect, options.family)
        self.out = out
        self.err = err
        self.progress = Progress(err)
        self.pending: list[tuple] = []  # line, seq, what ip prints first, message
        self.status = 0

    def run(self, text) -> int:
        """Run the batch's lines (its text, or lines as they arrive); the exit status."""
        try:
            try:
                line, tick = self.line, self.progress.tick if self.progress.enabled else None
                for count, (number, text_of_line) in enumerate(command_lines(text, self.complain), 1):
                    line(number, text_of_line)
                    if tick is not None:  # a call a line less where nothing is ever shown
                        tick(count)
            finally:
                self.drain()  # the lines before whatever ended the batch ran in ip
        except Stop as stop:
            self.status = stop.status
        self.progress.clear()
        return self.status

    def complain(self, text: str) -> None:
        """A reading error comes after what the lines before it did."""
        self.drain()
        self.write_err(text)

    def write_err(self, text: str) -> None:
        if text:
            self.progress.clear()
            self.err.write(text)

    def line(self, number: int, line: str) -> None:
        try:
            texts = split_words(line)
        except CommandFailed as failure:
            self.drain()
            self.write_err(failure.message + "\n")
            raise Stop(failure.status) from None
        if not texts:
            return
        if texts[0].startswith("-"):  # no options in a batch line: it is an object name
            self.drain()
            self.write_err('Object "%s" is unknown, try "ip help".\n' % texts[0])
            return self.failed(number)
        message = self.fast.message(texts)
        if message is not None:
            return self.queue(number, "", message)
        location = Location(self.name, number, 1)
        words = self.prefix + [_new_tuple(Word, (text, location, None)) for text in texts]
        try:
            command = parse_ip(words, self.dialect, self.session.names)
        except OtherObject as error:
            if not self.by_real_ip(number, texts):  # `link set eth0 up` and the like
                self.refused(number, error)
            return
        except PyipError as error:
            return self.refused(number, error)
        self.command(number, command, words)

    def by_real_ip(self, number: int, texts: list[str]) -> bool:
        """The real ip runs a line pyip does not (ip's other objects, vrf, encap, ...), in this
        namespace; False when there is none, and the caller refuses the line as pyip does."""
        from .. import real_ip

        real = real_ip.real_ip()
        if real is None:
            return False
        self.drain()
        self.out.flush()
        result = real_ip.run(real, [word.text for word in self.prefix[1:]] + texts)
        self.out.write(result.stdout)
        self.write_err(result.stderr)
        if result.returncode == 255:
            raise Stop(255)  # ip exit()ed (invarg(), a usage text): in a batch that ends the whole batch
        if result.returncode:
            self.failed(number)
        return True

    def refused(self, number: int, error: PyipError) -> None:
        self.drain()
        text, status = refusal(error)
        self.write_err(text)
        if ends_batch(error):
            raise Stop(status)
        self.failed(number)

    def command(self, number: int, command, words) -> None:
        module, verbs = CHANGES[command.object]
        if command.verb not in verbs:
            self.drain()
            # the line was parsed with the family alone: listings print with all the options
            result = execute(attrs.evolve(command, options=self.options), self.session, words)
            if result.unsupported and self.dialect == MODERN and self.by_real_ip(number, texts_of(words, self.prefix)):
                return
            self.out.write(result.stdout)
            self.write_err(result.stderr)
            if result.status:
                self.failed(number)
            return
        notes = note_lines(command.notes)
        try:
            request = (module.request(command, self.session, address.length_typed(command, words))
                       if module is address else module.request(command, self.session))
        except CommandFailed as failure:
            if isinstance(failure, Unsupported) and self.dialect == MODERN \
                    and self.by_real_ip(number, texts_of(words, self.prefix)):
                return
            self.drain()
            self.write_err(notes + invarg_text(failure.message))
            if failure.status == 255:
                raise Stop(255) from None
            return self.failed(number)
        self.queue(number, notes + request.warnings, request.message)

    def queue(self, number: int, before: str, message: bytes) -> None:
        """A change for the window (-force), else sent alone and acknowledged now."""
        if not self.force:
            refused = self.session.rtnl.send_one(message)  # nothing waits: without -force nothing is queued
            if before:
                self.write_err(before)
            if refused is not None:
                self.write_err(refused.message + "\n")
                self.failed(number)
            return
        self.pending.append((number, HEADER.unpack_from(message)[3], before, message))
        if len(self.pending) >= WINDOW:
            self.drain()

    def drain(self) -> None:
        """Send the waiting changes in one datagram; report each refusal at its line."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        refusals = self.session.rtnl.send_window([entry[3] for entry in pending])
        for number, seq, before, _ in pending:
            self.write_err(before)
            if seq in refusals:
                self.write_err(refusals[seq].message + "\n")
                self.failed(number)

    def failed(self, number: int) -> None:
        self.write_err("Command failed %s:%d\n" % (self.name, number))
        self.status = 1
        if not self.force:
            raise Stop(1)


def read_batch(name: str, stdin, before_waiting=lambda: None):
    """The batch text: the file, or the lines of standard input for `-`, read as they come
    (ip runs each line before it reads the next); ip's message when the file cannot be read.
    before_waiting() runs before a read that would wait (a pipe with nothing in it yet): the
    -force window goes out then, as ip would have made those changes already."""
    if name == "-":
        return arriving_lines(stdin.fileno(), before_waiting)
    try:
        with open(name, "rb") as batch:
            return batch.read().decode(errors="surrogateescape")
    except OSError as error:
        raise CommandFailed('Cannot open file "%s" for reading: %s' % (name, error.strerror), 1) from None


def arriving_lines(fd: int, before_waiting):
    """The lines of FD as they arrive (the last perhaps without its newline)."""
    pending, start = b"", 0
    while True:
        end = pending.find(b"\n", start)
        if end >= 0:
            yield pending[start:end + 1].decode(errors="surrogateescape")
            start = end + 1
            continue
        if not select.select([fd], [], [], 0)[0]:
            before_waiting()
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            if start < len(pending):
                yield pending[start:].decode(errors="surrogateescape")
            return
        pending, start = pending[start:] + chunk, 0
