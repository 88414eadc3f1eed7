"""Deals as OCDS 1.1: ``/api/deals/{id}/ocds/`` (one release) and ``/api/ocds/releases/`` (a release
package of the filtered deals, in the deal list's order, paginated). Every answer is validated
against the OCDS 1.1.5 schemas kept in ``ocds_schema/`` twice: as published, and made strict — no
null anywhere and no key the schema does not declare — since the output never has either."""

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from rest_framework.test import APIClient

from config.seed import load_seed_facts
from deals import ocds, services
from deals.models import Deal
from delegations.uscc import check_character
from framework.codes import CURRENCY_CODES
from tests.api.collection import errors
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DealLineItemFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    valid_uscc,
)

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCHEMA_DIR = Path(__file__).resolve().parent / "ocds_schema"
RELEASE_SCHEMA = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
PACKAGE_SCHEMA = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
NOW = timezone.now()
Stage = Deal.Stage


def strict(node):
    """``node`` (a schema) without ``null`` among the types and values it allows, and with every
    object that lists its properties closed to others (language variants such as ``name_zh``
    still match its pattern properties)."""
    if isinstance(node, list):
        return [strict(each) for each in node if each is not None]
    if not isinstance(node, dict):
        return node
    result = {key: strict(value) for key, value in node.items()}
    if isinstance(result.get("type"), list):
        result["type"] = [kind for kind in result["type"] if kind != "null"]
    if "properties" in result and "type" in result:
        result.setdefault("additionalProperties", False)
    return result


def validators(release_schema: dict, package_schema: dict) -> tuple[Draft4Validator, Draft4Validator]:
    """Validators of a release and of a release package; the package schema's reference to the
    release schema resolves to ``release_schema`` (nothing is fetched)."""
    registry = Registry().with_resource(release_schema["id"], Resource.from_contents(release_schema))
    return (
        Draft4Validator(release_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER),
        Draft4Validator(package_schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER),
    )


PUBLISHED = validators(RELEASE_SCHEMA, PACKAGE_SCHEMA)
STRICT = validators(strict(RELEASE_SCHEMA), strict(PACKAGE_SCHEMA))


