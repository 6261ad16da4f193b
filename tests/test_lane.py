"""The rule lane (pyip.translators.lane) gives what the full path gives.

A save file or a script translated to nft text and to an iptables-restore
file, with the lane and without it (every rule command read into a command,
applied, translated and printed as before): the same output, and the same
errors and findings (class, message, status, place).  Over the rules of
iptables' .t suite (every extension, rules iptables refuses), the benchmark's
save file and script, generated files with good and bad values, the corpus,
the ruleset tests' and random scripts, and files that make the lane's rules
be materialized (a later -D, -C, -I, -E, a refused jump) or whose
translation is more than text (shared hashlimit state, sets, quoted and
several comments).  Each test also checks that the lane took commands: it
would pass without them.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyip.errors import PyipError
from pyip.parser import iptables
from pyip.parser.getopt import Shapes
from pyip.compat import legacy
from pyip.translators import lane as lane_module
from pyip.translators.pipeline import to_iptables_restore, to_nft

from .test_iptables_speed_equivalence import SAVE_LEARNING, generated_save_file, peer_save_file


def problem_facts(problems: list) -> list:
    return [(type(problem).__name__, problem.message, problem.exit_status, tuple(problem.location), str(problem))
            for problem in problems]


def translations(text: str) -> tuple:
    """The nft text and the restore file of a save file, each with its errors and findings."""
    nft, nft_problems = to_nft(text, "t.rules")
    restore, restore_problems = to_iptables_restore(text, "t.rules")
    return nft, problem_facts(nft_problems), restore, problem_facts(restore_problems)


def without_lane(text: str) -> tuple:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lane_module, "lane", lambda table, line, file, number: None)
        patch.setattr(lane_module, "script_lane", lambda template, texts, words: None)
        return translations(text)


@pytest.fixture
def taken(monkeypatch) -> list:
    """The lines (a save file's) and commands (a script's, as their words' texts) the lane took, as the
    tests run."""
    took = []
    read, read_words = lane_module.lane, lane_module.script_lane

    def counting(table, line, file, number):
        item = read(table, line, file, number)
        if item is not None:
            took.append(line)
        return item

    def counting_words(template, texts, words):
        item = read_words(template, texts, words)
        if item is not None:
            took.append(" ".join(word.text for word in words))
        return item

    monkeypatch.setattr(lane_module, "lane", counting)
    monkeypatch.setattr(lane_module, "script_lane", counting_words)
    return took


def assert_same(text: str, taken: list, at_least: int) -> None:
    with_lane = translations(text)
    assert len(taken) >= at_least, len(taken)
    assert with_lane == without_lane(text)


def test_the_peer_rules_translate_alike_with_the_lane(taken):
    """Every rule of iptables' .t suite as save-file lines (each four times over: the templates learn them):
    FAIL rules (errors), untranslatable ones (findings, left out), sets, shared state."""
    assert_same(peer_save_file(), taken, 800)


def test_the_benchmark_file_translates_alike_with_the_lane(taken):
    assert_same(benchmark_save_file(3000), taken, 2900)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generated_save_file())
def test_generated_save_files_translate_alike_with_the_lane(text):
    """Generated files (good and bad values, quotes, escapes, doubled blanks), templates learnt across them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(iptables, "SHAPES", SAVE_LEARNING)
        with_lane = translations(text)
        assert with_lane == without_lane(text)


def test_generated_files_go_through_the_lane(taken):
    """The test above would pass if the lane took nothing: it takes most of such lines once learnt."""
    rng = random.Random(5)
    lines = ["*filter", ":web - [0:0]"]
    for n in range(400):
        lines.append(f'-A INPUT -s 10.0.{n // 256}.{n % 256}/32 -i eth0 -p tcp -m state --state NEW -m tcp --dport '
                     f'{rng.randint(1, 65535)} -m comment --comment "rule {n}" -j ACCEPT')
    assert_same("\n".join([*lines, "COMMIT"]) + "\n", taken, 390)


def repeated(template: str, count: int, seed: int = 1) -> list[str]:
    """`count` lines of one shape, {n} and {host} filled anew each time (the lane serves from the third)."""
    rng = random.Random(seed)
    return [template.format(n=n, host=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                            port=rng.randint(1, 65535)) for n in range(count)]


# Lines whose rules the lane reads, then a line that needs them as Rules (or as the full path has them).
LANE_LINES = repeated("-A INPUT -s {host}/32 -p tcp -m tcp --dport {port} -m comment --comment \"r {n}\" -j ACCEPT", 6)
FIXED = "-A INPUT -s 10.9.9.9/32 -p tcp -m tcp --dport 22 -m comment --comment \"r 1\" -j ACCEPT"

MATERIALIZING = {
    "a delete of a lane rule": [*LANE_LINES, FIXED, FIXED, FIXED, "-D INPUT " + FIXED[10:], *LANE_LINES],
    "a delete of a rule that is not there": [*LANE_LINES, "-D INPUT -s 10.9.9.8/32 -j ACCEPT", *LANE_LINES],
    "a check": [*LANE_LINES, FIXED, FIXED, "-C INPUT " + FIXED[10:], *LANE_LINES],
    "an insert": [*LANE_LINES, "-I INPUT 2 -s 10.1.1.1/32 -j DROP", *LANE_LINES, "-I INPUT 99 -j DROP"],
    "a replace": [*LANE_LINES, "-R INPUT 3 -s 10.1.1.1/32 -j DROP", *LANE_LINES],
    "a delete by number": [*LANE_LINES, "-D INPUT 2", *LANE_LINES],
    "a rename": [":web - [0:0]", *repeated("-A web -s {host}/32 -j ACCEPT", 5), "-A INPUT -j web", "-E web www",
                 *repeated("-A www -d {host}/32 -j DROP", 5), "-A INPUT -j web"],
    "a flush and chains deleted": [":web - [0:0]", *repeated("-A web -s {host}/32 -j ACCEPT", 5), "-F web", "-X web",
                                   *repeated("-A web -s {host}/32 -j ACCEPT", 3)],
    "a listing": [*LANE_LINES, "-S INPUT", "-L INPUT", *LANE_LINES],
    "a zero": [*LANE_LINES, "-Z INPUT", *LANE_LINES],
}


@pytest.mark.parametrize("lines", MATERIALIZING.values(), ids=list(MATERIALIZING))
def test_commands_that_read_rules_see_the_lanes_rules_as_rules(lines, taken):
    text = "*filter\n:INPUT DROP [0:0]\n" + "\n".join(lines) + "\nCOMMIT\n"
    assert_same(text, taken, 3)


REFUSED = {
    "a jump to a chain that is not there": [":a - [0:0]", *repeated("-A a -s {host}/32 -j b", 5)],
    "a loop": [":a - [0:0]", ":b - [0:0]", "-A a -j b", *repeated("-A b -s {host}/32 -j a", 5),
               *repeated("-A b -s {host}/32 -j ACCEPT", 5)],
    "a rule in a chain that is not there": repeated("-A nosuch -s {host}/32 -j ACCEPT", 5),
    "a target outside its hooks": [":a - [0:0]", *repeated("-A a -s {host}/32 -j ACCEPT", 4), "-A INPUT -j a",
                                   *repeated("-A a -s {host}/32 -j REDIRECT", 4)],
    "a match outside its hooks": [":o - [0:0]", "-A INPUT -j o",
                                  *repeated("-A o -s {host}/32 -m owner --uid-owner {n} -j ACCEPT", 5),
                                  "-A OUTPUT -j o"],
    "too deep": [*(f":c{i} - [0:0]" for i in range(18)), *(f"-A c{i} -j c{i + 1}" for i in range(17)),
                 *repeated("-A c17 -s {host}/32 -j ACCEPT", 4), "-A INPUT -j c0"],
}


@pytest.mark.parametrize("lines", REFUSED.values(), ids=list(REFUSED))
def test_rules_iptables_refuses_are_refused_alike(lines, taken):
    text = "*filter\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" + "\n".join(lines) + "\nCOMMIT\n"
    assert_same(text, taken, 3)


NOT_TEXT = {
    "shared hashlimit state": repeated("-A INPUT -s {host}/32 -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode "
                                       "srcip --hashlimit-name shared -j ACCEPT", 5),
    "hashlimit sets of their own": repeated("-A INPUT -s {host}/32 -m hashlimit --hashlimit-above 5/sec "
                                            "--hashlimit-mode srcip --hashlimit-name h{n} -j DROP", 5),
    "connlimit": repeated("-A INPUT -s {host}/32 -p tcp -m tcp --dport 22 -m connlimit --connlimit-above {n} "
                          "-j REJECT", 5),
    "quotes in comments": repeated("-A INPUT -s {host}/32 -m comment --comment \"say '{n}'\" -j ACCEPT", 5),
    # escaped quotes: the line is read as before (no template for a line with escapes), with the rest
    "escaped quotes in comments": [*repeated("-A INPUT -s {host}/32 -m comment --comment \"say \\\"{n}\\\"\" "
                                             "-j ACCEPT", 5), *repeated("-A INPUT -s {host}/32 -j ACCEPT", 5)],
    "long comments": repeated("-A INPUT -s {host}/32 -m comment --comment \"" + "é" * 40 + "{n}\" -j ACCEPT", 5),
    "two comments": repeated("-A INPUT -s {host}/32 -m comment --comment a{n} -m comment --comment b -j ACCEPT", 5),
    "an untranslatable match": repeated("-A INPUT -s {host}/32 -m u32 --u32 \"0>>22&0x3C@{n}&0xFF=0x6\" -j DROP", 5),
    "networks, anywhere and odd hosts": [
        *repeated("-A INPUT -s 10.{n}.0.0/16 -d {host}/32 -j ACCEPT", 5),
        *repeated("-A INPUT -s 0.0.0.0/0 -d 10.0.0.{n}/255.0.255.0 -j ACCEPT", 5),
        *repeated("-A INPUT -s 010.0.0.{n}/32 -j ACCEPT", 5),
        *repeated("-A INPUT -s 10.0.0.{n} -j ACCEPT", 5),
        *repeated("-A INPUT -s 10.0.0.{n}/24 -j ACCEPT", 5),
        *repeated("-A INPUT -s 10.0.0.1,10.0.0.{n} -j ACCEPT", 5),
        *repeated("-A INPUT -s localhost -d {host}/32 -j ACCEPT", 4),
        *repeated("-A INPUT ! -s {host}/32 -j ACCEPT", 4),
        *repeated("-A INPUT ! -s 0.0.0.0/0 -j ACCEPT", 4),
    ],
    "targets with values": [*repeated("-A INPUT -s {host}/32 -j LOG --log-prefix \"in {n}: \"", 5),
                            *repeated("-A INPUT -s {host}/32 -j REJECT --reject-with tcp-reset", 5),
                            *repeated("-A INPUT -s {host}/32 -j MARK --set-xmark 0x{n}/0xff", 5)],
    # counters: the line is read as before (-c is noted: no template), with the rest
    "counters": [*repeated("[{n}:{port}] -A INPUT -s {host}/32 -j ACCEPT", 5),
                 *repeated("-A INPUT -s {host}/32 -j ACCEPT", 5)],
}


@pytest.mark.parametrize("lines", NOT_TEXT.values(), ids=list(NOT_TEXT))
def test_rules_whose_translation_is_more_than_text_translate_alike(lines, taken):
    text = "*filter\n:INPUT ACCEPT [0:0]\n" + "\n".join(lines) + "\nCOMMIT\n"
    assert_same(text, taken, 1)


NAT = ["*nat", ":PREROUTING ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
       *repeated("-A PREROUTING -d {host}/32 -p tcp -m tcp --dport {port} -j DNAT --to-destination 192.168.1.{n}:80",
                 6),
       *repeated("-A POSTROUTING -s 192.168.{n}.0/24 -o eth0 -j MASQUERADE", 5),
       *repeated("-A POSTROUTING -s {host}/32 -o eth0 -j SNAT --to-source 1.2.3.{n}", 5), "COMMIT",
       "*mangle", *repeated("-A PREROUTING -s {host}/32 -j MARK --set-mark {n}", 5),
       *repeated("-A OUTPUT -d {host}/32 -j TOS --set-tos 0x10", 5),
       *repeated("-A PREROUTING -s {host}/32 -j IDLETIMER --timeout {port} --label x", 5),  # no nft equivalent
       *repeated("-A POSTROUTING -d {host}/32 -p udp -j CHECKSUM --checksum-fill", 5), "COMMIT",
       "*filter", *repeated("-A FORWARD -s {host}/32 -j ACCEPT", 5), "COMMIT",
       "*filter", *repeated("-A FORWARD -d {host}/32 -j DROP", 5), "COMMIT"]


def test_several_tables_and_a_table_given_twice_translate_alike(taken):
    """A table's start flushes it (the lane's rules of the first *filter go), other tables keep theirs."""
    assert_same("\n".join(NAT) + "\n", taken, 25)


def test_the_lane_is_not_taken_in_the_legacy_dialect(taken):
    text = "*filter\n" + "\n".join(LANE_LINES) + "\nCOMMIT\n"
    to_iptables_restore(text, "t.rules", legacy.LEGACY)
    assert taken == []


def test_a_fresh_trie_learns_before_the_lane_serves(taken, monkeypatch):
    """The first lines of a shape are read by the full path (they teach the template), the rest by the lane."""
    monkeypatch.setattr(iptables, "SHAPES", {dialect: Shapes() for dialect in legacy.DIALECTS})
    lines = repeated("-A INPUT -s {host}/32 -p udp -m udp --dport {port} -j ACCEPT", 10)
    text = "*filter\n" + "\n".join(lines) + "\nCOMMIT\n"
    to_nft(text, "t.rules")
    assert taken == lines[3:]  # the shape, the key noted, the template learnt; then the lane
    assert_same(text, taken, 7)


def test_the_lane_and_a_refused_command_report_the_full_paths_error():
    """Spot check of what the tests above compare: the error of a refused lane rule is the command's own."""
    lines = repeated("-A nosuch -s {host}/32 -j ACCEPT", 5)
    text = "*filter\n" + "\n".join(lines) + "\nCOMMIT\n"
    output, errors = to_iptables_restore(text, "t.rules")
    assert [(error.location.line, error.message) for error in errors] == \
        [(line, "iptables: No chain/target/match by that name.") for line in range(2, 7)]
    assert isinstance(errors[0], PyipError) and "left out 5 commands" in output


def test_a_node_whose_translation_reads_more_than_the_template_fixes_is_not_printed(monkeypatch):
    """node_nft_text() prints a node only if its statements read nothing of the rule but the fields a template
    fixes (NFT_READS): multiport reads -p; were it to read -s, the lane would have to leave it to the full
    path (no extension reads a free field today, so the files above cannot show it)."""
    from pyip.extensions import TRANSLATORS, nft_statements
    from pyip.parser.iptables import parse_iptables

    from .test_iptables_speed_equivalence import command_words

    rule = parse_iptables(command_words("iptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT")[0]).rule
    node = rule.matches[0]
    nft_statements(node, rule)  # TRANSLATORS learns the class's entry
    assert lane_module.node_nft_text(node, rule, False) == "tcp dport { 80, 443 }"
    translate, reads = TRANSLATORS[node.__class__]
    monkeypatch.setitem(TRANSLATORS, node.__class__, (translate, ("protocol", "source")))
    assert lane_module.node_nft_text(node, rule, False) is None
    monkeypatch.setitem(TRANSLATORS, node.__class__, (translate, None))
    assert lane_module.node_nft_text(node, rule, False) is None


LINE_PIECES = ["*filter", "*nat", "*", "-A INPUT -j ACCEPT", " -A x", "-", ":INPUT ACCEPT [0:0]", ":", "COMMIT",
               "COMMIT x", " COMMIT ", "# a comment", "#", "[0:0] -A INPUT", "[0:0]", "case $1 in", "*)", "", " ", "\t",
               "\x0b", "\x85", "\u2028", "x"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(LINE_PIECES), max_size=8), st.sampled_from(["\n", "\r\n", "\r", "\x0c", "\u2029"]))
