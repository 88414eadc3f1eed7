"""The browser, and a fresh page for each test whose every request, failed request and console
error is recorded. Requests for any host but the live app are refused, and the test fails if the
page asked for one, if a request failed or was answered with an error, if the page logged an
error, or if a page it showed has no screenshot."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, sync_playwright

from config.seed import load_seed_facts
from deals.models import Deal
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, TIMEOUT_MS, Traffic, is_local


@pytest.fixture(scope="package", autouse=True)
def _sync_database_access_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop running in this thread, which Django's ORM takes for
    # async code; the database work of these tests is synchronous.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_sync_database_access_beside_playwright: None) -> Iterator[Browser]:
    """Chromium, started once for these tests. Without it they are skipped, or fail when
    ``REQUIRE_CONTRACT_CHECKS=1`` (as in CI)."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM}, so the app was not checked in a browser"
        if os.environ.get("REQUIRE_CONTRACT_CHECKS") == "1":
            pytest.fail(f"{reason}; REQUIRE_CONTRACT_CHECKS=1 requires that check.")
        pytest.skip(f"{reason} (apt-get install chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def page(browser: Browser, traffic: Traffic, live_server, transactional_db) -> Iterator[Page]:
    """A fresh browser page (its own cookies) for the live app, which may ask nothing of other hosts."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)

    def local_only(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", local_only)
    traffic.record(context)
    yield context.new_page()
    context.close()
    problems = {
        "requests to other hosts": traffic.foreign(),
        "failed requests": traffic.failures,
        "console errors": traffic.console_errors,
        "pages shown without a screenshot": traffic.unshot,
    }
    problems = {name: found for name, found in problems.items() if found}
    if problems:
        pytest.fail(f"The browser saw: {problems}")


Screenshot = Callable[[Page | Locator, str], Path]


@pytest.fixture
def screenshot(traffic: Traffic) -> Screenshot:
    """``screenshot(page_or_element, "name.png")`` keeps what the browser shows under
    ``artifacts/screenshots/`` (git-ignored; CI keeps it as an artefact)."""

    def take(target: Page | Locator, name: str) -> Path:
        shown = target if isinstance(target, Page) else target.page
        # The page whole, and its load recorded before the screenshot is (the record counts on it).
        shown.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        target.screenshot(path=path)
        traffic.screenshot_taken(name, urldefrag(shown.url).url)
        return path

    return take


@pytest.fixture
def seed_deal(transactional_db) -> Deal:
    """The seed facts, loaded as ``make run`` loads them; their one deal, ZKH's order from Dow."""
    load_seed_facts()
    return Deal.objects.get(buyer__name="ZKH Industrial Supply Co", seller__name="Dow")
