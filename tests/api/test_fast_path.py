"""The list fast path (framework.api.values) checked before it serves: declarations that name
nothing fail the system check, a field that needs the request is not compiled, and a page whose
rows lack what a field reads is rendered by the serializer instead of failing."""

import logging

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db.models import Count
from rest_framework import serializers

from deals.models import Deal
from delegations.models import EnterpriseAlias
from expo.api.briefs import EditionBriefSerializer
from expo.api.serializers import EditionSerializer
from expo.models import Edition, Expo, Venue
from framework.api import fieldsets, values
from framework.api.checks import check_serializer_declarations, declaration_errors, view_serializers, with_embedded
from framework.api.fields import BriefRelatedField
from framework.api.fieldsets import EVERYTHING, Selection, expandable_fields
from framework.api.values import NotCompilable, compile_serializer, values_renderer
from tests.api.collection import VIEWSETS, detail_url, list_url
from tests.factories import (
    DealFactory,
    EditionFactory,
    EnterpriseAliasFactory,
    EnterpriseFactory,
    ExpoFactory,
    VenueFactory,
)


def clear_shapes() -> None:
    """Forget the shapes, plans and renderers worked out so far (a test changed a serializer)."""
    fieldsets.shaped_fields.cache_clear()
    fieldsets.response_plan.cache_clear()
    values.renderer_of.cache_clear()


def warnings(caplog) -> list[tuple[str, str]]:
    """What the fast path logged."""
    return [(record.levelname, record.getMessage()) for record in caplog.records if record.name == values.logger.name]


def name_of(serializer_class) -> str:
    return f"{serializer_class.__module__}.{serializer_class.__qualname__}"


@pytest.fixture(autouse=True)
def fresh_shapes():
    """Shapes, plans and renderers worked out afresh, before and after each test: tests here
    render with serializers of their own or change one."""
    clear_shapes()
    yield
    clear_shapes()


# What the routers' collections render, nested and brief serializers included.
COLLECTION_SERIALIZERS = [
    "expo.api.serializers.ExpoSerializer",
    "expo.api.serializers.EditionSerializer",
    "expo.api.serializers.VenueSerializer",
    "expo.api.serializers.SourceSerializer",
    "delegations.api.serializers.DelegationSerializer",
    "delegations.api.serializers.ParticipationSerializer",
    "delegations.api.serializers.EnterpriseSerializer",
    "delegations.api.serializers.SettlementSerializer",
    "delegations.api.serializers.PromotionalActivitySerializer",
    "deals.api.serializers.DealSerializer",
    "deals.api.serializers.MarketSerializer",
    "deals.api.serializers.CategorySerializer",
    "deals.api.serializers.ExchangeRateSerializer",
    "figures.api.serializers.ReportedFigureSerializer",
    "figures.api.serializers.FigureStatementSerializer",
    "expo.api.briefs.SourceBriefSerializer",
    "expo.api.briefs.VenueBriefSerializer",
    "expo.api.briefs.ExpoBriefSerializer",
    "delegations.api.briefs.DelegationBriefSerializer",
    "expo.api.briefs.EditionBriefSerializer",
    "delegations.api.serializers.EnterpriseAliasSerializer",
    "delegations.api.briefs.ParticipationBriefSerializer",
    "delegations.api.briefs.EnterpriseBriefSerializer",
    "deals.api.briefs.MarketBriefSerializer",
    "deals.api.serializers.DealLineItemSerializer",
    "figures.api.serializers.StatementInFigureSerializer",
    "figures.api.serializers.ReportedFigureBriefSerializer",
    "deals.api.briefs.CategoryBriefSerializer",
]
# What the check walks besides: the framework's own collections, and the views that render no
# model's records (a deal's history, statistics, reconciliation, the quality report's findings),
# which the fast path never serves.
FRAMEWORK_SERIALIZERS = ["framework.api.serializers.DeletionSerializer", "framework.api.tokens.TokenSerializer"]
NO_MODEL_SERIALIZERS = [
    "deals.api.serializers.DealHistoryEntrySerializer",
    "deals.api.stats.DealStatisticsSerializer",
    "figures.api.serializers.ReconciliationSerializer",
    "figures.api.serializers.StatementReconciliationSerializer",
    "figures.api.serializers.RecordedFirstOrderSerializer",
    "deals.api.serializers.HistoryUserSerializer",
    "deals.api.serializers.FieldChangeSerializer",
    "deals.api.stats.DealStatisticsRowSerializer",
    "deals.api.stats.DealMeasuresSerializer",
    "deals.api.stats.StageValuesSerializer",
    "deals.api.stats.CountrySerializer",
    "framework.api.quality.FindingSerializer",
    "framework.api.quality.FindingRecordSerializer",
    "deals.api.funnel.FunnelSerializer",
    "deals.api.funnel.FunnelRowSerializer",
    "deals.api.funnel.EnteredStagesSerializer",
    "deals.api.funnel.EnteredSerializer",
    "deals.api.funnel.MovedOnSerializer",
    "deals.api.funnel.CancellationSerializer",
    "deals.api.funnel.CancelledFromSerializer",
]