def test_the_save_file_test_answers_as_its_plain_reading(lines, ending):
    """pipeline.save_file_syntax() passes over lines starting with `-` without stripping them: the same answer
    as the plain reading (every line stripped, matched)."""
    from pyip.translators.pipeline import plain_save_file_syntax, save_file_syntax

    text = ending.join(lines)
    assert save_file_syntax(text) == plain_save_file_syntax(text), repr(text)


def test_what_the_stencils_keep_is_bounded(monkeypatch, taken):
    """Node texts and views are forgotten, every stencil's, beyond MAX_KEPT; the output stays the same."""
    monkeypatch.setattr(lane_module, "MAX_KEPT", 5)
    lines = repeated("-A INPUT -s {host}/32 -p tcp -m tcp --dport {port} -m comment --comment \"r {n}\" -j ACCEPT", 40)
    assert_same("*filter\n" + "\n".join(lines) + "\nCOMMIT\n", taken, 30)
    kept = sum(len(stencil.views) + sum(map(len, stencil.nft_nodes))
               for stencil in lane_module.STENCILS.values() if stencil is not None)
    assert kept <= 5


@pytest.fixture
def checked_recognizer(monkeypatch) -> list:
    """Each line a Recognizer recognized, checked against template_of_texts() (what it stands for)."""
    from pyip.parser.iptables import template_of_texts

    seen = []
    recognize = lane_module.recognized

    def checking(texts):
        stencil = recognize(texts)
        if stencil is not None:
            assert template_of_texts(texts) is stencil.template, texts
            seen.append(texts)
        return stencil

    monkeypatch.setattr(lane_module, "recognized", checking)
    return seen


