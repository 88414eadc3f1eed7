"""An analyst in a real browser: logs in on the docs' login page, lands on Swagger UI, and lists
deals there with "Try it out" and a filter, as their login session lets them: the public's deals
and the unpublished ones."""

import json
from importlib import import_module
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.support import TIMEOUT_MS
from tests.factories import DealFactory, analyst
from tests.factories.users import PASSWORD


def test_an_analyst_logs_in_and_filters_the_deal_list_with_try_it_out(page: Page, screenshot, live_server, seed_deal):
    user = analyst(username="lin")
    unpublished = DealFactory(title="Organo-silicon sealants supply agreement", is_published=False)
    docs = live_server.url + reverse("swagger-ui")

    page.goto(f"{live_server.url}{reverse('api-login')}?next={reverse('swagger-ui')}")
    page.get_by_label("Username").fill("lin")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "analyst-login.png")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(docs)
    expect(page.locator(".info .title")).to_contain_text("Expo Deals API", timeout=TIMEOUT_MS)
    list_deals = page.locator("#operations-deals-deals_list")
    expect(list_deals).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "analyst-swagger-ui.png")

    page.locator("button.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    login_link = dialog.get_by_role("link", name="/api/auth/login/")
    expect(login_link).to_have_attribute("href", f"{reverse('api-login')}?next={reverse('swagger-ui')}")
    screenshot(page, "analyst-swagger-ui-authorize.png")
    dialog.locator("button.close-modal").click()

    list_deals.locator(".opblock-summary").click()
    list_deals.get_by_role("button", name="Try it out").click()
    list_deals.locator("tr[data-param-name='search'] input").fill("Organo-silicon")
    with page.expect_response(lambda response: urlsplit(response.url).path == reverse("deal-list")) as answer:
        list_deals.get_by_role("button", name="Execute").click()

    request = answer.value.request
    # Swagger UI fills in the defaults the schema gives for the page.
    assert parse_qs(urlsplit(request.url).query) == {"search": ["Organo-silicon"], "limit": ["50"], "offset": ["0"]}
    headers = request.all_headers()
    assert "authorization" not in headers
    cookies = dict(cookie.split("=", 1) for cookie in headers["cookie"].split("; "))
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookies[settings.SESSION_COOKIE_NAME])
    assert session.load()[SESSION_KEY] == str(user.pk)

    expect(list_deals.locator(".request-url pre")).to_have_text(
        f"{live_server.url}{reverse('deal-list')}?limit=50&offset=0&search=Organo-silicon"
    )
    responses = list_deals.locator(".live-responses-table")
    expect(responses.locator("tbody .response-col_status")).to_have_text("200")
    body = responses.locator("tbody .response-col_description .highlight-code pre")
    expect(body).to_contain_text('"amount": "300000000.00"')
    list_deals.locator(".curl-command").evaluate("element => element.scrollIntoView()")
    screenshot(page, "analyst-swagger-ui-execute.png")
    shown = json.loads(body.inner_text())
    assert shown["count"] == 2
    assert {
        deal["title"]: (deal["buyer"]["name"], deal["seller"]["name"], deal["value"]) for deal in shown["results"]
    } == {
        seed_deal.title: ("ZKH Industrial Supply Co", "Dow", {"amount": "300000000.00", "currency": "USD"}),
        unpublished.title: (
            unpublished.buyer.name,
            unpublished.seller.name,
            {"amount": "1000000.00", "currency": "USD"},
        ),
    }
    body.get_by_text(f'"{seed_deal.title}"').scroll_into_view_if_needed()
    screenshot(responses, "analyst-swagger-ui-try-it-out.png")
