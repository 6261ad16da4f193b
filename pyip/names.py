"""The iproute2 name databases: rt_tables, rt_protos, rt_scopes, rt_realms, rt_dsfield.

Read the way iproute2's lib/rt_names.c reads them: lines `ID NAME` with a
decimal or 0x-hex id, `#` comments and blank lines skipped, a trailing
`# ...` allowed.  Anything else stops reading that file with
`Database FILE is corrupted at LINE` (iproute2 warns and carries on with what
it has).  `rt_tables.d/*.conf` and `rt_protos.d/*.conf` add to the main file,
and a missing /etc/iproute2/FILE falls back to /usr/share/iproute2/FILE
(iproute2 >= 6.5).

Lookups go name first, then number, so a file that names table 1 "10" makes
`table 10` mean table 1, exactly as in iproute2.
"""

from __future__ import annotations

import os

from . import cnumbers, records
from .lazy import LazyModule

# Named is the parser's (named()): a listing, which only prints names, need not load the syntax tree.
ast_base = LazyModule("pyip.ast.base")

# Paths as text (os.path): pathlib costs the drop-in a few milliseconds of start-up.
CONFDIR = "/etc/iproute2"
FALLBACK_CONFDIR = "/usr/share/iproute2"


# Built-ins that iproute2 compiles in (lib/rt_names.c), before any file.
BUILTIN_TABLES = {0: "unspec", 253: "default", 254: "main", 255: "local"}
BUILTIN_PROTOCOLS = {
    0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static",
    8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird",
    13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived",
    42: "babel", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip",
    192: "eigrp",
}
BUILTIN_SCOPES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
BUILTIN_REALMS = {0: "unknown"}
BUILTIN_DSFIELD: dict[int, str] = {}


class NameDB(metaclass=records.frozen):
    """One name database: ids to names and back, with iproute2's number rules."""

    kind: str
    names: dict = records.field(factory=dict)  # id -> name, file order wins
    max_id: int = 255
    number_base: int = 0  # strtoul base: 0 = C rules (0x hex, 0 octal); dsfield is 16
    warnings: tuple = ()

    ids: dict = records.field(init=False, eq=False, repr=False)  # name -> first id with it
    known: dict = records.field(init=False, eq=False, repr=False)  # word -> Named, for named()

    def __attrs_post_init__(self):
        ids: dict = {}
        for ident, name in self.names.items():
            ids.setdefault(name, ident)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "known", {})

    def lookup(self, word: str) -> int | None:
        """The id a word means, or None when it is neither a name nor a number."""
        ident = self.ids.get(word)
        return ident if ident is not None else parse_c_number(word, self.number_base, self.max_id)

    def named(self, word: str) -> Named | None:
        """The id a word means, keeping the name for printing; None when it is neither.

        Remembered: bulk input names the same few tables and protocols on every line.
        """
        found = self.known.get(word)
        if found is None:
            ident = self.lookup(word)
            if ident is None:
                return None
            found = ast_base.Named(ident, word if word in self.ids else None)
            if len(self.known) < 4096:
                self.known[word] = found
        return found

    def name(self, ident: int, numeric: bool = False) -> str:
        """How iproute2 prints an id: its name unless -N, else the number."""
        if not numeric and ident in self.names:
            return self.names[ident]
        if self.kind == "rt_dsfield":
            return f"0x{ident:02x}"
        return str(ident)

    def has_name(self, word: str) -> bool:
        return word in self.ids


def parse_c_number(word: str, base: int = 0, maximum: int = 0xFFFFFFFF) -> int | None:
    """strtoul(word, &end, base) that must consume the whole word, then range-checked:
    the number branch of iproute2's rtnl_*_a2n() and get_unsigned() (cnumbers.py has
    C's rules: white space first, a sign, `-` wrapping modulo 2^64, base 0's 0x and 0)."""
    if word.isdigit() and word.isascii() and (base == 10 or base == 0 and (word[0] != "0" or len(word) == 1)) \
            and len(word) < 20:
        value = int(word)  # the common case: plain decimal
        return value if value <= maximum else None
    return cnumbers.a2n_number(word, base, maximum)


class DatabaseError(Exception):
    pass


