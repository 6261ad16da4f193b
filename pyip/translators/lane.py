"""The rule lane: iptables rules read, applied and printed by their template, without a Rule.

A save file, or a script, repeats a few kinds of rule thousands of times,
differing in an address, a port, a comment.  The parser learns a template
for each kind (pyip.parser.templates): the rule's fixed parts, and where its
free values stand in the command.  Reading a command through its template
still makes a Rule, a command, locations and address objects; applying it
walks the checks; the outputs translate and print it part by part.  For the
two outputs of a whole ruleset (`--to nft` text and `--to iptables-restore`,
which `--to iptables` prints as commands) the lane does less:

- reading (lane() for a save file's line, script_lane() for a script's
  command): the words' texts are found as the templated path finds them,
  the template recognized (Recognizer, for a save file) or looked up
  (parse_iptables() asks script_lane() with it), the free values read
  by the template's own functions (the extension nodes, remembered or made
  directly), the addresses checked; the command becomes a Stenciled: the
  template's Stencil, where the command stands, its nodes and address texts;
- applying (Ruleset.append_stenciled()): the checks of _append() read a
  rule's table, chain, matches and target only, given the lane's addresses
  (one each, without `!`), so a view holding those stands in for the rule;
  a command that compares or rewrites rules (-D and -C of a rule, -E)
  first puts the Rule of each Stenciled it reads in its place
  (Ruleset.materialize_for());
- printing: the restore file's line is the Stencil's fixed texts (said once,
  by the renderer's own functions) around the free parts' texts
  (spec_texts()'s functions); the nft rule likewise (translate_rule()'s
  order: interfaces and protocol, addresses, matches, counter, target,
  comment).  A rule whose translation is more than text (a set to declare,
  state shared with other rules, a finding, a comment nft cannot take as it
  is) is materialized and translated as any other, so what it reports is
  the full path's.

A command the lane does not take (not an append, a value that needs the
full path or is known only when the script runs, a template not learnt
yet) is read as before.  tests/test_lane.py checks that both outputs, and
every error and finding, are the same with and without the lane: over the
vendored iptables .t suite, the corpus, the ruleset tests' and random
scripts, generated save files and refused rules.
"""

from __future__ import annotations

import re
from operator import itemgetter

from ..ast import firewall as fw
from ..ast import nft
from ..errors import PyipError
from ..extensions import TRANSLATORS, nft_statements, shared_state
from ..extensions.comment import CommentMatch, Match as CommentExtension
from ..compat.legacy import MODERN
from ..parser.getopt import ANY_VALUE
from ..parser import iptables as iptables_parser
from ..parser.iptables import parse_iptables, template_of_texts
from ..parser.restore import LinePlaces, rule_line as full_rule_line, templated_texts
from ..parser.templates import MAKE_RULE
from ..parser.xtables import parse_addresses
from ..render.iptables_save import add_header_texts, add_node_texts, address_text
from ..render.nft import statement_texts
from ..ruleset import rule_checks
from . import iptables_nft
from .iptables_nft import Untranslatable, address_matches, interface_protocol_matches

# A host as iptables-save writes it (four octets without leading zeros, /32) or as scripts do (without /32).
# parse_addresses() reads it as the one address it names; address_text() writes the octets and /32, and nft's
# address is the octets.  The lane keeps the octets (free_address()).
HOST = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                  r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:/32)?")

# The fields of a rule a template fixes: what an extension's nft translation may read (NFT_READS) for the
# lane to print it from the template's rule.
FIXED_FIELDS = frozenset({"chain", "table", "in_interface", "out_interface", "protocol", "fragment"})

MAX_STENCILS = 20_000  # as many as templates (pyip.parser.templates.MAX_TEMPLATES)
# The stencils' node texts and views (a port or a state a rule has, in nft; the checks' view of a rule),
# all stencils together: beyond it, every stencil forgets them (each is found again when next asked).
MAX_KEPT = 50_000
MAX_ADDRESSES = 4096  # address texts that are not plain hosts, with their texts in both outputs


