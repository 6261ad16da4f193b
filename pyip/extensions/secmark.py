"""SECMARK (libxt_SECMARK.c, revisions 0 and 1): set the packet's security mark from an LSM context.

The kernel's check (xt_SECMARK.c) takes the target in the mangle and
security tables only ("Invalid argument" elsewhere), then asks the LSM for
the context's id: without an LSM that maps contexts (SELinux, Smack,
AppArmor with secmark) it refuses every rule ("No such file or directory",
its "unable to map security context"); with one, an unknown context.  pyip
checks the table; the context only the running LSM can judge.

iptables-save prints the context as SECMARK_save() does: `--selctx` and
the text as it is, unquoted, which is what pyip writes for every context
iptables-restore reads back as one word (all an LSM's contexts); one with a
blank, a quote or a backslash, which would not load back, pyip writes
quoted as xtables_save_string() quotes.  nft sets a secmark only from a named secmark
object (`secmark NAME { "CONTEXT" }`, `meta secmark set "NAME"`), which
pyip's nft output does not declare: no translation.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt
from ..render.iptables_save import Text

CONTEXT_BYTES = 255  # char secctx[SECMARK_SECCTX_MAX = 256], NUL-terminated: XTOPT_PUT keeps what fits


class Secmark(metaclass=records.frozen):
    name: ClassVar[str] = "SECMARK"
    limits: ClassVar[tuple] = (("mangle", "security"), None, None)  # secmark_tg_check()
    context: str | Symbol


class Target(Extension):
    name = "SECMARK"
    options = (Opt("selctx", "selctx"),)

    def read_selctx(self, given):
        return given.value.encode("utf-8", "surrogateescape")[:CONTEXT_BYTES].decode("utf-8", "surrogateescape")

    def finish(self):
        self.require("selctx")
        return Secmark(self.plain("selctx"))


def target_nft(target: Secmark, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("SECMARK (nft sets a security mark only from a named secmark object, which pyip's nft "
                         "output does not declare)")


def target_words(target: Secmark) -> list:
    context = target.context
    if isinstance(context, Symbol) or not any(c.isspace() or c in "\"'\\" for c in context):
        return ["--selctx", context]
    return ["--selctx", Text(context)]


SAVE = {Secmark: target_words}
NFT = {Secmark: target_nft}
TARGET = Target