def test_recognizers_find_the_template_the_trie_finds(checked_recognizer):
    """Over the peer rules, the benchmark's file and refused and materialized rules: every line a Recognizer
    took has the template the trie and the key give it."""
    texts = [peer_save_file(), "*filter\n:INPUT DROP [0:0]\n" + "\n".join(MATERIALIZING["an insert"]) + "\nCOMMIT\n",
             "\n".join(NAT) + "\n"]
    for text in texts:
        translations(text)
    assert len(checked_recognizer) > 1000


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generated_save_file())
def test_recognizers_find_the_template_the_trie_finds_in_generated_files(text):
    """The same over generated files, the trie learning across them (new steps come as it learns)."""
    from pyip.parser.iptables import template_of_texts

    recognize = lane_module.recognized

    def checking(texts):
        stencil = recognize(texts)
        if stencil is not None:
            assert template_of_texts(texts) is stencil.template, texts
        return stencil

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(iptables, "SHAPES", SAVE_LEARNING)
        patch.setattr(lane_module, "recognized", checking)
        translations(text)


def recognizer_of(lines: list[str]):
    """The Recognizer the lane made for these lines' template (they are translated first)."""
    to_nft("*filter\n:mine - [0:0]\n" + "\n".join(lines) + "\nCOMMIT\n", "t.rules")
    texts = ["iptables", "-t", "filter", *lines[-1].split(" ")]
    stencil = lane_module.recognized(texts)
    assert stencil is not None
    groups = lane_module.RECOGNIZERS[lane_module.group_of(texts)]
    return next(recognizer for getter, by_texts in groups.values() for recognizer in by_texts.values()
                if recognizer.stencil is stencil), texts


