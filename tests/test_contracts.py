"""The contract checker (`pcsim contracts check`) over contracts/ and the recorded documentation examples in
contracts/recorded/, both shipped as the package `pcsim_contracts`."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from simulator import contracts
from simulator.contracts.endpoints import ENDPOINTS

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
RECORDED = CONTRACTS / "recorded"
TYPES = {"string", "number", "boolean", "object", "array", "null"}
AREAS = {"catalog", "customers", "carts", "orders", "subscriptions", "newcommerce", "azureplan", "invoices",
         "spending", "common", "offers", "users", "agreements", "validation", "profiles", "webhooks"}


def test_every_implemented_operation_meets_its_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = contracts.main()  # the default folders: the package's contracts and its recorded examples
    out = capsys.readouterr().out
    assert code == 0, out
    assert "SCENARIO FAILED" not in out


def test_the_default_folders_are_the_contracts_and_their_recorded_examples() -> None:
    home, recorded = contracts.default_dirs()
    assert recorded == home / "recorded"
    assert sorted(p.name for p in home.glob("*.json")) == sorted(p.name for p in CONTRACTS.glob("*.json"))
    assert sorted(p.name for p in recorded.glob("*.json")) == sorted(p.name for p in RECORDED.glob("*.json"))
    found, examples = contracts.load(contracts.default_dirs())
    assert len(found) == len(list(CONTRACTS.glob("*.json"))) and len(examples) == len(list(RECORDED.glob("*.json")))


def test_the_recorded_index_lists_every_example_and_its_source() -> None:
    with (RECORDED / "index.tsv").open(encoding="utf-8", newline="") as index:
        rows = list(csv.DictReader(index, delimiter="\t"))
    files = sorted(RECORDED.glob("*.json"))
    assert sorted(r["file"] for r in rows) == [f.name for f in files]
    by_file = {r["file"]: r for r in rows}
    for file in files:
        example, row = json.loads(file.read_text(encoding="utf-8")), by_file[file.name]
        assert example["area"] in AREAS and file.name.startswith(example["area"] + "--"), file.name
        assert {"source", "source_commit", "source_commit_date", "doc_ms_date", "endpoint", "request",
                "response"} <= set(example), file.name
        assert (row["endpoint"], row["source"], row["source_commit_date"]) == (
            example["endpoint"], example["source"], example["source_commit_date"]), file.name
        assert row["has_request"] == ("yes" if example["request"] is not None else "no"), file.name


def test_every_recorded_example_is_of_an_operation_of_the_table() -> None:
    routes = {contracts.template(e.method, e.route) for e in ENDPOINTS}
    _, examples = contracts.load([RECORDED])
    for name, example in examples:
        method, _, path = example["endpoint"].partition(" ")
        if example["endpoint"] == "POST {WebhookUrl}":  # an event pcsim POSTs to the partner (tests/test_webhooks.py)
            continue
        assert method == "ANY" or contracts.template(method, path) in routes, (name, example["endpoint"])


def test_contract_files_are_well_formed() -> None:
    found = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(CONTRACTS.glob("*.json"))]
    ids = [c["id"] for c in found]
    assert len(ids) == len(set(ids))
    assert {"X1", "C1", "C13", "U1", "U4", "K1", "K4", "O1", "O7", "S1", "S4", "S6"} <= set(ids)
    for c in found:
        assert {"operation", "method", "path", "source", "status", "objectType", "paths", "minRecall",
                "deviations", "lastChecked"} <= set(c), c["id"]
        assert 0.0 <= c["minRecall"] <= 1.0, c["id"]
        assert set(c["paths"].values()) <= TYPES and set((c.get("knownGaps") or {}).values()) <= TYPES, c["id"]
        assert not set(c["paths"]) & set(c.get("knownGaps") or {}), c["id"]


def test_recall_counts_key_paths_and_types() -> None:
    recorded = {"id": "a", "count": 1, "items": [{"name": "x", "note": None}, {"name": "y"}], "etag": "<etag>",
                "links": {"self": {"uri": "/x"}}}
    produced = {"id": "b", "count": "1", "items": [{"name": "z", "note": 5}], "etag": 7, "links": {}, "extra": 1}
    # paths: id, count, items, items[].name, items[].note, etag, links, links.self, links.self.uri = 9
    score, misses = contracts.recall(recorded, produced)
    assert misses == ["count", "links.self", "links.self.uri"]  # number vs string; absent keys
    assert score == pytest.approx(6 / 9)
    assert contracts.recall({}, {"a": 1}) == (1.0, [])
    assert contracts.recall([{"productId": "p"}], [{"productId": "q"}]) == (1.0, [])
    assert contracts.key_paths({"a": [[{"b": 1}]]}) == {"a": {"array"}, "a[][].b": {"number"}}


def test_contract_paths_are_checked_in_every_array_element() -> None:
    body = {"items": [{"id": "a", "n": 1}, {"id": "b"}, {"id": 3, "n": 2}]}
    assert contracts.lacking(body, "items[].id", "string") == 1
    assert contracts.lacking(body, "items[].n", "number") == 1
    assert contracts.lacking({"items": []}, "items[].id", "string") == 0
    assert contracts.lacking({}, "items[].id", "string") == 1


def test_shared_endpoints_are_told_apart_by_query_and_body() -> None:
    cancel = {"id": "O4", "method": "PATCH", "path": "/v1/customers/{customer-id}/orders/{order-id}",
              "match": {"body": {"status": "cancelled"}}}
    by_order = {"id": "S2", "method": "GET", "path": "/v1/customers/{customer-id}/subscriptions",
                "match": {"query": ["order_id"]}}

    def example(endpoint: str, body: object = None, query: dict[str, str] | None = None) -> dict[str, object]:
        return {"endpoint": endpoint, "request": {"body": body, "query": query or {}}}

    patch = "PATCH /v1/customers/{customer-id}/orders/{order-id}"
    assert contracts.matches(cancel, example(patch, {"Id": "x", "Status": "Cancelled"}))
    assert not contracts.matches(cancel, example(patch, {"BillingCycle": "Annual"}))
    listing = "GET /v1/customers/{customer-id}/subscriptions"
    assert contracts.matches(by_order, example(listing, query={"order_id": "{id-for-order}"}))
    assert not contracts.matches(by_order, example(listing))
    assert contracts.template("GET", "/v1/Customers/<customer-tenant-id>/subscriptions/") == \
        contracts.template("GET", "/v1/customers/{customer-id}/subscriptions")


def test_a_missing_contract_path_fails_the_operation() -> None:
    contract = {"id": "Z1", "operation": "z", "status": 200, "objectType": "Thing", "minRecall": 0.9,
                "paths": {"id": "string", "size": "number"}}
    good = contracts.evaluate(contract, [(200, {"id": "a", "size": 1, "attributes": {"objectType": "Thing"}})], [])
    assert good.problems == []
    bad = contracts.evaluate(contract, [(200, {"id": "a", "size": "1", "attributes": {"objectType": "Other"}})],
                             [("ex.json", {"response": {"body": {"id": "a", "gone": True}}})])
    assert len(bad.problems) == 3  # objectType, size mistyped, recall 0.5 < 0.9
    assert bad.recall == pytest.approx(0.5)


def test_an_answer_that_is_no_json_is_checked_by_its_media_type() -> None:
    from simulator.contracts.scenario import Document

    pdf = {"id": "Z8", "operation": "z", "status": 200, "objectType": None, "contentType": "application/pdf",
           "minRecall": 0.9, "paths": {}}
    assert contracts.evaluate(pdf, [(200, Document("application/pdf", b"%PDF-1.3"))], []).problems == []
    for wrong in ({"a": 1}, Document("application/pdf", b""), Document("image/png", b"\x89PNG")):
        assert len(contracts.evaluate(pdf, [(200, wrong)], []).problems) == 1, wrong
    json_contract = {k: v for k, v in pdf.items() if k != "contentType"}
    assert len(contracts.evaluate(json_contract, [(200, Document("application/pdf", b"%PDF"))], []).problems) == 1
    assert contracts.evaluate(json_contract, [(404, Document("application/pdf", b"%PDF"))], []).problems != []