def violations(validator: Draft4Validator, instance: dict) -> list[str]:
    return [f"/{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(instance)]


def assert_valid_release(release: dict) -> None:
    assert violations(PUBLISHED[0], release) == []
    assert violations(STRICT[0], release) == []


def assert_valid_package(package: dict) -> None:
    assert violations(PUBLISHED[1], package) == []
    assert violations(STRICT[1], package) == []


def release_of(client: APIClient, deal: Deal) -> dict:
    response = client.get(reverse("deal-ocds", args=[deal.pk]))
    assert response.status_code == 200
    release = response.json()
    assert_valid_release(release)
    return release


def stamp(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def deal_ocid(deal: Deal) -> str:
    return f"ocds-expodl-deal-{deal.pk}"


def released_ocids(package: dict) -> list[str]:
    return [release["ocid"] for release in package["releases"]]


# --- The validation itself ---------------------------------------------------------------------


def test_the_validators_check_date_times_and_uris():
    assert {"date-time", "uri"} <= set(Draft4Validator.FORMAT_CHECKER.checkers)
    release = {
        "ocid": "ocds-expodl-deal-1",
        "id": "1",
        "date": "2023-11-05",
        "tag": ["award"],
        "initiationType": "tender",
    }
    package = {"uri": "not a uri", "version": "1.1", "publishedDate": NOW.isoformat(), "publisher": {"name": "x"}}
    assert violations(PUBLISHED[0], release) == ["/date: '2023-11-05' is not a 'date-time'"]
    assert violations(PUBLISHED[1], {**package, "releases": [release]}) == [
        "/uri: 'not a uri' is not a 'uri'",
        "/releases/0/date: '2023-11-05' is not a 'date-time'",
    ]


def test_the_strict_validator_refuses_nulls_and_undeclared_keys_that_the_published_one_lets_pass():
    release = {
        "ocid": "ocds-expodl-deal-1",
        "id": "1",
        "date": "2023-11-05T00:00:00Z",
        "tag": ["award"],
        "initiationType": "tender",
        "language": None,
        "awards": [{"id": "a", "status": None, "value": {"amount": 1, "currency": "USD", "cents": 100}}],
        "title": "Procurement",
        "parties": [{"id": "p", "name_zh": "震坤行"}],
    }
    assert violations(PUBLISHED[0], release) == []
    assert sorted(violations(STRICT[0], release)) == [
        "/: Additional properties are not allowed ('title' was unexpected)",
        "/awards/0/status: None is not of type 'string'",
        "/awards/0/status: None is not one of ['pending', 'active', 'cancelled', 'unsuccessful']",
        "/awards/0/value: Additional properties are not allowed ('cents' was unexpected)",
        "/language: None is not of type 'string'",
    ]


def test_currencies_left_out_of_the_ocds_codelist_are_exactly_the_newer_iso_codes():
    codelist = set(RELEASE_SCHEMA["definitions"]["Value"]["properties"]["currency"]["enum"]) - {None}
    assert set(CURRENCY_CODES) - codelist == ocds.CURRENCIES_OUTSIDE_CODELIST


# --- One deal's release ------------------------------------------------------------------------


@pytest.fixture
def seeded() -> Deal:
    load_seed_facts(only=())
    return Deal.objects.get(seller__name="Dow")


SEED_DESCRIPTION = (
    "A procurement order mainly for organo-silicon products, one of which makes its debut in the Asia Pacific. "
    "Based on the deal, the two sides will jointly explore downstream markets for industrial products."
)


def test_the_seed_deal_is_exactly_this_release(anon, seeded):
    deal = seeded
    zkh, dow, qingpu = deal.buyer, deal.seller, deal.delegation
    (item,) = deal.line_items.all()
    changed = max(record.updated_at for record in (deal, zkh, dow, qingpu, item.category))
    items = [
        {
            "id": str(item.pk),
            "description": "Organo-silicon products",
            "classification": {
                "scheme": "x_category",
                "id": str(item.category_id),
                "description": "Organo-silicon products",
            },
        }
    ]
    value = {"amount": 300000000.00, "currency": "USD"}
    title = "Organo-silicon products procurement order"

    assert release_of(anon, deal) == {
        "ocid": f"ocds-expodl-deal-{deal.pk}",
        "id": f"deal-{deal.pk}-{changed:%Y%m%dT%H%M%S.%f}Z",
        "date": stamp(changed),
        "language": "en",
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "parties": [
            {
                "id": f"enterprise-{zkh.pk}",
                "name": "ZKH Industrial Supply Co",
                "address": {"locality": "Shanghai", "region": "Qingpu District", "countryName": "China"},
                "roles": ["buyer"],
            },
            {"id": f"enterprise-{dow.pk}", "name": "Dow", "roles": ["supplier"]},
            {
                "id": f"delegation-{qingpu.pk}",
                "name": "Qingpu District trading delegation",
                "roles": ["tradingDelegation"],
            },
        ],
        "buyer": {"id": f"enterprise-{zkh.pk}", "name": "ZKH Industrial Supply Co"},
        "awards": [
            {
                "id": f"deal-{deal.pk}-award",
                "title": title,
                "description": SEED_DESCRIPTION,
                "status": "active",
                "value": value,
                "suppliers": [{"id": f"enterprise-{dow.pk}", "name": "Dow"}],
                "items": items,
            }
        ],
        # The report gives no signing date: the contract has no dateSigned and the award no date.
        "contracts": [
            {
                "id": f"deal-{deal.pk}-contract",
                "awardID": f"deal-{deal.pk}-award",
                "title": title,
                "status": "active",
                "value": value,
                "items": items,
            }
        ],
    }


def test_the_amount_is_a_json_number_equal_to_the_stored_decimal(anon):
    deal = DealFactory(amount=Decimal("9999999999999.99"))
    text = anon.get(reverse("deal-ocds", args=[deal.pk])).content
    award = json.loads(text, parse_float=Decimal)["awards"][0]
    assert award["value"] == {"amount": Decimal("9999999999999.99"), "currency": "USD"}


def test_the_value_is_as_signed_in_its_currency(anon):
    deal = DealFactory(amount=Decimal("10000000.00"), currency="CNY")
    release = release_of(anon, deal)
    assert (
        release["awards"][0]["value"] == release["contracts"][0]["value"] == {"amount": 10000000.0, "currency": "CNY"}
    )


def test_a_currency_newer_than_the_codelist_is_given_in_usd_as_normalised(anon):
    deal = DealFactory(amount=Decimal("2000000.00"), currency="ZWG")
    release = release_of(anon, deal)
    assert release["awards"][0]["value"] == {"amount": float(deal.value_usd), "currency": "USD"}
    assert deal.value_usd == Decimal("1000000.00")


def test_a_deal_whose_value_no_source_gives_has_no_value_in_its_release(anon):
    deal = DealFactory(amount=None)
    release = release_of(anon, deal)
    assert ("value" in release["awards"][0], "value" in release["contracts"][0]) == (False, False)
    assert_valid_release(release)


def intention(**overrides) -> Deal:
    return DealFactory(**{"stage": Stage.INTENTION, "signed_on": None, **overrides})


def cancelled_intention() -> Deal:
    # An intention can carry the date its letter of intent was signed: it is still not a contract.
    deal = intention(signed_on=datetime.date(2023, 11, 6))
    return services.deal_cancel(deal=deal, reason="The buyer withdrew.", user=None)


def cancelled_after_signing() -> Deal:
    deal = services.deal_sign(deal=intention(), signed_on=datetime.date(2023, 11, 7), user=None)
    return services.deal_cancel(deal=deal, reason="The buyer withdrew.", user=None)


def executed() -> Deal:
    deal = services.deal_sign(deal=intention(), signed_on=datetime.date(2023, 11, 7), user=None)
    return services.deal_execute(deal=deal, user=None)


STAGE_CASES = {
    "intention": (intention, ["award"], "pending", []),
    "intention with a date": (
        lambda: intention(signed_on=datetime.date(2023, 11, 6)),
        ["award"],
        "pending",
        [],
    ),
    "signed": (lambda: DealFactory(stage=Stage.SIGNED), ["award", "contract"], "active", ["active"]),
    "signed, date unknown": (
        lambda: DealFactory(stage=Stage.SIGNED, signed_on=None),
        ["award", "contract"],
        "active",
        ["active"],
    ),
    "executed": (executed, ["award", "contractTermination"], "active", ["terminated"]),
    "cancelled before signing": (cancelled_intention, ["awardCancellation"], "cancelled", []),
    "cancelled after signing": (
        cancelled_after_signing,
        ["awardCancellation", "contractTermination"],
        "cancelled",
        ["terminated"],
    ),
    # Loaded as cancelled, with no stage log: a signing date says it was signed.
    "cancelled unlogged, signed": (
        lambda: DealFactory(stage=Stage.CANCELLED),
        ["awardCancellation", "contractTermination"],
        "cancelled",
        ["terminated"],
    ),
    "cancelled unlogged, never signed": (
        lambda: DealFactory(stage=Stage.CANCELLED, signed_on=None),
        ["awardCancellation"],
        "cancelled",
        [],
    ),
}


@pytest.mark.parametrize(("make", "tags", "award_status", "contract_statuses"), STAGE_CASES.values(), ids=STAGE_CASES)
def test_the_stage_sets_tags_award_and_contract(anon, make, tags, award_status, contract_statuses):
    deal = make()
    release = release_of(anon, deal)
    assert (release["tag"], release["awards"][0]["status"], [c["status"] for c in release.get("contracts", [])]) == (
        tags,
        award_status,
        contract_statuses,
    )


def test_the_signing_date_is_the_award_date_and_the_contract_date_signed(anon):
    deal = cancelled_after_signing()
    release = release_of(anon, deal)
    assert (release["awards"][0]["date"], release["contracts"][0]["dateSigned"]) == (
        "2023-11-07T00:00:00Z",
        "2023-11-07T00:00:00Z",
    )


def test_the_contract_refers_to_the_award(anon):
    release = release_of(anon, DealFactory(stage=Stage.SIGNED))
    assert release["contracts"][0]["awardID"] == release["awards"][0]["id"]


def association_uscc() -> str:
    """A valid code issued by civil affairs (first character 5), as social organisations get."""
    first17 = "51310118MJ0000001"
    return first17 + check_character(first17)


def test_parties_carry_identifiers_chinese_names_and_addresses_where_known(anon):
    buyer = EnterpriseFactory(name="ZKH Industrial Supply Co", name_zh="震坤行", uscc=valid_uscc(7), country="CN")
    seller = EnterpriseFactory(name="Dow", country="US", city="", district="", registry_id="REG-0001")
    delegation = DelegationFactory(name="Qingpu District trading delegation", name_zh="青浦区交易分团")
    deal = DealFactory(buyer=buyer, seller=seller, delegation=delegation)

    assert release_of(anon, deal)["parties"] == [
        {
            "id": f"enterprise-{buyer.pk}",
            "name": "ZKH Industrial Supply Co",
            "name_zh": "震坤行",
            "identifier": {
                "scheme": "CN-USCI",
                "id": valid_uscc(7),
                "legalName": "ZKH Industrial Supply Co",
                "legalName_zh": "震坤行",
            },
            "address": {"locality": "Shanghai", "region": "Qingpu District", "countryName": "China"},
            "roles": ["buyer"],
        },
        # A registry id of no known scheme is left out.
        {
            "id": f"enterprise-{seller.pk}",
            "name": "Dow",
            "address": {"countryName": "United States"},
            "roles": ["supplier"],
        },
        {
            "id": f"delegation-{delegation.pk}",
            "name": "Qingpu District trading delegation",
            "name_zh": "青浦区交易分团",
            "roles": ["tradingDelegation"],
        },
    ]


def test_a_code_issued_by_any_authority_is_a_cn_usci_identifier(anon):
    association = EnterpriseFactory(
        kind="association", name="Qingpu Chamber", uscc=association_uscc(), country="", city="", district=""
    )
    (party, *_) = release_of(anon, DealFactory(buyer=association))["parties"]
    assert party == {
        "id": f"enterprise-{association.pk}",
        "name": "Qingpu Chamber",
        "identifier": {"scheme": "CN-USCI", "id": association_uscc(), "legalName": "Qingpu Chamber"},
        "roles": ["buyer"],
    }


def test_items_are_classified_by_hs_code_with_the_category_beside_or_by_category_alone(anon):
    deal = DealFactory(stage=Stage.SIGNED)
    silicon = CategoryFactory(name="Organo-silicon products")
    resin = DealLineItemFactory(deal=deal, product="Silicone resin", category=silicon, hs_code="391000")
    sealant = DealLineItemFactory(deal=deal, product="Sealant", category=silicon, hs_code="")
    category = {"scheme": "x_category", "id": str(silicon.pk), "description": "Organo-silicon products"}
    items = [
        {
            "id": str(resin.pk),
            "description": "Silicone resin",
            "classification": {"scheme": "HS", "id": "391000"},
            "additionalClassifications": [category],
        },
        {"id": str(sealant.pk), "description": "Sealant", "classification": category},
    ]
    release = release_of(anon, deal)
    assert (release["awards"][0]["items"], release["contracts"][0]["items"]) == (items, items)


def test_a_deal_without_line_items_has_no_items_and_no_empty_keys(anon):
    deal = DealFactory(stage=Stage.SIGNED, description="")
    release = release_of(anon, deal)
    assert (sorted(release["awards"][0]), sorted(release["contracts"][0])) == (
        ["date", "id", "status", "suppliers", "title", "value"],
        ["awardID", "dateSigned", "id", "status", "title", "value"],
    )


def test_a_new_version_of_the_deal_or_of_what_it_shows_is_a_new_release(anon):
    deal = DealFactory()
    first = release_of(anon, deal)
    deal.seller.name = "Dow Inc."
    deal.seller.save()
    renamed = release_of(anon, deal)
    services.deal_update(deal=Deal.objects.get(pk=deal.pk), changes={"title": "Renegotiated order"}, user=None)
    retitled = release_of(anon, deal)
    assert len({first["id"], renamed["id"], retitled["id"]}) == 3
    dates = [datetime.datetime.fromisoformat(release["date"]) for release in (first, renamed, retitled)]
    assert dates == sorted(set(dates))
    assert {first["ocid"], renamed["ocid"], retitled["ocid"]} == {deal_ocid(deal)}


def test_the_ocid_prefix_comes_from_the_settings(anon, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    deal = DealFactory()
    assert release_of(anon, deal)["ocid"] == f"ocds-abc123-deal-{deal.pk}"


def settings_error(**environment: str) -> str:
    """What loading the settings with ``environment`` prints on stderr (empty when it loads)."""
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        cwd=PROJECT_DIR,
        env={"PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr.strip().splitlines()[-1] if result.returncode else ""


def test_an_ocid_prefix_or_url_not_in_ocds_form_stops_the_settings_loading():
    assert settings_error(OCDS_OCID_PREFIX="ocds-abc123") == ""
    assert settings_error(OCDS_OCID_PREFIX="expo-1").endswith(
        "OCDS_OCID_PREFIX must be 'ocds-' and six lowercase letters or digits, not 'expo-1'."
    )
    assert settings_error(OCDS_LICENSE="CC-BY-4.0").endswith(
        "OCDS_LICENSE must be an absolute http(s) URL or empty, not 'CC-BY-4.0'."
    )


def test_the_detail_refuses_query_parameters(anon):
    response = anon.get(reverse("deal-ocds", args=[DealFactory().pk]), {"stage": "signed"})
    assert (response.status_code, errors(response)) == (400, [("unknown_parameter", "stage")])


@pytest.mark.parametrize("pk", ["0", "999999", "abc", str(2**63), "9" * 30])
def test_a_missing_deal_is_a_404_in_the_error_shape(anon, pk):
    DealFactory()
    response = anon.get(reverse("deal-ocds", args=[pk]))
    assert (response.status_code, errors(response)) == (404, [("not_found", None)])


def test_the_detail_reads_a_deal_in_two_queries_whatever_its_line_items(anon, django_assert_num_queries):
    small, large = DealFactory(), DealFactory()
    DealLineItemFactory(deal=small)
    DealLineItemFactory.create_batch(12, deal=large)
    for deal in (small, large):
        with django_assert_num_queries(2):
            anon.get(reverse("deal-ocds", args=[deal.pk]))


# --- Who sees what -------------------------------------------------------------------------------


@pytest.fixture
def visibility() -> SimpleNamespace:
    v = SimpleNamespace()
    v.published = DealFactory()
    v.unpublished = DealFactory(is_published=False)
    v.embargoed = DealFactory(embargo_until=NOW + datetime.timedelta(days=30))
    v.embargo_over = DealFactory(embargo_until=NOW - datetime.timedelta(minutes=1))
    return v


def test_the_public_reads_only_published_deals_past_their_embargo(anon, visibility):
    v = visibility
    package = anon.get(reverse("ocds-releases"), {"ordering": "id"}).json()
    assert_valid_package(package)
    assert released_ocids(package) == [deal_ocid(v.published), deal_ocid(v.embargo_over)]
    statuses = {name: anon.get(reverse("deal-ocds", args=[deal.pk])).status_code for name, deal in vars(v).items()}
    assert statuses == {"published": 200, "unpublished": 404, "embargoed": 404, "embargo_over": 200}


def test_analysts_read_every_deal(analyst_api, visibility):
    v = visibility
    package = analyst_api.get(reverse("ocds-releases"), {"ordering": "id"}).json()
    assert released_ocids(package) == [
        deal_ocid(deal) for deal in (v.published, v.unpublished, v.embargoed, v.embargo_over)
    ]
    assert all(analyst_api.get(reverse("deal-ocds", args=[deal.pk])).status_code == 200 for deal in vars(v).values())


# --- The release package -------------------------------------------------------------------------


@pytest.fixture
def market() -> SimpleNamespace:
    """Nine published deals between ZKH and Dow: two in each stage and an intention cancelled
    before signing, of Shanghai or Qingpu (under Shanghai), at two editions, signed on different
    days or not at all, with and without line items."""
    m = SimpleNamespace()
    m.shanghai = DelegationFactory(name="Shanghai trading delegation")
    m.qingpu = DelegationFactory(name="Qingpu District trading delegation", parent=m.shanghai)
    m.ciie5, m.ciie6 = EditionFactory(), EditionFactory()
    m.zkh = EnterpriseFactory(name="ZKH Industrial Supply Co", uscc=valid_uscc(1))
    m.dow = EnterpriseFactory(name="Dow", country="US", city="Midland", district="")
    m.deals = [
        DealFactory(
            buyer=m.zkh,
            seller=m.dow,
            delegation=m.qingpu if n % 2 else m.shanghai,
            edition=m.ciie6 if n % 3 else m.ciie5,
            stage=stage,
            signed_on=None if n == 3 else datetime.date(2023, 11, 5) + datetime.timedelta(days=n % 4),
            amount=Decimal(1000000 * (n + 1)),
        )
        for n, stage in enumerate([*Stage.values, *Stage.values])
    ]
    for deal in m.deals[::3]:
        DealLineItemFactory(deal=deal)
    services.deal_cancel(deal=intention(buyer=m.zkh, seller=m.dow, delegation=m.qingpu), reason="Withdrawn.", user=None)
    return m


def listed_ocids(client: APIClient, params: dict) -> list[str]:
    body = client.get(reverse("deal-list"), {**params, "limit": 1000}).json()
    return [f"ocds-expodl-deal-{deal['id']}" for deal in body["results"]]


FILTERS = {
    "none": lambda m: {},
    "delegation tree": lambda m: {"delegation": m.shanghai.pk},
    "stages": lambda m: {"stage": ["signed", "cancelled"]},
    "values by USD descending": lambda m: {"value_usd_min": "3000000", "ordering": "-value_usd"},
    "signed range by title": lambda m: {"signed_after": "2023-11-06", "ordering": "title"},
    "category": lambda m: {"category": m.deals[0].line_items.get().category_id},
}


@pytest.mark.parametrize("filters", FILTERS.values(), ids=FILTERS)
def test_the_package_holds_exactly_the_listed_deals_in_list_order(anon, market, filters):
    params = filters(market)
    response = anon.get(reverse("ocds-releases"), params)
    package = response.json()
    assert_valid_package(package)
    expected = listed_ocids(anon, params)
    assert expected
    assert (released_ocids(package), response["X-Total-Count"]) == (expected, str(len(expected)))


def test_the_package_says_where_it_is_from_and_when_it_last_changed(anon, market, settings):
    settings.OCDS_PUBLISHER_URI = "https://expo.example.org/"
    settings.OCDS_PUBLICATION_POLICY = "https://expo.example.org/ocds-policy"
    response = anon.get(reverse("ocds-releases"), {"stage": "signed", "limit": "3"})
    package = response.json()
    assert_valid_package(package)
    releases = package.pop("releases")
    assert package == {
        "uri": "http://testserver/api/ocds/releases/?stage=signed&limit=3",
        "version": "1.1",
        "publishedDate": max(release["date"] for release in releases),
        "publisher": {"name": "Expo Deals API", "uri": "https://expo.example.org/"},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": "https://expo.example.org/ocds-policy",
    }


def test_pages_link_to_the_next_and_previous_ones(anon, market):
    url = reverse("ocds-releases")
    everything = released_ocids(anon.get(url, {"ordering": "id"}).json())
    response = anon.get(url, {"ordering": "id", "limit": "3", "offset": "3"})
    assert_valid_package(response.json())
    assert released_ocids(response.json()) == everything[3:6]
    assert (response["X-Total-Count"], response["Link"]) == (
        "9",
        f'<http://testserver{url}?limit=3&offset=6&ordering=id>; rel="next", '
        f'<http://testserver{url}?limit=3&ordering=id>; rel="prev"',
    )
    first, last = anon.get(url, {"limit": "3"}), anon.get(url, {"limit": "3", "offset": "6"})
    assert (first["Link"], last["Link"]) == (
        f'<http://testserver{url}?limit=3&offset=3>; rel="next"',
        f'<http://testserver{url}?limit=3&offset=3>; rel="prev"',
    )


def test_one_page_has_no_link_header(anon, market):
    response = anon.get(reverse("ocds-releases"))
    assert (len(response.json()["releases"]), response.has_header("Link")) == (9, False)


def test_a_page_past_the_end_has_no_releases(anon, market):
    response = anon.get(reverse("ocds-releases"), {"offset": "50"})
    assert (response.status_code, response.json()["releases"], response["X-Total-Count"]) == (200, [], "9")


def test_nothing_matching_is_an_empty_page(anon, market):
    response = anon.get(reverse("ocds-releases"), {"search": "nothing like it"})
    assert (response.status_code, response.json()["releases"], response["X-Total-Count"]) == (200, [], "0")
    assert not response.has_header("Link")


def make_deals(count: int) -> None:
    buyer, seller, delegation, edition = EnterpriseFactory(), EnterpriseFactory(), DelegationFactory(), EditionFactory()
    category = CategoryFactory()
    for deal in DealFactory.create_batch(count, buyer=buyer, seller=seller, delegation=delegation, edition=edition):
        DealLineItemFactory(deal=deal, category=category)


def test_a_page_holds_100_releases_by_default_and_at_most_1000(anon):
    make_deals(101)
    url = reverse("ocds-releases")
    default, capped = anon.get(url), anon.get(url, {"limit": "5000"})
    assert (len(default.json()["releases"]), default["Link"]) == (
        100,
        f'<http://testserver{url}?limit=100&offset=100>; rel="next"',
    )
    assert (len(capped.json()["releases"]), capped.has_header("Link")) == (101, False)


@pytest.mark.parametrize("count", [2, 30])
def test_a_package_takes_three_queries_whatever_its_size(anon, django_assert_num_queries, count):
    # The count, the deals with their parties, and their line items with categories.
    make_deals(count)
    with django_assert_num_queries(3):
        response = anon.get(reverse("ocds-releases"))
    assert len(response.json()["releases"]) == count


def test_every_stage_in_one_package_validates(analyst_api, market):
    package = analyst_api.get(reverse("ocds-releases")).json()
    assert_valid_package(package)
    assert {release["tag"][-1] for release in package["releases"]} == {
        "award",
        "contract",
        "contractTermination",
        "awardCancellation",
    }


MALFORMED = {
    "value_usd_min": ({"value_usd_min": "abc"}, ("invalid", "value_usd_min")),
    "stage": ({"stage": "dreaming"}, ("invalid_choice", "stage")),
    "signed_after": ({"signed_after": "2023-13-45"}, ("invalid", "signed_after")),
    "limit": ({"limit": "ten"}, ("invalid", "limit")),
    "offset": ({"offset": "-1"}, ("invalid", "offset")),
    "unknown": ({"nosuch": "1"}, ("unknown_parameter", "nosuch")),
    "page": ({"page": "2"}, ("unknown_parameter", "page")),
    "repeated limit": ({"limit": ["1", "2"]}, ("repeated_parameter", "limit")),
}


@pytest.mark.parametrize(("params", "error"), MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_or_unknown_parameter_is_a_400_naming_it(anon, params, error):
    DealFactory()
    response = anon.get(reverse("ocds-releases"), params)
    assert (response.status_code, errors(response)) == (400, [error])


def test_the_mapping_needs_no_request(django_assert_num_queries):
    deal = DealFactory(stage=Stage.SIGNED)
    DealLineItemFactory(deal=deal)
    with django_assert_num_queries(2):
        (loaded,) = ocds.ocds_deals().filter(pk=deal.pk)
    release = ocds.deal_release(loaded)
    package = ocds.release_package([release], uri="https://expo.example.org/ocds/1", published_date=NOW)
    assert_valid_package(package)
    assert (package["releases"], package["publishedDate"]) == ([release], stamp(NOW))
