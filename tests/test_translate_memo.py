"""The memos of the model, the nft translation and the renderers (pyip.memo) change nothing.

Each translation (nft text, nft JSON, iptables-restore, iptables commands) and lint's findings are made
with the memos on, twice (the second time every node met before is remembered), and with pyip.memo's
memos_off(): the same output, the same errors and findings (class, message, place, exit status).  Over
iptables' own .t suite (each file's rules, FAIL rules too, applied in one ruleset, then every other one deleted), the
.txlate cases, the ALL_CONSTRUCTS script of test_translate_nft.py, the corpus, the ruleset tests'
scripts and random scripts, and generated rulesets (hypothesis) of appends, inserts, replaces, deletes,
renames, flushes and chain deletions whose jumps change which hooks reach a chain after its rules were
added.  And: what an extension's NFT function reads of the rule is listed in its module's NFT_READS (the
statements are remembered by the node and those fields only); the memos are bounded; the model's one-pass
rule_checks() says what the plain rule_problem() and rule_allows_hook() said; reading commands in batches
applies them as reading each in turn did.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyip import extensions, memo
from pyip.ast import firewall as fw
from pyip.errors import PyipError
from pyip.extensions.multiport import MultiportMatch
from pyip.lint import lint
from pyip.parser.iptables import parse_iptables
from pyip.script import script_commands
from pyip.render.iptables_save import restore_file, rule_line, rule_words, saved_line
from pyip.render.nft import rule_text
from pyip.ruleset import Ruleset
from pyip.translators.iptables_nft import translate_rule
from pyip.translators.pipeline import translate

from .peer_iptables import TCase, t_files, t_steps, txlate_cases
from .test_ruleset import SCRIPTS, random_script
from .test_translate_nft import ALL_CONSTRUCTS


def problems_of(problems) -> list:
    return [(type(p).__name__, str(p), getattr(p, "exit_status", None), tuple(p.location)) for p in problems]


def results(texts: dict) -> dict:
    """Every translation of every text, and lint's findings."""
    out = {}
    for name, text in texts.items():
        for target in ("nft", "nft-json", "iptables-restore", "iptables"):
            output, problems = translate(text, "t.sh", target, "modern")
            out[name, target] = (output, problems_of(problems))
        out[name, "lint"] = [repr(finding) for finding in lint(text, "t.sh")]
    return out


def assert_memos_change_nothing(texts: dict) -> None:
    with memo.memos_off():
        full = results(texts)
    first, again = results(texts), results(texts)
    for key in full:
        assert first[key] == full[key], key
        assert again[key] == full[key], key


def t_suite_scripts() -> dict:
    """Per .t file, a script adding each rule to its chain (a user chain the file names is made first)
    and then deleting every other one, in the file's order."""
    scripts = {}
    for path in t_files():
        cases = [step for step in t_steps(path) if isinstance(step, TCase)]
        made = sorted({(case.table, case.chain) for case in cases if case.chain not in fw.TABLES.get(case.table, ())})
        lines = [f"iptables -t {table} -N {chain}" for table, chain in made]
        lines += [f"iptables -t {case.table} -A {case.chain} {case.rule}" for case in cases]
        lines += [f"iptables -t {case.table} -D {case.chain} {case.rule}" for case in cases[::2]]
        scripts[path.name] = "\n".join(lines) + "\n"
    return scripts


def test_the_t_suite_translates_alike():
    scripts = t_suite_scripts()
    assert len(scripts) > 80 and sum(text.count("\n") for text in scripts.values()) > 2900
    assert_memos_change_nothing(scripts)


def test_the_txlate_cases_translate_alike():
    cases = txlate_cases()
    lines = [case.command.replace("iptables-translate", "iptables", 1) for case in cases]
    assert len(lines) > 250
    # one script: a rule's nodes are met again in later rules of the same shape
    assert_memos_change_nothing({"txlate": "\n".join(lines) + "\n", "txlate-each-alone": lines[0] + "\n"})


