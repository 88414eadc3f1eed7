"""The deal admin at a laptop's width (1366 and 1400 px): the change list shows every column
beside the filter panel, and the change form with its line items fits the window, with long
titles, delegation and edition names."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from deals.models import Deal
from tests.factories import admin
from tests.factories.deals import DealFactory, DealLineItemFactory
from tests.factories.delegations import DelegationFactory
from tests.factories.expo import EditionFactory

WIDTHS = (1366, 1400)
COLUMNS = ("Title", "Stage", "Value (USD)", "Amount", "Edition", "Delegation")
LONG_DELEGATION = "Trading Delegation of the Qingpu District People's Government and the Hongqiao Business District"
LONG_EDITION = "6th China International Import Expo and Hongqiao International Economic Forum"
LONG_TITLE = (
    "Framework agreement on the multi-year procurement of high-purity organo-silicon intermediates, "
    "silicone rubber compounds and specialty coatings for the East China market"
)
BILLIONS = Decimal("15000000000.00")
LINE_AMOUNT = Decimal("41152263.00")
LONG_PRODUCT = "High-purity organo-silicon intermediates and silicone rubber compounds for electronics"

# The page's boxes (left, right, top, bottom, in CSS pixels) and scroll widths: the change list's
# cells beside the filter panel, or the line-item inline's cells.
BOXES = """() => {
    const box = element => {
        const r = element.getBoundingClientRect();
        return {text: element.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    const scroll = element => ({scroll: element.scrollWidth, client: element.clientWidth});
    const table = document.querySelector("#result_list");
    const inline = document.querySelector("#line_items-group");
    const filter = document.querySelector("#changelist-filter");
    return {
        document: document.documentElement.scrollWidth,
        headers: table && [...table.querySelectorAll("thead th")].map(th => th.textContent.trim()),
        cells: [...(table || inline).querySelectorAll("th, td")].map(box),
        results: table && scroll(table.closest(".results")),
        filter: filter && box(filter),
        inline: inline && {...box(inline), ...scroll(inline)},
    };
}"""


def outside(boxes: list[dict], width: int) -> list[str]:
    """The start of the text of each box not wholly within a window ``width`` wide."""
    return [box["text"][:30] for box in boxes if box["left"] < 0 or box["right"] > width]


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.fixture
def long_deals(seed_deal: Deal) -> list[Deal]:
    """The seed's deals and five more with long titles, for a delegation and an edition with long
    names; the first has three line items with long product names."""
    delegation = DelegationFactory(name=LONG_DELEGATION)
    edition = EditionFactory(name=LONG_EDITION)
    deals = [
        DealFactory(title=f"{LONG_TITLE} ({n})", delegation=delegation, edition=edition, amount=Decimal("123456789.00"))
        for n in range(1, 5)
    ]
    # The widest figures a deal is likely to have: billions, in yuan.
    deals.append(DealFactory(title=LONG_TITLE, delegation=delegation, edition=edition, currency="CNY", amount=BILLIONS))
    for n in range(3):
        DealLineItemFactory(deal=deals[0], product=f"{LONG_PRODUCT} ({n})", hs_code="3910000000", amount=LINE_AMOUNT)
    return [*Deal.objects.exclude(pk__in=[deal.pk for deal in deals]), *deals]


def log_in(page: Page, live_server) -> None:
    """The page's browser holds an admin's session (the login page has its own test)."""
    client = Client()
    client.force_login(admin(username="ada"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


@pytest.mark.parametrize("width", WIDTHS)
def test_the_deal_change_list_shows_every_column_beside_the_filter_panel(
    page: Page, screenshot, live_server, long_deals, width
):
    page.set_viewport_size({"width": width, "height": 900})
    change_list = reverse("admin:deals_deal_changelist")
    log_in(page, live_server)
    page.goto(live_server.url + change_list)
    expect(page.locator("#result_list tbody tr")).to_have_count(len(long_deals))
    screenshot(page, f"admin-deal-change-list-{width}.png")

    shown = page.evaluate(BOXES)
    assert outside(shown["cells"], width) == []
    assert [cell["text"][:30] for cell in shown["cells"] if overlaps(cell, shown["filter"])] == []
    assert shown["results"]["scroll"] <= shown["results"]["client"]
    assert shown["document"] <= width
    assert shown["headers"] == ["", *COLUMNS]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_deal_change_form_and_its_line_items_fit_the_window(page: Page, screenshot, live_server, long_deals, width):
    page.set_viewport_size({"width": width, "height": 900})
    change_form = reverse("admin:deals_deal_change", args=[long_deals[-5].pk])
    log_in(page, live_server)
    page.goto(live_server.url + change_form)
    expect(page.locator("#id_line_items-0-product")).to_have_value(f"{LONG_PRODUCT} (0)")
    expect(page.locator("#id_line_items-2-amount")).to_have_value(str(LINE_AMOUNT))
    screenshot(page, f"admin-deal-change-form-{width}.png")
    screenshot(page.locator("#line_items-group"), f"admin-deal-line-items-{width}.png")

    shown = page.evaluate(BOXES)
    assert outside([shown["inline"], *shown["cells"]], width) == []
    assert shown["inline"]["scroll"] <= shown["inline"]["client"]
    assert shown["document"] <= width
