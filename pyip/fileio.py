"""Reading a script for rewriting, and rewriting it so that it is never lost.

`pyip lint --fix` rewrites users' scripts.  Whatever stops it (a kill, a
full disk, a bug), the file must be either the original or the fixed one:

- the new text goes to a temporary file in the same directory (same file
  system, so the rename is atomic), is fsynced, gets the original's mode
  (and owner and group, when root), and is renamed over the original;
  the directory is fsynced so the rename survives a crash;
- bytes that are not UTF-8 come back as they were (surrogateescape both
  ways) and every line keeps its own ending (LF, CRLF or a lone CR);
- a symbolic link is refused, not followed: the rename would replace the
  link with a file, and writing through it would let whoever controls the
  link choose which file a root `--fix` rewrites.

Hand-written: the atomicwrites package is archived, and keeps neither mode nor owner.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile

from . import records

# A line ending as Python's universal newlines read it: CRLF first, then a lone CR or LF.
LINE_ENDING = re.compile(r"\r\n|\r|\n")


class RewriteRefused(Exception):
    """The file was left as it was: why, for `FILE: error: MESSAGE`."""


class ScriptFile(metaclass=records.frozen):
    """A script as read for rewriting: the text with `\\n` line ends (what the tools read, what
    positions count in), each line's own ending, and what the file was when read."""

    text: str
    endings: tuple[str, ...]
    status: os.stat_result

    def encode(self, text: str) -> bytes:
        """`text` (this file's text with edits inside lines) with the original line endings and bytes."""
        lines = text.split("\n")
        default = max(set(self.endings), key=self.endings.count) if self.endings else "\n"
        endings = list(self.endings[:len(lines) - 1]) + [default] * max(0, len(lines) - 1 - len(self.endings))
        raw = "".join(line + ending for line, ending in zip(lines, endings)) + lines[-1]
        try:
            return raw.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as error:  # a fix put a character here that no UTF-8 file holds
            raise RewriteRefused(f"the fixed text cannot be written as UTF-8 ({error.reason})") from None


def read_script(path: str) -> ScriptFile:
    """The file's text and line endings; OSError if it cannot be read."""
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        data = handle.read()
    raw = data.decode("utf-8", "surrogateescape")
    endings = tuple(LINE_ENDING.findall(raw))
    return ScriptFile(LINE_ENDING.sub("\n", raw), endings, status)


def rewrite(path: str, data: bytes, original: os.stat_result) -> None:
    """Replace the file at `path` with `data`, atomically; RewriteRefused says why it was left as it was."""
    current = _current_status(path)
    if (current.st_ino, current.st_dev, current.st_size, current.st_mtime_ns) != (
            original.st_ino, original.st_dev, original.st_size, original.st_mtime_ns):
        raise RewriteRefused("the file changed while it was being checked; not rewritten")
    directory = os.path.dirname(path) or "."
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".pyip")
    try:
        _fill(descriptor, data, current)
        os.rename(temporary, path)
    except BaseException as error:
        os.unlink(temporary)
        if isinstance(error, OSError):
            raise RewriteRefused(f"not rewritten: {error.strerror or error}") from None
        raise
    finally:
        os.close(descriptor)
    _sync_directory(directory)


def _current_status(path: str) -> os.stat_result:
    try:
        status = os.lstat(path)
    except OSError as error:
        raise RewriteRefused(f"not rewritten: {error.strerror}") from None
    if stat.S_ISLNK(status.st_mode):
        raise RewriteRefused(f"a symbolic link (to {os.readlink(path)}): not rewritten; "
                             f"run --fix on the file it points to")
    if not stat.S_ISREG(status.st_mode):
        raise RewriteRefused("not a regular file: not rewritten")
    return status


def _fill(descriptor: int, data: bytes, original: os.stat_result) -> None:
    """Write all of `data`, give the file the original's owner and mode, and make it durable."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
    if (original.st_uid, original.st_gid) != (os.geteuid(), os.getegid()):
        try:
            os.fchown(descriptor, original.st_uid, original.st_gid)
        except PermissionError:  # not root: the file becomes ours, as any editor's rewrite would
            pass
    # after the chown, which clears set-id bits
    os.fchmod(descriptor, stat.S_IMODE(original.st_mode))
    os.fsync(descriptor)


def _sync_directory(directory: str) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