def collection_serializers() -> list:
    return with_embedded(viewset.serializer_class for viewset in VIEWSETS.values())


def model_serializers() -> list:
    """Every serializer the check walks that renders a model's records."""
    return [
        serializer_class
        for serializer_class in with_embedded(view_serializers())
        if getattr(getattr(serializer_class, "Meta", None), "model", None) is not None
    ]


def test_the_walk_finds_every_serializer_and_what_it_embeds():
    assert [name_of(serializer_class) for serializer_class in collection_serializers()] == COLLECTION_SERIALIZERS
    walked = [name_of(serializer_class) for serializer_class in with_embedded(view_serializers())]
    assert sorted(walked) == sorted(COLLECTION_SERIALIZERS + FRAMEWORK_SERIALIZERS + NO_MODEL_SERIALIZERS)
    assert sorted(name_of(serializer_class) for serializer_class in model_serializers()) == sorted(
        COLLECTION_SERIALIZERS + FRAMEWORK_SERIALIZERS
    )


@pytest.mark.parametrize("serializer_class", model_serializers(), ids=name_of)
def test_every_model_serializer_compiles(serializer_class):
    model = serializer_class.Meta.model
    compiled = compile_serializer(serializer_class, EVERYTHING, model)
    assert [name for name, _ in compiled.builders] == [
        name for name, field in serializer_class().fields.items() if not field.write_only
    ]


@pytest.mark.parametrize(
    ("basename", "expand"),
    [
        (basename, name)
        for basename, viewset in sorted(VIEWSETS.items())
        for name in expandable_fields(viewset.serializer_class().fields)
    ],
)
def test_every_expansion_compiles(basename, expand):
    viewset = VIEWSETS[basename]
    selection = Selection(expand=frozenset({expand}))
    assert values_renderer(viewset.serializer_class, selection, viewset.queryset.model) is not None


@pytest.mark.django_db
def test_an_expanded_buyers_aliases_are_read_for_the_whole_page_in_one_query(anon, django_assert_num_queries):
    zkh = EnterpriseFactory(name="ZKH Industrial Supply")
    EnterpriseAliasFactory(enterprise=zkh, name="ZKH")
    EnterpriseAliasFactory(enterprise=zkh, name="震坤行", kind=EnterpriseAlias.Kind.OTHER_LANGUAGE)
    deals = [DealFactory(buyer=zkh), DealFactory(buyer=zkh), DealFactory()]
    shape = (VIEWSETS["deal"].serializer_class, Selection(fields=("id", "buyer"), expand=frozenset({"buyer"})))

    # The count, the page with its buyers, and the buyers' aliases (each buyer's once).
    with django_assert_num_queries(3):
        response = anon.get(list_url("deal"), {"fields": "id,buyer", "expand": "buyer"})

    assert response.status_code == 200
    buyers = {row["id"]: row["buyer"] for row in response.json()["results"]}
    assert [buyers[deal.pk]["aliases"] for deal in deals] == [
        [{"name": "ZKH", "kind": "short"}, {"name": "震坤行", "kind": "other_language"}],
        [{"name": "ZKH", "kind": "short"}, {"name": "震坤行", "kind": "other_language"}],
        [],
    ]
    for deal in deals:
        assert buyers[deal.pk] == anon.get(detail_url("enterprise", deal.buyer_id)).json()
    # Rendered from rows, not fallen back to the serializer: the shape the list used is this one
    # (no other was compiled), and it has not failed.
    assert values_renderer(*shape, Deal) is not None
    assert values.renderer_of.cache_info().currsize == 1


