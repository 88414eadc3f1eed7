"""An admin in a real browser: logs in to the Django admin, renames the seed deal, finds the
change in its history, and reverts it from there."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from playwright.sync_api import Page, expect

from deals.models import Deal
from tests.factories import admin
from tests.factories.users import PASSWORD

NEW_TITLE = "ZKH organo-silicon order from Dow"


def when(record) -> str:
    """A history record's time as the admin shows it (in the site's time zone)."""
    return date_format(localtime(record.history_date), "DATETIME_FORMAT")


def history_rows(page: Page) -> list[list[str]]:
    """The History page's table, a list of cells per row, newest first, whitespace collapsed."""
    rows = page.locator("#change-history tbody tr")
    return [[" ".join(cell.split()) for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def test_an_admin_renames_a_deal_sees_it_in_the_history_and_reverts_it(page: Page, screenshot, live_server, seed_deal):
    admin(username="ada")
    original = seed_deal.title
    change_page = reverse("admin:deals_deal_change", args=[seed_deal.pk])

    page.goto(f"{live_server.url}{reverse('admin:login')}?next={change_page}")
    page.locator("#id_username").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    screenshot(page, "admin-login.png")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(live_server.url + change_page)
    expect(page.locator("#id_title")).to_have_value(original)
    screenshot(page, "admin-deal-change.png")
    page.locator("#id_title").fill(NEW_TITLE)
    page.locator("input[name='_continue']").click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator("#id_title")).to_have_value(NEW_TITLE)
    screenshot(page, "admin-deal-changed.png")
    assert Deal.objects.get(pk=seed_deal.pk).title == NEW_TITLE

    page.locator("a.historylink").click()
    history_page = live_server.url + reverse("admin:deals_deal_history", args=[seed_deal.pk])
    expect(page).to_have_url(history_page)
    expect(page.locator("#change-history tbody tr")).to_have_count(4)
    rename, signed, seeded_markets, seeded = seed_deal.history.order_by("-history_date", "-history_id")
    assert history_rows(page) == [
        [
            f"{NEW_TITLE} (USD 300,000,000.00)",
            when(rename),
            "Changed",
            "ada",
            "None",
            f"Title: {original} → {NEW_TITLE}",
        ],
        [
            f"{original} (USD 300,000,000.00)",
            when(signed),
            "Changed",
            "None",
            "stage: signed",
            "Stage: intention → signed",
        ],
        [
            f"{original} (USD 300,000,000.00)",
            when(seeded_markets),
            "Changed",
            "None",
            "None",
            "Markets: [] → [Architecture, Electronics, New energy, Packaging, Transportation]",
        ],
        [f"{original} (USD 300,000,000.00)", when(seeded), "Created", "None", "None", ""],
    ]
    screenshot(page, "admin-deal-history.png")

    # The version before the rename: the seed's, once signed.
    page.locator("#change-history tbody tr").nth(1).get_by_role("link").click()
    revert_page = reverse("admin:deals_deal_simple_history", args=[seed_deal.pk, signed.history_id])
    expect(page).to_have_url(live_server.url + revert_page)
    expect(page.locator("#id_title")).to_have_value(original)
    screenshot(page, "admin-deal-revert.png")
    page.get_by_role("button", name="Revert").click()

    expect(page).to_have_url(live_server.url + reverse("admin:deals_deal_changelist"))
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    screenshot(page, "admin-deal-reverted.png")
    assert Deal.objects.get(pk=seed_deal.pk).title == original
    revert = seed_deal.history.latest()
    assert (revert.history_type, revert.history_user.username, revert.title) == ("~", "ada", original)

    page.goto(history_page)
    expect(page.locator("#change-history tbody tr")).to_have_count(5)
    assert history_rows(page)[0] == [
        f"{original} (USD 300,000,000.00)",
        when(revert),
        "Changed",
        "ada",
        "None",
        f"Title: {NEW_TITLE} → {original}",
    ]
    screenshot(page, "admin-deal-history-reverted.png")
