"""Download the judged scripts, at the commits judged, into a directory:
`python tests/data/realscripts/fetch.py DIR`, then `PYIP_REALSCRIPTS=DIR pytest tests/test_lint_realscripts.py`.
With `--heldout`, the held-out set of issue 10 (heldout.tsv) instead: then
`python -m tests.realscripts_heldout DIR` measures it.
(Their code is their authors'; it is not kept in this repository.)"""

from __future__ import annotations

import csv
import sys
import urllib.request
from urllib.parse import quote
from pathlib import Path

HERE = Path(__file__).parent


def scripts() -> list[tuple[str, str, str]]:
    """(repository, path, commit) of every judged script."""
    with open(HERE / "judgements.tsv", newline="") as handle:
        named = {row["script"] for row in csv.DictReader(handle, delimiter="\t")}
    out = []
    for name in sorted(named):
        repository, rest = name.split(":", 1)
        path, commit = rest.rsplit("@", 1)
        out.append((repository, path, commit))
    return out


def heldout_scripts() -> list[tuple[str, str, str]]:
    """(repository, path, commit) of every script of the held-out set."""
    with open(HERE / "heldout.tsv", newline="") as handle:
        return [(row["repository"], row["path"], row["commit"]) for row in csv.DictReader(handle, delimiter="\t")]


def local_name(repository: str, path: str) -> str:
    return f"{repository}/{path}".replace("/", "__")


def main(directory: str, heldout: bool = False) -> None:
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for repository, path, commit in heldout_scripts() if heldout else scripts():
        url = f"https://raw.githubusercontent.com/{repository}/{commit}/{quote(path)}"  # paths may not be ASCII
        with urllib.request.urlopen(url, timeout=30) as response:
            (target / local_name(repository, path)).write_bytes(response.read())
        print(f"{repository}:{path}@{commit}")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--heldout"]
    main(arguments[0], heldout="--heldout" in sys.argv[1:])
