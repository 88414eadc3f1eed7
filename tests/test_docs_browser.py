"""Swagger UI and ReDoc opened in a real browser (Debian's Chromium, headless) against the live app:
each renders the API's operations from the app's own static files, and asks nothing of other hosts."""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route, expect, sync_playwright

from expo.seed import load_seed_facts

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 30_000
SWAGGER_UI_FILES = "/static/drf_spectacular_sidecar/swagger-ui-dist"
REDOC_BUNDLE = "/api/redoc/redoc.standalone.js"
# ReDoc 2's bundle shows this image beside "API docs by Redocly" in its sidebar, with no option to turn it off.


@pytest.fixture(scope="module", autouse=True)
def _sync_database_access_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop running in this thread, which Django's ORM takes for
    # async code; the database work of these tests is synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_sync_database_access_beside_playwright: None) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM}, so the API docs were not checked in a browser"
        if os.environ.get("REQUIRE_CONTRACT_CHECKS") == "1":
            pytest.fail(f"{reason}; REQUIRE_CONTRACT_CHECKS=1 requires that check.")
        pytest.skip(f"{reason} (apt-get install chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    """Whether ``url`` stays inside the browser or the live app (a worker's ``blob:`` URL names its origin)."""
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme == "blob":
        parts = urlsplit(parts.path)
    return parts.hostname in LOCAL_HOSTS


@dataclass
class Traffic:
    """What a page asked for while it was open, and what went wrong."""

    requests: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    console_errors: list[tuple[str, str]] = field(default_factory=list)

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]

    def static_files(self) -> dict[str, int]:
        return {urlsplit(url).path: status for url, status in self.statuses.items() if "/static/" in url}


@pytest.fixture
def docs(browser: Browser, live_server, transactional_db) -> Iterator[tuple[Page, Traffic]]:
    """A fresh browser page whose every request, failure and console error is recorded; requests
    for anything but the live app are refused, so the page works only if it needs nothing else."""
    load_seed_facts()
    traffic = Traffic()
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)

    def local_only(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def record_response(response: Response) -> None:
        traffic.statuses[response.url] = response.status
        if response.status >= 400:
            traffic.failures[response.url] = f"HTTP {response.status}"

    def record_failure(request: Request) -> None:
        traffic.failures[request.url] = request.failure or "failed"

    def record_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            traffic.console_errors.append((message.text, message.location.get("url", "")))

    context.route("**/*", local_only)
    page = context.new_page()
    page.on("request", lambda request: traffic.requests.append(request.url))
    page.on("response", record_response)
    page.on("requestfailed", record_failure)
    page.on("console", record_console)
    page.on("pageerror", lambda error: traffic.console_errors.append((f"uncaught: {error}", page.url)))
    yield page, traffic
    context.close()


def operation_count() -> int:
    schema = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    methods = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}
    return sum(1 for item in schema["paths"].values() for method in item if method in methods)


def screenshot(target: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=SCREENSHOTS / name)


def assert_loaded(traffic: Traffic, live_server, static_files: set[str]) -> None:
    assert traffic.statuses.get(live_server.url + reverse("schema")) == 200
    loaded = traffic.static_files()
    assert {path: loaded.get(path) for path in static_files} == dict.fromkeys(static_files, 200)


def test_swagger_ui_renders_every_operation_from_local_files(docs, live_server):
    page, traffic = docs
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
    assert traffic.foreign() == []
    assert traffic.failures == {}
    assert traffic.console_errors == []


def open_redoc(page: Page, live_server) -> None:
    page.goto(live_server.url + reverse("redoc"))
    list_deals = page.locator("[data-section-id='operation/deals_list'] h2")
    expect(list_deals).to_have_text("List deals", timeout=TIMEOUT_MS)
    expect(page.locator("[data-section-id^='operation/']")).to_have_count(operation_count())
    page.wait_for_load_state("networkidle")


def test_redoc_renders_every_operation_from_local_files(docs, live_server):
    page, traffic = docs
    open_redoc(page, live_server)
    expect(page.get_by_role("heading", name="Expo Deals API")).to_be_visible()
    screenshot(page, "redoc.png")
    page.locator("[data-section-id='operation/deals_list']").scroll_into_view_if_needed()
    screenshot(page, "redoc-list-deals.png")

    assert_loaded(traffic, live_server, set())
    # The bundle comes from the app, without the one outside address the stock file holds.
    assert traffic.statuses.get(live_server.url + REDOC_BUNDLE) == 200
    assert traffic.foreign() == []
    assert traffic.failures == {}
    assert traffic.console_errors == []
