"""nftables' own library, libnftables, in this process: one netlink round trip per call, no `nft` process.

The Python binding nftables ships (python3-nftables) is a thin ctypes
wrapper that distributions install for the system Python only, not into a
virtualenv or for pip installs; these few calls are the same ones it makes.
Without the library, the `nft` program does the same work in a child process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import subprocess
from functools import lru_cache

NFT_CTX_OUTPUT_HANDLE = 1 << 3
NFT_CTX_OUTPUT_JSON = 1 << 4


class NftError(Exception):
    """nft refused a command; `text` is what it said."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


@lru_cache(maxsize=None)
def _library():
    name = ctypes.util.find_library("nftables") or "libnftables.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.nft_ctx_new.restype = ctypes.c_void_p
    lib.nft_ctx_new.argtypes = [ctypes.c_uint]
    lib.nft_ctx_output_set_flags.argtypes = [ctypes.c_void_p, ctypes.c_uint]
    lib.nft_ctx_buffer_output.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
    lib.nft_ctx_get_output_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
    lib.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return lib


class Nft:
    """Run nft commands; `json_output` for listings read back as JSON."""

    contexts: dict = {}  # one libnftables context per output flags, for the life of the process

    def __init__(self):
        self.lib = _library()

    def context(self, flags: int):
        if flags not in self.contexts:
            ctx = self.lib.nft_ctx_new(0)
            self.lib.nft_ctx_output_set_flags(ctx, flags)
            self.lib.nft_ctx_buffer_output(ctx)
            self.lib.nft_ctx_buffer_error(ctx)
            self.contexts[flags] = ctx
        return self.contexts[flags]

    def run(self, text: str, json_output: bool = False) -> str:
        """nft's output; NftError with its message if it refused (then nothing of `text` was applied)."""
        flags = NFT_CTX_OUTPUT_HANDLE | (NFT_CTX_OUTPUT_JSON if json_output else 0)
        if self.lib is None:
            return self.run_program(text, json_output)
        ctx = self.context(flags)
        status = self.lib.nft_run_cmd_from_buffer(ctx, text.encode())
        output = (self.lib.nft_ctx_get_output_buffer(ctx) or b"").decode(errors="replace")
        errors = (self.lib.nft_ctx_get_error_buffer(ctx) or b"").decode(errors="replace")
        if status != 0:
            raise NftError(errors.strip() or f"nft failed ({status})")
        return output

    @staticmethod
    def run_program(text: str, json_output: bool) -> str:
        command = ["nft", "-a"] + (["-j"] if json_output else []) + ["-f", "-"]
        done = subprocess.run(command, input=text, capture_output=True, text=True)
        if done.returncode != 0:
            raise NftError(done.stderr.strip())
        return done.stdout

    def json(self, text: str) -> list:
        """The `nftables` list of a JSON listing."""
        output = self.run(text, json_output=True)
        return json.loads(output)["nftables"] if output.strip() else []