def test_scripts_and_the_corpus_translate_alike(corpus):
    texts = {"all-constructs": ALL_CONSTRUCTS, **SCRIPTS}
    texts.update({f"random{seed}": "\n".join(random_script(seed, 150)) + "\n" for seed in range(8)})
    texts.update({path.name: path.read_text(encoding="utf-8", errors="surrogateescape")
                  for path in sorted(corpus.glob("*/*.sh"))})
    assert_memos_change_nothing(texts)


# Parts of generated rules: extension nodes tied to hooks (mac, owner, REJECT, MASQUERADE, TCPMSS) and to
# protocols (multiport, tcp without options, icmp), so a jump added later changes what the kernel takes.
CHAINS = ("INPUT", "FORWARD", "OUTPUT", "a", "b", "c")
SPECS = ("", "-p tcp --dport 22", "-p tcp -m tcp", "-p udp -m multiport --dports 53,5353", "-m multiport --dports 1,2",
         "-p tcp -m multiport --ports 80", "-m mac --mac-source 00:11:22:33:44:55", "-m owner --uid-owner 0",
         "-s 10.0.0.1,10.0.0.2", "! -s 0/0", "-i eth0 -m state --state NEW", "-p icmp --icmp-type 8",
         "-m comment --comment 'x y'", "-m string --string x --algo zz", "-p tcp --syn",
         "-p tcp -m hashlimit --hashlimit-upto 1/s --hashlimit-mode srcport --hashlimit-name h")
TARGETS = ("", "-j ACCEPT", "-j DROP", "-j RETURN", "-j a", "-j b", "-g c", "-j REJECT --reject-with tcp-reset",
           "-j LOG --log-prefix 'p '", "-j TCPMSS --clamp-mss-to-pmtu", "-j MASQUERADE")
VERBS = ("-A", "-A", "-A", "-I", "-R", "-D", "-Dn", "-N", "-X", "-F", "-E", "-P")


@st.composite
def rulesets(draw):
    lines = ["iptables -N a", "iptables -N b", "iptables -N c"]
    for _ in range(draw(st.integers(1, 40))):
        verb, chain = draw(st.sampled_from(VERBS)), draw(st.sampled_from(CHAINS))
        spec, target = draw(st.sampled_from(SPECS)), draw(st.sampled_from(TARGETS))
        table = draw(st.sampled_from(("", "", "-t nat ")))
        position = draw(st.integers(1, 4))
        lines.append("iptables " + table + {
            "-A": f"-A {chain} {spec} {target}", "-I": f"-I {chain} {position} {spec} {target}",
            "-R": f"-R {chain} {position} {spec} {target}", "-D": f"-D {chain} {spec} {target}",
            "-Dn": f"-D {chain} {position}", "-N": f"-N {chain}", "-X": f"-X {chain}", "-F": f"-F {chain}",
            "-E": f"-E {draw(st.sampled_from(CHAINS[3:]))} {draw(st.sampled_from(CHAINS[3:] + ('d',)))}",
            "-P": f"-P {chain} DROP"}[verb])
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets())
def test_generated_rulesets_translate_alike(text):
    assert_memos_change_nothing({"generated": text})


def test_jumps_added_later_change_what_the_kernel_takes():
    """The reaching hooks are remembered until a jump comes or goes: a chain reached only from INPUT takes a
    mac match; OUTPUT jumping to it then is refused, and so is a mac rule added after that; the jump deleted,
    it is taken again."""
    text = "\n".join([
        "iptables -N a", "iptables -A INPUT -j a", "iptables -A a -m mac --mac-source 00:11:22:33:44:55",
        "iptables -A OUTPUT -j a",  # refused: OUTPUT would reach the mac match
        "iptables -A a -j ACCEPT", "iptables -A OUTPUT -j a",  # refused, as is the next rule while OUTPUT reaches a
        "iptables -F a", "iptables -A OUTPUT -j a", "iptables -A a -m mac --mac-source 00:11:22:33:44:66",
        "iptables -D OUTPUT -j a", "iptables -A a -m mac --mac-source 00:11:22:33:44:77", ""])
    assert_memos_change_nothing({"jumps": text})
    _, problems = translate(text, "t.sh", "iptables-restore", "modern")
    assert [p.location.line for p in problems] == [4, 6, 9]