class Stencil:
    """A template's rule as the lane prints it: its fixed parts' texts, found once."""

    __slots__ = ("template", "rule", "source", "destination", "save_head", "nft_head", "save_target",
                 "nft_target", "views", "nft_nodes", "checked")

    def __init__(self, template):
        self.template = template
        self.rule = rule = template.rule  # the fixed fields are the same objects in every rule it makes
        self.source, self.destination = (None if given is None else given[0]
                                         for given in (template.source, template.destination))
        head: list = []
        add_header_texts(head, rule)
        self.save_head = " ".join(head)  # "" for none
        self.nft_head = fixed_nft_text(lambda: interface_protocol_matches(rule.in_interface, rule.out_interface,
                                                                          rule.fragment, rule.protocol))
        fixed_target = template.target is None
        self.save_target = fixed_target and save_target_text(rule.target)
        self.nft_target = {quotes: fixed_target and target_nft_text(rule.target, rule, quotes)
                           for quotes in (False, True)}
        self.views: dict = {}  # the checks' view of a rule, by its nodes (view())
        # by quotes allowed: node id -> (node, node_nft_text() of it in this template's rule)
        self.nft_nodes: tuple = ({}, {})
        # the parts whose nodes the kernel checks (all but comments), in order, as a tuple from the nodes
        checked = [at for at, part in enumerate(template.parts) if part.extension is not CommentExtension]
        self.checked = (lambda nodes: ()) if not checked else (
            itemgetter(*checked) if len(checked) > 1 else lambda nodes: (nodes[checked[0]],))

    def node_text(self, node, quotes_allowed: bool) -> str | None:
        """node_nft_text(), kept by the node's identity (the entry holds the node: its id is not taken)."""
        text = node_nft_text(node, self.rule, quotes_allowed)
        keep_one_more()
        self.nft_nodes[quotes_allowed][id(node)] = (node, text)
        return text

    def view(self, matches: tuple, target) -> tuple:
        """(the rule the checks read in place of a Stenciled, its rule_checks()): see
        Ruleset.append_stenciled().  Remembered by the nodes' identity; the comments are left out (the
        kernel checks nothing of them, and they are each rule's own)."""
        checked = self.checked(matches)
        key = (*map(id, checked), id(target))
        found = self.views.get(key)
        if found is None:
            rule = self.rule
            view = MAKE_RULE(rule.chain, rule.table, None, None, rule.in_interface, rule.out_interface,
                             rule.protocol, rule.fragment, checked, target, rule.actions, rule.origin, rule.location)
            found = (view, rule_checks(view, rule.table))
            keep_one_more()
            self.views[key] = found  # the view holds the nodes: no other node takes their ids meanwhile
        return found


kept = 0  # node texts and views the stencils keep (MAX_KEPT)


def keep_one_more() -> None:
    global kept
    kept += 1
    if kept > MAX_KEPT:
        for stencil in STENCILS.values():
            if stencil is not None:
                stencil.views.clear()
                for known in stencil.nft_nodes:
                    known.clear()
        kept = 1


def fixed_nft_text(statements) -> str | None:
    """The nft text of statements() (a function, which may raise Untranslatable: then None)."""
    try:
        return statements_text(statements())
    except Untranslatable:
        return None


def statements_text(statements) -> str:
    """rule_text()'s words for these statements (each statement's text is never empty, so joining groups
    of them joins their words); "" for none."""
    return " ".join(statement_texts(statements))


def save_target_text(target) -> str:
    texts: list = []
    add_node_texts(texts, (), target)
    return texts[0] if texts else ""


def target_nft_text(target, rule: fw.Rule, quotes_allowed: bool) -> str | None:
    """The target's statements' text, or None if they are more than text (see node_nft_text())."""
    if target is None or target.__class__ in (fw.Verdict, fw.ChainJump):
        return fixed_nft_text(lambda: iptables_nft.target_statements(target, rule, quotes_allowed))
    return node_nft_text(target, rule, quotes_allowed)