def test_a_recognizer_asks_the_guards_of_the_words_it_does_not_compare():
    """A -j word that names no target extension is admitted by a guard; the same word naming one (LOG) is a
    step the line's trie takes instead: the Recognizer says no, as plan_texts() would take another way."""
    recognizer, texts = recognizer_of(repeated("-A INPUT -s {host}/32 -j mine", 5))
    at = texts.index("mine")
    assert any(position == at for position, node in recognizer.guards)
    assert recognizer.recognizes(texts)
    assert not recognizer.recognizes([*texts[:at], "LOG", *texts[at + 1:]])


def test_a_recognizer_says_no_once_its_template_is_not_the_tries(monkeypatch):
    """A trie or template memory started anew (or a template replaced) is not the one the Recognizer was made
    for: it leaves the line to template_of_texts()."""
    recognizer, texts = recognizer_of(repeated("-A INPUT -s {host}/32 -p udp -m udp --dport 53 -j ACCEPT", 5))
    assert lane_module.recognized(texts) is recognizer.stencil
    monkeypatch.setitem(recognizer.templates.by_key, recognizer.key, object())
    assert not recognizer.recognizes(texts) and lane_module.recognized(texts) is None
    monkeypatch.undo()
    monkeypatch.setattr(recognizer.final, "plan", (None, []))
    assert not recognizer.recognizes(texts)
    monkeypatch.undo()
    monkeypatch.setitem(recognizer.shapes.memory, id(recognizer.plan[1]), object())
    assert not recognizer.recognizes(texts)
    monkeypatch.undo()
    assert recognizer.recognizes(texts)