def test_the_api_passes_its_own_check():
    assert check_serializer_declarations() == []
    assert run_checks(tags=["api"]) == []


# Declarations that name nothing


class BrokenEditionBriefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    caption = serializers.CharField(read_only=True)
    deal_count = serializers.IntegerField(read_only=True)
    expo_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Edition
        fields = ("id", "name", "number", "caption", "deal_count", "expo_count")
        reads = {
            "name": ("name", "expo__short_nam", "number__value"),
            "title": ("name",),
            "number": "number",
        }
        annotations = {
            "deal_count": lambda: Count("name__deals"),
            "number": lambda: Count("deals"),
            "venue": lambda: Count("deals"),
            "expo_count": "not a function",
        }

    def get_name(self, edition) -> str:
        return edition.name


def test_each_declaration_that_names_nothing_is_named():
    assert declaration_errors(BrokenEditionBriefSerializer) == [
        (
            "framework.E102",
            "Meta.reads['name'] names 'expo__short_nam', which Edition cannot read: Expo has no field 'short_nam'.",
        ),
        (
            "framework.E102",
            "Meta.reads['name'] names 'number__value', which Edition cannot read: Edition.number is not a "
            "relation, so nothing follows it.",
        ),
        ("framework.E101", "Meta.reads names 'title', which is not one of its fields."),
        ("framework.E102", "Meta.reads['number'] must be a tuple of paths, not 'number'."),
        (
            "framework.E105",
            "The field 'caption' reads 'caption', which is neither a field nor an attribute of Edition, nor in "
            "Meta.annotations.",
        ),
        (
            "framework.E104",
            "Meta.annotations['deal_count'] cannot annotate Edition: Cannot resolve keyword 'deals' into field. "
            "Join on 'name' not permitted.",
        ),
        (
            "framework.E104",
            "Meta.annotations['number'] cannot annotate Edition: The annotation 'number' conflicts with a field on "
            "the model.",
        ),
        ("framework.E103", "Meta.annotations names 'venue', which is not one of its fields."),
        (
            "framework.E104",
            "Meta.annotations['expo_count'] must be a function giving the expression, not 'not a function'.",
        ),
    ]


class BrokenExpoBriefSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Expo
        fields = ("id", "label")
        reads = {"label": ("short_nam",)}

    def get_label(self, expo) -> str:
        return expo.short_name


class EditionWithBrokenBriefSerializer(EditionSerializer):
    """The edition collection's serializer, embedding an expo brief whose ``Meta.reads`` names nothing."""

    expo = BriefRelatedField(brief=BrokenExpoBriefSerializer, queryset=Expo.objects.all())


def test_a_broken_declaration_fails_the_check_that_runs_before_the_site_serves(monkeypatch):
    monkeypatch.setattr(VIEWSETS["edition"], "serializer_class", EditionWithBrokenBriefSerializer)
    with pytest.raises(SystemCheckError) as raised:
        call_command("check")
    assert str(raised.value) == (
        "SystemCheckError: System check identified some issues:\n\nERRORS:\n"
        "tests.api.test_fast_path.BrokenExpoBriefSerializer: (framework.E102) Meta.reads['label'] names "
        "'short_nam', which Expo cannot read: Expo has no field 'short_nam'.\n\n"
        "System check identified 1 issue (0 silenced)."
    )


# Fields that need the request


