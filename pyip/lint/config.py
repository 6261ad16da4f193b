"""Which findings `pyip lint` reports: rule codes or names, the project's configuration file,
and `# pyip: disable=...` comments in the scripts.

Configuration (ruff's shape), found from the current directory upwards: `.pyip.toml` with a
`[lint]` table, or `pyproject.toml` with `[tool.pyip.lint]`:

    [tool.pyip.lint]
    select = ["PI0"]                          # codes, code prefixes or names
    ignore = ["fwmark-base"]
    severity = { PI010 = "error", PI016 = "off" }
    per-file-ignores = { "legacy/*.sh" = ["PI006", "PI007"] }
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from .. import records

from .model import ERROR, WARNING

CONFIG_FILES = ((".pyip.toml", ("lint",)), ("pyproject.toml", ("tool", "pyip", "lint")))
KEYS = {"select", "ignore", "severity", "per-file-ignores"}
SEVERITIES = (ERROR, WARNING, "off")


class ConfigError(ValueError):
    """A configuration the user must correct: `FILE: message`."""


def rules():
    from . import rules as _registered  # noqa: F401  (registers the rules)
    from .model import RULES

    return RULES


def codes_of(words, where: str = "") -> frozenset[str]:
    """Rule codes from codes (PI006, pi006), code prefixes (PI0, PI) or names (fwmark-base)."""
    catalog = rules()
    by_name = {rule.name: code for code, rule in catalog.items()}
    codes = set()
    for word in words:
        if not isinstance(word, str):
            raise ConfigError(f"{where}a rule is named by a string, not {word!r}")
        word = word.strip()
        if not word:
            continue
        if word in by_name:
            codes.add(by_name[word])
            continue
        matching = {code for code in catalog if code.startswith(word.upper())} if word[:2].upper() == "PI" else set()
        if not matching:
            raise ConfigError(f"{where}unknown rule {word!r}: give a code (PI006) or a name (fwmark-base)")
        codes |= matching
    return frozenset(codes)


def split_codes(text: str | None, where: str = "") -> frozenset[str] | None:
    """`PI006,unset-variable` from the command line, or None when not given."""
    return None if text is None else codes_of(text.split(","), where)


class Settings(metaclass=records.frozen):
    select: frozenset | None = None  # None: every rule
    ignore: frozenset = frozenset()
    severity: dict = records.field(factory=dict)  # code -> error, warning or off
    per_file_ignores: tuple = ()  # (glob pattern, codes)
    path: Path | None = None  # the file they came from
    root: Path | None = None  # where per-file patterns start

    def codes_for(self, file: str) -> frozenset[str] | None:
        """The codes to check in a file (None: all), after select, ignore and per-file ignores."""
        ignored = set(self.ignore)
        for pattern, codes in self.per_file_ignores:
            if matches(pattern, file, self.root):
                ignored |= codes
        ignored |= {code for code, severity in self.severity.items() if severity == "off"}
        if self.select is None and not ignored:
            return None
        chosen = set(rules()) if self.select is None else set(self.select)
        return frozenset(chosen - ignored)

    def rated(self, finding):
        """The finding with the severity the configuration gives its rule."""
        severity = self.severity.get(finding.code)
        return finding if severity in (None, finding.severity) else records.evolve(finding, severity=severity)


def matches(pattern: str, file: str, root: Path | None) -> bool:
    """Does a per-file-ignores pattern (a glob, from the configuration's directory) name the file?"""
    path = Path(file)
    candidates = [file, path.name]
    if root is not None:
        try:
            candidates.append(str(path.resolve().relative_to(root.resolve())))
        except ValueError:
            pass
    return any(fnmatch.fnmatch(candidate, pattern) for candidate in candidates)


def find(start: Path) -> Path | None:
    """The nearest configuration file from `start` upwards: .pyip.toml, or a pyproject.toml that
    has a [tool.pyip.lint] table."""
    for directory in (start, *start.parents):
        for name, table in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or lint_table(candidate, table) is not None):
                return candidate
    return None


def lint_table(path: Path, table: tuple[str, ...]) -> dict | None:
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror}") from None
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def load(path: Path) -> Settings:
    table = dict(CONFIG_FILES)[path.name] if path.name in dict(CONFIG_FILES) else ("lint",)
    data = lint_table(path, table)
    if data is None:
        return Settings(path=path, root=path.parent)
    where = f"{path}: "
    unknown = set(data) - KEYS
    if unknown:
        raise ConfigError(f"{where}unknown setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KEYS))}")
    select = data.get("select")
    severity = {}
    for word, level in checked(data.get("severity", {}), dict, "severity", where).items():
        if level not in SEVERITIES:
            raise ConfigError(f"{where}severity of {word}: {level!r} is not one of {', '.join(SEVERITIES)}")
        severity.update(dict.fromkeys(codes_of([word], where), level))
    per_file = tuple((pattern, codes_of(checked(codes, list, f"per-file-ignores {pattern!r}", where), where))
                     for pattern, codes in checked(data.get("per-file-ignores", {}), dict, "per-file-ignores",
                                                   where).items())
    return Settings(select=None if select is None else codes_of(checked(select, list, "select", where), where),
                    ignore=codes_of(checked(data.get("ignore", []), list, "ignore", where), where),
                    severity=severity, per_file_ignores=per_file, path=path, root=path.parent)


def checked(value, kind: type, key: str, where: str):
    if not isinstance(value, kind):
        raise ConfigError(f"{where}{key} must be a {'list' if kind is list else 'table'}")
    return value


# -------------------------------------------------------------------- comments in the scripts

_DIRECTIVE = re.compile(r"(?:^|\s)#\s*pyip:\s*(disable|disable-file)\s*=\s*([A-Za-z0-9_,\s-]+)")


def suppressed(findings: list, text: str) -> list:
    """The findings no `# pyip: disable=CODES` comment turns off.

    `# pyip: disable=PI015,unset-variable` at the end of a line turns the rules off for that line
    (and the lines a trailing backslash continues); on a line of its own, for the line after it.
    `# pyip: disable-file=PI006` anywhere turns them off for the whole file.
    """
    if "pyip:" not in text:
        return findings
    lines = text.split("\n")
    whole_file: set[str] = set()
    by_line: dict[int, set[str]] = {}
    for number, line in enumerate(lines, 1):
        for kind, words in _DIRECTIVE.findall(line):
            try:
                codes = codes_of(words.replace(" ", ",").split(","))
            except ConfigError:
                continue  # a comment naming no rule of ours turns nothing off
            if kind == "disable-file":
                whole_file |= codes
                continue
            for target in command_lines(lines, number + 1 if line.lstrip().startswith("#") else number):
                by_line.setdefault(target, set()).update(codes)
    return [finding for finding in findings
            if finding.code not in whole_file and finding.code not in by_line.get(finding.line, ())]


def command_lines(lines: list[str], number: int) -> range:
    """The lines of the command that stands on line `number`: backslash continuations both ways."""
    first = last = number
    while first > 1 and lines[first - 2].rstrip().endswith("\\"):
        first -= 1
    while last < len(lines) and lines[last - 1].rstrip().endswith("\\"):
        last += 1
    return range(first, last + 1)
