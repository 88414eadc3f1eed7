"""The quality report in the Django admin: listed on the index, read only, each finding linked to
its record's change page and its API URL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.seed import load_seed_facts
from deals.models import Deal
from tests.factories import DealFactory, ReportedFigureFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/quality/"


def test_the_admin_report_is_at_admin_quality():
    assert reverse("admin:quality_report") == URL


def test_the_index_links_to_the_report(admin_client):
    response = admin_client.get(reverse("admin:index"))

    (app,) = [app for app in response.context["app_list"] if app["app_label"] == "quality"]
    assert (app["name"], [(model["name"], model["admin_url"]) for model in app["models"]]) == (
        "Data quality",
        [("Quality report", URL)],
    )
    assert f'<a href="{URL}">Quality report</a>' in response.content.decode()


def test_the_report_lists_the_seed_deal_with_links_to_it(admin_client):
    load_seed_facts(only=())
    deal = Deal.objects.get(title="Organo-silicon products procurement order")

    response = admin_client.get(URL)

    assert response.status_code == 200
    assert [
        (row["finding"].code, row["finding"].message, row["admin_url"], row["api_url"])
        for row in response.context["rows"]
    ] == [
        (
            "signed_without_date",
            "Signed deal 'Organo-silicon products procurement order' has no signing date.",
            f"/admin/deals/deal/{deal.pk}/change/",
            f"http://testserver/api/deals/{deal.pk}/",
        )
    ]
    page = response.content.decode()
    assert f'<a href="/admin/deals/deal/{deal.pk}/change/">Organo-silicon products procurement order</a>' in page
    assert f'<a href="http://testserver/api/deals/{deal.pk}/">deals/{deal.pk}</a>' in page


def test_the_report_keeps_the_checks_chosen(admin_client):
    DealFactory(signed_on=None)
    figure = ReportedFigureFactory(source=None)

    response = admin_client.get(URL, {"code": "figure_without_source"})

    assert [(row["finding"].code, row["finding"].record_id) for row in response.context["rows"]] == [
        ("figure_without_source", figure.pk)
    ]


def test_an_unknown_check_is_said_and_every_check_shown(admin_client):
    deal = DealFactory(signed_on=None)

    response = admin_client.get(URL, {"code": "no_such_check"})

    assert [str(message) for message in response.context["messages"]] == [
        "There is no check 'no_such_check': the report shows every check."
    ]
    assert [row["finding"].record_id for row in response.context["rows"]] == [deal.pk]


def test_the_report_costs_the_same_queries_for_one_finding_or_five(admin_client):
    DealFactory(signed_on=None)
    with CaptureQueriesContext(connection) as one:
        admin_client.get(URL)
    for _ in range(4):
        DealFactory(signed_on=None)

    with CaptureQueriesContext(connection) as five:
        response = admin_client.get(URL)

    assert len(response.context["rows"]) == 5
    assert len(five) == len(one), "\n".join(query["sql"] for query in five)


def test_staff_with_no_role_neither_see_nor_open_the_report(client):
    client.force_login(UserFactory(is_staff=True))

    index = client.get(reverse("admin:index"))

    assert [app for app in index.context["app_list"] if app["app_label"] == "quality"] == []
    assert client.get(URL).status_code == 403