def read_db_lines(path: str | os.PathLike) -> tuple[dict[int, str], str | None]:
    """Entries of one file, plus iproute2's corruption warning if reading stopped."""
    entries: dict[int, str] = {}
    path = path_text(path)
    try:
        with open(path, errors="replace") as file:
            text = file.read()
    except OSError:
        return entries, None
    for raw in text.splitlines():
        line = raw.lstrip(" \t")
        if not line or line.startswith("#"):
            continue
        entry = db_entry(line.rstrip("\n"))
        if entry is None:
            return entries, f"Database {path} is corrupted at {line}"
        number, name = entry
        ident = int(number, 0) if number.lower().startswith("0x") else int(number)
        if ident >= 0:
            entries[ident] = name
    return entries, None


LINE_PATTERN = r"(0x[0-9a-fA-F]+|-?[0-9]+)\s+(\S+)\s*(?:#.*)?"  # sscanf's %d: ASCII digits
_HEX = frozenset("0123456789abcdefABCDEF")
_DECIMAL = frozenset("0123456789")


def db_entry(line: str) -> tuple[str, str] | None:
    """(number, name) of a line, as re.fullmatch(LINE_PATTERN, line) groups them, or None; read
    without compiling the pattern (start-up; tests/test_names.py holds the two equal)."""
    end = len(line)
    if line.startswith("0x"):  # else `0` and then `x`, not a blank: no match either way
        at = 2
        while at < end and line[at] in _HEX:
            at += 1
        if at == 2:
            return None
    else:
        start = at = 1 if line.startswith("-") else 0
        while at < end and line[at] in _DECIMAL:
            at += 1
        if at == start:
            return None
    number, blanks = line[:at], at
    while at < end and line[at].isspace():
        at += 1
    if at == blanks:
        return None
    name_end = at
    while name_end < end and not line[name_end].isspace():
        name_end += 1
    name, rest = line[at:name_end], line[name_end:].lstrip()
    if not name:
        return None
    if not rest or rest.startswith("#"):
        return number, name
    comment = name.rfind("#")  # `1 a#b c`: the name gives back its end to the comment
    return (number, name[:comment]) if comment >= 1 else None


def _config_files(confdir: str, basename: str, with_dir: bool) -> list[str]:
    main = os.path.join(confdir, basename)
    if not os.path.exists(main) and os.path.exists(os.path.join(FALLBACK_CONFDIR, basename)):
        main = os.path.join(FALLBACK_CONFDIR, basename)
    files = [main]
    if with_dir:
        for directory in (os.path.join(confdir, f"{basename}.d"), os.path.join(FALLBACK_CONFDIR, f"{basename}.d")):
            if os.path.isdir(directory):
                files += [os.path.join(directory, name) for name in sorted(os.listdir(directory)) if is_conf(name)]
    return files


def is_conf(name: str) -> bool:
    """pathlib's `suffix == ".conf"`: a dot that does not start the name."""
    dot = name.rfind(".")
    return 0 < dot and name[dot:] == ".conf"


def path_text(path: str | os.PathLike) -> str:
    """str(pathlib.Path(path)), as iproute2's messages name the file: empty and `.` parts dropped,
    no trailing slash, two leading slashes kept (POSIX leaves their meaning open)."""
    text = os.fspath(path)
    root = "//" if text.startswith("//") and not text.startswith("///") else "/" if text.startswith("/") else ""
    parts = [part for part in text.split("/") if part and part != "."]
    return root + "/".join(parts) if root or parts else "."


def load_db(kind: str, builtins: dict[int, str], files: list[str], max_id: int = 255,
            number_base: int = 0) -> NameDB:
    names = dict(builtins)
    warnings = []
    for path in files:
        entries, warning = read_db_lines(path)
        for ident, name in entries.items():
            if ident <= max_id:
                names[ident] = name
        if warning:
            warnings.append(warning)
    return NameDB(kind, names, max_id, number_base, tuple(warnings))


