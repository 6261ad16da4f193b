"""One module per iptables extension, as iptables keeps one libxt_NAME.c per extension.

A module `pyip/extensions/NAME.py` holds everything pyip knows about the
match NAME and the target of the same name in capitals (connmark and
CONNMARK share connmark.py, as revisions share a C file):

- `MATCH` and/or `TARGET`: the pyip.parser.xtables.Extension subclass that
  reads its options, with iptables' own messages, into
- its AST node(s) (attrs classes with a `name`), which may carry `limits`:
  (table, hooks, protocol) the kernel allows it in (None: any; a protocol
  may be a tuple of those allowed; a table that does not exist: the kernel
  refuses the node anywhere), for pyip.ruleset and lint, and may carry
  `kernel_error`: the errno text of what the kernel's check refuses;
- `SAVE`: node type -> the words iptables-save prints after `-m NAME` /
  `-j NAME`;
- `NFT`: node type -> (node, rule, quotes_allowed) -> the nft statements
  (pyip.ast.nft) that do exactly the same, raising
  pyip.translators.iptables_nft.Untranslatable with the reason otherwise;
- `SHARED_STATE`: node type -> (node) -> the name under which every rule naming it shares one kernel state
  (hashlimit's table), for the nft translator, which leaves such rules out;
- lint's facts about what changed over the years (PI007): `FORMER_MATCHES` /
  `FORMER_TARGETS` (name -> why, for the names this extension replaced),
  `RENAMED` (old word -> today's, for the fix), `REMOVED_OPTIONS` (option ->
  why), `REQUIRED_SINCE` (option, the value a fix adds, why),
  `DEPRECATED_OPTIONS` (an old option name today's iptables still takes:
  old word -> (the extension it goes to, today's word, why)); lint finds the
  module holding a word's fact through a generated index: after changing
  these, run `python -m pyip.extensions` (tests/test_extension_history.py
  fails until then);
- its ipchains mapping, where ipchains had one (see
  pyip.translators.ipchains_iptables and iptables_ipchains).

The parser, the save renderer and the nft translator find an extension here
by name (modules are imported when a rule first names them), so adding one
is adding its file and its tests.  Modules import the parser's generic
value readers, the AST and the save renderer's word helpers (which import
no extension module); the nft translator, which imports the comment node,
only inside their functions (no circles).
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import lru_cache

from ..memo import memo


# Names come from rules (`-j svc0h0`, a user chain, is looked up too): the caches keyed by them are
# bounded, so that a long-running process meeting ever new chain names does not grow.
NAME_CACHE_SIZE = 4096


@lru_cache(maxsize=NAME_CACHE_SIZE)
def extension_module(name: str):
    """The module for the extension NAME (match or target), or None if pyip has none."""
    if not name or not name.isascii() or not name.replace("_", "").isalnum() or name[0].isdigit():
        return None
    if name.lower() not in module_names():  # a user chain (`-j svc0h0`): no file system look-up
        return None
    return importlib.import_module(f"{__name__}.{name.lower()}")


@lru_cache(maxsize=None)
def module_names() -> frozenset:
    """The extension modules this package holds, read once: a script of 100,000 rules names tens of
    thousands of user chains, and asking the import system about each one cost seconds."""
    return frozenset(name for name in modules_in(tuple(__path__)) if not name.startswith("_"))


def modules_in(directories: tuple[str, ...]) -> list[str]:
    """The names pkgutil.iter_modules(DIRECTORIES) gives, read from the directories themselves:
    pkgutil imports inspect (and ast, dis, tokenize) to tell a module's name, some 3.5 ms of each
    `pyip translate`'s start (issue 13).  A path that is no directory (a zip) is left to pkgutil."""
    from importlib.machinery import all_suffixes

    suffixes = sorted(all_suffixes(), key=len, reverse=True)  # as inspect.getmodulename() tries them
    names = []  # not set(): once pyip.extensions.set is imported, `set` here is that module
    for directory in directories:
        try:
            files = os.listdir(directory)
        except OSError:
            import pkgutil

            names += [module.name for module in pkgutil.iter_modules([directory])]
            continue
        for file in files:
            name = module_name(file, suffixes)
            if name is None and "." not in file and is_package(os.path.join(directory, file), suffixes):
                name = file
            if name and "." not in name and name != "__init__":
                names.append(name)
    return names