def node_nft_text(node, rule: fw.Rule, quotes_allowed: bool) -> str | None:
    """An extension node's nft statements' text, in a rule with `rule`'s fixed fields; None where the lane
    cannot print it: the node is untranslatable (a finding), its statements fill a set or read more of the
    rule than the template fixes, or it keeps state rules share (translate_ruleset() asks of every rule)."""
    if (node.__class__ in iptables_nft.MATCHES or node.__class__ in iptables_nft.TARGETS
            or shared_state(node) is not None):
        return None
    try:
        statements = nft_statements(node, rule, quotes_allowed)
    except (Untranslatable, PyipError):
        return None
    reads = TRANSLATORS[node.__class__][1]
    if reads is None or not FIXED_FIELDS.issuperset(reads):
        return None
    if any(statement.__class__ is nft.SetUpdate for statement in statements):
        return None
    return statements_text(statements)


class Stenciled:
    """A rule the lane read: its Stencil, where it stands, its nodes and its addresses' texts.  The
    Ruleset holds it in its chain as a rule; the restore file and the nft translation ask saved_line()
    and nft_text(); anything else asks materialized(), the Rule the line's command would give."""

    # Not a save line's words: 50,000 rules' words took 60 MB more than their Rules, and the page faults
    # cost more than the words save; materializing (rare) splits the line again.  A script's command
    # keeps its Words, which the script's commands hold anyway.
    __slots__ = ("stencil", "where", "source", "destination", "matches", "target")

    def __init__(self, stencil, where, source, destination, matches, target):
        # where: (line, file, number) of a save file's line, or a script command's Words
        self.stencil, self.where = stencil, where
        # each address: None, or free_address() of its text
        self.source, self.destination = source, destination
        self.matches, self.target = matches, target

    @property
    def table(self) -> str:
        return self.stencil.rule.table

    @property
    def chain(self) -> str:
        return self.stencil.rule.chain

    def command(self) -> fw.Command:
        """The command restore_commands() (a save file's line) or parse_iptables() (a script's) would give."""
        where = self.where
        if where.__class__ is tuple:
            line, file, number = where
            texts = templated_texts(self.table, line)
            command = self.stencil.template.build(texts, LinePlaces(line, file, number).location)
            if command is None:  # the lane read what build() reads: not met, but the full path is the answer
                command = full_rule_line(self.table, line, file, number, MODERN)
                if isinstance(command, PyipError):
                    raise command
            return command
        command = self.stencil.template.build([word[0] for word in where], lambda index: where[index][1])
        return command if command is not None else parse_iptables(where, MODERN)

    def materialized(self) -> fw.Rule:
        return self.command().rule

    def saved_line(self, start: str) -> str:
        """`" ".join([start, *spec_texts(rule)])`: the rule's line in the restore file, `start` its `-A CHAIN`."""
        stencil = self.stencil
        texts = [start]
        source, destination = self.source, self.destination
        if source is not None:  # a host's octets, or address_texts()
            saved = "-s " + source + "/32" if source.__class__ is str else source[0]["-s "]
            if saved:
                texts.append(saved)
        if destination is not None:
            saved = "-d " + destination + "/32" if destination.__class__ is str else destination[0]["-d "]
            if saved:
                texts.append(saved)
        if stencil.save_head:
            texts.append(stencil.save_head)
        target = stencil.save_target
        add_node_texts(texts, self.matches, None if target is not False else self.target)
        if target:
            texts.append(target)
        return " ".join(texts)

    def nft_text(self, quotes_allowed: bool) -> str | None:
        """rule_text(translate_rule()) of the rule, or None if its translation is more than text."""
        stencil = self.stencil
        head = stencil.nft_head
        if head is None:
            return None
        words = [head] if head else []
        source, destination = self.source, self.destination
        if source is not None:  # a host's octets, or address_texts()
            text = "ip saddr " + source if source.__class__ is str else source[1]["ip saddr "]
            if text:
                words.append(text)
        if destination is not None:
            text = "ip daddr " + destination if destination.__class__ is str else destination[1]["ip daddr "]
            if text:
                words.append(text)
        comment = None
        known = stencil.nft_nodes[quotes_allowed]
        for match in self.matches:
            if match.__class__ is CommentMatch:
                if comment is not None:
                    return None  # several comments: nft_comment() joins them, with a warning
                comment = match.comment
                continue
            entry = known.get(id(match))
            text = entry[1] if entry is not None else stencil.node_text(match, quotes_allowed)
            if text is None:
                return None
            if text:
                words.append(text)
        words.append("counter")
        target = stencil.nft_target[quotes_allowed]
        if target is False:  # the line's own (an extension's node: its values are free)
            entry = known.get(id(self.target))
            target = entry[1] if entry is not None else stencil.node_text(self.target, quotes_allowed)
        if target is None:
            return None
        if target:
            words.append(target)
        if comment is not None:
            # as nft_comment() takes it with no warning: a string without `"`, short enough for nft
            if not (comment.__class__ is str and '"' not in comment and (len(comment) <= SHORT_COMMENT or (
                    len(comment) <= COMMENT_BYTES and comment.isascii()))):
                return None
            words.append('comment "' + comment + '"')
        return " ".join(words)


