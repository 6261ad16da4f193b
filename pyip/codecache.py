"""The compiled code of pyip's modules a command imports, read from one cache file.

Python finds, checks and reads each module's .pyc on its own: about 40 µs a
module in importlib's own Python code, before the module's code runs, and a
drop-in imports some 30 of pyip's modules (issue 13: start-up at most twice
`python -c pass`).  The command line (pyip.cli.main(), not `import pyip`)
puts a finder before Python's own that takes a pyip module's code from a
cache file instead, about 12 µs a module: one file per Python and pyip
installation and kind of command ("dropin", "parse"), written when a run
imported modules it did not hold.  An entry is used only while its source
file has the size and modification time it had when the entry was made
(what Python's own .pyc check compares), so an edited module is read from
its source as usual and the file is written again; only plain modules are
held, not packages (their __path__ and resources stay Python's business).
The file is trusted as pyip.parser.tables trusts its cache: ours, not a
link, writable by no one else, in a directory of ours.  PYIP_NO_CODE_CACHE=1
turns it off.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import MAGIC_NUMBER, SourceFileLoader

FORMAT = 3
HOME = os.path.dirname(os.path.abspath(__file__))  # this installation's pyip: each has its own files
MAX_ENTRIES = 200  # pyip has fewer modules: a bound all the same
HEADER = 8  # the file: the index's length (8 bytes, little-endian), (FORMAT, HOME, index) marshalled, the code


class CodeCache:
    """A sys.meta_path finder and loader for the pyip modules the cache file holds.

    Only the index is read at start; a module's code is read (os.pread) when it is imported, so
    a command pays for the modules it imports, not for every one the file holds."""

    def __init__(self, path: str, descriptor: int | None, index: dict):
        self.path = path
        self.descriptor = descriptor  # the file as it was when opened (a rewrite renames a new one in)
        self.index = index  # module name -> (source path, size, mtime_ns, offset, length of its code)
        self.stale = False  # an entry's source changed: the file is written again without it

    def find_spec(self, name: str, path=None, target=None):
        if not name.startswith("pyip."):
            return None
        entry = self.index.get(name)
        if entry is not None:
            origin, size, mtime_ns, _, _ = entry
            try:
                status = os.stat(origin)
            except OSError:
                status = None
            if status is not None and status.st_size == size and status.st_mtime_ns == mtime_ns:
                spec = ModuleSpec(name, self, origin=origin)
                spec.has_location = True  # __file__ is the source, as Python's loader sets it
                return spec
            del self.index[name]
            self.stale = True
        return None

    def create_module(self, spec):
        return None  # the usual module object

    def exec_module(self, module) -> None:
        exec(marshal.loads(self.code(module.__name__)), module.__dict__)

    def code(self, name: str) -> bytes:
        """The marshal bytes of the module's code."""
        _, _, _, offset, length = self.index[name]
        data = os.pread(self.descriptor, length, offset)
        if len(data) != length:
            raise ImportError(f"pyip's code cache {self.path} is cut short", name=name)
        return data

    def get_source(self, name: str) -> str | None:
        """For tracebacks and inspect (linecache asks the loader when the file cannot be read)."""
        return SourceFileLoader(name, self.index[name][0]).get_source(name)

    def save(self) -> None:
        """Write the file again if this run imported pyip modules it does not hold, with them (a name
        asked for is not enough: `from .show import RouteFilter` asks for a module pyip.show.RouteFilter
        before it takes the package's attribute), or if an entry's source changed."""
        missing = [(name, module) for name, module in list(sys.modules.items())
                   if name.startswith("pyip.") and name not in self.index and is_plain_source(module)]
        missing = missing[:max(MAX_ENTRIES - len(self.index), 0)]
        if not missing and not self.stale:
            return
        directory = os.path.dirname(self.path)
        try:  # a home that cannot be written: found out before the entries are made, at every run
            os.makedirs(directory, mode=0o700, exist_ok=True)
        except OSError:
            return
        if not os.access(directory, os.W_OK):
            return
        new = {}
        for name, module in missing:
            entry = entry_of(name, module)
            if entry is not None:
                new[name] = entry
        try:
            kept = {name: (*entry[:3], self.code(name)) for name, entry in self.index.items()}
        except (OSError, ImportError):
            kept = {}
        from .parser.tables import write_atomically

        write_atomically(self.path, file_bytes({**kept, **new}))
        self.stale = False
        prune(os.path.dirname(self.path))


