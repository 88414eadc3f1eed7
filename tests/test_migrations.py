"""Moving models between apps loses nothing: API tokens, idempotency keys and the deletion feed left
the expo app for the framework app, reported figures for the figures app. A database built by the
migrations as they were before the move, holding the seed facts, demo data and rows of every moved
model, is migrated to the new layout and keeps every row, every history entry, and the content
types that permissions and the admin's log refer to."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q

from config.seed import load_seed_facts
from deals.demo import generate_demo
from deals.models import Deal

# Where each app stood before the move (the landed migrations); the framework and figures apps did not exist.
BEFORE = [
    ("expo", "0005_source_published_on_index"),
    ("delegations", "0005_activity_held_on_index"),
    ("deals", "0005_deep_pages_from_the_ordering_index"),
    ("framework", None),
    ("figures", None),
]
# Where the move left them; later migrations add to this, and the test ends there.
AFTER = [
    ("expo", "0006_models_moved_to_framework_and_figures"),
    ("delegations", "0005_activity_held_on_index"),
    ("deals", "0005_deep_pages_from_the_ordering_index"),
    ("framework", "0001_moved_from_expo"),
    ("figures", "0001_moved_from_expo"),
]
MOVED = {
    "apitoken": "framework",
    "idempotencykey": "framework",
    "deletion": "framework",
    "reportedfigure": "figures",
}
APPS = ("expo", "delegations", "deals", "framework", "figures")


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table of the project's apps (history included) that the database has
    now, by table."""
    rows = {}
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for app in APPS:
            for model in apps.get_app_config(app).get_models():
                table = model._meta.db_table
                if table not in existing:
                    continue
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")  # noqa: S608
                rows[table] = cursor.fetchall()
    return rows


def migrate(targets: list[tuple[str, str | None]]):
    """Migrate the test database to ``targets`` and return the models as they are there."""
    return MigrationExecutor(connection).migrate(targets).apps


def leaves() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [node for node in executor.loader.graph.leaf_nodes() if node[0] in APPS]


@pytest.mark.django_db(transaction=True)
def test_the_move_to_the_framework_and_figures_apps_keeps_every_row_and_content_type():
    load_seed_facts(only=())
    generate_demo(deals=40, seed=3)
    # The schema before deals.0006 holds neither deals with no value nor USD values their source states.
    newer = Deal.objects.filter(Q(amount__isnull=True) | Q(stated_value_usd__isnull=False))
    Deal.history.filter(id__in=list(newer.values_list("pk", flat=True))).delete()
    newer.delete()
    apps.get_model("framework", "Deletion").objects.all().delete()  # as if they had never been

    old = migrate(BEFORE)
    old_content_types = old.get_model("contenttypes", "ContentType")
    assert set(old_content_types.objects.filter(model__in=MOVED).values_list("app_label", "model")) >= {
        ("expo", "reportedfigure"),
        ("expo", "apitoken"),
    }
    # Rows of every moved model, written as the landed code wrote them, with its models.
    user = old.get_model("auth", "User").objects.create(username="before-the-move")
    old.get_model("expo", "ApiToken").objects.create(
        digest="d" * 128, token_key="expo_abc", user=user, client="sales dashboard"
    )
    old.get_model("expo", "IdempotencyKey").objects.create(
        user=user, key="k-1", method="POST", path="/api/deals/", fingerprint="f" * 64, response_status=201
    )
    old.get_model("expo", "Deletion").objects.create(collection="deals", record_id=99, kind="deleted")
    figure = old.get_model("expo", "ReportedFigure").objects.first()
    figure_type = old_content_types.objects.get(app_label="expo", model="reportedfigure")
    old.get_model("admin", "LogEntry").objects.create(
        user_id=user.pk,
        content_type_id=figure_type.pk,
        object_id=str(figure.pk),
        object_repr="a figure",
        action_flag=CHANGE,
    )
    editors = old.get_model("auth", "Group").objects.create(name="Figure editors")
    editors.permissions.add(old.get_model("auth", "Permission").objects.get(codename="change_reportedfigure"))
    before = every_row()

    migrate(AFTER)
    ContentType.objects.clear_cache()

    assert every_row() == before
    # Not vacuous: the moved tables and the histories hold rows.
    assert {table: len(before[table]) for table in ("expo_apitoken", "expo_idempotencykey", "expo_deletion")} == {
        "expo_apitoken": 1,
        "expo_idempotencykey": 1,
        "expo_deletion": 1,
    }
    assert len(before["expo_reportedfigure"]) >= 9
    assert len(before["deals_historicaldeal"]) >= 1
    for model, app_label in MOVED.items():
        assert ContentType.objects.get(model=model).app_label == app_label
    entry = LogEntry.objects.get(object_repr="a figure")
    # The figures' later migrations change their table: the entry's record is read once they have run.
    assert (entry.content_type.app_label, entry.content_type.model, entry.object_id) == (
        "figures",
        "reportedfigure",
        str(figure.pk),
    )
    assert list(
        Group.objects.get(name="Figure editors").permissions.values_list("content_type__app_label", "codename")
    ) == [("figures", "change_reportedfigure")]
    assert Permission.objects.filter(content_type__app_label="expo", codename__endswith="reportedfigure").count() == 0
    assert apps.get_model("framework", "ApiToken").objects.get(user_id=user.pk).client == "sales dashboard"
    # The later migrations apply on top, leaving the database as the other tests expect it.
    migrate(leaves())
    assert apps.get_model("framework", "ApiToken").objects.get(user_id=user.pk).client == "sales dashboard"
    assert LogEntry.objects.get(object_repr="a figure").get_edited_object().pk == figure.pk


