"""Swagger UI and ReDoc opened in a real browser against the live app: each renders the API's
operations from the app's own static files, and asks nothing of other hosts (which the ``page``
fixture checks, with failed requests and console errors)."""

from pathlib import Path

import pytest
import yaml
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.support import FIRST_RENDER_TIMEOUT_MS, TIMEOUT_MS, Traffic

ROOT = Path(__file__).resolve().parents[2]
SWAGGER_UI_FILES = "/static/drf_spectacular_sidecar/swagger-ui-dist"
# ReDoc 2's bundle shows an image beside "API docs by Redocly" in its sidebar, with no option to
# turn it off; the app serves the bundle without that image's address.
REDOC_BUNDLE = "/api/redoc/redoc.standalone.js"

pytestmark = pytest.mark.usefixtures("seed_deal")


def operation_count() -> int:
    schema = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    methods = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}
    return sum(1 for item in schema["paths"].values() for method in item if method in methods)


def assert_loaded(traffic: Traffic, live_server, static_files: set[str]) -> None:
    assert traffic.statuses.get(live_server.url + reverse("schema")) == 200
    loaded = traffic.static_files()
    assert {path: loaded.get(path) for path in static_files} == dict.fromkeys(static_files, 200)


def test_swagger_ui_renders_every_operation_from_local_files(page: Page, traffic, screenshot, live_server):
    page.goto(live_server.url + reverse("swagger-ui"))

    expect(page.locator(".info .title")).to_contain_text("Expo Deals API", timeout=TIMEOUT_MS)
    expect(page.locator("#operations-tag-deals")).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(operation_count())
    list_deals = page.locator("#operations-deals-deals_list")
    expect(list_deals.locator(".opblock-summary-description")).to_have_text("List deals")
    page.wait_for_load_state("networkidle")
    screenshot(page, "swagger-ui.png")

    list_deals.locator(".opblock-summary").click()
    expect(list_deals.locator("tr[data-param-name='value_usd_min']")).to_be_visible()
    list_deals.scroll_into_view_if_needed()
    screenshot(page, "swagger-ui-list-deals.png")

    assert_loaded(
        traffic,
        live_server,
        {
            f"{SWAGGER_UI_FILES}/swagger-ui.css",
            f"{SWAGGER_UI_FILES}/swagger-ui-bundle.js",
            f"{SWAGGER_UI_FILES}/swagger-ui-standalone-preset.js",
            f"{SWAGGER_UI_FILES}/favicon-32x32.png",
        },
    )


def test_redoc_renders_every_operation_from_local_files(page: Page, traffic, screenshot, live_server):
    page.goto(live_server.url + reverse("redoc"))

    list_deals = page.locator("[data-section-id='operation/deals_list'] h2")
    expect(list_deals).to_have_text("List deals", timeout=FIRST_RENDER_TIMEOUT_MS)
    expect(page.locator("[data-section-id^='operation/']")).to_have_count(operation_count())
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Expo Deals API")).to_be_visible()
    screenshot(page, "redoc.png")
    page.locator("[data-section-id='operation/deals_list']").scroll_into_view_if_needed()
    screenshot(page, "redoc-list-deals.png")

    assert_loaded(traffic, live_server, set())
    # The bundle comes from the app, without the one outside address the stock file holds.
    assert traffic.statuses.get(live_server.url + REDOC_BUNDLE) == 200
