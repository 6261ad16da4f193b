"""`pyip` as a drop-in for `ip address | route | rule`.

    pyip -n ns1 route add 10.0.0.0/8 via 192.168.1.254
    pyip -force -batch routes.txt
    pyip --dialect legacy rule add fwmark 10 table 5

The same arguments change the kernel the same way, print the same bytes on
stdout and stderr, and exit with the same status as iproute2 6.1's `ip`.
`--dialect legacy`, before the object, reads the command as the Linux
2.2-era ip did (hex fwmark, `reject`, `equalize`) and says so on stderr.
"""

from __future__ import annotations

import os
import _socket  # the C module: socket.py costs selectors, enum and array at start-up
import sys

from ..lazy import LazyModule

# The general path's modules load on first use: the `OBJECT show` shortcut (fast_show()) reads its
# few words itself, and needs neither the parser nor the dialects nor pyip's errors.
ip_parser = LazyModule("pyip.parser.ip")
parser_words = LazyModule("pyip.parser.words")
errors = LazyModule("pyip.errors")
legacy = LazyModule("pyip.compat.legacy")


def main(argv: list[str]) -> int:
    """Run `ip ARGV` (no program name); print what ip prints; return its exit status."""
    for stream in (sys.stdout, sys.stderr):  # names that are not UTF-8 print as their bytes, as in ip
        stream.reconfigure(errors="surrogateescape")
    try:
        status = drop_in(argv, sys.stdout, sys.stderr, replace_process=True)
        sys.stdout.flush()
    except BrokenPipeError:
        status = 1
    except KeyboardInterrupt:
        die_of_sigint()
    return status


