"""`pyip lint --format sarif` is valid SARIF 2.1.0 by the official OASIS schema (tests/data/sarif/, with
its provenance), and `--format json` is valid by pyip's own schema (docs/pyip-lint-json.schema.json,
which pyip-lint(1) names).  Validated with jsonschema, every format checked."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from .conftest import REPO

SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text())
JSON_SCHEMA = json.loads((REPO / "docs" / "pyip-lint-json.schema.json").read_text())

# Findings of every kind: errors, warnings, a fix, a file name a URI must escape, a second file.
SCRIPTS = {
    "fw one.sh": "iptables \u2013A INPUT -j ACCEPT\nip route add 10.0.0.0/8 via $GW1 table 5\nGW=1\n",
    "rules#2.sh": "ipchains -A input -p tcp -d 0/0 80 -m 16\nip rule add fwmark 10 table 1\n"
                  "iptables -t mangle -A PREROUTING -j MARK --set-mark 2\nip rule add fwmark 3 table 1\n",
    "clean.sh": "ip route add 10.0.0.0/8 dev lo\n",
}


@pytest.fixture(scope="module")
def scripts(tmp_path_factory):
    directory = tmp_path_factory.mktemp("schemas")
    for name, text in SCRIPTS.items():
        (directory / name).write_text(text)
    return directory


def lint_output(directory, *args) -> dict:
    result = subprocess.run([sys.executable, "-m", "pyip", "lint", *args, *sorted(SCRIPTS)], capture_output=True,
                            text=True, timeout=120, cwd=directory)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def validate(schema, document, validator) -> None:
    validator.check_schema(schema)
    errors = sorted(validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_sarif_output_is_valid_by_the_official_schema(scripts):
    log = lint_output(scripts, "--format", "sarif", "--dialect", "legacy")
    assert log["$schema"] == SARIF_SCHEMA["id"]  # the schema it names is the one it is checked with
    results = log["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error", "warning"} and any("fixes" in r for r in results)
    validate(SARIF_SCHEMA, log, jsonschema.Draft4Validator)


def test_sarif_names_files_as_uri_references(scripts):
    log = lint_output(scripts, "--format", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"fw%20one.sh", "rules%232.sh"}


def test_json_output_is_valid_by_pyips_own_schema(scripts):
    document = lint_output(scripts, "--format", "json", "--dialect", "legacy")
    assert {f["severity"] for f in document["findings"]} == {"error", "warning"}
    assert any(f["fix"] for f in document["findings"])
    validate(JSON_SCHEMA, document, jsonschema.Draft202012Validator)


def test_the_schemas_refuse_what_they_must():
    """The validation can fail: a key pyip does not print, a level SARIF does not know."""
    with pytest.raises(AssertionError):
        validate(JSON_SCHEMA, {"version": 1, "tool": {"name": "pyip", "version": "0"}, "summary":
                               {"errors": 0, "warnings": 0, "fixable": 0}, "findings": [], "extra": 1},
                 jsonschema.Draft202012Validator)
    with pytest.raises(AssertionError):
        validate(SARIF_SCHEMA, {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "pyip"}},
                                                              "results": [{"message": {"text": "m"},
                                                                           "level": "fatal"}]}]},
                 jsonschema.Draft4Validator)


def test_the_man_page_names_the_json_schema():
    page = (REPO / "man" / "pyip-lint.1").read_text()
    assert "pyip\\-lint\\-json.schema.json" in page