def module_name(file: str, suffixes: list[str]) -> str | None:
    """inspect.getmodulename(FILE)."""
    return next((file[:-len(suffix)] for suffix in suffixes if file.endswith(suffix)), None)


def is_package(path: str, suffixes: list[str]) -> bool:
    """A directory holding an __init__ module, as pkgutil tells a package."""
    try:
        return os.path.isdir(path) and any(module_name(file, suffixes) == "__init__" for file in os.listdir(path))
    except OSError:
        return False


@lru_cache(maxsize=NAME_CACHE_SIZE)
def parser(kind: str, name: str):
    """The Extension class reading `-m NAME` (kind "match") or `-j NAME` (kind "target"), or None.
    Names are case-sensitive, as iptables' are: `-m CONNMARK` is no match."""
    module = extension_module(name)
    found = getattr(module, kind.upper(), None) if module is not None else None
    return found if found is not None and found.name == name else None


def module_of(node):
    return sys.modules[type(node).__module__]


EXTENSION_CLASSES: dict = {}  # node class -> whether an extension module defines it: asked for every match translated


def is_extension_node(node) -> bool:
    cls = node.__class__
    found = EXTENSION_CLASSES.get(cls)
    if found is None:
        found = EXTENSION_CLASSES[cls] = type(node).__module__.startswith(__name__ + ".")
    return found


SAVERS: dict = {}  # node class -> its save function: asked for every match of every rule saved


SAVE_MEMO = memo()


def save_words(node) -> tuple:
    """The words iptables-save prints after `-m NAME` / `-j NAME` (a tuple: remembered by the node's identity,
    as a SAVE function reads the node alone)."""
    key = id(node)
    words = SAVE_MEMO.get(key)
    if words is None:
        save = SAVERS.get(node.__class__)
        if save is None:
            save = SAVERS[node.__class__] = module_of(node).SAVE[type(node)]
        words = tuple(save(node))
        SAVE_MEMO.keep(key, node, words)
    return words


TRANSLATORS: dict = {}  # node class -> (its nft function or None, what of the rule it reads, see NFT_READS)
NFT_MEMO = memo()


def nft_statements(node, rule, quotes_allowed: bool = False):
    """The node's nft statements (a tuple: they may be shared by every rule holding the node).

    A module's `NFT_READS` (node type -> the names of the rule's fields its NFT function reads, or None
    for more than fields) says what besides the node the statements depend on; a function not listed
    reads none (tests/test_translate_memo.py checks the listing against the functions' code).  The
    statements are remembered by the identity of the node and of those fields."""
    cls = node.__class__
    entry = TRANSLATORS.get(cls)
    if entry is None:
        module = module_of(node)
        entry = TRANSLATORS[cls] = (getattr(module, "NFT", {}).get(cls), getattr(module, "NFT_READS", {}).get(cls, ()))
    translate, reads = entry
    if translate is None:
        from ..translators.iptables_nft import Untranslatable

        raise Untranslatable(f"the {node.name} {'target' if node.name.isupper() else 'match'}")
    if reads is None:
        return tuple(translate(node, rule, quotes_allowed))
    if reads:
        read = tuple([getattr(rule, field) for field in reads])
        key = (id(node), quotes_allowed, *map(id, read))
    else:
        read, key = (), (id(node), quotes_allowed)
    statements = NFT_MEMO.get(key)
    if statements is None:
        statements = tuple(translate(node, rule, quotes_allowed))
        NFT_MEMO.keep(key, (node, read), statements)
    return statements


SHARERS: dict = {}  # node class -> its module's SHARED_STATE function, or None: asked for every match translated


