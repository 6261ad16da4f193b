"""`pyip -batch` against `ip -batch`: the same reading of the file, the same
failure reports (`Command failed FILE:LINE`), the same stop at the first
failure or, with -force, the same carrying on, and the same kernel state."""

from __future__ import annotations

import os
import pty
import select
import subprocess

import pytest

from pyip.netlink.batch import Progress

from .differential import kernel_state, pyip, pyip_process, real_ip, twins

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

SETUP = """\
addr add 192.168.1.1/24 dev v0
addr add 10.1.1.1/24 dev v1
"""

MIXED = SETUP + """\
# a comment line, then a blank one

route add 10.10.0.0/16 via 192.168.1.254   # a trailing comment
route add 10.11.0.0/16 \\
    via 192.168.1.254 \\
    table 5
rule add from 10.1.0.0/16 lookup 5 pref 100
route show table 5
route add 10.10.0.0/16 via 192.168.1.254
rule add from 10.2.0.0/16 lookup 6 pref 101
route add 10.12.0.0/16 dev nosuch
addr add 10.2.2.2/24 dev v2 label "v2:a b"
route flush
foo bar
-4 route show
route add 10.13.0.0/16 dev v0#comment glued to a word
route add 10.14.0.1/16 dev v0
rule del pref 5000
addr add 10.30.0.1/24
rule show
route add 10.17.0.0/16 dev v0 realm 3
-j route show
"""

FATAL = {
    "invarg": "route add 10.20.0.0/16 metric x\n",
    "bad prefix": "route add 10.21.0.0/33 dev v0\n",
    "usage": "route add\n",
    "help": "rule help\n",
    "unterminated": 'route add 10.22.0.0/16 dev v0 label "x\n',
    "no continuation": "route add 10.23.0.0/16 \\\n",
    "semicolon": "route add 10.15.0.0/16 via 192.168.1.254 metric 5;route add 10.16.0.0/16 dev v0\n",
    "quote inside": "route add 10.15.0.0/16 dev v0 'quoted' 'x\n",
}


def batch_outcomes(tmp_path, text: str, options: list[str], name: str = "b.batch"):
    """Run the batch with ip in one twin and pyip in the other: outcomes and states."""
    path = tmp_path / name
    path.write_text(text)
    with twins("pyipbatch") as (real, mine):
        ours = real_ip(real, [*options, "-batch", str(path)])
        theirs = pyip(mine, [*options, "-batch", str(path)])
        return ours, theirs, kernel_state(real), kernel_state(mine)


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_mixed_batch(tmp_path, options):
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, MIXED, options)
    assert theirs == ours
    assert my_state == real_state
    assert ours[0] == 1 and ours[2].count("Command failed") == (1 if not options else 9)


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
@pytest.mark.parametrize("kind", sorted(FATAL))
def test_errors_that_end_the_batch_at_once(tmp_path, kind, options):
    text = SETUP + "route add 10.1.0.0/16 via 192.168.1.254\nroute add 10.1.0.0/16 via 192.168.1.254\n"
    text += FATAL[kind] + "route add 10.2.0.0/16 via 192.168.1.254\n"
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, text, options)
    assert theirs == ours
    assert my_state == real_state


def many_routes(count: int, duplicates: tuple[int, ...]) -> str:
    lines = [f"route add 10.{i >> 8}.{i & 255}.0/24 via 192.168.1.254 table {1 + i % 7}" for i in range(count)]
    for index in duplicates:
        lines[index] = lines[index - 1]
    return SETUP + "\n".join(lines) + "\nroute show table 3\n"


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_long_batch_maps_each_refusal_to_its_line(tmp_path, options):
    """Past one window of changes, refusals in the middle of windows."""
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, many_routes(700, (300, 301, 556)), options)
    assert theirs == ours
    assert my_state == real_state


def test_family_and_listing_options_apply_to_every_line(tmp_path):
    text = "addr add 2001:db8::1/64 dev v0 nodad\nroute add default dev v0 metric 7\nroute show\naddr show dev v0\n"
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, text, ["-6", "-j"])
    assert theirs == ours
    assert my_state == real_state


