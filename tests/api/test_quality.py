"""The quality report, ``/api/quality/``: findings about the records the caller may read, each
naming its record and check in the exact shape, filtered by code and collection, and paginated."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.test import APIClient

from config.seed import load_seed_facts
from deals.models import Deal
from figures.models import ReportedFigure
from framework import quality
from tests.api.collection import errors
from tests.factories import (
    DealFactory,
    DelegationFactory,
    EditionFactory,
    ReportedFigureFactory,
    admin,
    analyst,
    api_token,
    editor,
)

pytestmark = pytest.mark.django_db

URL = "/api/quality/"
SEED_TITLE = "Organo-silicon products procurement order"


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)[1]}")
    return client


@pytest.fixture
def reader() -> APIClient:
    return client_of(analyst())


def finding(code: str, collection: str, record_id: int, label: str, message: str) -> dict:
    return {
        "code": code,
        "message": message,
        "record": {
            "collection": collection,
            "id": record_id,
            "name": label,
            "url": f"http://testserver/api/{collection}/{record_id}/",
        },
    }


def undated(title: str, **kwargs) -> Deal:
    return DealFactory(title=title, signed_on=None, **kwargs)


def unsourced(**kwargs) -> ReportedFigure:
    return ReportedFigureFactory(source=None, **kwargs)


def test_the_report_is_at_api_quality():
    assert reverse("quality-list") == URL


def test_the_seed_deal_is_reported_signed_without_a_signing_date(reader):
    load_seed_facts(only=())
    deal = Deal.objects.get(title=SEED_TITLE)

    response = reader.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            finding(
                "signed_without_date",
                "deals",
                deal.pk,
                SEED_TITLE,
                "Signed deal 'Organo-silicon products procurement order' has no signing date.",
            )
        ],
    }


def test_a_findings_url_opens_its_record(reader):
    load_seed_facts(only=())
    (result,) = reader.get(URL).json()["results"]

    record = reader.get(result["record"]["url"])

    assert (record.status_code, record.json()["title"]) == (200, SEED_TITLE)


def test_signed_and_executed_deals_without_a_date_are_reported_and_no_other(reader):
    signed = undated("Signed, undated")
    executed = undated("Executed, undated", stage=Deal.Stage.EXECUTED)
    undated("An intention", stage=Deal.Stage.INTENTION)
    undated("Cancelled", stage=Deal.Stage.CANCELLED)
    DealFactory(title="Signed on a known day")

    results = reader.get(URL).json()["results"]

    assert results == [
        finding(
            "signed_without_date",
            "deals",
            signed.pk,
            "Signed, undated",
            "Signed deal 'Signed, undated' has no signing date.",
        ),
        finding(
            "signed_without_date",
            "deals",
            executed.pk,
            "Executed, undated",
            "Executed deal 'Executed, undated' has no signing date.",
        ),
    ]


def test_a_figure_without_a_source_is_reported(reader):
    # A figure is named by what it measures of its subject; its value is its statements'.
    figure = unsourced(delegation=DelegationFactory(name="Shanghai"), edition=EditionFactory(name="6th CIIE"))
    ReportedFigureFactory()

    results = reader.get(URL).json()["results"]

    assert results == [
        finding(
            "figure_without_source",
            "reported-figures",
            figure.pk,
            "Trading volume of Shanghai at the 6th CIIE",
            "No source states Trading volume of Shanghai at the 6th CIIE: none of its statements cites one.",
        )
    ]


def codes_and_ids(response) -> list[tuple[str, int]]:
    return [(result["code"], result["record"]["id"]) for result in response.json()["results"]]


@pytest.fixture
def mixed() -> dict[str, list[int]]:
    """Two undated signed deals and two unsourced figures."""
    return {
        "deals": [undated("First").pk, undated("Second").pk],
        "figures": [unsourced().pk, unsourced().pk],
    }


def test_findings_are_listed_by_code_then_record(reader, mixed):
    assert codes_and_ids(reader.get(URL)) == [
        *(("figure_without_source", pk) for pk in mixed["figures"]),
        *(("signed_without_date", pk) for pk in mixed["deals"]),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"code": "signed_without_date"}, ["deals"]),
        ({"code": "figure_without_source"}, ["figures"]),
        ({"code": ["signed_without_date", "figure_without_source"]}, ["figures", "deals"]),
        ({"collection": "deals"}, ["deals"]),
        ({"collection": "reported-figures"}, ["figures"]),
        ({"collection": "deals", "code": "figure_without_source"}, []),
        # A collection with checks of its own, none of which finds anything here.
        ({"collection": "enterprises"}, []),
        ({"collection": "figure-statements"}, []),
    ],
)
def test_the_report_filters_by_code_and_collection(reader, mixed, params, expected):
    response = reader.get(URL, params)

    assert response.status_code == 200
    assert [result["record"]["id"] for result in response.json()["results"]] == [
        pk for kind in expected for pk in mixed[kind]
    ]
    assert response.json()["count"] == sum(len(mixed[kind]) for kind in expected)


def test_an_unknown_code_is_a_400_naming_it(reader):
    response = reader.get(URL, {"code": ["signed_without_date", "no_such_check"]})

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid_choice",
            "detail": '"no_such_check" is no check\'s code: choose from figure_without_source, probable_duplicate, '
            "quote_check_fails, signed_without_date, stale_rate, uscc_check_fails.",
            "attr": "code",
        }
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"collection": "venues"}, [("invalid_choice", "collection")]),
        ({"code": ""}, [("invalid_choice", "code")]),
        ({"collection": ["deals", "deals"]}, [("repeated_parameter", "collection")]),
        ({"stage": "signed"}, [("unknown_parameter", "stage")]),
        ({"limit": "many"}, [("invalid", "limit")]),
    ],
)
def test_a_malformed_or_unknown_parameter_is_a_400_naming_it(reader, params, expected):
    response = reader.get(URL, params)

    assert response.status_code == 400
    assert errors(response) == expected


def test_the_report_pages_across_checks(reader, mixed):
    response = reader.get(URL, {"limit": 2, "offset": 1})

    assert response.json()["count"] == 4
    assert codes_and_ids(response) == [
        ("figure_without_source", mixed["figures"][1]),
        ("signed_without_date", mixed["deals"][0]),
    ]
    assert response.json()["next"] == "http://testserver/api/quality/?limit=2&offset=3"
    assert response.json()["previous"] == "http://testserver/api/quality/?limit=2"


def test_a_page_past_the_end_is_empty(reader, mixed):
    assert reader.get(URL, {"offset": 10}).json()["results"] == []


@pytest.mark.parametrize(("limit", "offset"), [(2, 1), (4, 0)])
def test_the_report_costs_the_same_queries_whatever_the_page_size(
    reader, mixed, limit, offset, django_assert_num_queries
):
    # The token with its user (and knox's look at the user's tokens), the role's groups; then the
    # count of each of the four query checks (figure_without_source, probable_duplicate,
    # signed_without_date, uscc_check_fails); the quote and stale rate checks find their findings
    # (none here) in one read each; and a read of each page the findings here are on (the
    # figures' and the deals').
    with django_assert_num_queries(3 + 4 + 2 + 2):
        response = reader.get(URL, {"limit": limit, "offset": offset})
    assert len(response.json()["results"]) == limit


def test_a_page_reads_only_the_checks_it_holds(reader, mixed, django_assert_num_queries):
    # As above, with one page read: the deals' (the figures' findings are all before this page).
    with django_assert_num_queries(3 + 4 + 2 + 1):
        response = reader.get(URL, {"limit": 2, "offset": 2})
    assert codes_and_ids(response) == [("signed_without_date", pk) for pk in mixed["deals"]]


def test_anonymous_callers_are_refused_with_a_401(anon):
    assert anon.get(URL).status_code == 401


def test_a_signed_in_user_with_no_role_is_refused_with_a_403(unprivileged_api):
    response = unprivileged_api.get(URL)

    assert response.status_code == 403
    assert (
        response.json()["errors"][0]["detail"] == "The quality report is for analysts, delegation editors and admins."
    )


def test_an_editor_sees_the_findings_of_published_deals_and_of_their_own_delegations():
    shanghai = DelegationFactory(name="Shanghai")
    qingpu = DelegationFactory(name="Qingpu", parent=shanghai)
    zhejiang = DelegationFactory(name="Zhejiang")
    own_draft = undated("Qingpu's draft", delegation=qingpu, is_published=False)
    published = undated("Zhejiang's published deal", delegation=zhejiang)
    undated("Zhejiang's draft", delegation=zhejiang, is_published=False)

    titles = [result["record"]["name"] for result in client_of(editor(shanghai)).get(URL).json()["results"]]
    every = [result["record"]["name"] for result in client_of(admin()).get(URL).json()["results"]]

    assert titles == [own_draft.title, published.title]
    assert every == [own_draft.title, published.title, "Zhejiang's draft"]


def test_a_check_registered_as_a_function_of_ids_and_sentences_is_reported(monkeypatch):
    monkeypatch.setattr(quality, "CHECKS", dict(quality.CHECKS))
    kept = DealFactory(title="Ordered twice")
    draft = DealFactory(title="A draft", is_published=False)
    quality.register_check(
        "title_doubt",
        model=Deal,
        description="A deal whose title says it was ordered twice.",
        # It yields a deal the public cannot read too: the public's report leaves it out.
        find=lambda deals: [(draft.pk, "A draft, says its title."), (kept.pk, "Ordered twice, says its title.")],
        label=lambda deal: deal.title,
    )

    public = quality.report(None, codes=["title_doubt"])
    analysts = quality.report(analyst(), codes=["title_doubt"])

    assert len(public) == 1
    assert [(f.code, f.collection, f.record_id, f.label, f.message) for f in public[0:5]] == [
        ("title_doubt", "deals", kept.pk, "Ordered twice", "Ordered twice, says its title.")
    ]
    assert [(f.record_id, f.label) for f in analysts] == [(kept.pk, "Ordered twice"), (draft.pk, "A draft")]


def test_a_check_code_is_registered_once():
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        quality.register_query_check(
            "signed_without_date", model=Deal, description="", matches=lambda deals: deals, sentence=str
        )