# Where figures stood before their statements had a table of their own, and where that left them.
BEFORE_STATEMENTS = [("figures", "0001_moved_from_expo"), ("expo", "0006_models_moved_to_framework_and_figures")]
AFTER_STATEMENTS = [("figures", "0004_figures_hold_subjects")]


@pytest.mark.django_db(transaction=True)
def test_each_figure_becomes_a_figure_with_its_statement_and_reports_of_one_figure_merge():
    old = migrate(BEFORE_STATEMENTS)
    source = old.get_model("expo", "Source").objects.create(title="Report", published_on="2021-11-12")
    other = old.get_model("expo", "Source").objects.create(title="Another report")
    expo = old.get_model("expo", "Expo").objects.create(name="China International Import Expo", short_name="CIIE")
    edition = old.get_model("expo", "Edition").objects.create(expo=expo, number=4, name="4th CIIE")
    delegation = old.get_model("delegations", "Delegation").objects.create(name="Qingpu")
    old.get_model("deals", "ExchangeRate").objects.create(currency="CNY", date="2021-11-01", rate_to_usd="0.15")
    figures = old.get_model("figures", "ReportedFigure").objects
    common = {"edition": edition, "delegation": delegation, "consecutive_editions": 1}
    volume = figures.create(
        **common,
        metric="trading_volume",
        qualifier="more_than",
        value="1000000000",
        currency="USD",
        quote="more than US$1 billion",
        source=source,
    )
    second = figures.create(
        **common,
        metric="trading_volume",
        qualifier="exact",
        value="1200000000",
        currency="USD",
        quote="US$1.2 billion",
        source=other,
    )
    sales = figures.create(
        **common,
        metric="intention_order_volume",
        qualifier="exact",
        value="2000000",
        currency="CNY",
        quote="2 million yuan",
        source=source,
    )
    count = figures.create(
        **common, metric="settlements_intended", value="11", unit="companies", quote="Another 11", as_of="2021-11-10"
    )

    new = migrate(AFTER_STATEMENTS)

    statements = new.get_model("figures", "FigureStatement").objects.order_by("pk")
    assert [
        (
            each.figure_id,
            each.source_id,
            str(each.value),
            each.qualifier,
            each.currency,
            each.quote,
            each.rank,
            None if each.value_usd is None else str(each.value_usd),
            each.usd_rate_source,
            each.as_of,
        )
        for each in statements
    ] == [
        (volume.pk, source.pk, "1000000000.00", "more_than", "USD", "more than US$1 billion", "preferred",
         "1000000000.00", "usd", None),
        (volume.pk, other.pk, "1200000000.00", "exact", "USD", "US$1.2 billion", "normal", "1200000000.00", "usd",
         None),
        (sales.pk, source.pk, "2000000.00", "exact", "CNY", "2 million yuan", "preferred", "300000.00",
         "rate_table", None),
        (count.pk, None, "11.00", "exact", "", "Another 11", "preferred", None, "", datetime.date(2021, 11, 10)),
    ]  # fmt: skip
    remaining = new.get_model("figures", "ReportedFigure").objects.order_by("pk")
    assert list(remaining.values_list("pk", "metric", "unit")) == [
        (volume.pk, "trading_volume", ""),
        (sales.pk, "intention_order_volume", ""),
        (count.pk, "settlements_intended", "companies"),
    ]
    assert not remaining.filter(pk=second.pk).exists()

    # Undone, each figure takes its preferred statement back.
    undone = migrate(BEFORE_STATEMENTS).get_model("figures", "ReportedFigure").objects.order_by("pk")
    assert list(undone.values_list("pk", "value", "qualifier", "quote", "source_id")) == [
        (volume.pk, Decimal("1000000000.00"), "more_than", "more than US$1 billion", source.pk),
        (sales.pk, Decimal("2000000.00"), "exact", "2 million yuan", source.pk),
        (count.pk, Decimal("11.00"), "exact", "Another 11", None),
    ]
    migrate(leaves())
