"""`pyip lint` as ruff and shellcheck users expect it: source lines with carets, colour, a
summary, suppression comments, a configuration file, a severity threshold, directories,
--diff (checked by GNU patch), and JSON and SARIF shapes that stay stable."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys

import pytest

import pyip.lint as lint
from pyip.lint import RULES

# PI002 (fixable, error) on line 2, PI015 (warning) on line 3
SCRIPT = ("#!/bin/sh\n"
          "iptables -A INPUT -m state \u2014state NEW -j ACCEPT\n"
          "\tiptables -A INPUT -i $EXT -j DROP\n")


def pyip_lint(*args, cwd=None, env=None, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", "lint", *map(str, args)], capture_output=True, text=True,
                          timeout=60, cwd=cwd, input=stdin,
                          env={**os.environ, "PYTHONPATH": os.getcwd(), **(env or {})})


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "fw.sh"
    path.write_text(SCRIPT)
    return path


def test_full_format_shows_the_line_a_caret_and_a_summary(script):
    result = pyip_lint(script, cwd=script.parent)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{script}:2:28: PI002 error: an em dash in \"\u2014state\": write --state",
        "  iptables -A INPUT -m state \u2014state NEW -j ACCEPT",
        "  " + " " * 27 + "^",
        f"{script}:3:23: PI015 warning: $EXT is never set in the script (it may come from the environment)",
        "  \tiptables -A INPUT -i $EXT -j DROP",
        "  \t" + " " * 21 + "^",  # a tab stays a tab: the caret stands under the $
        "1 error, 1 warning in 1 file (1 fixable with --fix)"]
    assert pyip_lint("--format", "text", script).stdout.count("\n") == 2
    clean = script.parent / "clean.sh"
    clean.write_text("iptables -A INPUT -j ACCEPT\n")
    assert (pyip_lint(clean).stdout, pyip_lint(clean).returncode) == ("", 0)  # silent, as shellcheck


def on_a_terminal(args, env) -> str:
    """pyip lint's output when its standard output is a terminal (a pseudo-terminal here)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "pyip", "lint", *map(str, args)], stdout=terminal,
                               stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": os.getcwd(), **env})
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color(script):
    assert "\x1b[31m" in on_a_terminal([script], {"NO_COLOR": ""})
    assert "\x1b[" not in on_a_terminal([script], {"NO_COLOR": "1"})
    assert "\x1b[" not in on_a_terminal(["--color", "never", script], {})
    assert "\x1b[" not in pyip_lint(script).stdout  # a pipe
    assert "\x1b[33m" in pyip_lint("--color", "always", script, env={"NO_COLOR": "1"}).stdout


def test_suppression_comments_on_a_line_above_it_and_for_a_file():
    text = ("iptables -A INPUT -i $A -j DROP  # pyip: disable=PI015\n"
            "# pyip: disable=unset-variable\n"
            "iptables -A INPUT \\\n  -i $B -j DROP\n"
            "iptables -A INPUT -i $C -j DROP  # pyip: disable=PI002\n"
            "iptables -A INPUT \\\n  -i $D -j DROP  # pyip: disable=PI0\n")
    assert [(f.line, f.code) for f in lint.lint(text, "t.sh")] == [(5, "PI015")]
    assert lint.lint(text + "# pyip: disable-file=unset-variable\n", "t.sh") == []
    # bash reads them as comments: the commands are the same
    assert subprocess.run(["bash", "-n", "-c", text], capture_output=True).returncode == 0


def test_severity_threshold_select_and_ignore_by_code_or_name(script):
    assert "PI015" not in pyip_lint("--severity", "error", script).stdout
    assert "PI002" in pyip_lint("--severity", "error", script).stdout
    only = pyip_lint("--format", "text", "--select", "unset-variable", script)
    assert (only.returncode, [line.split()[1] for line in only.stdout.splitlines()]) == (0, ["PI015"])
    assert "PI002" not in pyip_lint("--ignore", "PI002", script).stdout
    bad = pyip_lint("--select", "no-such-rule", script)
    assert bad.returncode == 2 and "unknown rule 'no-such-rule'" in bad.stderr
    assert pyip_lint("--explain", "fwmark-base").stdout.startswith("PI006 fwmark-base")


