"""The index lint reads the extension modules' history facts through (pyip/extensions/_history_index.py)."""

import importlib
import subprocess
import sys

from pyip import extensions, lint


def test_the_generated_index_is_up_to_date():
    """Fails when a module gains, loses or moves a FORMER_*/REMOVED_OPTIONS/REQUIRED_SINCE fact and
    the index was not regenerated: run `python -m pyip.extensions`."""
    with open(extensions.__path__[0] + "/_history_index.py", encoding="utf-8") as file:
        assert file.read() == extensions.history_index_text()


def test_every_fact_is_found_through_the_index_in_its_module():
    facts = {fact: 0 for fact in extensions.HISTORY_FACTS}
    for name in extensions.module_names():
        module = importlib.import_module(f"pyip.extensions.{name}")
        for fact in extensions.WORD_FACTS:
            for word in getattr(module, fact, {}):
                assert extensions.history_module(fact, word) is module, (fact, word)
                facts[fact] += 1
        if hasattr(module, "REQUIRED_SINCE"):
            assert extensions.history_module("REQUIRED_SINCE", name) is module
            facts["REQUIRED_SINCE"] += 1
    assert all(facts.values()), facts
    assert extensions.history_module("FORMER_MATCHES", "tcp") is None


def test_the_index_and_the_package_namespace_are_not_extensions():
    assert "_history_index" not in extensions.module_names() and "__main__" not in extensions.module_names()
    assert extensions.parser("match", "_history_index") is None


def test_linting_a_small_script_imports_only_the_extensions_it_names():
    """Lint of a one-rule script used to import all extension modules for PI007's facts (about 0.2 s)."""
    code = ("import sys; from pyip import lint\n"
            "found = lint.lint('iptables -A INPUT -m iplimit --iplimit-above 4 -j ULOG\\n', 't.sh', 'modern')\n"
            "print(sorted({f.code for f in found}))\n"
            "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('pyip.extensions.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "['PI007']"
    imported = set(eval(out[1]))  # noqa: S307 - our own printed list
    assert {"connlimit", "ulog"} <= imported
    assert len(imported) < len(extensions.module_names()) // 3, imported


def test_pi007_messages_come_from_the_modules():
    found = {f.message for f in lint.lint("iptables -A INPUT -m mport --ports 1,2 -j DROP\n"
                                           "iptables -A OUTPUT -m owner --cmd-owner x -j ULOG\n", "t.sh", "modern")
             if f.code == "PI007"}
    from pyip.extensions import multiport, owner, ulog

    assert found == {multiport.FORMER_MATCHES["mport"], owner.REMOVED_OPTIONS["--cmd-owner"],
                     ulog.FORMER_TARGETS["ULOG"]}