# -- scripts: the lane takes a script's iptables commands as it takes a save file's lines ---------------------


def benchmark_script(calls: int) -> str:
    return benchmark_input("script", calls)


def test_the_benchmark_script_translates_alike_with_the_lane(taken):
    assert_same(benchmark_script(1500), taken, 1000)


def test_the_corpus_scripts_translate_alike_with_the_lane(corpus, taken):
    """The source documents' scripts, printed mistakes and all."""
    from .test_iptables_speed_equivalence import corpus_texts

    for text in corpus_texts(corpus):
        assert translations(text) == without_lane(text)
    # their commands, each three times: the templates learn them, the lane takes the third
    for text in corpus_texts(corpus):
        lines = text.splitlines()
        tripled = "\n".join(line for each in lines for line in ([each] * 3 if "iptables -A" in each else [each]))
        assert translations(tripled + "\n") == without_lane(tripled + "\n")
    assert len(taken) > 10


def test_ruleset_scripts_translate_alike_with_the_lane(taken):
    """The ruleset tests' scripts (variables, functions, -D, -I, -E, -X, refused commands) and random
    scripts of valid and invalid commands over a few chains, each command repeated so the lane serves."""
    from .test_ruleset import SCRIPTS, random_script

    texts = list(SCRIPTS.values())
    for seed in range(40):
        commands = random_script(seed)
        texts.append("\n".join(command for each in commands for command in [each] * 3) + "\n")
    for text in texts:
        assert translations(text) == without_lane(text), text
    assert len(taken) > 300


