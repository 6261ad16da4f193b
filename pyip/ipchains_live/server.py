"""A resident ipchains for `pyip shims --resident`: one Python per network namespace, fed by a bash shim.

A boot script calls ipchains dozens of times, and a Python start with
pyip's imports costs far more than iptables' whole call.  The resident
shim (`shim_script`) is bash alone: it finds the server of its own network
namespace (`[ /proc/$$/ns/net -ef DIR/netns ]`, a symlink to the server's),
makes a reply FIFO, writes its arguments, length-prefixed, into the
server's request FIFO in one write, and copies the reply (exit status,
stdout, stderr) back.  Without a server it starts one in the background
and runs the command itself.  The server runs each request as
`pyip ipchains` would (pyip.ipchains_live.command.main), one at a time; the
kernel's table stays the only state, so a server, a plain shim and nft may
change it side by side (the generation lock sees to that).  It leaves after
IDLE seconds without a request, removing its FIFO first and serving what
was already written.
"""

from __future__ import annotations

import io
import os
import select
import zlib

IDLE = 10.0
BASE = "/run/pyip-ipchains"


def base_directory(python: str) -> str:
    """Servers of one Python (one pyip install) only serve that install's shims."""
    return f"{BASE}/{zlib.crc32(python.encode()):08x}"


def parse_requests(buffer: bytes) -> tuple[list, bytes]:
    """Complete requests `LEN:REPLY ARGC: (LEN:ARG)*` in the buffer, and what is left of an incomplete one."""
    requests = []
    while True:
        parsed = parse_one(buffer)
        if parsed is None:
            return requests, buffer
        request, buffer = parsed
        requests.append(request)


def parse_one(buffer: bytes):
    """One request, or None if the buffer does not hold all of it yet."""
    reply, position = field(buffer, 0)
    colon = buffer.find(b":", position)
    if reply is None or colon < 0:
        return None
    count, position = int(buffer[position:colon]), colon + 1
    argv = []
    for _ in range(count):
        argument, position = field(buffer, position)
        if argument is None:
            return None
        argv.append(argument)
    return (reply, argv), buffer[position:]


def field(buffer: bytes, position: int) -> tuple:
    """`LEN:BYTES` at position: the text and the position after it, or None."""
    colon = buffer.find(b":", position)
    if colon < 0:
        return None, position
    end = colon + 1 + int(buffer[position:colon])
    if end > len(buffer):
        return None, position
    return buffer[colon + 1:end].decode("utf-8", "surrogateescape"), end


def answer(reply: str, argv: list[str]) -> None:
    from .command import main

    out, err = io.StringIO(), io.StringIO()
    try:
        status = main(argv, out=out, err=err)
    except Exception as error:  # never a traceback to the script: say what failed
        status = 1
        err.write(f"ipchains: pyip failed: {type(error).__name__}: {error}\n")
    out_bytes = out.getvalue().encode("utf-8", "surrogateescape")
    err_bytes = err.getvalue().encode("utf-8", "surrogateescape")
    message = f"{status} {len(out_bytes)} {len(err_bytes)}\n".encode() + out_bytes + err_bytes
    try:
        fd = os.open(reply, os.O_WRONLY | os.O_NONBLOCK)  # the shim holds it open: this does not block
    except OSError:
        return  # the shim gave up waiting
    try:
        os.set_blocking(fd, True)
        os.write(fd, message)
    except OSError:
        pass
    finally:
        os.close(fd)
        try:
            os.unlink(reply)
        except OSError:
            pass


def serve(python: str, idle: float = IDLE) -> None:
    from . import command  # noqa: F401  (imported before the first request, not during it)

    base = base_directory(python)
    os.makedirs(base, mode=0o700, exist_ok=True)
    directory = f"{base}/{os.getpid()}"
    os.mkdir(directory, 0o700)
    fifo = f"{directory}/in"
    os.mkfifo(fifo, 0o600)
    fd = os.open(fifo, os.O_RDWR)  # never an end of file while shims come and go
    os.symlink(f"/proc/{os.getpid()}/ns/net", f"{directory}/netns")
    buffer = b""
    try:
        while select.select([fd], [], [], idle)[0]:
            buffer = handle(buffer + os.read(fd, 65536))
    finally:
        os.unlink(f"{directory}/netns")
        os.unlink(fifo)  # no new shim finds it; serve what was written before
        os.set_blocking(fd, False)
        try:
            while True:
                buffer = handle(buffer + os.read(fd, 65536))
        except (BlockingIOError, OSError):
            pass
        os.close(fd)
        os.rmdir(directory)


def handle(buffer: bytes) -> bytes:
    requests, rest = parse_requests(buffer)
    for reply, argv in requests:
        answer(reply, argv)
    return rest


def shim_script(python: str, program: str = "ipchains") -> str:
    """The bash shim: the resident server of this namespace if there is one, else this command run here
    (and a server started for the next ones)."""
    direct = (f"exec {python} -c 'import sys; from pyip.cli.ipchains import run_as; "
              f"sys.exit(run_as(\"{program}\", sys.argv[1:]))' \"$@\"")
    start = (f"({python} -c 'from pyip.ipchains_live.server import serve; serve(\"{python}\")' "
             "</dev/null >/dev/null 2>&1 &)")
    return f"""#!/bin/bash
# {program} for legacy scripts, written by `pyip shims --resident`: a resident pyip runs it on this kernel.
export LC_ALL=C
base={base_directory(python)}
found=
for d in "$base"/*/; do
    [ -p "${{d}}in" ] && [ /proc/$$/ns/net -ef "${{d}}netns" ] || continue
    found=1
    r="${{d}}r.$$.$RANDOM"
    mkfifo -m 600 "$r" 2>/dev/null && exec 4<>"$r" || break
    m="${{#r}}:$r$#:"
    for a in "$@"; do m+="${{#a}}:$a"; done
    exec 3<>"${{d}}in" && printf '%s' "$m" >&3 && exec 3>&-
    if read -r -t 60 rc n e <&4; then
        [ "$n" -gt 0 ] && IFS= read -r -N "$n" o <&4 && printf '%s' "$o"
        [ "$e" -gt 0 ] && IFS= read -r -N "$e" x <&4 && printf '%s' "$x" >&2
        exit "$rc"
    fi
    rm -f "$r"
    break
done
[ -n "$found" ] || {start}
{direct}
"""