COMMENT_BYTES = iptables_nft.COMMENT_BYTES
SHORT_COMMENT = COMMENT_BYTES // 4  # characters: at most 4 bytes each in UTF-8


ADDRESS_TEXTS: dict = {}  # address text -> ({"-s ": saved, "-d ": saved}, {"ip saddr ": nft, "ip daddr ": nft})


def address_texts(text: str) -> tuple | None:
    """An address that is not a host as iptables-save writes it (HOST), in both outputs ("" where its test is
    none: 0.0.0.0/0), if the lane takes it: one numeric address with a mask (parse_addresses() would give a
    name more, or several); else None."""
    found = ADDRESS_TEXTS.get(text)
    if found is not None:
        return found
    from ..parser.templates import addresses_test

    try:
        addresses = parse_addresses(text)
        if len(addresses) != 1 or addresses[0].__class__ is not fw.Address:
            return None
        test = addresses_test(addresses, False, False)
        saved = {option: "" if test is None else address_text(test, option.strip()) for option in ("-s ", "-d ")}
        printed = {f"ip {field} ": "" if test is None else statements_text(address_matches(field, test))
                   for field in ("saddr", "daddr")}
    except (Untranslatable, PyipError):
        return None
    if len(ADDRESS_TEXTS) >= MAX_ADDRESSES:
        ADDRESS_TEXTS.clear()
    ADDRESS_TEXTS[text] = found = (saved, printed)
    return found


def free_address(text: str):
    """A -s or -d value as a Stenciled keeps it: a host's octets, address_texts() of another address, or
    None where the lane does not take it."""
    if HOST.fullmatch(text):
        return text[:-3] if text[-3:] == "/32" else text
    return address_texts(text)


# -- recognizing a line's template -------------------------------------------------------------------------


class Recognizer:
    """template_of_texts() for the lines of one stencil's template, said as a comparison: the texts at the
    positions the trie matched by text (its steps) and at the key's are the stencil's first line's, and each
    word the trie admitted by a guard that looks at it is still admitted and still no step of its node.

    Why that is template_of_texts(): plan_texts() walks the trie word by word, by the word's step if its
    node has one, else by the node's guard; a node's steps and guard, once there, never change (the trie
    only grows), so equal texts take the same steps, and a guarded word that is no step takes the same
    free node.  The walk ends at the same node; its plan, the plan's Templates and the template for the
    key are checked to be the ones the stencil was made for (a trie or a template memory started anew,
    as the tests do, has others)."""

    __slots__ = ("shapes", "final", "plan", "templates", "key", "template", "guards", "fixed", "stencil")

    def __init__(self, shapes, texts: list, stencil):
        node, steps, self.guards = shapes.root, [], []
        for at, text in enumerate(texts):
            if node.guard is ANY_VALUE:  # plan_texts() takes any word here without looking at it
                node = node.free
                continue
            following = node.steps.get(text)
            if following is None:
                self.guards.append((at, node))
                following = node.free
            else:
                steps.append(at)
            node = following
        self.shapes, self.final, self.plan = shapes, node, node.plan
        self.templates = templates = shapes.memory.get(id(node.plan[1]))
        self.key, self.template, self.stencil = templates.key(texts), stencil.template, stencil
        positions = sorted({*steps, *templates.kept})
        self.fixed = (len(texts), *positions)  # what lines that may be this stencil's share (see recognized())

    def recognizes(self, texts: list) -> bool:
        for at, node in self.guards:
            text = texts[at]
            if text in node.steps or not node.admits(text):
                return False
        return (self.final.plan is self.plan and self.shapes.memory.get(id(self.plan[1])) is self.templates
                and self.templates.by_key.get(self.key) is self.template)


