"""fixtures/catalog.json: up to date with fixtures/make_catalog.py, and internally consistent."""
from __future__ import annotations

import importlib.util
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KINDS = {"nce", "azure_plan", "reservation", "saas", "software_perpetual", "software_subscription"}
SEGMENTS = {"commercial", "education", "government", "nonprofit"}
CYCLES = {"monthly", "annual", "triennial", "none", "one_time"}
PRICE = re.compile(r"^\d+\.\d\d$")


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_catalog", FIXTURES / "make_catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()
DATA = json.loads((FIXTURES / "catalog.json").read_text(encoding="utf-8"))


def skus():
    for entry in DATA["products"]:
        for sku_entry in entry["skus"]:
            yield entry, sku_entry


def availabilities():
    for entry, sku_entry in skus():
        for av in sku_entry["availabilities"]:
            yield entry, sku_entry, av


SKU_KEYS = {f"{e['product']['id']}:{s['sku']['id']}" for e, s in skus()}


# --- generator --------------------------------------------------------------------------------

def test_committed_file_matches_generator():
    assert (FIXTURES / "catalog.json").read_bytes() == GENERATOR.render(), \
        "catalog.json is stale: run python fixtures/make_catalog.py"


def test_generator_is_deterministic_and_check_passes():
    assert GENERATOR.render() == GENERATOR.render(GENERATOR.build())
    assert GENERATOR.main(["--check"]) == 0