def test_a_node_shared_by_rules_of_other_protocols_translates_for_each():
    """multiport's statements depend on the rule's -p (NFT_READS): one node in a tcp and a udp rule."""
    ports = MultiportMatch("dports", fw.Test((fw.PortRange(80, 80),)))
    rules = [fw.Rule("INPUT", protocol=fw.Test(fw.Protocol(number)), matches=(ports,)) for number in (6, 17)]
    texts = [rule_text(translate_rule(rule)) for rule in rules + rules]
    assert texts[0].startswith("ip protocol tcp tcp dport { 80 }") and texts[1].startswith("ip protocol udp udp dport { 80 }")
    assert texts[2:] == texts[:2]


def rule_parameter_reads(function) -> bool:
    """Whether an NFT function (or lambda) names its rule parameter (its second) in its body."""
    module = inspect.getmodule(function)
    line = function.__code__.co_firstlineno
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)) and node.lineno == line:
            parameters = [argument.arg for argument in node.args.args]
            body = node.body if isinstance(node.body, list) else [node.body]
            if len(parameters) > 1 and any(isinstance(name, ast.Name) and name.id == parameters[1]
                                           for statement in body for name in ast.walk(statement)):
                return True
    return False


def test_what_nft_functions_read_of_the_rule_is_listed():
    """A function that reads the rule and is not in its module's NFT_READS would have its statements shared
    by rules it translates differently (NFT_READS lists the fields, or None: never remembered)."""
    unlisted, checked = [], 0
    for name in sorted(extensions.module_names()):
        module = importlib.import_module(f"pyip.extensions.{name}")
        reads = getattr(module, "NFT_READS", {})
        for cls, function in getattr(module, "NFT", {}).items():
            checked += 1
            if rule_parameter_reads(function) and cls not in reads:
                unlisted.append(f"{name}: {cls.__name__}")
    assert unlisted == [] and checked > 60
    assert rule_parameter_reads(importlib.import_module("pyip.extensions.multiport").multiport_matches)


def appended_rules(scripts) -> list:
    """The rule of every `-A` command in the scripts that iptables takes."""
    from pyip.parser.iptables import is_iptables_command

    rules = []
    for text in scripts:
        for words in script_commands(text, "t.sh"):
            if isinstance(words, PyipError) or not is_iptables_command(words):
                continue
            try:
                command = parse_iptables(words, "modern")
            except PyipError:
                continue
            if isinstance(command, fw.Append):
                rules.append(command.rule)
    return rules


def test_rule_lines_are_their_words_saved():
    """rule_line() and restore_file() join each part's remembered text; saved_line() of rule_words() is the
    plain path, over every rule of the .t suite that parses."""
    rules = appended_rules(t_suite_scripts().values())
    assert len(rules) > 1000
    for rule in rules + rules:
        assert rule_line(rule) == saved_line(["-A", rule.chain, *rule_words(rule)])


def test_memos_are_bounded(monkeypatch):
    kept = memo.memo(size=50)
    nodes = [fw.Verdict(str(n)) for n in range(500)]
    for node in nodes:
        kept.keep(id(node), node, str(node))
    assert len(kept.found) <= 50
    ruleset = Ruleset()
    monkeypatch.setattr(memo, "MEMO_SIZE", 20)
    text = "".join(f"iptables -N c{n}\niptables -A c{n} -j ACCEPT\n" for n in range(100))
    for words in script_commands(text, "t.sh"):
        ruleset.apply(parse_iptables(words, "modern"))
    assert 0 < len(ruleset.known_hooks) <= 20
    assert restore_file(ruleset).count("-j ACCEPT") == 100


