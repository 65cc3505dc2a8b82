"""`pcsim contracts report`: the table of operations (endpoints.py), the coverage page it prints and its
committed copy docs/coverage.md, which this module compares and never writes."""
from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from simulator import cli
from simulator.contracts import coverage, default_dirs
from simulator.contracts.check import template
from simulator.contracts.endpoints import BY_ID, ENDPOINTS, SECTIONS

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / coverage.PAGE
CONTRACTS = ROOT / "contracts"
ROW = re.compile(r"^\| ([A-Z]\d+) \| ")
SHIPPED = ("pyproject.toml", "README.md", "simulator", "fixtures", "contracts")  # what a wheel is built from


@pytest.fixture(scope="module")
def built() -> tuple[str, list[Any], list[str], int]:
    return coverage.build(default_dirs())


def pcsim(*argv: str) -> list[str]:
    """`pcsim …` as a user runs it: the console script of this environment when there is one."""
    script = Path(sys.executable).with_name("pcsim")
    return [str(script), *argv] if script.is_file() else [sys.executable, "-m", "simulator", *argv]


def stale(expected: str, found: str, where: str) -> str:
    diff = difflib.unified_diff(found.splitlines(), expected.splitlines(), where, "pcsim contracts report",
                                lineterm="", n=1)
    return "\n".join(list(diff)[:40])


def test_the_endpoint_table_is_well_formed() -> None:
    ids = [e.id for e in ENDPOINTS]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    assert {e.section for e in ENDPOINTS} == set(SECTIONS)
    assert [e.section for e in ENDPOINTS] == sorted((e.section for e in ENDPOINTS), key=list(SECTIONS).index)
    assert {"C13", "U4", "K4", "O7", "S15", "N6", "A7", "I8", "P11", "X1"} <= set(ids)
    assert BY_ID["X1"].route == "/{tenant-id}/oauth2/token"
    assert BY_ID["S2"].route == "/v1/customers/{customer-id}/subscriptions"


def test_every_contract_belongs_to_its_operation() -> None:
    for file in sorted(CONTRACTS.glob("*.json")):
        contract = json.loads(file.read_text(encoding="utf-8"))
        endpoint = BY_ID.get(contract["id"])
        assert endpoint is not None, f"{file.name}: no operation {contract['id']} in endpoints.py"
        assert template(contract["method"], contract["path"]) == template(endpoint.method, endpoint.route), file.name


def test_every_endpoint_is_implemented_with_a_contract_or_answers_501(built: tuple[str, Any, Any, int]) -> None:
    page, *_ = built
    found = coverage.statuses()
    assert coverage.NOT_ROUTED not in found.values(), found
    contracted = {json.loads(f.read_text(encoding="utf-8"))["id"] for f in CONTRACTS.glob("*.json")}
    implemented = {i for i, status in found.items() if status in (coverage.IMPLEMENTED, coverage.PARTIAL)}
    assert implemented <= contracted, f"implemented without a contract: {sorted(implemented - contracted)}"
    assert "no contract" not in page and "not routed" not in page


def test_status_comes_from_the_routes() -> None:
    everything = {template(e.method, e.route) for e in ENDPOINTS}
    x1, i1 = (template(BY_ID[i].method, BY_ID[i].route) for i in ("X1", "I1"))
    found = coverage.statuses(served=everything - {x1}, stubs={i1}, variants={x1})
    assert found["I1"] == coverage.NOT_SIMULATED and found["X1"] == coverage.NOT_ROUTED
    assert found["C1"] == coverage.IMPLEMENTED
    assert coverage.statuses(served=everything, stubs=set(), variants={x1})["X1"] == coverage.PARTIAL
    served = coverage.served_routes()
    assert template("POST", "/{tenant}/oauth2/token") in served and template("GET", "/v1/invoices") in served


