"""time (libxt_time.c): the time of day, the weekdays, the days of the month and a date range.

Dates are UTC seconds since 1970 as the kernel keeps them (the stop date
defaults to INT_MAX, 2038-01-19T03:14:07, which iptables-save prints);
times of day are seconds since midnight.
"""

from __future__ import annotations

import calendar
import time as clock
from typing import ClassVar

from .. import records

from ..ast import nft
from ..parser.xtables import Extension, Opt, problem, strtoul

ALL_MONTHDAYS, ALL_WEEKDAYS = 0xFFFFFFFE, 0xFE
DAY_END = 24 * 60 * 60 - 1
DATE_STOP = 0x7FFFFFFF
WEEK_DAYS = (None, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class TimeMatch(metaclass=records.frozen):
    name: ClassVar[str] = "time"
    daytime_start: int = 0
    daytime_stop: int = DAY_END
    monthdays: int = ALL_MONTHDAYS
    weekdays: int = ALL_WEEKDAYS
    date_start: int = 0
    date_stop: int = DATE_STOP
    kernel_tz: bool = False
    contiguous: bool = False


def number_then(text: str, stop: str) -> tuple[int, str]:
    """strtoul(s, &e, 10) followed by one of `stop` or the end; None when the text is not so."""
    value, rest = strtoul(text, 10)
    if value is None:
        value, rest = 0, text
    if rest and rest[0] not in stop:
        return None, rest
    return value, rest


def parse_date(text: str) -> int:
    """time_parse_date(): YYYY[-MM[-DD[Thh[:mm[:ss]]]]], UTC."""
    fields, rest = [], text
    for stop, limit in (("-", 2038), ("-", 12), ("T", 31), (":", 23), (":", 59), ("", 59)):
        value, after = number_then(rest, stop)
        if value is None or (not fields and not 1970 <= value <= 2038) or (fields and value > limit):
            raise problem(f'Invalid date "{text}" specified. Should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]')
        fields.append(value)
        if not after:
            break
        rest = after[1:]
    year, month, day, hour, minute, second = fields + [1, 1, 0, 0, 0][len(fields) - 1:]
    return calendar.timegm((year, month, day, hour, minute, second))  # mktime() with TZ=UTC, normalising


def parse_daytime(text: str) -> int:
    """time_parse_minutes(): hh:mm[:ss]."""
    fields, rest = [], text
    for stop, limit in ((":", 23), (":", 59), ("", 59)):
        value, after = number_then(rest, stop)
        if value is None or value > limit or (not fields and not after):
            raise problem(f'invalid time "{rest}" specified, should be hh:mm[:ss] format and within the '
                          "boundaries")
        fields.append(value)
        if not after:
            break
        rest = after[1:]
    hour, minute, second = fields + [0] * (3 - len(fields))
    return 3600 * hour + 60 * minute + second


def segments(text: str, size: int) -> list[str]:
    """my_strseg(): the comma-separated items, each cut to size - 1 characters."""
    return [item[:size - 1] for item in text.split(",")] if text else []


def parse_monthdays(text: str) -> int:
    mask = 0
    for day in segments(text, 3):
        value, rest = strtoul(day, 0)
        if value is None or rest or value > 31:
            raise problem(f"{day} is not a valid day for --monthdays")
        mask |= 1 << value
    return mask


def parse_weekdays(text: str) -> int:
    mask = 0
    for day in segments(text, 4):
        value, rest = strtoul(day, 0)
        if value is not None and not rest:
            if value == 0:
                raise problem("No, the week does NOT begin with Sunday.")
            mask |= 1 << value
            continue
        matched = [i for i, name in enumerate(WEEK_DAYS) if name and len(day) >= 2 and day[:2] == name[:2]]
        if not matched:
            raise problem(f"{day} is not a valid day specifier")
        for i in matched:
            mask |= 1 << i
    return mask


class Match(Extension):
    name = "time"
    options = (Opt("datestart", "datestart"), Opt("datestop", "datestop"), Opt("timestart", "timestart"),
               Opt("timestop", "timestop"), Opt("contiguous", "contiguous", arity=0),
               Opt("weekdays", "weekdays", invert=True), Opt("monthdays", "monthdays", invert=True),
               Opt("localtz", "localtz", arity=0), Opt("utc", "utc", arity=0), Opt("kerneltz", "kerneltz", arity=0))

    def read_datestart(self, given):
        return parse_date(given.value)

    read_datestop = read_datestart

    def read_timestart(self, given):
        return parse_daytime(given.value)

    read_timestop = read_timestart

    def read_weekdays(self, given):
        mask = parse_weekdays(given.value)
        return mask ^ ALL_WEEKDAYS if given.negated else mask

    def read_monthdays(self, given):
        mask = parse_monthdays(given.value)
        return mask ^ ALL_MONTHDAYS if given.negated else mask

    def read_localtz(self, given):
        self.rule.notes.append('WARNING: --localtz is being replaced by --kerneltz, since "local" is ambiguous. '
                               "Note the kernel timezone has caveats - see manpage for details.")
        return True

    def finish(self):
        self.exclusive("localtz", "utc")
        self.exclusive("utc", "kerneltz")
        start, stop = self.plain("timestart", 0), self.plain("timestop", DAY_END)
        if "contiguous" in self.given and start < stop:
            raise problem("time: --contiguous only makes sense when stoptime is smaller than starttime")
        return TimeMatch(start, stop, self.plain("monthdays", ALL_MONTHDAYS), self.plain("weekdays", ALL_WEEKDAYS),
                         self.plain("datestart", 0), self.plain("datestop", DATE_STOP),
                         "localtz" in self.given or "kerneltz" in self.given, "contiguous" in self.given)


def clock_text(seconds: int) -> str:
    return f"{seconds // 3600:02}:{seconds // 60 % 60:02}:{seconds % 60:02}"


def match_words(match: TimeMatch) -> list:
    """time_save()."""
    words: list = []
    if (match.daytime_start, match.daytime_stop) != (0, DAY_END):
        words += ["--timestart", clock_text(match.daytime_start), "--timestop", clock_text(match.daytime_stop)]
    if match.monthdays != ALL_MONTHDAYS:
        words += ["--monthdays", ",".join(str(day) for day in range(1, 32) if match.monthdays & 1 << day)]
    if match.weekdays != ALL_WEEKDAYS:
        words += ["--weekdays", ",".join(WEEK_DAYS[day] for day in range(1, 8) if match.weekdays & 1 << day)]
    for date, option in ((match.date_start, "--datestart"), (match.date_stop, "--datestop")):
        if date != 0:
            words += [option, clock.strftime("%Y-%m-%dT%H:%M:%S", clock.gmtime(date))]
    return words + ["--kerneltz"] * match.kernel_tz + ["--contiguous"] * match.contiguous


def match_nft(match: TimeMatch, rule, quotes_allowed: bool) -> list:
    """The date range and the time of day, as nft's `meta time' and `meta hour' in plain UTC seconds: nft
    reads a quoted date or hour in its own timezone, a number as it is; the kernel counts both in UTC, as
    xt_time does by default.  xt_time compares whole seconds, nft's meta time nanoseconds: `stamp <= STOP'
    is `meta time < STOP+1'.  The default stop date (2038-01-19T03:14:07, which iptables-save prints) ends
    the rule too."""
    from ..translators.iptables_nft import Untranslatable

    if match.kernel_tz:
        raise Untranslatable("time --kerneltz (xt_time counts in the kernel's timezone, unknown when translating; "
                             "nft's meta time and hour count in UTC)")
    if match.weekdays != ALL_WEEKDAYS:
        raise Untranslatable("time --weekdays (nft's meta day follows the kernel's timezone, xt_time's weekdays "
                             "count in UTC)")
    if match.monthdays != ALL_MONTHDAYS:
        raise Untranslatable("time --monthdays (nft has no day of the month)")
    statements = []
    if match.date_start:
        statements.append(nft.Match(META_TIME, match.date_start, operator=">="))
    statements.append(nft.Match(META_TIME, match.date_stop + 1, operator="<"))
    return statements + daytime_matches(match.daytime_start, match.daytime_stop)


META_TIME, META_HOUR = nft.Meta("time"), nft.Meta("hour")


def daytime_matches(start: int, stop: int) -> list:
    """xt_time: START <= t <= STOP when START < STOP; else t >= START or t <= STOP (past midnight), which is
    every time of day when no second lies between STOP and START."""
    if start < stop:
        return [] if (start, stop) == (0, DAY_END) else [nft.Match(META_HOUR, nft.Span(start, stop))]
    if start - stop <= 1:
        return []
    return [nft.Match(META_HOUR, nft.Span(stop + 1, start - 1) if start - stop > 2 else stop + 1, negated=True)]


SAVE = {TimeMatch: match_words}
NFT = {TimeMatch: match_nft}
MATCH = Match
