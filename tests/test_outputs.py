"""What pyip prints for a program or a person to trust: parse --json carries the errors in the
stream; bytes that are not UTF-8 print one way (their escapes) in every command and format."""

from __future__ import annotations

import json
import subprocess
import sys


def pyip(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyip", *args], input=stdin, capture_output=True, timeout=120)


def test_parse_json_puts_errors_and_warnings_in_the_stream_in_order(tmp_path):
    script = tmp_path / "s.sh"
    script.write_text("ip route add 10.0.0.0/8 metric x\nip link set eth0 up\nip r a 0/0 via 1.2.3.4\n"
                      "ip rule add fwmark zz table 5\n")
    result = pyip("parse", "--json", str(script))
    assert result.returncode == 1
    objects = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [next(iter(data)) for data in objects] == ["error", "warning", "line", "error"]
    errors = [line for line in result.stderr.decode().splitlines() if ": error: " in line]
    for data, said in zip([objects[0], objects[3]], errors):
        # the same place and message as the stderr line
        assert said == f"{data['file']}:{data['line']}:{data['col']}: error: {data['error']}"
    assert objects[0]["source"] == "ip route add 10.0.0.0/8 metric x"
    assert objects[2]["canonical"] == "ip route add default via 1.2.3.4"


def test_bytes_that_are_not_utf8_print_as_their_escapes_everywhere(tmp_path):
    script = tmp_path / "b.sh"
    script.write_bytes(b"ip route add 10.0.0.0/8 metric \xff\niptables -A INPUT -j FOO\xfe\n")
    outputs = {
        "parse": pyip("parse", str(script)).stderr,
        "parse --json": pyip("parse", "--json", str(script)).stdout,
        "lint": pyip("lint", str(script)).stdout,
        "lint --format json": pyip("lint", "--format", "json", str(script)).stdout,
        "translate": pyip("translate", "--to", "nft", str(script)).stderr,
    }
    for name, output in outputs.items():
        text = output.decode("utf-8")  # valid UTF-8: no raw byte, no lone surrogate
        assert "\ufffd" not in text and "\\udc" not in text, (name, text)
    for name in ("parse", "lint", "parse --json", "lint --format json"):
        shown = outputs[name].decode()
        shown = json.loads(shown.splitlines()[0])["error"] if name == "parse --json" else shown
        if name == "lint --format json":
            found = json.loads(shown)
            shown = (found["findings"] if isinstance(found, dict) else found)[0]["message"]
        assert 'argument "\\xff" is wrong' in shown, (name, shown)
    assert "FOO\\xfe" in outputs["translate"].decode()


def test_canonical_lines_expand_as_the_script_did_in_bash():
    """A word with an expansion prints so that bash reads it as the script did: `eth${N}` in double
    quotes (single quotes would make it text), `"$IF"x` as `${IF}x` (not the variable IFx).
    The oracle is bash itself: both lines run with `ip` and `iptables` as functions printing their argv."""
    lines = ['ip route add 10.0.0.0/8 dev eth${N}', 'ip route add 10.0.0.0/8 dev ppp$N',
             'ip route add 10.0.0.0/8 dev "eth $N"', 'ip route add 10.0.0.0/8 dev "$IF"x',
             'ip route add 10.0.0.0/8 dev "$IF"_2', 'ip route add 10.0.0.0/8 dev $IF', 'ip rule add from $NET lookup $T',
             'ip route add 10.0.0.0/8 dev "a\\"b$N"', 'ip route add 10.0.0.0/8 dev "x$(echo y)"',
             'iptables -A INPUT -i "$IF"x -j ACCEPT', 'iptables -A INPUT -s "$NET 1" -j ACCEPT']
    parsed = pyip("parse", "-", stdin="\n".join(lines).encode() + b"\n")
    assert parsed.returncode == 0, parsed.stderr
    canonical = parsed.stdout.decode().splitlines()
    assert len(canonical) == len(lines)
    env = {"PATH": "/usr/bin:/bin", "N": "3", "IF": "if0", "IFx": "WRONG", "IF_2": "WRONG", "NET": "10.1.0.0/16",
           "T": "5"}
    shims = 'ip() { printf "<%s>" "$@"; echo; }; iptables() { ip "$@"; }; '
    for line, said in zip(lines, canonical):
        argv = [subprocess.run(["bash", "-c", shims + text], capture_output=True, text=True, env=env).stdout
                for text in (line, said)]
        assert argv[0] == argv[1] and "WRONG" not in argv[1], (line, said, argv)


def test_a_binary_file_is_said_to_be_one_once(tmp_path):
    binary = tmp_path / "prog"
    binary.write_bytes(open(sys.executable, "rb").read(20000))
    for args, stream in ((["parse"], "stderr"), (["parse", "--json"], "stderr"), (["lint"], "stdout"),
                         (["translate", "--to", "nft"], "stderr"), (["translate", "--to", "iptables"], "stderr")):
        result = pyip(*args, str(binary))
        said = [line for line in getattr(result, stream).decode().splitlines() if " error" in line
                and line.startswith(str(binary))]  # lint's context lines and summary aside
        assert result.returncode == 1, args
        assert said == [said[0]] and "not a text file" in said[0] and said[0].startswith(f"{binary}:1:1: "), \
            (args, said[:5])


def test_an_error_inside_a_loop_is_said_once_per_place(tmp_path):
    script = tmp_path / "loop.sh"
    script.write_text("for isp in 1 2 3 4 5 6 7 8; do\n  ip route add 10.$isp.0.0/16 via $GW metric x\ndone\n"
                      "for n in 1 2 3; do ip route add 10.0.0.0/8 via $GW; done\n")
    for args in (["parse", "-D", "GW=notanip"], ["parse", "--json", "-D", "GW=notanip"]):
        result = pyip(*args, str(script))
        errors = [line for line in result.stderr.decode().splitlines() if ": error: " in line]
        assert len(errors) == 2 and len(set(errors)) == 2, errors
        assert errors[0].startswith(f"{script}:2:") and errors[1].startswith(f"{script}:4:")
    streamed = [json.loads(line) for line in pyip("parse", "--json", "-D", "GW=notanip", str(script)).stdout.splitlines()]
    assert [data["line"] for data in streamed if "error" in data] == [2, 4]


def test_canonical_lines_say_bytes_that_are_not_utf8_as_escapes_bash_reads_back():
    """`dev eth<0xff>` prints as `dev $'eth\\xff'`: plain text, and bash (the oracle) gives ip the same
    bytes from it as from the script's line."""
    lines = [b"ip route add 10.0.0.0/8 dev eth\xff", b"iptables -A INPUT -i eth\xfe -j ACCEPT",
             b"ip route add 10.0.0.0/8 dev \"a'b\xff\\\\c\""]
    parsed = pyip("parse", "-", stdin=b"\n".join(lines) + b"\n")
    assert parsed.returncode == 0, parsed.stderr
    canonical = parsed.stdout.decode("ascii").splitlines()  # plain text
    assert canonical[0] == "ip route add 10.0.0.0/8 dev $'eth\\xff'"
    shims = b'ip() { printf "<%s>" "$@"; echo; }; iptables() { ip "$@"; }; '
    for line, said in zip(lines, canonical):
        argv = [subprocess.run(["bash", "-c", shims + text], capture_output=True).stdout
                for text in (line, said.encode())]
        assert argv[0] == argv[1], (line, said, argv)