def test_a_configuration_file_is_found_and_read(script, tmp_path):
    (tmp_path / "legacy").mkdir()
    shutil.copy(script, tmp_path / "legacy" / "old.sh")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.pyip.lint]\nignore = ["PI002"]\n'
        'severity = { unset-variable = "error" }\nper-file-ignores = { "legacy/*.sh" = ["PI015"] }\n')
    subdirectory = tmp_path / "deep" / "er"
    subdirectory.mkdir(parents=True)
    result = pyip_lint("--format", "text", script, tmp_path / "legacy" / "old.sh", cwd=subdirectory)
    assert result.stdout.splitlines() == [
        f"{script}:3:23: PI015 error: $EXT is never set in the script (it may come from the environment)"]
    # .pyip.toml in a nearer directory wins, with a [lint] table
    (subdirectory / ".pyip.toml").write_text('[lint]\nselect = ["PI002"]\n')
    assert [line.split()[1] for line in pyip_lint("--format", "text", script, cwd=subdirectory).stdout.splitlines()] \
        == ["PI002"]
    (tmp_path / "bad.toml").write_text('[lint]\nselekt = ["PI002"]\n')
    bad = pyip_lint("--config", tmp_path / "bad.toml", script)
    assert bad.returncode == 2 and "unknown setting(s) selekt" in bad.stderr
    (tmp_path / "bad.toml").write_text('[lint]\nseverity = { PI002 = "fatal" }\n')
    assert "'fatal' is not one of error, warning, off" in pyip_lint("--config", tmp_path / "bad.toml", script).stderr


def test_directories_are_searched_for_shell_scripts(tmp_path):
    tree = tmp_path / "tree"
    for relative, text in {"a.sh": "ip rule add fwmark 10 table lab\n",
                           "sub/firewall": "#!/bin/bash\nip rule add fwmark 10 table lab\n",
                           "sub/envy": "#!/usr/bin/env dash\nip rule add fwmark 10 table lab\n",
                           "sub/notes.txt": "ip rule add fwmark 10 table lab\n",
                           "sub/tool.py": "#!/usr/bin/python3\nip = 1\n",
                           ".git/hooks/pre-commit.sh": "ip rule add fwmark 10 table lab\n"}.items():
        (tree / relative).parent.mkdir(parents=True, exist_ok=True)
        (tree / relative).write_text(text)
    result = pyip_lint("--format", "text", tree)
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == [
        str(tree / "a.sh"), str(tree / "sub" / "envy"), str(tree / "sub" / "firewall")]


def test_diff_previews_the_fix_and_patch_applies_it(script, tmp_path):
    before = script.read_bytes()
    diff = pyip_lint("--diff", script.name, cwd=tmp_path)
    assert diff.returncode == 1 and script.read_bytes() == before
    assert diff.stdout.startswith("--- a/fw.sh\n+++ b/fw.sh\n")
    patched = tmp_path / "patched"
    patched.mkdir()
    shutil.copy(script, patched / "fw.sh")
    assert subprocess.run(["patch", "-p1", "-s"], input=diff.stdout, text=True, cwd=patched).returncode == 0
    fixed = pyip_lint("--fix", script.name, cwd=tmp_path)
    assert fixed.stderr == "fw.sh: fixed 1 finding (PI002)\n"
    assert (patched / "fw.sh").read_bytes() == script.read_bytes() != before
    assert pyip_lint("--diff", script.name, cwd=tmp_path).stdout == ""  # nothing left to fix
    assert pyip_lint("--diff", "--fix", script).returncode == 2
    warned = tmp_path / "mark.sh"
    warned.write_text("ip rule add fwmark 10 table main\n")  # a fixable warning only: the diff sets the status
    assert [pyip_lint("--dialect", "legacy", *options, warned).returncode for options in ((), ("--diff",))] == [0, 1]