def test_script_commands_of_unknown_values_are_parsed_as_before(taken):
    """A command with a value known only when the script runs ($(cmd)) is not the lane's."""
    text = "\n".join(["IPT=iptables", *(f"$IPT -A INPUT -s 10.0.0.{n}/32 -i $(ifname) -j ACCEPT" for n in range(5)),
                      *(f"$IPT -A INPUT -s 10.0.0.{n}/32 -j ACCEPT" for n in range(5))]) + "\n"
    assert_same(text, taken, 1)
    assert not any("ifname" in command or "$" in command for command in taken)


def test_only_commands_that_compare_or_rewrite_rules_materialize_theirs(monkeypatch, taken):
    """-I, -R, -D of a number, -Z, -L and the chain commands leave the lane's rules as they are (a script
    that inserts among 100,000 appended rules would rebuild them all for each -I); -D and -C of a rule
    materialize their chain's only, -E its table's."""
    made = []
    materialized = lane_module.Stenciled.materialized

    def counting(self):
        made.append(self.chain)
        return materialized(self)

    monkeypatch.setattr(lane_module.Stenciled, "materialized", counting)
    web = repeated("-A web -s {host}/32 -j ACCEPT", 6)
    mail = repeated("-A mail -d {host}/32 -j ACCEPT", 6)
    head = ["*filter", ":INPUT ACCEPT [0:0]", ":web - [0:0]", ":mail - [0:0]"]
    reading = [*web, *mail, "-I web 2 -s 10.1.1.1/32 -j DROP", "-R mail 1 -j DROP", "-D web 3", "-Z web", "-S web",
               "-L mail", "-N more", "-P INPUT DROP", "-F more", "-X more"]
    assert_same("\n".join([*head, *reading, "COMMIT"]) + "\n", taken, 8)
    assert made == []
    assert_same("\n".join([*head, *web, *mail, "-D web -s 10.9.9.9/32 -j ACCEPT", "COMMIT"]) + "\n", taken, 8)
    assert set(made) == {"web"}
    made.clear()
    assert_same("\n".join([*head, *web, *mail, "-C mail -j ACCEPT", "COMMIT"]) + "\n", taken, 8)
    assert set(made) == {"mail"}
    made.clear()
    assert_same("\n".join([*head, *web, *mail, "-A INPUT -j web", "-E web www", "COMMIT"]) + "\n", taken, 8)
    assert set(made) == {"web", "mail", "INPUT"}  # every chain of the table holding the lane's rules