def die_of_sigint() -> None:
    """End as ip ends on Ctrl-C: killed by SIGINT, without a word (a shell says 130, and a
    script's bash stops as it does when ip is interrupted; an exit(130) would not stop it)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    sys.exit(128 + signal.SIGINT)  # only if SIGINT is blocked


def drop_in(argv: list[str], out, err, replace_process: bool = False) -> int:
    shown = fast_show(argv, out, err)
    if shown is not None:
        return shown
    from ..netlink import CommandFailed

    try:
        dialect, argv = take_dialect(argv)
        option_words, rest = split_options(argv)
    except errors.PyipError as error:
        return report(refusal(error), err)
    except CommandFailed as failure:
        return report((failure.message + "\n", failure.status), err)
    if dialect == legacy.MODERN and not pyip_runs(option_words):  # -h, -c, -V, -echo, ...: ip's own, as ip does them
        handed = hand_over(argv, out, err, replace_process)
        if handed is not None:
            return handed
    try:
        option_words = [word for word in option_words if word != "--"]
        options = parse_options(option_words)
        answered = answer_option(option_words, options, out, err)
        if answered is not None:
            return answered
    except errors.PyipError as error:
        return report(refusal(error), err)
    except CommandFailed as failure:
        return report((failure.message + "\n", failure.status), err)
    from ..names import netns_names

    with netns_names(None if options.netns is None else str(options.netns)):
        return run_options(argv, option_words, rest, options, dialect, out, err, replace_process)


def run_options(argv: list[str], option_words: list[str], rest: list[str], options, dialect: str, out, err,
                replace_process: bool) -> int:
    """drop_in() once the options are read (and the name files are the namespace's)."""
    from ..netlink import CommandFailed, Session, execute, note_lines
    from ..netlink.common import switch_netns

    try:
        if options.netns is not None:
            switch_netns(str(options.netns))
        if options.batch is not None:
            from ..netlink.batch import Batch, read_batch  # only batches pay for every object's code

            session = Session()
            try:
                batch = Batch(session, str(options.batch), options, dialect, out, err)
                return batch.run(read_batch(str(options.batch), sys.stdin, batch.drain))
            finally:
                session.close()
    except CommandFailed as failure:
        return report((failure.message + "\n", failure.status), err)
    if not rest:
        from ..netlink.usage import IP

        err.write(IP)
        return 255
    changed = fast_route_change(rest, options, dialect)
    if changed is not None:
        out.write(changed.stdout)
        err.write(changed.stderr)
        return changed.status
    words = [parser_words.Word(text, errors.Location("-", 1, column)) for column, text in enumerate(["ip", *option_words, *rest])]
    try:
        command = ip_parser.parse_ip(words, dialect)
    except errors.PyipError as error:
        # `pyip link set eth0 up` in a script that says pyip for ip: let ip do it
        handed = hand_over(argv, out, err, replace_process) if isinstance(error, ip_parser.OtherObject) else None
        return report(refusal(error), err) if handed is None else handed
    if dialect != legacy.MODERN and not pyip_runs(option_words):  # pyip's reading, said to ip with ip's options
        handed = hand_over(option_words + modern_words(command), out, err, replace_process,
                           note_lines(command.notes))
        if handed is not None:
            return handed
    session = Session()
    try:
        result = execute(command, session, words, out)  # a listing streams to OUT
    finally:
        session.close()
    if result.unsupported and dialect == legacy.MODERN:  # a legacy reading is pyip's: ip would read it otherwise
        handed = hand_over(argv, out, err, replace_process)  # vrf, encap, save/restore: nothing changed yet
        if handed is not None:
            return handed
    out.write(result.stdout)
    err.write(result.stderr)
    return result.status


FAST_SHOWS = True  # the equivalence tests turn it off to compare both paths
# What the `OBJECT show` shortcut reads itself: these spellings of ip's options, each at most once,
# and -n NETNS; `route` (r), `rule` or `address` (addr, a); show, list or lst, or no verb.  Any other word (a
# selector, another option or spelling, --dialect) takes the general path.
SHOW_FLAGS = {"-4": "family", "-6": "family", "-j": "json", "-json": "json", "-p": "pretty", "-pretty": "pretty",
              "-d": "details", "-details": "details", "-o": "oneline", "-oneline": "oneline", "-N": "numeric",
              "-Numeric": "numeric", "-s": "stats", "-stats": "stats", "-br": "brief", "-brief": "brief"}
SHOW_NETNS = ("-n", "-netns")
SHOW_OBJECTS = {"route": "routes", "r": "routes", "rule": "rules", "address": "addresses", "addr": "addresses",
                "a": "addresses"}
SHOW_VERBS = ([], ["show"], ["list"], ["lst"])


def fast_show(argv: list[str], out, err) -> int | None:
    """`ip [OPTIONS] route|rule|address [show]`, no selectors, run with no parse and no syntax tree: the
    options read here, the dump printed by pyip.netlink.listing, which the general path runs too
    (the parser, the syntax tree and the value readers are a fifth of such a listing's start-up).
    The exit status; None where the general path must run: any other command, or a namespace, a
    socket or a dump the kernel refuses before anything is printed (its message is the general
    path's to say)."""
    read = show_words(argv) if FAST_SHOWS else None
    if read is None:
        return None
    flags, netns, what = read
    from ..names import netns_names, system
    from ..netlink import listing
    from ..netlink.rtnl import CommandFailed, Rtnl, switch_netns
    from ..show.common import ShowOptions

    family = {"-4": _socket.AF_INET, "-6": _socket.AF_INET6}.get(flags.pop("family", None))
    with netns_names(netns):
        try:
            if netns is not None:
                switch_netns(netns)
            rtnl = Rtnl()
        except (CommandFailed, OSError):
            return None
        try:
            options = ShowOptions(family=family, names=system(), **{name: (1 if name == "stats" else True) for name in flags})
            if what != "addresses":
                status, stderr = (listing.rules if what == "rules" else listing.routes)(rtnl, options, out)
                err.write(stderr)
                return status
            listing.addresses(rtnl, options, out)  # written at the end: a refused dump printed nothing
            return 0
        except CommandFailed:
            return None
        finally:
            rtnl.close()


def show_words(argv: list[str]) -> tuple[dict, str | None, str] | None:
    """The options ({name: word}), namespace and object ("routes", "rules" or "addresses") of a
    command fast_show() runs; None for any other command."""
    flags, netns, i = {}, None, 0
    while i < len(argv) and argv[i][:1] == "-":
        word = argv[i]
        if word in SHOW_NETNS and netns is None and i + 1 < len(argv):
            netns = argv[i + 1]
            i += 2
            continue
        name = SHOW_FLAGS.get(word)
        if name is None or name in flags:
            return None
        flags[name] = word
        i += 1
    if i == len(argv) or argv[i] not in SHOW_OBJECTS or argv[i + 1:] not in SHOW_VERBS:
        return None
    return flags, netns, SHOW_OBJECTS[argv[i]]


FAST_ROUTES = True  # the equivalence tests turn it off to compare both paths
CHANGE_VERB_STARTS = frozenset("acrptd")  # add append change chg replace prepend test delete: not show, list, get, ...


def fast_route_change(rest: list[str], options, dialect: str):
    """`route add|change|replace|prepend|append|test|delete PREFIX ...` with plain values, sent as
    a batch sends such a line (pyip.netlink.fast: from the words straight to the request, with no
    syntax tree and no ipaddress, whose import alone costs a drop-in a tenth of its start), and
    the kernel's answer; None where the general path must run: any other command or shape, any
    value that is not plain (its parse, errors and messages are the reference)."""
    if not FAST_ROUTES or dialect != legacy.MODERN or options.family not in (None, 4) or len(rest) < 3 \
            or not rest[0] or not "route".startswith(rest[0]) or rest[1][:1] not in CHANGE_VERB_STARTS:
        return None
    from ..netlink.common import Request, Session, talk
    from ..netlink.fast import FastRoutes

    try:
        session = Session()
    except OSError:  # the general path meets it where it does
        return None
    try:
        prefix = [parser_words.Word(text) for text in ["ip", *(["-4"] if options.family == 4 else [])]]
        message = FastRoutes(session, prefix, dialect, options.family).message(rest)
        return None if message is None else talk(session, Request(message))
    finally:
        session.close()


def hand_over(argv: list[str], out, err, replace_process: bool, notes: str = "") -> int | None:
    """Run the real ip on ARGV: in this process's place from the command line (`ip monitor` streams),
    else as a child whose output goes to OUT and ERR (the namespace switch, if any, was done already).
    NOTES (pyip's legacy readings) go to ERR first.
    None when there is no real ip: the caller says what pyip says."""
    from .. import real_ip

    real = real_ip.real_ip()
    if real is None:
        return None
    err.write(notes)
    out.flush()
    err.flush()
    if replace_process:
        os.execv(real, ["ip", *argv])
    result = real_ip.run(real, argv)
    out.write(result.stdout)
    err.write(result.stderr)
    return result.returncode


def refusal(error: errors.PyipError) -> tuple[str, int]:
    from ..netlink.batch import refusal as ip_refusal

    return ip_refusal(error)


def report(refused: tuple[str, int], err) -> int:
    text, status = refused
    err.write(text)
    return status


def take_dialect(argv: list[str]) -> tuple[str, list[str]]:
    """Take pyip's own `--dialect NAME` (or `--dialect=NAME`) out of the options, wherever it stands
    among them (`pyip -n ns1 --dialect legacy rule ...`)."""
    rest, dialect, i = [], legacy.MODERN, 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        word = argv[i]
        if word == "--dialect" or word.startswith("--dialect="):
            dialect = word.partition("=")[2] if "=" in word else (argv[i + 1] if i + 1 < len(argv) else "")
            i += 1 if "=" in word else 2
            if dialect not in legacy.DIALECTS:
                raise errors.PyipError('pyip: --dialect is "%s" or "%s", not "%s"' % (*legacy.DIALECTS, dialect), None, 255)
            continue
        taken = 2 if ip_parser.needs_value(word) else 1  # -n NETNS: its value is no option
        rest += argv[i:i + taken]
        i += taken
    return dialect, rest + argv[i:]


def split_options(argv: list[str]) -> tuple[list[str], list[str]]:
    """ip's options (with their values) before the object, and the rest; `--` ends them and
    stays with the options."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--":
            i += 1
            break
        if ip_parser.needs_value(argv[i]):
            if i + 1 >= len(argv):
                raise missing_value(argv[i])
            i += 1
        i += 1
    return argv[:i], argv[i:]


# The options pyip runs itself.  Any other (-h, -iec, -r, -t, -ts, -rc, -l, -a, -c, -echo, -M, -B,
# -V, -help, --, or one ip does not know) hands the command to the real ip, which does as it does.
PYIP_OPTIONS = frozenset({"OPT_INET", "OPT_INET6", "OPT_LINK", "OPT_STATS", "OPT_DETAILS", "OPT_ONELINE",
                          "OPT_FORCE", "OPT_BATCH", "OPT_BRIEF", "OPT_JSON", "OPT_PRETTY", "OPT_NETNS",
                          "OPT_NUMERIC"})
PYIP_FAMILIES = ("inet", "inet6", "link")


def pyip_runs(option_words: list[str]) -> bool:
    """Does pyip do all that OPTION_WORDS ask, as ip 6.1 does it?"""
    i = 0
    while i < len(option_words):
        kind = option_kind(option_words[i])
        if kind == "OPT_FAMILY":
            if option_words[i + 1:i + 2] and option_words[i + 1] not in PYIP_FAMILIES:
                return False
        elif kind not in PYIP_OPTIONS:
            return False
        i += 2 if ip_parser.needs_value(option_words[i]) else 1
    return True


def option_kind(word: str) -> str | None:
    """The option WORD is to ip 6.1 (OPT_STATS for -s), None for one it does not know."""
    from ..parser.words import grammar

    return grammar("ip").first_match(word, "OPT_")


def answer_option(option_words: list[str], options, out, err) -> int | None:
    """-Version and -help, without a real ip to answer: ip's version line, ip's usage.
    The mpls and bridge families, which pyip does not speak: say so."""
    for word in option_words:
        kind = option_kind(word)
        if kind == "OPT_VERSION":
            out.write("ip utility, iproute2-6.1.0\n")
            return 0
        if kind == "OPT_HELP":
            from ..netlink.usage import IP

            err.write(IP)
            return 255
    if options.family in (28, 7):
        err.write("pyip: the mpls and bridge families (-M, -B) need iproute2's ip, which is not installed\n")
        return 255
    return None


def modern_words(command) -> list[str]:
    """COMMAND as today's ip is told it, without the options: OBJECT VERB ARGS."""
    import shlex

    from ..ast import Options
    from ..records import evolve

    return shlex.split(str(evolve(command, options=Options())))[1:]


def missing_value(option: str):
    """ip.c's NEXT_ARG() in main() prints the usage; `-netns` goes on with a NULL name."""
    from ..netlink import CommandFailed
    from ..netlink.usage import IP

    if option_kind(option) == "OPT_NETNS":
        return CommandFailed('Cannot open network namespace "(null)": No such file or directory', 255)
    return CommandFailed(IP.rstrip("\n"), 255)


def parse_options(option_words: list[str]):
    """The options, read by pyip's parser (an object word closes them)."""
    words = [parser_words.Word(text) for text in ["ip", *option_words, "route"]]
    return ip_parser.parse_front(words, errors.Location(), False)[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
