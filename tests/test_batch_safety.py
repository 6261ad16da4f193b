"""-batch never shows the kernel a change ip would not make (issue 14, items 3-5).

Without -force ip sends a line, waits for its answer, and stops at the first
refusal: no change after it ever reaches the kernel.  pyip once sent a window
of routes after a failing line and took them back, so a concurrent batch
adding the same routes failed on them and they were then deleted (0 routes
left where ip leaves all).  Judged three ways: a netlink monitor (`ip monitor
route`, the kernel's own report of every change) watching a failing batch;
two concurrent batches into one namespace, many runs, against ip's outcome;
and an error or Ctrl-C inside a batch, after which the kernel holds exactly
the lines before it, as ip leaves it.  Also ip 6.1's 511-word limit a line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from pyip.netlink import batch as batch_module

from .differential import kernel_state, pyip, real_ip, twins
from .netns import namespace

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for network namespaces")

SETUP = "address add 192.168.1.1/24 dev v0\n"
ROUTES = [f"route add 10.40.{i}.0/24 via 192.168.1.254" for i in range(255)]
FAILING = "route add 192.168.1.0/24 dev v0"  # the kernel made it with the address: EEXIST
RUNS = int(os.environ.get("PYIP_CONCURRENCY_RUNS", "30"))


def write(path, lines: list[str]):
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def pyip_batch(ns: str, path: str, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pyip", "-n", ns, *options, "-batch", path],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_failing_batch_shows_the_kernel_no_change_after_the_failure(tmp_path):
    """ip monitor prints every route the kernel adds or deletes: none may be 10.40.x."""
    path = write(tmp_path / "failing.batch", [FAILING, *ROUTES[:50]])
    with namespace("pyipmon", veths=("v0",)) as ns:
        subprocess.run(["ip", "-n", ns, "address", "add", "192.168.1.1/24", "dev", "v0"], check=True)
        monitor = subprocess.Popen(["ip", "-n", ns, "monitor", "route"], stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(0.3)  # the monitor's socket is bound before the batch starts
            result = pyip_batch(ns, path)
            _, err = result.communicate(timeout=60)
            time.sleep(0.3)
        finally:
            monitor.terminate()
        seen = monitor.communicate(timeout=10)[0]
        assert result.returncode == 1 and "Command failed %s:1" % path in err
        assert "10.40." not in seen, seen


def test_two_concurrent_batches_leave_what_ip_leaves(tmp_path):
    """Batch A (a failing line, then 255 routes) and batch B (the 255 routes) at once: ip's A
    stops at its line 1, so B adds all 255, in every run; so must pyip's."""
    first = write(tmp_path / "a.batch", [FAILING, *ROUTES])
    second = write(tmp_path / "b.batch", ROUTES)
    with namespace("pyipconc", veths=("v0",)) as ns:
        subprocess.run(["ip", "-n", ns, "address", "add", "192.168.1.1/24", "dev", "v0"], check=True)
        outcomes = []
        for _ in range(RUNS):
            subprocess.run(["ip", "-n", ns, "route", "flush", "root", "10.40.0.0/16"], check=True)
            a, b = pyip_batch(ns, first), pyip_batch(ns, second)
            a.communicate(timeout=120)
            _, b_err = b.communicate(timeout=120)
            listed = subprocess.run(["ip", "-n", ns, "route", "show", "root", "10.40.0.0/16"],
                                    capture_output=True, text=True, check=True).stdout
            outcomes.append((a.returncode, b.returncode, listed.count("\n"), b_err))
        wrong = [outcome for outcome in outcomes if outcome[:3] != (1, 0, 255)]
        assert not wrong, "%d of %d runs: %r" % (len(wrong), RUNS, wrong[:3])


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_an_error_inside_pyip_mid_batch_keeps_the_lines_before_it(tmp_path, monkeypatch, options):
    """Fault injection: line 40 raises inside pyip.  The 38 routes before it (line 1 is the
    address) are in the kernel, as after ip run on those lines, whether they waited in a
    window (-force) or not; nothing after it is."""
    lines = [SETUP.strip(), *ROUTES[:60]]
    path, before = write(tmp_path / "all.batch", lines), write(tmp_path / "before.batch", lines[:39])
    original = batch_module.Batch.line

    def line(self, number, text):
        if number == 40:
            raise RuntimeError("injected fault")
        return original(self, number, text)

    with twins("pyipcrash") as (real, mine):
        assert real_ip(real, [*options, "-batch", before])[0] == 0
        monkeypatch.setattr(batch_module.Batch, "line", line)
        with pytest.raises(RuntimeError):
            pyip(mine, [*options, "-batch", path])
        assert kernel_state(mine) == kernel_state(real)