def test_the_lanes_outputs_load_into_the_real_tools_as_the_file_itself(taken):
    """The real tools as the oracle: the benchmark's kind of save file loaded by iptables-restore, and the
    restore file the lane printed for it loaded by iptables-restore in a twin namespace, leave the same
    ruleset (iptables-save); the lane's nft text loads into nft with one rule for each rule of the file."""
    from .netns import namespace, run

    save_text = benchmark_save_file(600)
    nft_text, nft_problems = to_nft(save_text, "t.rules")
    restore, problems = to_iptables_restore(save_text, "t.rules")
    assert len(taken) > 1000 and not problems and not nft_problems

    def saved(ns: str) -> list[str]:
        output = run("ip", "netns", "exec", ns, "iptables-save").stdout
        return [line for line in output.splitlines() if not line.startswith("#")]

    with namespace("pyiplane") as real, namespace("pyiplane") as twin:
        assert run("ip", "netns", "exec", real, "iptables-restore", stdin=save_text).returncode == 0
        loaded = run("ip", "netns", "exec", twin, "iptables-restore", stdin=restore)
        assert loaded.returncode == 0, loaded.stderr
        assert saved(twin) == saved(real) and len(saved(real)) > 600
    with namespace("pyiplane") as ns:
        loaded = run("ip", "netns", "exec", ns, "nft", "-f", "-", stdin=nft_text)
        assert loaded.returncode == 0, loaded.stderr
        listed = run("ip", "netns", "exec", ns, "nft", "list", "ruleset").stdout
        rules = sum(1 for line in save_text.splitlines() if line.startswith("-A "))
        assert listed.count("counter packets") == rules  # iptables counts every rule: nft has a counter each


def benchmark_save_file(rules: int) -> str:
    return benchmark_input("save_file", rules)


def benchmark_input(kind: str, size: int) -> str:
    """benchmarks/translate_nft.py's save_file() or script() of that size."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    try:
        import translate_nft
    finally:
        sys.path.pop(0)
    return getattr(translate_nft, kind)(size)