class Databases(metaclass=records.frozen):
    """All five databases, as one `ip` invocation sees them."""

    tables: NameDB
    protocols: NameDB
    scopes: NameDB
    realms: NameDB
    dsfield: NameDB

    @classmethod
    def load(cls, confdir: str | os.PathLike | None = None, rt_tables: str | os.PathLike | None = None) -> Databases:
        """Read the databases from confdir (CONFDIR when None); rt_tables replaces the tables
        file (for scripts that ship their own, like the documents' rt_tables)."""
        confdir = path_text(CONFDIR if confdir is None else confdir)
        table_files = [path_text(rt_tables)] if rt_tables else _config_files(confdir, "rt_tables", True)
        return cls(
            tables=load_db("rt_tables", BUILTIN_TABLES, table_files, max_id=0xFFFFFFFF),
            protocols=load_db("rt_protos", BUILTIN_PROTOCOLS, _config_files(confdir, "rt_protos", True)),
            scopes=load_db("rt_scopes", BUILTIN_SCOPES, _config_files(confdir, "rt_scopes", False)),
            realms=load_db("rt_realms", BUILTIN_REALMS, _config_files(confdir, "rt_realms", False)),
            dsfield=load_db("rt_dsfield", BUILTIN_DSFIELD, _config_files(confdir, "rt_dsfield", False),
                            number_base=16),
        )

    @classmethod
    def builtin(cls) -> Databases:
        """Only the compiled-in names: what iproute2 knows with no /etc/iproute2."""
        return cls(
            tables=NameDB("rt_tables", dict(BUILTIN_TABLES), 0xFFFFFFFF),
            protocols=NameDB("rt_protos", dict(BUILTIN_PROTOCOLS)),
            scopes=NameDB("rt_scopes", dict(BUILTIN_SCOPES)),
            realms=NameDB("rt_realms", dict(BUILTIN_REALMS)),
            dsfield=NameDB("rt_dsfield", dict(BUILTIN_DSFIELD), number_base=16),
        )

    def with_written(self, written: tuple) -> Databases:
        """The databases after a script wrote these (database, id, name, replaces) lines into
        rt_tables or rt_realms, in order; `replaces`: a `>` emptied the file first (the
        built-in names stay, as they do for ip)."""
        databases = {"rt_tables": self.tables, "rt_realms": self.realms}
        builtin = {"rt_tables": BUILTIN_TABLES, "rt_realms": BUILTIN_REALMS}
        for kind, ident, name, replaces in written:
            db = databases[kind]
            names = dict(builtin[kind]) if replaces else dict(db.names)
            if ident is not None and ident <= db.max_id:
                names[ident] = name
            databases[kind] = records.evolve(db, names=names)
        return records.evolve(self, tables=databases["rt_tables"], realms=databases["rt_realms"])

    @property
    def warnings(self) -> tuple[str, ...]:
        return sum((db.warnings for db in (self.tables, self.protocols, self.scopes, self.realms, self.dsfield)), ())


_system: Databases | None = None


def system() -> Databases:
    """The host's databases, read once per process."""
    global _system
    if _system is None:
        _system = Databases.load()
    return _system


NETNS_ETC_DIR = "/etc/netns"
NAME_MAX = 255


class netns_names:
    """`with netns_names(NETNS):` the name files as `ip -n NETNS` sees them: ip bind-mounts each
    /etc/netns/NETNS/ENTRY over /etc/ENTRY (lib/namespace.c, bind_etc()), so
    /etc/netns/NETNS/iproute2, when there is one, stands for /etc/iproute2 (rt_tables, group, ...)
    while the body runs.  A class, not contextlib.contextmanager: contextlib costs start-up time."""

    def __init__(self, netns: str | None):
        self.netns = netns
        self.saved: tuple | None = None

    def __enter__(self) -> None:
        global CONFDIR, _system
        netns = self.netns
        if netns is None or len(netns.encode("utf-8", "surrogateescape")) >= NAME_MAX:
            return
        confdir = os.path.join(NETNS_ETC_DIR, netns, "iproute2")
        if not os.path.isdir(confdir):
            return
        self.saved = CONFDIR, _system
        CONFDIR, _system = confdir, None

    def __exit__(self, *exception) -> bool:
        global CONFDIR, _system
        if self.saved is not None:
            (CONFDIR, _system), self.saved = self.saved, None
        return False
