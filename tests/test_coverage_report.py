"""`pcsim contracts report`: the endpoint table of api.md, the coverage table and README.md's copy of it."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from simulator import cli
from simulator.contracts import coverage
from simulator.contracts.check import template
from simulator.contracts.endpoints import BY_ID, ENDPOINTS, SECTIONS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CONTRACTS = ROOT / "contracts"
RECORDED = ROOT.parent / "shared" / "recorded"
API_MD = ROOT.parent / "shared" / "reference" / "api.md"
ROW = re.compile(r"^\|\s*([A-Z]\d+)\s*\|\s*`([A-Z]+)\s+([^`]+)`\s*\|")
HEADING = re.compile(r"^###\s+(1\.\d+)\s")


def api_md_rows(text: str) -> list[tuple[str, str, str, str]]:
    """(id, method, path, section) of every endpoint row under the "### 1.x" headings of section 1."""
    rows, section = [], None
    for line in text.splitlines():
        if heading := HEADING.match(line):
            section = heading.group(1)
        elif line.startswith("## "):
            section = None
        elif (row := ROW.match(line)) and section:
            rows.append((*row.groups(), section))
    return rows


@pytest.fixture(scope="module")
def built() -> tuple[str, list[Any], list[str], int]:
    return coverage.build([CONTRACTS, *([RECORDED] if RECORDED.is_dir() else [])])


@pytest.mark.skipif(not API_MD.is_file(), reason="shared/reference/api.md is not present")
def test_the_endpoint_table_is_api_md_s() -> None:
    rows = api_md_rows(API_MD.read_text(encoding="utf-8"))
    assert len(rows) > 70
    assert [(e.id, e.method, e.path, e.section) for e in ENDPOINTS] == rows


def test_the_endpoint_table_is_well_formed() -> None:
    ids = [e.id for e in ENDPOINTS]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    assert {e.section for e in ENDPOINTS} == set(SECTIONS)
    assert {"C13", "U4", "K4", "O7", "S15", "N6", "A7", "I8", "P11", "X1"} <= set(ids)
    assert BY_ID["X1"].route == "/{tenant-id}/oauth2/token"
    assert BY_ID["S2"].route == "/v1/customers/{customer-id}/subscriptions"


def test_every_contract_belongs_to_its_api_md_endpoint() -> None:
    for file in sorted(CONTRACTS.glob("*.json")):
        contract = json.loads(file.read_text(encoding="utf-8"))
        endpoint = BY_ID.get(contract["id"])
        assert endpoint is not None, f"{file.name}: no api.md endpoint {contract['id']}"
        assert template(contract["method"], contract["path"]) == template(endpoint.method, endpoint.route), file.name


def test_every_endpoint_is_implemented_with_a_contract_or_answers_501(built: tuple[str, Any, Any, int]) -> None:
    table, *_ = built
    found = coverage.statuses()
    assert coverage.NOT_ROUTED not in found.values(), found
    contracted = {json.loads(f.read_text(encoding="utf-8"))["id"] for f in CONTRACTS.glob("*.json")}
    implemented = {i for i, status in found.items() if status in (coverage.IMPLEMENTED, coverage.PARTIAL)}
    assert implemented <= contracted, f"implemented without a contract: {sorted(implemented - contracted)}"
    assert "no contract" not in table and "not routed" not in table


def test_status_comes_from_the_routes() -> None:
    everything = {template(e.method, e.route) for e in ENDPOINTS}
    x1, i1 = (template(BY_ID[i].method, BY_ID[i].route) for i in ("X1", "I1"))
    found = coverage.statuses(served=everything - {x1}, stubs={i1}, variants={x1})
    assert found["I1"] == coverage.NOT_SIMULATED and found["X1"] == coverage.NOT_ROUTED
    assert found["C1"] == coverage.IMPLEMENTED
    assert coverage.statuses(served=everything, stubs=set(), variants={x1})["X1"] == coverage.PARTIAL
    served = coverage.served_routes()
    assert template("POST", "/{tenant}/oauth2/token") in served and template("GET", "/v1/invoices") in served


def test_the_report_has_one_row_per_endpoint_and_is_deterministic(built: tuple[str, Any, Any, int]) -> None:
    table, *_ = built
    lines = table.splitlines()
    rows = [line for line in lines[2:] if line.startswith("| ")]
    assert [r.split(" | ")[0].strip("| ") for r in rows] == [e.id for e in ENDPOINTS]
    assert lines[-1].startswith(f"**{sum(not r.split(' | ')[2].startswith('501') for r in rows)} of {len(ENDPOINTS)}**")
    for row in rows:
        if "501 not simulated" in row:
            assert row.endswith("| 501 not simulated | — | — | — |"), row
    dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", table))
    contracts = [json.loads(f.read_text(encoding="utf-8")) for f in CONTRACTS.glob("*.json")]
    assert dates <= {c["lastChecked"] for c in contracts}
    assert coverage.build([CONTRACTS, *([RECORDED] if RECORDED.is_dir() else [])])[0] == table


def test_update_readme_replaces_only_the_marked_block() -> None:
    text = "# x\n\n## Coverage\n\n<!-- coverage:start -->\nold\n<!-- coverage:end -->\n\n## Next\n"
    assert coverage.update_readme(text, "new") == text.replace("old", "new")
    assert coverage.readme_table(coverage.update_readme(text, "| a |\n\nsum")) == "| a |\n\nsum"
    appended = coverage.update_readme("# x\n", "t")
    assert appended.startswith("# x\n\n## Coverage\n") and coverage.readme_table(appended) == "t"


def test_cli_report_prints_the_table(capsys: pytest.CaptureFixture[str], built: tuple[str, Any, Any, int]) -> None:
    dirs = [str(CONTRACTS), *([str(RECORDED)] if RECORDED.is_dir() else [])]
    assert cli.main(["contracts", "report", *dirs]) == 0
    assert capsys.readouterr().out.rstrip("\n") == built[0]
    with pytest.raises(SystemExit):
        cli.main(["contracts", "check", "--write-readme", str(CONTRACTS)])


def test_write_readme_refuses_a_table_without_recorded_examples(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n", encoding="utf-8")
    assert coverage.main([CONTRACTS], readme=readme) == 2
    assert readme.read_text(encoding="utf-8") == "# x\n"


def test_the_readme_keeps_no_coverage_table() -> None:
    """The table moved out of README.md into the generated docs/coverage.md (written and kept current by
    the contracts branch), which the README links."""
    assert coverage.readme_table(README.read_text(encoding="utf-8")) is None
    assert "## Coverage" not in README.read_text(encoding="utf-8")