def test_the_page_has_one_row_per_operation_by_section_and_is_deterministic(
        built: tuple[str, Any, Any, int]) -> None:
    page, _, _, examples = built
    assert examples, "no recorded examples were read"
    lines = page.splitlines()
    rows = [line for line in lines if ROW.match(line)]
    assert [ROW.match(r).group(1) for r in rows] == [e.id for e in ENDPOINTS]  # type: ignore[union-attr]
    assert [line for line in lines if line.startswith("## ")] == [f"## {n} {t}" for n, t in SECTIONS.items()]
    for row, endpoint in zip(rows, ENDPOINTS):
        cells = row.strip("|").split(" | ")
        assert [c.strip() for c in cells[:3]] == [endpoint.id, endpoint.name, f"`{endpoint.method} {endpoint.path}`"]
        if "501 not simulated" in row:
            assert row.endswith("| 501 not simulated | — | — | — |"), row
    implemented = sum(not r.strip("|").split(" | ")[3].startswith("501") for r in rows)
    assert f"**{implemented} of {len(ENDPOINTS)}** operations implemented" in page
    assert "n/a (" not in page and re.search(r"\d\.\d\d \(\d+ examples?\)", page)
    dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", page))
    contracts = [json.loads(f.read_text(encoding="utf-8")) for f in CONTRACTS.glob("*.json")]
    assert dates <= {c["lastChecked"] for c in contracts}
    assert coverage.build(default_dirs())[0] == page


def test_the_coverage_page_is_current(built: tuple[str, Any, Any, int]) -> None:
    page = built[0] + "\n"
    found = PAGE.read_text(encoding="utf-8") if PAGE.is_file() else ""
    if found != page:
        pytest.fail(f"docs/coverage.md is stale: regenerate it from the repository root with\n\n    "
                    f"{coverage.REGENERATE}\n\nand commit it.\n" + stale(page, found, "docs/coverage.md"))


def test_cli_report_prints_the_page(capsys: pytest.CaptureFixture[str], built: tuple[str, Any, Any, int]) -> None:
    assert cli.main(["contracts", "report"]) == 0
    assert capsys.readouterr().out == built[0] + "\n"
    with pytest.raises(SystemExit):
        cli.main(["contracts", "check", "--write", "x.md"])


def test_contracts_without_httpx_say_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)  # as in an install without the test extras
    for action in ("check", "report"):
        assert cli.main(["contracts", action]) == 2
        assert "pip install 'pcsim[test]'" in capsys.readouterr().err


def test_report_write_writes_the_page_it_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                built: tuple[str, Any, Any, int]) -> None:
    target = tmp_path / "docs" / "coverage.md"
    assert cli.main(["contracts", "report", "--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == built[0] + "\n"
    out, err = capsys.readouterr()
    assert out == "" and f"{target}: written" in err
    assert coverage.main(write=target) == 0
    assert f"{target}: unchanged" in capsys.readouterr().err


def test_write_refuses_a_page_without_recorded_examples(tmp_path: Path) -> None:
    target = tmp_path / "coverage.md"
    target.write_text("# x\n", encoding="utf-8")
    assert coverage.main([CONTRACTS], write=target) == 2
    assert target.read_text(encoding="utf-8") == "# x\n"


def test_pcsim_contracts_run_from_any_directory(tmp_path: Path) -> None:
    """The contracts and the recorded examples come with the package, not from the working directory."""
    report = subprocess.run(pcsim("contracts", "report"), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert report.stdout == PAGE.read_text(encoding="utf-8"), stale(report.stdout, PAGE.read_text(encoding="utf-8"),
                                                                    "docs/coverage.md")
    check = subprocess.run(pcsim("contracts", "check"), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert re.search(r"^(\d+)/\1 operations meet their contracts$", check.stdout, re.M), check.stdout


def test_an_installed_copy_prints_the_same_page(tmp_path: Path) -> None:
    """What a wheel holds (setuptools' build_py over a copy of the files the Dockerfile copies), imported from
    elsewhere with no source tree in reach: the recorded examples travel as package data."""
    pytest.importorskip("setuptools")
    source, lib, elsewhere = tmp_path / "src", tmp_path / "lib", tmp_path / "elsewhere"
    source.mkdir()
    for name in SHIPPED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                            "--build-lib", str(lib)], cwd=source, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert (lib / "pcsim_contracts" / "recorded" / "index.tsv").is_file()
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(lib), "PYTHONDONTWRITEBYTECODE": "1"}
    where = subprocess.run([sys.executable, "-c", "from simulator.contracts import default_dirs; "
                            "print(*default_dirs(), sep='\\n')"], cwd=elsewhere, env=env, capture_output=True,
                           text=True, timeout=60)
    assert where.stdout.split() == [str(lib / "pcsim_contracts"), str(lib / "pcsim_contracts" / "recorded")], \
        where.stdout + where.stderr
    report = subprocess.run([sys.executable, "-m", "simulator", "contracts", "report"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, timeout=120)
    assert report.returncode == 0, report.stderr
    assert report.stdout == PAGE.read_text(encoding="utf-8")