class VenueViewerSerializer(serializers.ModelSerializer):
    viewer = serializers.SerializerMethodField()

    class Meta:
        model = Venue
        fields = ("id", "name", "viewer")
        reads = {"viewer": ()}

    def get_viewer(self, venue) -> str:
        return self.context["request"].user.username


# Each reads only what the plan can name, so that the request is the one thing a row lacks.
class VenueLinkSerializer(serializers.ModelSerializer):
    link = serializers.HyperlinkedIdentityField(view_name="venue-detail")

    class Meta:
        model = Venue
        fields = ("id", "link")
        reads = {"link": ("id",)}


class VenueReaderSerializer(serializers.ModelSerializer):
    reader = serializers.PrimaryKeyRelatedField(
        source="source", read_only=True, default=serializers.CurrentUserDefault()
    )

    class Meta:
        model = Venue
        fields = ("id", "reader")


class VenueOwnWaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ("id", "name")

    def to_representation(self, instance) -> dict:
        return {**super().to_representation(instance), "kind": "venue"}


@pytest.mark.parametrize(
    ("serializer_class", "reason"),
    [
        (VenueViewerSerializer, "viewer: its rendering reads the request"),
        (VenueLinkSerializer, "link: its rendering reads the request"),
        (VenueReaderSerializer, "reader: its rendering reads the request"),
        (VenueOwnWaySerializer, "VenueOwnWaySerializer: a to_representation of its own"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_what_a_row_cannot_render_is_refused(serializer_class, reason):
    with pytest.raises(NotCompilable) as refused:
        compile_serializer(serializer_class, EVERYTHING, Venue)
    assert str(refused.value) == reason
    assert values_renderer(serializer_class, EVERYTHING, Venue) is None


@pytest.mark.django_db
def test_a_list_with_a_field_that_needs_the_request_is_rendered_by_the_serializer(
    monkeypatch, admin_api, admin_user, caplog
):
    monkeypatch.setattr(VIEWSETS["venue"], "serializer_class", VenueViewerSerializer)
    venues = VenueFactory.create_batch(2)
    with caplog.at_level(logging.WARNING, logger="framework.api.values"):
        response = admin_api.get(list_url("venue"))
    assert response.status_code == 200
    assert sorted(response.json()["results"], key=lambda row: row["id"]) == [
        {"id": venue.pk, "name": venue.name, "viewer": admin_user.username} for venue in venues
    ]
    # Refused when compiled, not failed while rendering.
    assert warnings(caplog) == []


# Rows that lack what a field reads


@pytest.mark.django_db
def test_a_page_whose_rows_lack_what_a_field_reads_is_rendered_by_the_serializer(anon, caplog, monkeypatch):
    edition = EditionFactory(
        number=6, name="", expo=ExpoFactory(name="China International Import Expo", short_name="CIIE")
    )
    deals = DealFactory.create_batch(3, edition=edition)
    expected = anon.get(list_url("deal")).json()
    assert [row["edition"] for row in expected["results"]] == [
        {"id": edition.pk, "name": "6th CIIE", "name_zh": "", "number": 6}
    ] * 3

    # The brief's reads without the expo's short name, which its name reads when the edition
    # has no name of its own.
    monkeypatch.setattr(EditionBriefSerializer.Meta, "reads", {"name": ("name", "number", "expo__name")})
    clear_shapes()
    with caplog.at_level(logging.WARNING, logger="framework.api.values"):
        first = anon.get(list_url("deal"))
        second = anon.get(list_url("deal"))
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == expected
    assert second.json() == expected
    # One warning, and the shape is rendered by its serializer from then on.
    assert warnings(caplog) == [
        (
            "WARNING",
            "DealSerializer Selection(fields=None, omit=frozenset(), expand=frozenset()): rendered by its serializer "
            "from now on, since a row could not be rendered: "
            "NotCompilable('edition__expo__short_name is not among the columns read')",
        )
    ]
    assert values_renderer(VIEWSETS["deal"].serializer_class, EVERYTHING, Deal) is None
    detail = anon.get(detail_url("deal", deals[0].pk))
    assert detail.status_code == 200
    assert detail.json() == next(row for row in expected["results"] if row["id"] == deals[0].pk)
