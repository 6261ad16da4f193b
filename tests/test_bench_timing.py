"""No benchmark times the building of its clean venv.

benchmarks/common.py's pyip_command() builds a clean venv (`python3 -m venv`
+ `pip install .`, about 6 s) on its first call.  parse_throughput.py called
it inside its timed region (`start = time.perf_counter()` then
`subprocess.run(pyip_command() + [...])`), so it reported 8.6-9.0 s for a
parse that takes 2.8 s (session 6), and iptables_restore.py's first timed run
built the venv from inside a helper.  The rule checked here, on the
benchmarks' source: neither pyip_command() nor clean_venv(), nor a function of
the benchmark that calls one, is called between `X = time.perf_counter()` and
the last `time.perf_counter() - X` of a function, or inside a lambda (the
timing helpers take the work to time as a lambda).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
BUILDERS = {"pyip_command", "clean_venv"}  # calls that may build a venv
DEFINING = {"common.py", "cleanvenv.py"}  # where the builders live


def called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        function = node.func
        if isinstance(function, ast.Name):
            return function.id
        if isinstance(function, ast.Attribute):
            return function.attr
    return None


def is_clock(node: ast.AST) -> bool:
    return called_name(node) == "perf_counter"


def clock_regions(function: ast.AST) -> list[tuple[int, int]]:
    """(first line, last line) of each `X = time.perf_counter()` ... `time.perf_counter() - X`."""
    starts = []  # (line, variable)
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and is_clock(node.value):
            starts += [(node.lineno, target.id) for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):  # cpu, start = ..., perf_counter()
            for target in node.targets:
                if isinstance(target, ast.Tuple):
                    starts += [(node.lineno, name.id) for name, value in zip(target.elts, node.value.elts)
                               if isinstance(name, ast.Name) and is_clock(value)]
    stops = [(node.lineno, node.right.id) for node in ast.walk(function)
             if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and is_clock(node.left)
             and isinstance(node.right, ast.Name)]
    regions = []
    for line, variable in starts:
        ends = [end for end, name in stops if name == variable and end >= line]
        if ends:
            regions.append((line, max(ends)))
    return regions


def building_functions(tree: ast.AST) -> set[str]:
    """The builders, and the module's functions that call one, directly or through each other."""
    calls = {node.name: {called_name(call) for call in ast.walk(node)} - {None}
             for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    building = set(BUILDERS)
    while True:
        more = {name for name, called in calls.items() if called & building} - building
        if not more:
            return building
        building |= more


def violations(source: str) -> list[str]:
    """Each call that may build a venv while a clock runs: inside a clock region of its function, or
    inside a lambda (a benchmark's timing helpers take the work to time as a lambda)."""
    tree = ast.parse(source)
    building = building_functions(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            regions = clock_regions(node)
            found += [f"line {call.lineno}: {called_name(call)}() inside a timed region of {node.name}()"
                      for call in ast.walk(node) if called_name(call) in building
                      and any(first <= call.lineno <= last for first, last in regions)]
        elif isinstance(node, ast.Lambda):
            found += [f"line {call.lineno}: {called_name(call)}() inside a lambda"
                      for call in ast.walk(node) if called_name(call) in building]
    return sorted(set(found))


@pytest.mark.parametrize("path", sorted(p for p in BENCHMARKS.glob("*.py") if p.name not in DEFINING),
                         ids=lambda p: p.name)
def test_no_benchmark_times_its_venv_build(path):
    assert violations(path.read_text()) == []


def test_the_check_sees_both_ways_it_went_wrong():
    # parse_throughput.py before session 6: the builder evaluated after the clock started
    inline = ("def main():\n"
              "    start = time.perf_counter()\n"
              "    result = subprocess.run(pyip_command() + ['parse', name])\n"
              "    seconds = time.perf_counter() - start\n")
    # iptables_restore.py before session 6: the builder in a helper a timed lambda calls
    helper = ("def compile_and_load(path):\n"
              "    subprocess.run(pyip_command() + ['translate', path])\n"
              "def main():\n"
              "    seconds = timed(lambda: compile_and_load(name))\n")
    built_first = ("def main():\n"
                   "    pyip = pyip_command()\n"
                   "    start = time.perf_counter()\n"
                   "    subprocess.run(pyip + ['parse', name])\n"
                   "    seconds = time.perf_counter() - start\n"
                   "    with clean_venv() as venv:\n"
                   "        timed(pyip_command() + ['x'])\n"
                   "        seconds(name)\n"
                   "def seconds(path):\n"  # user_chains.py: the helper builds, then starts its clock
                   "    command = pyip_command() + [path]\n"
                   "    start = time.perf_counter()\n"
                   "    subprocess.run(command)\n"
                   "    return time.perf_counter() - start\n")
    assert violations(inline) == ["line 3: pyip_command() inside a timed region of main()"]
    assert violations(helper) == ["line 4: compile_and_load() inside a lambda"]
    assert violations(built_first) == []
