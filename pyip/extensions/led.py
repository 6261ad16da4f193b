"""LED (libxt_LED.c): blink an LED trigger, `netfilter-ID`, on each packet.

The kernel here has no xt_LED, so the installed iptables' refusals of bad
options (exit 2, before any kernel check) are the oracle for reading, and
the save words follow LED_save(): the id always in double quotes with `"`
and `\\` escaped, `--led-delay` when not 0, `--led-always-blink` when set.
One deliberate difference: LED_save() prints the u32 delay with %d, so
`inf` (0xffffffff) comes out as `--led-delay -1` and delays from 2^31 on
as negative numbers, which iptables-restore then refuses ("Delay value
must be within range"); pyip writes `inf` and the unsigned number, the
words that load back as the same rule.  nft has no LED trigger.
"""

from __future__ import annotations

from typing import ClassVar

from .. import records

from ..ast.base import Symbol
from ..parser.xtables import Extension, Opt, problem, strtoui
from ..render.iptables_save import Text

ID_BYTES = 16  # char id[27] holds "netfilter-" + the id + NUL: the option's .max
INFINITE = 0xFFFFFFFF  # --led-delay inf: the LED stays on


class Led(metaclass=records.frozen):
    name: ClassVar[str] = "LED"
    trigger_id: str | Symbol
    delay: int | Symbol = 0  # milliseconds the LED stays on
    always_blink: bool = False


class Target(Extension):
    name = "LED"
    options = (Opt("led-trigger-id", "led-trigger-id"), Opt("led-delay", "led-delay"),
               Opt("led-always-blink", "led-always-blink", arity=0))

    def read_led_trigger_id(self, given):
        if len(given.value.encode("utf-8", "surrogateescape")) > ID_BYTES:  # strlen(): bytes
            raise problem(f"Argument must have a maximum length of {ID_BYTES} characters")
        return given.value

    def read_led_delay(self, given):
        if given.value[:3].lower() == "inf":  # strncasecmp(arg, "inf", 3): `infinite' too
            return INFINITE
        delay = strtoui(given.value, 0, 0xFFFFFFFF)
        if delay is None:
            raise problem("Delay value must be within range 0..4294967295")
        return delay

    def finish(self):
        self.require("led-trigger-id")
        return Led(self.plain("led-trigger-id"), self.plain("led-delay", default=0), "led-always-blink" in self.given)


def target_words(target: Led) -> list:
    trigger = target.trigger_id
    words = ["--led-trigger-id", trigger if isinstance(trigger, Symbol) else Text(trigger, "string")]
    if target.delay:
        words += ["--led-delay", "inf" if target.delay == INFINITE else str(target.delay)]
    return words + ["--led-always-blink"] * target.always_blink


def target_nft(target: Led, rule, quotes_allowed: bool) -> list:
    from ..translators.iptables_nft import Untranslatable

    raise Untranslatable("LED (nft has no LED trigger)")


SAVE = {Led: target_words}
NFT = {Led: target_nft}
TARGET = Target