# -- machine formats: their shape is documented (pyip-lint.1, OUTPUT FORMATS) and must not drift

FINDING_KEYS = {"file", "line", "column", "code", "name", "severity", "message", "fix"}


def test_json_shape_is_stable(script):
    data = json.loads(pyip_lint("--format", "json", script).stdout)
    assert set(data) == {"version", "tool", "summary", "findings"}
    assert data["version"] == 1 and data["tool"]["name"] == "pyip"
    assert data["summary"] == {"errors": 1, "warnings": 1, "fixable": 1}
    assert all(set(finding) == FINDING_KEYS for finding in data["findings"])
    [fixable] = [f for f in data["findings"] if f["fix"]]
    assert set(fixable["fix"]) == {"description", "edits"}
    assert set(fixable["fix"]["edits"][0]) == {"line", "column", "end_column", "replacement"}


def test_sarif_has_its_schema_and_every_rules_metadata(script):
    log = json.loads(pyip_lint("--format", "sarif", script).stdout)
    assert log["$schema"].endswith("sarif-schema-2.1.0.json") and log["version"] == "2.1.0"
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(RULES)
    for rule in rules:
        assert set(rule) == {"id", "name", "shortDescription", "fullDescription", "help", "defaultConfiguration",
                             "properties"}
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
    assert {result["ruleId"] for result in run["results"]} == {"PI002", "PI015"}
    assert [r for r in run["results"] if r["ruleId"] == "PI002"][0]["fixes"]


# -- whatever a configuration or a comment holds: a usage error or a result, never a traceback

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pyip.lint import config  # noqa: E402

TOML_VALUES = st.recursive(st.one_of(st.text(max_size=12), st.integers(), st.booleans()),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                           max_leaves=8)
RULE_WORDS = st.sampled_from(["PI006", "pi0", "PI", "fwmark-base", "unset-variable", "PI999", "", "x", "PI015 "])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.dictionaries(st.sampled_from(["select", "ignore", "severity", "per-file-ignores", "other"]),
                             st.one_of(TOML_VALUES, st.lists(RULE_WORDS, max_size=3),
                                       st.dictionaries(RULE_WORDS, st.sampled_from(["error", "off", "info"]))),
                             max_size=4))
@example(table={"select": [0]})  # was an AttributeError traceback
def test_any_configuration_is_read_or_refused_with_its_file(tmp_path_factory, table):
    path = tmp_path_factory.mktemp("config") / ".pyip.toml"
    path.write_text("[lint]\n" + "".join(f"{json.dumps(key)} = {toml_of(value)}\n" for key, value in table.items()))
    try:
        settings_read = config.load(path)
    except config.ConfigError as error:
        assert str(error).startswith(f"{path}: ")
        return
    assert set(table) <= config.KEYS
    codes = settings_read.codes_for("fw.sh")
    assert codes is None or codes <= set(RULES)


@settings(max_examples=100, deadline=None)
@given(comment=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),  # printable
       words=st.lists(RULE_WORDS, max_size=3), kind=st.sampled_from(["disable", "disable-file", "disable-next"]))
def test_a_comment_only_ever_turns_findings_off(comment, words, kind):
    text = SCRIPT.replace("-j DROP", f"-j DROP # {comment} pyip: {kind}={','.join(words)}")
    plain = {(f.line, f.col, f.code) for f in lint.lint(SCRIPT, "t.sh")}
    assert {(f.line, f.col, f.code) for f in lint.lint(text, "t.sh")} <= plain


def toml_of(value) -> str:
    """A TOML value (the subset the strategies make)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_of(item) for item in value) + "]"
    return "{" + ", ".join(f"{json.dumps(key)} = {toml_of(item)}" for key, item in value.items()) + "}"