def test_commands_read_in_batches_apply_as_read_one_at_a_time(monkeypatch):
    """pipeline.batched(): the same translations and errors, in the same order, as reading each command
    just before applying it (BATCH 1), for scripts and a save file with refused lines among the good."""
    from pyip.translators import pipeline

    save = "\n".join(["*filter", ":a - [0:0]", *[f"-A {chain} -s 10.0.0.{n % 250} -j {target}" for n in range(3000)
                      for chain, target in [(("INPUT", "a", "b")[n % 3], ("ACCEPT", "a", "DROP")[n % 3])]],
                      "-A INPUT -m bogus", "COMMIT"]) + "\n"
    texts = {"save": save, **{f"random{seed}": "\n".join(random_script(seed, 2500)) + "\n" for seed in range(2)}}
    batched = results(texts)
    monkeypatch.setattr(pipeline, "BATCH", 1)
    assert results(texts) == batched
    assert len(batched["save", "nft"][1]) > 900  # -A b: no such chain, every third rule


def plain_rule_problem(rule: fw.Rule, table: str):
    """pyip.ruleset's rule_problem() before rule_checks(): every match's limits and kernel error asked."""
    from pyip.ruleset import ANY, has_protocol, table_fits

    def fits(limits, table_name):
        wanted_table, _, protocol = limits or (ANY, ANY, ANY)
        return table_fits(wanted_table, table_name) and (protocol is ANY or has_protocol(rule, protocol))

    if not fits(extensions.limits(rule.target), table):
        return "Invalid argument"
    errors = [extensions.kernel_error(match) for match in rule.matches]
    for match, error in zip(rule.matches, errors):
        if not fits(extensions.limits(match), rule.table) or error == "Invalid argument":
            return "Invalid argument"
    error = next((error for error in errors if error is not None), None)
    if error is not None:
        return error
    error = extensions.kernel_error(rule.target)
    if error is not None:
        return error
    for test in (rule.source, rule.destination):
        if test is not None and test.negated and any(getattr(a, "mask", 1) == 0 for a in test.value):
            return "Invalid argument"
    return None


def test_rule_checks_are_the_plain_checks():
    """rule_checks() (one pass) against the plain rule_problem() and rule_allows_hook() over every rule of the
    .t suite that parses, in every table, for every hook."""
    from pyip.ruleset import rule_allows_hook, rule_checks

    extra = "iptables -A INPUT -m string --string x --algo zz -j DROP\niptables -A INPUT -m string --string x " \
            "--algo kmp -m recent --name '' --set\n"
    rules = appended_rules([*t_suite_scripts().values(), extra])
    hooks = sorted({hook for chains in fw.TABLES.values() for hook in chains})
    verdicts = set()
    for rule in rules:
        for table in fw.TABLES:
            problem, hook_sets = rule_checks(rule, table)
            assert problem == plain_rule_problem(rule, table), rule_line(rule)
            verdicts.add(problem)
            if problem is None:
                assert [all(hook in allowed for allowed in hook_sets) for hook in hooks] == \
                       [rule_allows_hook(rule, hook) for hook in hooks], rule_line(rule)
    assert {None, "Invalid argument", "No such file or directory"} <= verdicts


def test_the_kept_save_file_answer_is_the_texts_own():
    """is_save_file() keeps its answer for the last text only: texts asked in turn each get their own."""
    from pyip.translators.pipeline import is_save_file, save_file_syntax

    texts = ["*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", "iptables -A INPUT -j ACCEPT\n", "*filter\n*)\n", ""]
    texts += [text + "\n" for text in texts]  # more texts, each a new object
    answers = [save_file_syntax(text) for text in texts]
    assert answers.count(True) == 2
    for text, answer in [*zip(texts, answers), *zip(reversed(texts), reversed(answers))] * 2:
        assert is_save_file(text) == answer and is_save_file(text) == answer


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_dotted_addresses_are_ipaddress_text(number):
    """iptables_save.dotted(), the nft rule's and the restore file's text of a host address, is str()."""
    import ipaddress

    from pyip.render.iptables_save import dotted

    address = ipaddress.IPv4Address(number)
    assert dotted(address) == str(address)