def test_standard_input_and_a_missing_file():
    with twins("pyipstdin") as (real, mine):
        text = SETUP + "route add 10.5.0.0/16 via 192.168.1.254\nroute add 10.5.0.0/16 via 192.168.1.254\n"
        ours = subprocess.run(["ip", "-n", real, "-batch", "-"], input=text, capture_output=True, text=True)
        theirs = pyip_process(mine, ["-batch", "-"], input=text)
        assert (theirs.returncode, theirs.stdout, theirs.stderr) == (ours.returncode, ours.stdout, ours.stderr)
        assert kernel_state(mine) == kernel_state(real)
        missing = ["-batch", "/nonexistent/pyip.batch"]
        assert pyip(mine, missing) == real_ip(real, missing)


def test_progress_is_shown_on_a_terminal_only(tmp_path):
    path = tmp_path / "long.batch"
    path.write_text("".join(f"route add 10.{i >> 8}.{i & 255}.0/24 dev v0\n" for i in range(3000)))
    with twins("pyipprogress") as (_, mine):
        piped = pyip_process(mine, ["-batch", str(path)])
        assert (piped.returncode, piped.stderr) == (0, "")
    assert terminal_shows(lambda progress: progress.tick(1000)) == "\rpyip: 1000 commands"
    assert terminal_shows(lambda progress: (progress.tick(999), progress.clear())) == ""
    assert terminal_shows(lambda progress: (progress.tick(1000), progress.clear())).endswith("\r\x1b[K")


def terminal_shows(use) -> str:
    """What a Progress writes on a real pseudo-terminal (no waiting: delay 0)."""
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal:
        use(Progress(terminal, delay=0))
    chunks = []
    while select.select([master], [], [], 0.2)[0]:
        try:
            chunks.append(os.read(master, 4096))
        except OSError:
            break
    os.close(master)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_lines_of_other_objects_go_to_the_real_ip(tmp_path, options):
    text = ("link set lo up\nroute add 10.0.0.0/8 dev lo\nlink show lo\nlink set nosuch up\n"
            "route add 11.0.0.0/8 dev lo\n")
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, text, options)
    assert theirs == ours
    assert my_state == real_state
    assert "Command failed" in ours[2] and "<LOOPBACK,UP,LOWER_UP>" in ours[1]


# Characters str.split() would split on (control characters, non-ASCII separators) beside the
# ones makeargs() splits on (space, tab, CR): a line is split as ip splits it whatever they are.
ODD_SPACES = ["\t", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2000", "\u2028", "\u3000"]


def test_words_split_as_makeargs_splits_them(tmp_path):
    """The batch splits a printable line with str.split(), any other with makeargs()'s own set:
    against the real ip, lines whose odd white space glues words (so ip refuses them, or reads
    another table or device) or separates them (tab, CR)."""
    lines = [f"route add 10.71.{n}.0/24 dev v0{space}" for n, space in enumerate(ODD_SPACES)]
    lines += ["route add 10.70.1.0/24\tvia 192.168.1.254\rtable 5", "route add 10.70.2.0/24 via 192.168.1.254\x0btable 5"]
    ours, theirs, real_state, my_state = batch_outcomes(tmp_path, SETUP + "\n".join(lines) + "\n", ["-force"])
    assert theirs == ours
    assert my_state == real_state
    assert ours[2].count("Command failed") >= 8  # the odd ones glued words: devices that do not exist
    routes = {route["dst"] for route in real_state["routes"]}
    assert "10.70.1.0/24" in routes and "10.70.2.0/24" not in routes  # tab and CR split; \x0b glues


def test_the_printable_split_is_makeargs_split():
    """Every character beside a word, split as makeargs() splits (the regular expression it
    stands for) whichever way split_words() takes."""
    import sys

    from pyip.netlink.batch import WORD, split_words

    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000 or chr(code) in "'\"":
            continue
        line = "route%sadd 10.0.0.0/8%s" % (chr(code), chr(code))
        assert split_words(line) == WORD.findall(line), hex(code)