def shared_state(node) -> str | None:
    """What iptables calls the kernel state the node keeps where every rule naming it shares it (hashlimit's
    table, `--hashlimit-name x`, in any table), or None where each rule keeps its own."""
    cls = node.__class__
    if cls not in SHARERS:
        SHARERS[cls] = getattr(module_of(node), "SHARED_STATE", {}).get(cls) if is_extension_node(node) else None
    name = SHARERS[cls]
    return None if name is None else name(node)


LIMITED: dict = {}  # node class -> whether it has `limits`: asked for every match of every rule


def limits(node):
    """(table, hooks, protocol) the kernel allows the node in, or None."""
    cls = node.__class__
    limited = LIMITED.get(cls)
    if limited is None:
        limited = LIMITED[cls] = hasattr(cls, "limits")
    return node.limits if limited else None


CHECKED: dict = {}  # node class -> whether it has `kernel_error`
KERNEL_FACTS: dict = {}  # node class -> (whether it has `limits`, whether it has `kernel_error`)


def kernel_facts(cls) -> tuple[bool, bool]:
    """Whether the class's nodes have `limits`, and `kernel_error`: most matches (comment, state) have
    neither, and pyip.ruleset passes them by without asking more."""
    facts = KERNEL_FACTS.get(cls)
    if facts is None:
        facts = KERNEL_FACTS[cls] = (hasattr(cls, "limits"), hasattr(cls, "kernel_error"))
    return facts


def kernel_error(node) -> str | None:
    """What the kernel's check of the extension says to the node (its errno text), or None if it takes it."""
    cls = node.__class__
    checked = CHECKED.get(cls)
    if checked is None:
        checked = CHECKED[cls] = hasattr(cls, "kernel_error")
    return node.kernel_error if checked else None


# The lint facts named by a word (an old match, target or option); REQUIRED_SINCE is named by its module.
WORD_FACTS = ("FORMER_MATCHES", "FORMER_TARGETS", "REMOVED_OPTIONS", "DEPRECATED_OPTIONS")
HISTORY_FACTS = (*WORD_FACTS, "REQUIRED_SINCE")


def history_index() -> dict:
    """fact -> {word: the module holding the word's fact}, read from every module (slow: imports all):
    an old name (`-m iplimit`) has no module of its own to find by name."""
    index = {fact: {} for fact in HISTORY_FACTS}
    for name in sorted(module_names()):
        module = importlib.import_module(f"{__name__}.{name}")
        for fact in WORD_FACTS:
            index[fact].update({word: name for word in getattr(module, fact, {})})
        if hasattr(module, "REQUIRED_SINCE"):
            index["REQUIRED_SINCE"][name] = name
    return index


def history_module(fact: str, word: str):
    """The module whose FACT names WORD (e.g. ("FORMER_MATCHES", "iplimit") -> connlimit), or None.

    Lint asks this for every -m/-j word of a script: importing all modules to merge their facts cost
    about 0.2 s on a one-rule script, so a generated index (pyip/extensions/_history_index.py, kept
    up to date by tests/test_extension_history.py) says which one module to import."""
    from ._history_index import INDEX

    name = INDEX[fact].get(word)
    return importlib.import_module(f"{__name__}.{name}") if name is not None else None


def history_index_text() -> str:
    lines = ['"""Generated by `python -m pyip.extensions` from the extension modules\' lint facts: do not edit.',
             "", "fact -> {word: the extension module holding its fact}; see pyip.extensions.history_module().",
             '"""', "", "INDEX = {"]
    for fact, words in history_index().items():
        lines.append(f"    {fact!r}: {{")
        lines += [f"        {word!r}: {name!r}," for word, name in sorted(words.items())]
        lines.append("    },")
    return "\n".join(lines + ["}", ""])


def write_history_index() -> None:
    """(Re)write pyip/extensions/_history_index.py (temporary file, then rename)."""
    import os

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_history_index.py")
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(history_index_text())
    os.replace(temporary, path)


def to_ipchains(node):
    """The node as ipchains says it (a match: the match; a target: (target, actions)), or None where ipchains
    cannot say it exactly or the extension has no ipchains form."""
    if not is_extension_node(node):
        return None
    said = getattr(module_of(node), "TO_IPCHAINS", {}).get(type(node))
    return said(node) if said is not None else None
