"""Commands that run another command: `sudo -u root iptables ...`, `ip netns exec NS ip ...`.

The shell layer (pyip.shell) expands a command's words, then asks here what
program really runs.  Each runner's options are skipped as the runner itself
reads them (the options that take a separate argument are listed), so that
`nice -n 5 iptables` runs iptables and not `5`.  Words are the shell's Words:
only their `.text` is read (None for a value known only at run time, which
ends the search: what it would be is not guessed).
"""

from __future__ import annotations

import re
import shlex

# runner -> (short options with a separate argument, long options with one, leading operands)
RUNNERS: dict[str, tuple[str, frozenset, int]] = {
    "sudo": ("ughpCDrtUTR", frozenset({"--user", "--group", "--host", "--prompt", "--close-from", "--chdir",
                                       "--role", "--type", "--other-user", "--command-timeout", "--chroot"}), 0),
    "doas": ("uCa", frozenset(), 0),
    "env": ("uCS", frozenset({"--unset", "--chdir", "--split-string"}), 0),
    "command": ("", frozenset(), 0),
    "builtin": ("", frozenset(), 0),
    "exec": ("a", frozenset(), 0),
    "time": ("fo", frozenset({"--format", "--output"}), 0),
    "nohup": ("", frozenset(), 0),
    "nice": ("n", frozenset({"--adjustment"}), 0),
    "stdbuf": ("ioe", frozenset({"--input", "--output", "--error"}), 0),
    "ionice": ("cnp", frozenset({"--class", "--classdata", "--pid"}), 0),
    "timeout": ("sk", frozenset({"--signal", "--kill-after"}), 1),  # DURATION comes first
    "setsid": ("", frozenset(), 0),
}

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_NICE_INCREMENT = re.compile(r"-[0-9]+")
_NO_COMMAND = {"command": {"-v", "-V"}, "ionice": {"-p", "-P", "-u"}, "doas": {"-C", "-L"}, "sudo": {"-l", "-v", "-k", "-K"}}


def runner(word) -> str | None:
    text = word.text
    if text is None:
        return None
    name = text.rsplit("/", 1)[-1]
    return name if name in RUNNERS else None


def strip_runners(argv: list, words_of=None) -> list:
    """The words of the command the runners in front run (empty: they run none).  `words_of(word,
    texts)`: words standing where `word` stood, for the texts `env -S STRING` splits STRING into."""
    while argv:
        name = runner(argv[0])
        if name is None:
            return argv
        argv = after_options(name, argv[1:], words_of)
    return argv


def after_options(name: str, words: list, words_of=None) -> list:
    short, long, operands = RUNNERS[name]
    k = 0
    while k < len(words):
        text = words[k].text
        if text is None:
            break
        if text == "--":
            k += 1
            break
        if _looks_up_only(name, text):
            return []  # `command -v ip`, `command -pv ip` only look the program up
        if name == "env" and (text.startswith("-S") or text.startswith("--split-string")):
            return _split_string(words, k, words_of)
        if text.startswith("--"):
            k += 2 if text in long else 1  # `--user=root` holds its argument
        elif text.startswith("-") and len(text) > 1:
            joined = len(text) > 2 or (name == "nice" and _NICE_INCREMENT.fullmatch(text))
            k += 1 if joined or text[1] not in short else 2  # `-oL` holds its argument too
        elif name in ("env", "sudo") and (text == "-" or _ASSIGNMENT.match(text)):
            k += 1
        else:
            break
    return words[k + operands:]


def _looks_up_only(name: str, text: str) -> bool:
    options = _NO_COMMAND.get(name, ())
    if text in options:
        return True
    # a cluster of short options (`-pv`) holding one
    return (len(text) > 2 and text[0] == "-" and text[1] != "-" and text[1:].isalpha()
            and any(option[1] in text[1:] for option in options))


def _split_string(words: list, k: int, words_of) -> list:
    """`env -S 'iptables -A INPUT ...' [ARG...]`: env splits the string into words (quotes and
    backslashes as in a shebang line) and runs them with the ARGs after.  A string holding `$`
    (env expands `${NAME}`) or that does not split is not read: nothing is run."""
    text = words[k].text
    if text in ("-S", "--split-string"):
        if k + 1 >= len(words) or words[k + 1].text is None:
            return []
        string, rest, at = words[k + 1].text, words[k + 2:], words[k + 1]
    else:
        string, rest, at = text[len("--split-string="):] if text.startswith("--") else text[2:], words[k + 1:], words[k]
    if words_of is None or "$" in string:
        return []
    try:
        texts = shlex.split(string, comments=True)
    except ValueError:
        return []
    return strip_runners(words_of(at, texts) + list(rest), words_of) if texts else list(rest)


# ------------------------------------------------------------------- ip netns exec / ip -n

# ip's global options that take an argument (iproute2 ip.c), besides -netns.
_IP_OPTIONS_WITH_ARGUMENT = ("-family", "-loops", "-rcvbuf", "-batch")
_NETNS_OPTION = ("-n", "-ne", "-net", "-netn", "-netns")


def _matches(text: str, full: str, shortest: int = 2) -> bool:
    """iproute2's matches(): a prefix of the full option name (at least `shortest` long)."""
    return len(text) >= shortest and full.startswith(text)


def ip_namespace(argv: list) -> tuple[list, str | None]:
    """For `ip [OPTIONS] netns exec NS CMD...`: CMD's words and NS.  For `ip -n NS ...`: the
    same words and NS.  Otherwise the words and None.  An unknown word ends the look."""
    netns, k = None, 1
    while k < len(argv):
        text = argv[k].text
        if text is None or not text.startswith("-") or text == "-":
            break
        option = text[1:] if text.startswith("--") else text
        if option in _NETNS_OPTION:
            if k + 1 >= len(argv) or argv[k + 1].text is None:
                return argv, None
            netns, k = argv[k + 1].text, k + 2
        elif option == "-rc" or any(_matches(option, full) for full in _IP_OPTIONS_WITH_ARGUMENT):
            k += 2
        else:
            k += 1
    if k + 2 < len(argv) and _object_is_netns(argv[k].text) and _matches(argv[k + 1].text or "", "exec", 1):
        inner = argv[k + 3:] if k + 3 < len(argv) else []
        if argv[k + 2].text is not None and inner:
            return inner, argv[k + 2].text
    return argv, netns


def _object_is_netns(text: str | None) -> bool:
    # `ne` and `n` name `neigh` to ip, which looks its objects up in order.
    return text is not None and _matches(text, "netns", 3)
