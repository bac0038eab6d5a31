"""The datatrail command line on metadata schemas: schema add, list, show and check, and validate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cli_helpers import Cli, cli  # noqa: F401 - cli is a fixture
from conftest import REPO

POWDER = """\
name: powder
version: "1.0"
description: Powder diffraction
strict: false
fields:
  energy: {type: float, unit: keV, required: true, minimum: 5 keV}
  detector.name: {type: enum, allowed: [eiger, pilatus], default: eiger}
"""

BROKEN = """\
name: broken
version: "1.0"
fields:
  energy: {type: flot, requried: true}
"""


@pytest.fixture
def powder(tmp_path: Path) -> Path:
    path = tmp_path / "powder.yaml"
    path.write_text(POWDER)
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    return path


def test_schema_add_list_show(cli: Cli, powder: Path) -> None:
    assert cli.ok("schema", "add", str(powder)).out == "added powder@1.0 (2 fields, lenient)\n"
    assert cli.ok("schema", "list").out.splitlines() == [
        "ID          STRICT  FIELDS  DESCRIPTION",
        "powder@1.0  false   2       Powder diffraction",
    ]
    assert cli.ok("schema", "list", "--json").json() == [
        {"id": "powder@1.0", "name": "powder", "version": "1.0", "description": "Powder diffraction", "strict": False,
         "additional": True, "applies_to": {"kinds": [], "techniques": [], "instruments": []}, "inherits": []},
    ]
    shown = cli.ok("schema", "show", "powder").out.splitlines()
    assert shown[0] == "powder@1.0  lenient"
    assert shown[-2].split() == ["energy", "float", "true", "unit", "keV;", ">=", "5.0", "keV"]
    assert cli.ok("schema", "show", "powder@1.0", "--yaml").out == POWDER
    fields = cli.ok("schema", "show", "powder", "--json").json()["fields"]
    assert fields[0]["key"] == "energy" and fields[0]["minimum"] == {"value": 5.0, "unit": "keV"}
    assert fields[1]["allowed"] == ["eiger", "pilatus"] and fields[1]["default"] == "eiger"


def test_schema_add_every_example(cli: Cli) -> None:
    examples = sorted((REPO / "examples" / "schemas").glob("*.yaml"), reverse=True)
    assert any("extends:" in p.read_text() for p in examples[:-1])
    # common.yaml comes last here, after the schemas that extend it: each is added after its base.
    added = cli.ok("schema", "add", *map(str, examples), "--json").json()
    ids = {f"{yaml.safe_load(p.read_text())['name']}@{yaml.safe_load(p.read_text())['version']}" for p in examples}
    assert {s["id"] for s in added} == ids


def test_schema_add_refuses_and_writes_nothing(cli: Cli, powder: Path, broken: Path, tmp_path: Path) -> None:
    ran = cli("schema", "add", str(powder), str(broken))
    assert ran.code == 4
    assert "broken.yaml:4:" in ran.error and "did you mean 'required'?" in ran.error
    assert cli.ok("schema", "list").out == ""
    ran = cli("schema", "add", str(tmp_path / "none.yaml"))
    assert (ran.code, ran.error) == (2, f"no such file '{tmp_path / 'none.yaml'}'")
    cli.ok("schema", "add", str(powder))
    powder.write_text(POWDER.replace("minimum: 5 keV", "minimum: 6 keV"))
    ran = cli("schema", "add", str(powder))
    assert ran.code == 4 and "powder@1.0" in ran.error


def test_schema_show_unknown(cli: Cli) -> None:
    ran = cli("schema", "show", "nothing")
    assert ran.code == 4 and "nothing" in ran.error


def test_schema_check_needs_no_catalogue(cli: Cli, powder: Path, broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = cli("schema", "check", str(powder), str(broken), bare=True)
    assert ran.code == 1 and ran.err == ""
    lines = ran.out.splitlines()
    assert lines[0] == f"ok       {powder} (powder@1.0)"
    assert lines[1] == f"invalid  {broken}"
    assert any("fields.energy.requried" in line and "did you mean 'required'?" in line for line in lines[2:])
    assert any("fields.energy.type" in line and "(got 'flot')" in line for line in lines[2:])
    results = cli("schema", "check", str(broken), "--json", bare=True).json()
    assert results[0]["ok"] is False
    assert {v["field"].split(": ")[-1] for v in results[0]["violations"]} == {"fields.energy.type", "fields.energy.requried"}
    assert cli("schema", "check", str(powder), bare=True).code == 0
    ran = cli("schema", "check", "none.yaml", bare=True)
    assert (ran.code, ran.error) == (2, "no such file 'none.yaml'")


def test_schema_needs_an_action(cli: Cli) -> None:
    ran = cli("schema")
    assert ran.code == 2 and "schema: the following arguments are required: ACTION" in ran.error


# --- validate ---------------------------------------------------------------------------------------


@pytest.fixture
def checked(cli: Cli, powder: Path) -> dict[str, str]:
    cli.ok("schema", "add", str(powder))
    return {
        "good": cli.ok("register", "good", "--schema", "powder", "-m", "energy=12 keV", "--json").json()["pid"],
        "bad": cli.ok("register", "bad", "--schema", "powder", "-m", "energy=3 keV", "--json").json()["pid"],
        "free": cli.ok("register", "free", "-m", "energy=2 keV", "--json").json()["pid"],
    }


def test_validate_lists_the_invalid(cli: Cli, checked: dict[str, str]) -> None:
    ran = cli("validate")
    assert ran.code == 1 and ran.err == ""
    assert ran.out.splitlines() == [
        f"INVALID  bad  {checked['bad']}  powder@1.0",
        "  dataset.metadata.energy = '3 keV': must be at least 5 keV (schema powder@1.0)",
        "3 datasets checked: 2 valid, 1 invalid",
    ]
    assert cli.ok("validate", "good", "free").out == "2 datasets checked: 2 valid, 0 invalid\n"
    verbose = cli.ok("validate", "-v", "free").out.splitlines()
    assert verbose[0] == f"ok       free  {checked['free']}  (no schema)"


def test_validate_against_another_schema_and_json(cli: Cli, checked: dict[str, str]) -> None:
    reports = cli("validate", "--schema", "powder", "-q", "name ~ 'f*' or name == good", "--json").json()
    assert [(r["name"], r["ok"], r["schema"]) for r in reports] == [("good", True, "powder@1.0"), ("free", False, "powder@1.0")]
    assert reports[1]["violations"][0]["field"] == "dataset.metadata.energy"


def test_validate_record_writes_only_when_asked(cli: Cli, checked: dict[str, str]) -> None:
    assert cli("validate", "--schema", "powder").code == 1
    assert cli.ok("query", "valid == false", "--count").out == "1\n"  # only 'bad', as registered
    assert cli("validate", "--schema", "powder", "--record").code == 1
    assert cli.ok("query", "valid == false", "--pids").out.split() == [checked["bad"], checked["free"]]


def test_validate_errors(cli: Cli, checked: dict[str, str]) -> None:
    ran = cli("validate", "--schema", "nothing")
    assert ran.code == 4 and "nothing" in ran.error
    ran = cli("validate", "ghost")
    assert (ran.code, ran.error) == (4, "no dataset with PID or name 'ghost' in the catalogue")