# group_of() -> {the fixed positions -> (their texts' getter, {their texts -> Recognizer})}
RECOGNIZERS: dict = {}


def group_of(texts: list) -> tuple:
    """The number of words and the third and fifth: a save line's table and chain (`iptables -t TABLE -A
    CHAIN`), a script's chain and first option (`iptables -A CHAIN -s`); only a way to try few recognizers."""
    count = len(texts)
    return count, texts[2] if count > 2 else None, texts[4] if count > 4 else None


def recognized(texts: list):
    """The Stencil of the line's template, by its Recognizer, or None (then template_of_texts() is asked)."""
    groups = RECOGNIZERS.get(group_of(texts))
    if groups is not None:
        for getter, by_texts in groups.values():
            recognizer = by_texts.get(getter(texts))
            if recognizer is not None and recognizer.shapes is iptables_parser.SHAPES[MODERN] and recognizer.recognizes(texts):
                return recognizer.stencil
    return None


def remember_recognizer(texts: list, stencil) -> None:
    shapes = iptables_parser.SHAPES[MODERN]
    recognizer = Recognizer(shapes, texts, stencil)
    if recognizer.templates is None or recognizer.templates.by_key.get(recognizer.key) is not stencil.template:
        return
    groups = RECOGNIZERS.setdefault(group_of(texts), {})
    positions = recognizer.fixed[1:]
    if positions not in groups:
        groups[positions] = (itemgetter(*positions) if len(positions) > 1 else
                             (lambda texts: tuple([texts[at] for at in positions])), {})
    getter, by_texts = groups[positions]
    by_texts[getter(texts)] = recognizer


# -- reading ------------------------------------------------------------------------------------------------

STENCILS: dict = {}  # Template -> its Stencil, or None where the lane does not take its rules


def lane(table: str, line: str, file: str, number: int) -> Stenciled | None:
    """restore_commands()' lane: the line's Stenciled, or None to read it as before."""
    texts = templated_texts(table, line)
    return None if texts is None else stenciled(texts, (line, file, number))


def script_lane(template, texts: list, words: list) -> Stenciled | None:
    """parse_iptables()' lane, asked where a template serves a script's iptables command: its Stenciled, or
    None to build the command as before.  (parse_iptables() has walked the trie already: no Recognizer.)"""
    stencil = STENCILS.get(template, False)
    if stencil is False:
        stencil = stencil_of(template)
    return None if stencil is None else read_values(stencil, texts, words)


def stenciled(texts: list, where) -> Stenciled | None:
    """The Stenciled of a command of these words' texts, if a learnt template's stencil serves it."""
    stencil = recognized(texts)
    if stencil is None:
        template = template_of_texts(texts)
        if template is None:
            return None
        stencil = STENCILS.get(template, False)
        if stencil is False:
            stencil = stencil_of(template)
            if stencil is not None:
                remember_recognizer(texts, stencil)
        if stencil is None:
            return None
    return read_values(stencil, texts, where)


def read_values(stencil, texts: list, where) -> Stenciled | None:
    """The Stenciled of the command, its free values read (None if one needs the full path)."""
    template = stencil.template
    source = destination = None
    if stencil.source is not None:
        source = free_address(texts[stencil.source])
        if source is None:
            return None
    if stencil.destination is not None:
        destination = free_address(texts[stencil.destination])
        if destination is None:
            return None
    try:
        nodes = template.nodes(texts)  # what Template.build() makes of the free values
    except PyipError:
        return None
    return None if nodes is None else Stenciled(stencil, where, source, destination, *nodes)


def stencil_of(template) -> Stencil | None:
    """A Stencil for appends whose addresses have no `!` (see Ruleset.append_stenciled()); else None."""
    stencil = None
    rule = template.rule
    if (template.command_type is fw.Append and not rule.actions and rule.origin == "iptables"
            and all(given is None or given[1:] == (False, False) for given in (template.source, template.destination))):
        stencil = Stencil(template)
    if len(STENCILS) >= MAX_STENCILS:
        STENCILS.clear()
        RECOGNIZERS.clear()
    STENCILS[template] = stencil
    return stencil