def test_file_format():
    text = (FIXTURES / "catalog.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(DATA, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert DATA["version"] == 1 and set(DATA) == {"version", "markets", "products", "offers"}


# --- ids ----------------------------------------------------------------------------------------

def test_ids_are_unique():
    product_ids = [e["product"]["id"] for e in DATA["products"]]
    assert len(product_ids) == len(set(product_ids))
    for entry in DATA["products"]:
        sku_ids = [s["sku"]["id"] for s in entry["skus"]]
        assert len(sku_ids) == len(set(sku_ids)), entry["product"]["id"]
    avail_ids = [av["availability"]["id"] for _, _, av in availabilities()]
    assert len(avail_ids) == len(set(avail_ids))
    term_ids = [t["id"] for _, _, av in availabilities() for t in av["availability"]["terms"] if "id" in t]
    assert len(term_ids) == len(set(term_ids))
    offer_ids = [o["id"].upper() for o in DATA["offers"]]
    assert len(offer_ids) == len(set(offer_ids))
    assert not set(offer_ids) & {p.upper() for p in product_ids}


def test_catalog_item_ids_and_parent_ids():
    for entry, sku_entry, av in availabilities():
        pid, sku, wire = entry["product"]["id"], sku_entry["sku"], av["availability"]
        assert sku["productId"] == pid
        assert (wire["productId"], wire["skuId"]) == (pid, sku["id"])
        assert wire["catalogItemId"] == f"{pid}:{sku['id']}:{wire['id']}"
        assert re.fullmatch(r"[0-9A-Z]{12}", wire["id"]), wire["id"]


def test_wire_parts_leave_rendered_fields_to_the_simulator():
    for entry, sku_entry, av in availabilities():
        for part in (entry["product"], sku_entry["sku"], av["availability"]):
            assert not {"links", "country", "defaultCurrency", "sim"} & set(part)


# --- prices and terms ----------------------------------------------------------------------------

def expected_price_keys(sku: dict, wire: dict) -> set[str]:
    terms = wire["terms"]
    if not terms:
        return {f"none/{c}" for c in sku["supportedBillingCycles"]}
    keys = set()
    for term in terms:
        cycles = [term["billingCycle"].lower()] if "billingCycle" in term else sku["supportedBillingCycles"]
        keys |= {f"{term['duration']}/{c}" for c in cycles}
    return keys


def test_every_term_has_a_price_and_every_price_a_term():
    for _, sku_entry, av in availabilities():
        sku, wire, prices = sku_entry["sku"], av["availability"], av["sim"]["prices"]
        assert prices, wire["catalogItemId"]
        assert set(prices) == expected_price_keys(sku, wire), wire["catalogItemId"]
        for key, value in prices.items():
            assert PRICE.match(value), (wire["catalogItemId"], key, value)
            if sku["isTrial"]:
                assert value == "0.00"


def test_terms_shape():
    for _, sku_entry, av in availabilities():
        sku, wire = sku_entry["sku"], av["availability"]
        assert set(sku["supportedBillingCycles"]) <= CYCLES
        assert wire["segment"] in SEGMENTS
        term_ids = set()
        for term in wire["terms"]:
            assert term["duration"] in {"P1M", "P1Y", "P3Y"} and term["description"]
            if "billingCycle" in term:
                assert term["billingCycle"].lower() in sku["supportedBillingCycles"]
                assert len(term["id"]) == 12
                term_ids.add(term["id"])
                for policy in term["cancellationPolicies"]:
                    for option in policy["refundOptions"]:
                        assert option["type"] in {"Full", "Partial"}
                        assert re.fullmatch(r"P\d+D", option["expiresAfter"])
        for instruction in wire.get("renewalInstructions", []):
            assert set(instruction["applicableTermIds"]) <= term_ids
            for option in instruction["renewalOptions"]:
                assert option["renewToId"] in SKU_KEYS


# --- references between SKUs and offers --------------------------------------------------------

def test_sku_references_point_to_existing_skus():
    addons = 0
    for entry, sku_entry in skus():
        attributes = sku_entry["sku"]["dynamicAttributes"]
        for ref in attributes.get("prerequisiteSkus", []) + (attributes.get("upgradeTargetOffers") or []):
            assert ref in SKU_KEYS, (entry["product"]["id"], ref)
        if attributes.get("isAddon"):
            addons += 1
            assert attributes["prerequisiteSkus"], entry["product"]["id"]
    assert addons >= 2


def test_offers():
    offers = {o["id"]: o for o in DATA["offers"]}
    for offer in offers.values():
        assert offer["kind"] in {"legacy_license", "legacy_azure"}
        assert 1 <= offer["minimumQuantity"] <= offer["maximumQuantity"]
        assert set(offer["prices"]) == set(offer["billingCycles"])
        assert all(PRICE.match(v) for v in offer["prices"].values())
        for addon in offer["addonOfferIds"]:
            assert offers[addon]["isAddon"] is True
    assert offers["91FD106F-4B2C-4938-95AC-F54F74E9A239"]["addonOfferIds"] == [
        "C94271D8-B431-4A25-A3C5-A57737A1C909", "43FCE491-76D1-4BCC-B709-8A288786DBAE"]
    assert offers["MS-AZR-0145P"]["kind"] == "legacy_azure"


# --- markets, quantities, sim facts -------------------------------------------------------------

def test_markets():
    countries = {m["country"]: m for m in DATA["markets"]}
    assert len(countries) == len(DATA["markets"])
    for market in countries.values():
        assert re.fullmatch(r"[A-Z]{3}", market["currency"]) and market["symbol"]
        assert Decimal(market["priceFactor"]) > 0 and isinstance(market["euMember"], bool)
    for code, currency in {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR",
                           "IT": "EUR", "ES": "EUR", "JP": "JPY", "AU": "AUD", "BR": "BRL", "IN": "INR"}.items():
        assert countries[code]["currency"] == currency
    assert {c for c, m in countries.items() if m["euMember"]} >= {"DE", "FR", "NL", "IT", "ES"}
    assert countries["US"]["euMember"] is False


def test_quantities():
    for entry, sku_entry in skus():
        sku = sku_entry["sku"]
        assert 1 <= sku["minimumQuantity"] <= sku["maximumQuantity"], (entry["product"]["id"], sku["id"])


def test_sim_facts():
    countries = {m["country"] for m in DATA["markets"]}
    restricted = 0
    for entry in DATA["products"]:
        sim = entry["sim"]
        assert sim["kind"] in KINDS and sim["targetViews"]
        if sim["kind"] == "reservation":
            assert sim["reservationScopes"] and set(sim["reservationScopes"]) <= {"AzurePlan", "MicrosoftAzure"}
        else:
            assert "reservationScopes" not in sim
        for sku_entry in entry["skus"]:
            assert sku_entry["availabilities"]
            extra = sku_entry.get("sim", {}).get("restrictedCountries", [])
            assert set(extra) <= countries
            restricted += bool(extra)
    assert restricted >= 1


def test_kind_specific_shapes():
    by_kind: dict[str, list] = {}
    for entry in DATA["products"]:
        by_kind.setdefault(entry["sim"]["kind"], []).append(entry)
    assert len(by_kind["nce"]) >= 8 and len(by_kind["saas"]) >= 3 and len(by_kind["reservation"]) >= 3
    for entry in by_kind["nce"]:
        assert entry["product"]["productType"]["id"] == "OnlineServicesNCE"
        assert entry["sim"]["targetViews"] == ["OnlineServices"]
    for entry in by_kind["saas"]:
        assert entry["product"]["productType"] == {"id": "Azure", "displayName": "Azure",
                                                   "subType": {"id": "SaaS", "displayName": "SaaS"}}
        assert entry["product"]["isMicrosoftProduct"] is False
    for entry in by_kind["reservation"]:
        for sku_entry in entry["skus"]:
            sku = sku_entry["sku"]
            assert sku["supportedBillingCycles"] == ["one_time"]
            assert "AzureSubscriptionRegistration" in sku["purchasePrerequisites"]
            if "InventoryCheck" in sku["purchasePrerequisites"]:
                assert "ArmRegionName" in sku["inventoryVariables"]
                assert sku["dynamicAttributes"]["armRegionName"]
    nce_skus = [s["sku"] for e in by_kind["nce"] for s in e["skus"]]
    assert any(s.get("attestationProperties", {}).get("enforceAttestation") for s in nce_skus)
    assert any(s["isTrial"] for s in nce_skus)
    segments = {av["availability"]["segment"] for e in by_kind["nce"] for s in e["skus"] for av in s["availabilities"]}
    assert segments == SEGMENTS


# --- ids and values taken from the documented examples -----------------------------------------

def find(catalog_item_id: str) -> tuple[dict, dict, dict]:
    for entry, sku_entry, av in availabilities():
        if av["availability"]["catalogItemId"] == catalog_item_id:
            return entry, sku_entry, av
    raise AssertionError(f"{catalog_item_id} not in catalog")


@pytest.mark.parametrize("catalog_item_id", [
    "CFQ7TTC0LH18:0001:CFQ7TTC0K971", "DZH318Z0BPS6:0001:DZH318Z0BML6", "DZH318Z0BQ3Q:0001:DZH318XZXPHL",
    "DZH318Z0BQ36:004G:DZH318Z08C0S", "DZH318Z0BQ36:004J:DZH318Z08B8X", "DZH318Z0BXWC:0002:DZH318Z0BMRV",
    "DZH318Z0C0WF:0001:DZH318Z0BP69", "DG7GMGF0DWTL:0001:DG7GMGF0DSFM", "DG7GMGF0DWTL:0001:DG7GMGF0DSJB",
    "DG7GMGF0DWM3:0002:DG7GMGF0DT1M", "DG7GMGF0DWT0:0001:DG7GMGF0DSQR", "CFQ7TTC0LFLX:0001:CFQ7TTC0LB30",
    "CFQ7TTC0HDJX:0001:CFQ7TTC0K806", "DG7GMGF0FKZV:0003:DG7GMGF0DQLM",
])
def test_documented_catalog_items_exist(catalog_item_id):
    find(catalog_item_id)


def test_documented_examples():
    entry, sku_entry, av = find("CFQ7TTC0LH18:0001:CFQ7TTC0K971")
    assert entry["product"]["title"] == "Microsoft 365 Business Basic"
    assert sku_entry["sku"]["maximumQuantity"] == 300
    assert set(av["sim"]["prices"]) == {"P1M/monthly", "P1Y/monthly", "P1Y/annual", "P3Y/annual", "P3Y/triennial"}
    assert any(t["id"] == "5aeco6mffyxo" and t["billingCycle"] == "Annual" for t in av["availability"]["terms"])

    entry, sku_entry, av = find("DZH318Z0BPS6:0001:DZH318Z0BML6")
    sku = sku_entry["sku"]
    assert (sku["title"], sku["maximumQuantity"], sku["supportedBillingCycles"], sku["purchasePrerequisites"]) == (
        "Microsoft Azure plan", 1, ["one_time"], ["MicrosoftCustomerAgreement"])
    assert entry["sim"]["targetViews"] == ["MicrosoftAzure"] and av["sim"]["prices"] == {"none/one_time": "0.00"}

    entry, sku_entry, av = find("DZH318Z0BQ3Q:0001:DZH318XZXPHL")
    assert entry["product"]["title"] == "Virtual Machines DSv2 Series"
    assert av["availability"]["terms"] == [{"duration": "P1Y", "description": "1 Year Prepaid"}]

    _, sku_entry, _ = find("DZH318Z0BQ36:004G:DZH318Z08C0S")
    assert sku_entry["sku"]["title"] == "Reserved VM Instance, Standard_NV12, US East 2, 1 Year"
    _, sku_entry, _ = find("DZH318Z0BXWC:0002:DZH318Z0BMRV")
    assert sku_entry["sku"]["title"] == "Barracuda WaaS - Medium Plan"
    _, sku_entry, av = find("DZH318Z0C0WF:0001:DZH318Z0BP69")
    assert sku_entry["sku"]["isTrial"] and sku_entry["sku"]["supportedBillingCycles"] == ["none"]
    assert av["sim"]["prices"] == {"P1M/none": "0.00"}
    _, sku_entry, _ = find("DG7GMGF0DWM3:0002:DG7GMGF0DT1M")
    assert sku_entry["sku"]["title"] == "BizTalk Server 2016 Branch"
    _, sku_entry, _ = find("DG7GMGF0DWT0:0001:DG7GMGF0DSQR")
    assert sku_entry["sku"]["title"] == "Microsoft Identity Manager 2016 - 1 User CAL"