def file_bytes(entries: dict) -> bytes:
    """The cache file of ENTRIES (module name -> (source path, size, mtime_ns, marshal bytes of its code))."""
    index, blobs, offset = {}, [], 0
    for name, (origin, size, mtime_ns, code) in entries.items():
        index[name] = (origin, size, mtime_ns, offset, len(code))
        blobs.append(code)
        offset += len(code)
    head = marshal.dumps((FORMAT, HOME, index))
    start = HEADER + len(head)
    index = {name: (*entry[:3], entry[3] + start, entry[4]) for name, entry in index.items()}
    head = marshal.dumps((FORMAT, HOME, index))  # the same length: only the offsets' values changed
    if HEADER + len(head) != start:
        raise AssertionError("the index changed length")
    return len(head).to_bytes(HEADER, "little") + head + b"".join(blobs)


def is_plain_source(module) -> bool:
    """Is this a plain module (not a package) that Python's own loader read from its source?"""
    spec = getattr(module, "__spec__", None)
    return spec is not None and spec.submodule_search_locations is None and type(spec.loader) is SourceFileLoader


def entry_of(name: str, module) -> tuple | None:
    """The cache entry of a plain module that Python's own loader read from its source; else None."""
    if not is_plain_source(module):
        return None
    spec = module.__spec__
    try:
        before = os.stat(spec.origin)
        code = spec.loader.get_code(name)
        after = os.stat(spec.origin)
    except (OSError, ImportError):
        return None
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return None  # changed while read: not cached this time
    return spec.origin, before.st_size, before.st_mtime_ns, marshal.dumps(code)


_INSTALLED: list[CodeCache] = []


def install(kind: str) -> None:
    """Put the cache of this kind of command before Python's finders (once), if it may be used."""
    if _INSTALLED or os.environ.get("PYIP_NO_CODE_CACHE"):
        return
    from .parser.tables import cache_dir, cache_key, is_own, is_trusted_directory

    directory = cache_dir()
    # -O and -OO compile other code (no asserts, no docstrings), as their own .pyc files hold
    flavour = f"{FORMAT}-{sys.flags.optimize}".encode()
    key = cache_key(b"\0".join([MAGIC_NUMBER, flavour, os.fsencode(HOME), kind.encode()]))
    path = os.path.join(directory, f"code-{kind}-{key}.marshal")
    trusted = is_trusted_directory(directory)
    if not trusted and not (trusted is None and is_own(os.path.dirname(directory))):
        return  # neither read nor written: another user's place (root under sudo -E)
    descriptor, index = open_trusted(path) if trusted else (None, {})
    cache = CodeCache(path, descriptor, index)
    sys.meta_path.insert(0, cache)
    _INSTALLED.append(cache)


def open_trusted(path: str) -> tuple[int | None, dict]:
    """The open file and its index, if the file is ours, writable by no one else, not a link and
    whole; else (None, {})."""
    descriptor, _, index = open_with_home(path)
    return descriptor, index


def open_with_home(path: str) -> tuple[int | None, str | None, dict]:
    """open_trusted(), with the pyip installation the file is for."""
    from .parser.tables import UNSAFE_MODE

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None, None, {}
    try:
        status = os.fstat(descriptor)
        if status.st_uid == os.geteuid() and not status.st_mode & UNSAFE_MODE:
            length = int.from_bytes(os.pread(descriptor, HEADER, 0), "little")
            stored = marshal.loads(os.pread(descriptor, length, HEADER)) if length < status.st_size else None
            if type(stored) is tuple and len(stored) == 3 and stored[0] == FORMAT and type(stored[1]) is str \
                    and type(stored[2]) is dict \
                    and all(entry[3] + entry[4] <= status.st_size for entry in stored[2].values()):
                return descriptor, stored[1], stored[2]
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass
    os.close(descriptor)
    return None, None, {}


UNUSED_FOR = 30 * 24 * 3600  # seconds: a code cache not written for this long may go (it is a cache)


def prune(directory: str, now: float | None = None) -> None:
    """Remove the code caches of pyip installations that are gone (a removed venv, a test's), and
    any not written for UNUSED_FOR (an older format's, an older key's): each is a file of some
    hundred KB that nothing may read again, and one still in use is only written again, once.
    Only our own files, never through a link."""
    import time

    now = time.time() if now is None else now
    try:
        names = [name for name in os.listdir(directory) if name.startswith("code-") and name.endswith(".marshal")]
    except OSError:
        return
    for name in names:
        path = os.path.join(directory, name)
        try:
            status = os.lstat(path)
        except OSError:
            continue
        if status.st_uid != os.geteuid() or not stat.S_ISREG(status.st_mode):
            continue  # another user's, or a link: not ours to remove
        gone = now - status.st_mtime > UNUSED_FOR
        if not gone:
            descriptor, home, _ = open_with_home(path)
            if descriptor is not None:
                os.close(descriptor)
                gone = not os.path.isdir(home)
        if gone:
            try:
                os.unlink(path)
            except OSError:
                pass


def save() -> None:
    """At the end of a command: the cache file written again if it lacked something."""
    for cache in _INSTALLED:
        cache.save()
