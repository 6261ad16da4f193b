"""The plain reader's fast path (pyip.script.simple_commands) against the shell evaluator."""

from hypothesis import given, settings
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