def routes_listed(ns: str, root: str) -> int:
    """How many routes under ROOT the namespace's main table holds now (the real ip lists them)."""
    listed = subprocess.run(["ip", "-n", ns, "route", "show", "root", root], capture_output=True, text=True,
                            check=True).stdout
    return listed.count("\n")


def wait_until(condition, timeout: float = 60.0) -> bool:
    """Poll CONDITION every 20 ms until it holds or TIMEOUT seconds pass: waits on what the test needs,
    not on a guess of how fast a loaded machine starts pyip."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_ctrl_c_mid_batch_dies_quietly_as_ip_with_the_lines_before_it(tmp_path, options):
    """SIGINT during a long batch: ended by the signal (a shell says 130) as ip is, no
    traceback, and the routes in the kernel are exactly the file's first N, for some N."""
    count = 200000  # more than any machine adds in the second before the signal
    lines = [f"route add 10.{50 + i // 65536}.{i // 256 % 256}.{i % 256} via 192.168.1.254" for i in range(count)]
    path = write(tmp_path / "long.batch", [SETUP.strip(), *lines])
    with namespace("pyipint", veths=("v0",)) as ns:
        process = pyip_batch(ns, path, *options)
        # Mid-batch means after a route is in (pyip's start-up takes long on a loaded machine).
        assert wait_until(lambda: routes_listed(ns, "10.50.0.0/16") > 0), "no route added within 60 s"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert process.returncode == -signal.SIGINT, (process.returncode, err[-500:])
        assert err == "" and out == ""
        listed = subprocess.run(["ip", "-n", ns, "route", "show", "proto", "boot"], capture_output=True,
                                text=True, check=True).stdout.split("\n")
        present = {line.split()[0] for line in listed if line.startswith("10.")}
        first = {line.split()[2] for line in lines[:len(present)]}
        assert 0 < len(present) < count and present == first


@pytest.mark.parametrize("words", [510, 511, 512, 600])
def test_a_batch_line_takes_as_many_words_as_ip_6_1(tmp_path, words):
    """do_batch()'s makeargs(line, largv, MAX_ARGS=512): 511 words at most, then
    `Too many arguments to command`, exit 1 (the line was a route add with a repeated
    `onlink`, which ip takes any number of times)."""
    line = "route add 10.60.0.0/16 via 192.168.1.254 dev v0" + " onlink" * (words - 7)
    path = write(tmp_path / "long.batch", [SETUP.strip(), line])
    with twins("pyipargs") as (real, mine):
        ours, theirs = real_ip(real, ["-batch", path]), pyip(mine, ["-batch", path])
        assert theirs == ours
        assert kernel_state(mine) == kernel_state(real)
        assert (ours[0] == 0) == (words <= 511)


@pytest.mark.parametrize("options", [[], ["-force"]], ids=["stop", "force"])
def test_batch_from_a_pipe_runs_each_line_as_it_comes_and_ctrl_c_keeps_them(options):
    """`producer | ip -batch -`: ip runs each line as it reads it, so what came before a pause
    is in the kernel during the pause, and Ctrl-C then keeps it.  So must pyip (with -force
    the window goes out when the pipe has nothing more for now)."""
    lines = [SETUP.strip(), *ROUTES[:3]]
    with twins("pyippipe") as (real, mine):
        tools = {real: ["ip", "-n", real], mine: [sys.executable, "-m", "pyip", "-n", mine]}
        running = {ns: subprocess.Popen([*tool, *options, "-batch", "-"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for ns, tool in tools.items()}
        try:
            for process in running.values():
                process.stdin.write("".join(line + "\n" for line in lines).encode())
                process.stdin.flush()
            for ns in running:  # pyip's start-up, then the lines: each is in the kernel while the pipe waits
                assert wait_until(lambda: routes_listed(ns, "10.40.0.0/16") == 3), (ns, routes_listed(ns, "10.40.0.0/16"))
            time.sleep(0.5)  # and stays there alone: nothing more is added while the pipe is idle
            for ns in running:
                assert routes_listed(ns, "10.40.0.0/16") == 3, ns
            for process in running.values():
                process.send_signal(signal.SIGINT)
                process.communicate(timeout=30)
        finally:
            for process in running.values():
                if process.poll() is None:
                    process.kill()
        assert [process.returncode for process in running.values()] == [-signal.SIGINT] * 2
        assert kernel_state(mine) == kernel_state(real)
