"""The plain reader's fast path (pyip.script.simple_commands) against the shell evaluator."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.test_shell import simple_word


# Heads that change what runs (runners, `exit`, a sourced file) next to plain programs.
_heads = st.sampled_from(["ip", "/sbin/ip", "iptables", "/usr/sbin/iptables", "sudo ip", "sudo -u root iptables",
                          "nice -n 5 ip", "command ip", "exec iptables", "nohup ip", "doas iptables", "echo ip",
                          "modprobe", "exit", ". ./lib", "true"])
headed_script = st.lists(st.tuples(_heads, st.lists(simple_word, max_size=4).map(" ".join)), max_size=8).map(
    lambda lines: "".join(f"{head} {rest}\n" for head, rest in lines))


@settings(max_examples=300, deadline=None)
@given(headed_script)
def test_the_fast_path_finds_what_the_evaluator_finds(text):
    """`sudo iptables ...` in a script with no other shell syntax: the plain reader must not keep
    `sudo` as the program (translate once said 'no iptables command'), nor read past `exit`."""
    from pyip.script import script_commands, shell_commands

    programs = {"ip", "pyip", "iptables", "ipchains"}

    def ours(commands):
        return [c for c in commands if c and c[0].text and c[0].text.rsplit("/", 1)[-1] in programs]

    chosen = [c for c in script_commands(text, "f") if not isinstance(c, Exception)]
    slow = [c.words for c in shell_commands(text, "f") if not isinstance(c, Exception)]
    assert ours(chosen) == ours(slow)


def test_sudo_and_a_defaulted_program_variable_are_translated():
    from pyip.translators.pipeline import to_iptables_restore

    for text in ("sudo iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n",
                 "IPT=${IPT:-/sbin/iptables}\nsudo $IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n"):
        output, problems = to_iptables_restore(text, "f")
        assert "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT" in output, (text, output, problems)


_SHELLISH = st.lists(st.sampled_from(
    ["ip", " ", "\t", "\n", "\r", "\x0c", "\x85", "\u2028", "#", " #", "'", '"', "\\", ";", "$", "for", "do",
     "done", "if", "fi", "esac", "x", "=", "*", "|", "a#b"]), max_size=12).map("".join)


@settings(max_examples=500, deadline=None)
@given(_SHELLISH)
def test_the_one_pass_shell_syntax_check_agrees_with_the_line_by_line_one(text):
    from pyip.script import has_shell_syntax, lines_have_shell_syntax

    assert has_shell_syntax(text) == lines_have_shell_syntax(text)


# ---------------------------------------- runs of plain lines that tree-sitter does not read
# pyip.shell._parsed_without_plain_runs hides runs of plain command lines from tree-sitter and runs
# them itself: the result must be the tree's, whatever surrounds them (a here-document, a string, a
# loop, a continued line, a list, a function body, a syntax error).

from tests.test_shell import CORPUS_SCRIPTS, PLAIN_WORDS, needs_corpus  # noqa: E402

_PLAIN_LINES = st.lists(st.one_of(PLAIN_WORDS, st.sampled_from(["iptables", "$IPT", "allow", "f", "-A", "INPUT",
                                                                  "if", "done", "declare", "[", "!x", "a=b"])),
                        min_size=1, max_size=5).map(" ".join)
_SURROUNDINGS = st.sampled_from([
    "", "#c", "  # indented comment", "IPT=iptables", "A=1 B=2", "cat <<EOF", "cat <<'EOF'", "EOF", "x=\"open",
    "\"", "y='open", "'", "ip a \\", "ip b &&", "ip c |", "if true; then", "if [ \"$1\" = x ]; then", "else", "fi",
    "for i in 1 2; do", "while false; do", "done", "f() {", "allow() { iptables -A INPUT -p tcp --dport \"$1\" -j ACCEPT; }",
    "}", "case $1 in", "a)", ";;", "esac", "(", ")", "{", "exit 0", "alias ipt=iptables", "ipt -F", "set -- a b",
    "echo $((1+))", "x=$(", "\t", "ip d ; ip e", "ip f # tail", "return", "declare -a A=(1 2)", "ip g\r"])
_FIREWALL_LINES = st.lists(st.sampled_from(["iptables", "$IPT", "-A", "INPUT", "-s", "10.0.0.1", '"a b"', '"$1"',
                                            "${B}", "$A", "eth$1", "-j", "ACCEPT", "--dport=22", "!", "%"]),
                           min_size=1, max_size=6).map(lambda words: " ".join(["$IPT", *words]))
_SCRIPT_LINES = st.lists(st.one_of(_FIREWALL_LINES, _PLAIN_LINES, _SURROUNDINGS), max_size=24)


def _both_ways(text: str):
    """(read with every run of plain lines hidden from tree-sitter, read with none hidden)."""
    from pyip import shell

    kept = shell.MIN_PLAIN_RUN
    try:
        shell.MIN_PLAIN_RUN = 1
        hidden = shell.read_script(text, "t.sh")
        shell.MIN_PLAIN_RUN = 10 ** 9
        return hidden, shell.read_script(text, "t.sh")
    finally:
        shell.MIN_PLAIN_RUN = kept


@settings(max_examples=500, deadline=None)
@given(_SCRIPT_LINES)
def test_plain_runs_hidden_from_tree_sitter_read_as_the_tree_reads_them(lines):
    text = "\n".join(lines) + "\n"
    hidden, whole = _both_ways(text)
    assert hidden == whole


@needs_corpus
def test_plain_runs_hidden_from_tree_sitter_read_as_the_tree_reads_the_corpus():
    for path in CORPUS_SCRIPTS:
        text = path.read_text(encoding="utf-8")
        hidden, whole = _both_ways(text)
        assert hidden == whole, path


def test_a_long_firewall_script_is_read_mostly_without_tree_sitter():
    """The benchmark's shape (benchmarks/translate_nft.py): the runs are found and hidden, and the
    script reads the same as through the tree."""
    import sys
    from pathlib import Path

    from pyip import shell

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    from translate_nft import script

    text = script(400)
    runs, masked, tree = shell._parsed_without_plain_runs(text.encode())
    assert tree is not None and sum(map(len, runs.values())) >= 370, runs.keys()
    fast = shell.read_script(text, "fw.sh")
    assert fast == shell._read_script(text, "fw.sh", plain_path=False)
    assert len(fast.commands) == 396


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=list('"\\$`\' \t\nab#;é'), max_size=12).map(lambda t: f'"{t}"'),
                 st.text(alphabet=list('"\\$` ab\r'), max_size=4)))
def test_a_double_quoted_text_word_without_the_lexer_is_the_lexer_s(text):
    from pyip.shell import _DEFAULT_SPLIT, _field_parts, _Lexer, _NoScope, _quoted_text_fields

    shortcut = _quoted_text_fields(text)  # also of an empty word (`0$0>\r` reads one): no IndexError
    if shortcut is not None:
        assert shortcut == _field_parts(_Lexer(text, _NoScope()).run(), _DEFAULT_SPLIT)


# ------------------------------------ a hidden plain line's words, worked out in one pass
# pyip.shell._plain_line_words splits and expands a hidden plain line itself (a look-up a word where
# it can), and _make_command takes its position from there: what the lexer reading every word
# through the tree gives (plain_path=False) is the reference, around aliases, functions, IFS, `=`
# in a word, variables holding several words, `${A:=x}` changing a later word, text before that is
# not ASCII (columns are characters), and programs pyip does not follow.

_SETUP = st.sampled_from([
    "IPT=/sbin/iptables", "IPT=iptables", 'A="p q"', "B=-L", "C=", "E=a:b", "IFS=:", "unset IFS",
    "alias ipt=iptables", "allow() { $IPT -A INPUT -p tcp --dport \"$1\" -j ACCEPT; }",
    "ipt() { iptables \"$@\"; }", "# é — ü", "x=é", "set -- -F eth1", "unset IPT", "IPT=${IPT:-/sbin/iptables}"])
_SETUPS = st.lists(_SETUP, max_size=4)
_HIDDEN_WORDS = st.lists(st.sampled_from([
    "$IPT", "iptables", "/sbin/iptables", "ipt", "allow", "ip", "echo", "modprobe", "-A", "INPUT", "-s",
    "10.0.0.1", "$A", "${A}", "$B", "${B}", "$C", "$E", "$1", "$@", "$*", "${D:=-S}", "$D", "${IPT:=iptables}",
    '"$A"', '"x y"', '"a  b"', "eth$1", "a=b", "--dport=22", "-j", "ACCEPT", "%", "!", "é-word", "22",
    'a"x y"', '"x y"b', '""', '"a""b c"', '"${A}-$1"']),
    min_size=1, max_size=9)
_HIDDEN_LINES = st.lists(st.one_of(_HIDDEN_WORDS.map(lambda words: " ".join(words)), _SETUP), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(_SETUPS, _HIDDEN_LINES, st.sampled_from([" ", "  ", "\t"]))
@example(["E=a:b"], ["iptables -A $E", "IFS=:", "iptables -A $E"], " ")  # the variable's last value, split anew
@example(["IPT=iptables"], ["--dport=22 $IPT -F", "a=b --x=1 $IPT -X"], " ")  # the command is `--dport=22`
@example(["B=-L"], ["iptables ${D:=-S} $D", "$IPT ${IPT:=iptables} -F"], " ")  # a word changing the next
@example(["IPT=/sbin/iptables", "B=-L"], ["$IPT $B", "IPT=iptables", "unset B", "$IPT $B"], " ")  # values changed
@example([], ['iptables -A "x y"z "a b" ""', 'iptables a"x y" "p" "q"', 'iptables "a""b c" "$A" x'], " ")  # quotes in a word
def test_hidden_plain_lines_read_as_the_lexer_reads_them(setups, lines, blank):
    from pyip import shell

    text = "\n".join(setups + [line.replace(" ", blank) for line in lines]) + "\n"
    hidden, whole = _both_ways(text)
    assert hidden == whole
    assert hidden == shell._read_script(text, "t.sh", plain_path=False)  # `--dport=22 x` too: the command is `--dport=22`


def test_the_benchmark_script_reads_as_the_lexer_reads_it():
    """All its body lines hidden plain lines (the shortcut's own case), every command as the tree and the
    lexer read it, and where each ends."""
    import sys
    from pathlib import Path

    from pyip import shell

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    from translate_nft import script

    text = script(600)
    fast = shell.read_script(text, "fw.sh")
    assert fast == shell._read_script(text, "fw.sh", plain_path=False)
    starts = shell._Source(text).line_starts
    for command in fast.commands:
        assert command.end_line == command.line + command.source.count("\n")
        assert text[starts[command.line - 1] + command.col - 1:].startswith(command.source)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ip", "$A", '"$B"', "x y", "é"]), st.integers(1, 9), st.integers(1, 99)),
                max_size=6))
def test_parser_words_are_parser_word_of_each(words):
    from pyip.script import parser_word, parser_words
    from pyip.shell import Literal, Symbol, Word

    shell_words = [Word((Symbol(text),) if "$" in text else (Literal(text),), line, col) for text, line, col in words]
    assert parser_words(shell_words, "f.sh") == [parser_word(word, "f.sh") for word in shell_words]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["<", ">", "&", "|", "\\", " ", "\t", "\n", "x", ">>", "&>", ">&", "2>&1", "é"]),
                max_size=16).map("".join))
def test_the_redirect_at_a_line_end_found_from_its_characters_is_the_search_s(text):
    from pyip.shell import _REDIRECT_AT_LINE_END, _redirect_at_line_end

    data = text.encode()
    found, searched = _redirect_at_line_end(data), _REDIRECT_AT_LINE_END.search(data)
    assert (found and found.span()) == (searched and searched.span())


_PARTS = st.lists(st.one_of(st.sampled_from(["", "a", "b c"]).map(lambda t: ("L", t)),
                            st.sampled_from(["$A", "$1"]).map(lambda t: ("S", t))), max_size=4)


@settings(max_examples=500, deadline=None)
@given(_PARTS, st.booleans())
def test_merging_one_part_is_merging_it_in_the_loop(pieces, as_list):
    """_merge's shortcut for one part against its loop (a copy of it without the shortcut)."""
    from pyip.shell import Literal, Symbol, _merge

    parts = [Literal(text) if kind == "L" else Symbol(text) for kind, text in pieces]
    merged: list = []
    for p in parts:
        if type(p) is Literal:
            if not p.text:
                continue
            if merged and type(merged[-1]) is Literal:
                merged[-1] = Literal(merged[-1].text + p.text)
                continue
        merged.append(p)
    assert _merge(parts if as_list else tuple(parts)) == tuple(merged)


def test_the_iptables_t_suite_as_a_script_reads_and_translates_the_same_with_its_lines_hidden():
    """Every rule of iptables' own .t files (tests/peer/iptables-1.8.9), a line of a script each: read with
    its plain lines hidden (_plain_line_words) and through the lexer, the same commands; translated to nft
    and to iptables-restore with and without hiding, the same output and the same errors, each at its
    place."""
    from pyip import shell
    from pyip.translators.pipeline import translate

    from .peer_iptables import TCase, t_files, t_steps

    cases = [step for path in t_files() for step in t_steps(path) if isinstance(step, TCase)]
    assert len(cases) > 2000
    text = "IPT=/sbin/iptables\n" + "".join(f"$IPT -t {c.table} -A {c.chain} {c.rule}\n" for c in cases)

    def translations():  # the output, and each problem's kind and text (severity, place, message)
        return [(output, [(type(problem).__name__, str(problem)) for problem in problems])
                for output, problems in (translate(text, "t.sh", target, "modern") for target in ("nft", "iptables-restore"))]

    kept = shell.MIN_PLAIN_RUN
    try:
        shell.MIN_PLAIN_RUN = 1
        hidden = shell.read_script(text, "t.sh")
        translated = translations()
        shell.MIN_PLAIN_RUN = 10 ** 9
        assert translations() == translated
    finally:
        shell.MIN_PLAIN_RUN = kept
    assert sum(1 for _ in shell._plain_runs(text.encode())) and len(hidden.commands) == len(cases)
    assert hidden == shell._read_script(text, "t.sh", plain_path=False)


# ------------------------------------ a function's or loop's words kept between its runs
# _Evaluator.expand_again keeps the Words of a command that runs again (a plain word's; a `$NAME`'s while
# NAME holds the same value) from one run to the next: between the runs the script changes the variables
# the body reads, sets IFS, gives them several words or none; the lexer reading every word at every run
# (plain_path=False) is the reference.

_BODY_WORDS = st.lists(st.sampled_from([
    "$IPT", "iptables", "-A", "INPUT", "$A", "${A}", '"$A"', "$B", "$1", '"$1"', "$@", "${C:=x}", "$C", "eth$1",
    "-j", "ACCEPT", "10.0.0.1"]), min_size=1, max_size=7).map(" ".join)
_BETWEEN = st.sampled_from([
    "IPT=/sbin/iptables", "IPT=iptables", "unset IPT", "A=eth0", 'A="p q"', "A=", "unset A", "B=-L", "IFS=:",
    "unset IFS", "C=y", "unset C", "alias ipt=iptables", "A=$B", "A=a:b"])
_CALLS = st.lists(st.one_of(_BETWEEN, st.sampled_from(["f 1", "f 22 x", "f", "ipt -F"])), min_size=1, max_size=10)


@settings(max_examples=400, deadline=None)
@given(_BODY_WORDS, _CALLS, st.sampled_from(["f() {{ {body}; }}", "f() {{ {body}\n  {body}; }}"]), st.booleans())
@example("$IPT -A $A -j ACCEPT", ["IPT=iptables", "A=eth0", "f", "A=eth1", "f", "IFS=:", "A=a:b", "f"],
         "f() {{ {body}; }}", False)
@example("$IPT -A $A -j ACCEPT", ["A=a:b", "f", "f", "IFS=:", "f"], "f() {{ {body}; }}", False)  # IFS set: split anew
def test_words_kept_between_a_body_s_runs_are_the_words_the_lexer_reads_each_time(body, calls, shape, loop):
    from pyip import shell

    lines = [shape.format(body=body), *calls]
    if loop:  # the same body run by a loop as well, the variables changing in it
        lines.append(f"for A in eth0 'p q' '' eth0; do {body}; B=$A; done")
    text = "IPT=iptables\nA=eth0\n" + "\n".join(lines) + "\n"
    fast = shell.read_script(text, "t.sh")
    assert fast == shell._read_script(text, "t.sh", plain_path=False)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\né\t", max_size=40), st.lists(st.integers(0, 60), max_size=24))
def test_a_position_found_from_the_next_line_is_the_one_bisect_finds(text, offsets):
    """_Source.pos tries the line after the last one asked for before it bisects (commands are read in
    order): the line and column are those of the search over all lines, whatever order offsets come in."""
    import bisect

    from pyip.shell import _Source

    source = _Source(text)
    for offset in (min(offset, len(source.bytes)) for offset in offsets):
        row = bisect.bisect_right(source.line_starts, offset) - 1
        head = source.bytes[source.line_starts[row]:offset].decode("utf-8", "replace")
        assert source.pos(offset) == (row + 1, len(head) + 1)
