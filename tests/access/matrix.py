"""The access matrix's tables (SPEC §4): the roles, the delegations an editor edits, every
collection with how to make its rows and write it, the deal actions, and the read views.

Each test in this package is parametrized over these tables, so covering a new endpoint is adding
one entry: a collection to ``COLLECTIONS`` (its list and detail views follow), a deal action to
``DEAL_ACTIONS``, a read-only view over a collection (statistics, an export, the quality report) to ``LIST_VIEWS`` —
e.g. ``ListView("stats-deals", DEALS, params={"group_by": "stage"}, observe=total_count,
expect=Count)``, where ``observe`` reads the answer and ``expect`` computes the same from the rows
the caller may read."""

import csv
import datetime
import io
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from operator import attrgetter

import openpyxl
from django.db.models import Model, QuerySet
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import Category, Deal, ExchangeRate, Market
from delegations.models import Delegation, Enterprise, Participation, PromotionalActivity, Settlement
from expo.models import Edition, Expo, Source, Venue
from figures.models import FigureStatement, ReportedFigure
from tests.factories import (
    CategoryFactory,
    DealFactory,
    DelegationFactory,
    EditionFactory,
    EnterpriseFactory,
    ExchangeRateFactory,
    ExpoFactory,
    FigureStatementFactory,
    MarketFactory,
    ParticipationFactory,
    PromotionalActivityFactory,
    ReportedFigureFactory,
    SettlementFactory,
    SourceFactory,
    UserFactory,
    VenueFactory,
    admin,
    analyst,
    api_token,
    editor,
)

ANONYMOUS, NO_ROLE, ANALYST, EDITOR, ADMIN = "anonymous", "no-role", "analyst", "editor", "admin"
ROLES = (ANONYMOUS, NO_ROLE, ANALYST, EDITOR, ADMIN)

# The editor is assigned to Shanghai, which has the sub-delegation Qingpu; Zhejiang is someone else's.
SHANGHAI, QINGPU, ZHEJIANG = "Shanghai", "Qingpu", "Zhejiang"
DELEGATIONS = (SHANGHAI, QINGPU, ZHEJIANG)
EDITED = frozenset({SHANGHAI, QINGPU})

# Sent in writes as if they were writable; the API must ignore every one of them.
STALE = "2001-02-03T04:05:06Z"
# Figures of one delegation at one edition differ by what they measure.
MEASURES = (f"Measure {number}" for number in itertools.count(1))
COMMON_READ_ONLY = {"id": 987654321, "created_at": STALE, "updated_at": STALE}


class World:
    """The three delegations, and the few shared rows collections hang from, each made on first use."""

    def __init__(self) -> None:
        shanghai = DelegationFactory(name=SHANGHAI, region="Shanghai")
        qingpu = DelegationFactory(name=QINGPU, region="Qingpu District", parent=shanghai)
        zhejiang = DelegationFactory(name=ZHEJIANG, region="Zhejiang")
        self.delegations = {SHANGHAI: shanghai, QINGPU: qingpu, ZHEJIANG: zhejiang}
        self._participations: dict[str, Participation] = {}
        self._clients: dict[str, APIClient] = {}

    def delegation(self, name: str) -> Delegation:
        return self.delegations[name]

    @cached_property
    def venue(self) -> Venue:
        return VenueFactory()

    @cached_property
    def expo(self) -> Expo:
        return ExpoFactory(host_venue=self.venue)

    @cached_property
    def edition(self) -> Edition:
        return EditionFactory(expo=self.expo)

    @cached_property
    def buyer(self) -> Enterprise:
        return EnterpriseFactory(country="DE")

    @cached_property
    def seller(self) -> Enterprise:
        return EnterpriseFactory()

    def new_edition(self) -> Edition:
        return EditionFactory(expo=self.expo)

    def participation(self, delegation: Delegation) -> Participation:
        """The delegation's participation in the shared edition."""
        if delegation.name not in self._participations:
            self._participations[delegation.name] = ParticipationFactory(delegation=delegation, edition=self.edition)
        return self._participations[delegation.name]

    def client(self, role: str) -> APIClient:
        """A client of a new user in ``role``, authenticated with an API token (none for anonymous)."""
        if role not in self._clients:
            client = APIClient()
            if role != ANONYMOUS:
                user = {
                    NO_ROLE: UserFactory,
                    ANALYST: analyst,
                    EDITOR: lambda: editor(self.delegation(SHANGHAI)),
                    ADMIN: admin,
                }[role]()
                client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)[1]}")
            self._clients[role] = client
        return self._clients[role]


def deal_is_public(deal: Deal) -> bool:
    return deal.is_published and (deal.embargo_until is None or deal.embargo_until <= timezone.now())


@dataclass(frozen=True)
class Collection:
    """A collection of the API and how to exercise it.

    ``make(world, delegation, **overrides)`` saves a row (of that delegation, where rows have
    one); ``create(world, delegation)`` is a valid POST body for a new row of that delegation;
    ``changes`` is what an update sends (merged into a full body for PUT). Collections editors
    write name the field tying a row to a delegation (``scope_field``) and how to reach it from a
    row (``delegation_of``); publishable ones say which rows the public reads (``public``), and
    the overrides that make one row of each kind of visibility (``read_variants``). Collections no
    delegation owns that editors may still create say so (``editor_creates``)."""

    basename: str
    model: type[Model]
    make: Callable[..., Model]
    create: Callable[[World, Delegation], dict]
    changes: Mapping[str, object]
    scope_field: str | None = None
    delegation_of: Callable[[Model], Delegation] | None = None
    public: Callable[[Model], bool] | None = None
    read_variants: tuple[Mapping[str, object], ...] = ({},)
    read_only: Mapping[str, object] = field(default_factory=dict)
    # Whether editors create rows of it though no delegation owns them (and change none).
    editor_creates: bool = False

    def __str__(self) -> str:
        return self.basename

    @property
    def editor_writable(self) -> bool:
        return self.scope_field is not None

    @property
    def list_url_name(self) -> str:
        return f"{self.basename}-list"

    @property
    def detail_url_name(self) -> str:
        return f"{self.basename}-detail"

    def populate(self, world: World) -> None:
        """One row of each read variant for each delegation."""
        for name in DELEGATIONS:
            for variant in self.read_variants:
                self.make(world, world.delegation(name), **variant)


def _deal_create(world: World, delegation: Delegation) -> dict:
    return {
        "title": "Procurement of organo-silicon products",
        "buyer": world.buyer.pk,
        "seller": world.seller.pk,
        "delegation": delegation.pk,
        "edition": world.edition.pk,
        "value": {"amount": "2500000.00", "currency": "USD"},
        "signed_on": None,
    }


DEALS = Collection(
    basename="deal",
    model=Deal,
    make=lambda world, delegation, **overrides: DealFactory(
        **{
            "delegation": delegation,
            "edition": world.edition,
            "buyer": world.buyer,
            "seller": world.seller,
            "is_published": True,
            **overrides,
        }
    ),
    create=_deal_create,
    changes={"title": "Renegotiated procurement agreement"},
    scope_field="delegation",
    delegation_of=attrgetter("delegation"),
    public=deal_is_public,
    read_variants=(
        {"is_published": False},
        {"is_published": True},
        {"is_published": True, "embargo_until": timezone.now() + datetime.timedelta(days=365 * 50)},
        {"is_published": True, "embargo_until": timezone.now() - datetime.timedelta(seconds=1)},
    ),
    read_only={
        "value_usd": {"amount": "1.00", "currency": "USD"},
        "usd_rate": "9.9000000000",
        "usd_rate_date": "2001-02-03",
        "stage": Deal.Stage.EXECUTED,
    },
)

ENTERPRISE_NUMBERS = itertools.count(1)

COLLECTIONS: tuple[Collection, ...] = (
    Collection(
        basename="expo",
        model=Expo,
        make=lambda world, delegation, **overrides: ExpoFactory(host_venue=world.venue, **overrides),
        create=lambda world, delegation: {
            "name": ExpoFactory.build().name,
            "short_name": "IIE",
            "host_venue": world.venue.pk,
        },
        changes={"website": "https://expo.example.com/"},
    ),
    Collection(
        basename="edition",
        model=Edition,
        make=lambda world, delegation, **overrides: EditionFactory(expo=world.expo, **overrides),
        create=lambda world, delegation: {
            "expo": world.expo.pk,
            "number": EditionFactory.build(expo=world.expo).number,
            "start_date": "2030-11-05",
            "end_date": "2030-11-10",
            "venue": world.venue.pk,
        },
        changes={"name": "The renamed edition"},
    ),
    Collection(
        basename="venue",
        model=Venue,
        make=lambda world, delegation, **overrides: VenueFactory(**overrides),
        create=lambda world, delegation: {"name": VenueFactory.build().name, "city": "Shanghai", "country": "CN"},
        changes={"address": "333 Songze Avenue"},
    ),
    Collection(
        basename="source",
        model=Source,
        make=lambda world, delegation, **overrides: SourceFactory(**overrides),
        create=lambda world, delegation: {"kind": "news_report", "title": "Delegation report", "publisher": "News"},
        changes={"notes": "Checked against the press release."},
    ),
    Collection(
        basename="reported-figure",
        model=ReportedFigure,
        make=lambda world, delegation, **overrides: ReportedFigureFactory(
            **{"delegation": delegation, "edition": world.edition, "description": next(MEASURES), **overrides}
        ),
        create=lambda world, delegation: {
            "delegation": delegation.pk,
            "edition": world.edition.pk,
            "metric": "trading_volume",
            "description": next(MEASURES),
        },
        changes={"description": "Trading volume of the delegation's own enterprises"},
        read_only={
            "statements": [{"id": 987654321}],
            "preferred_statement": 987654321,
            "value": "5.00",
            "qualifier": "about",
        },
    ),
    Collection(
        basename="figure-statement",
        model=FigureStatement,
        make=lambda world, delegation, **overrides: FigureStatementFactory(
            figure=ReportedFigureFactory(
                delegation=delegation, edition=world.edition, description=next(MEASURES), statement=False
            ),
            **overrides,
        ),
        create=lambda world, delegation: {
            "figure": ReportedFigureFactory(
                delegation=delegation, edition=world.edition, description=next(MEASURES), statement=False
            ).pk,
            "value": "1000000000.00",
            "qualifier": "more_than",
            "currency": "USD",
            "quote": "The trading volume of the delegation exceeded US$1 billion.",
        },
        changes={"quote": "The delegation's trading volume exceeded US$1 billion."},
        read_only={"value_usd": "5.00", "usd_rate": "2.0000000000", "usd_rate_source": "stated"},
    ),
    Collection(
        basename="delegation",
        model=Delegation,
        make=lambda world, delegation, **overrides: DelegationFactory(parent=delegation, **overrides),
        create=lambda world, delegation: {"name": "Songjiang", "parent": delegation.pk, "region": "Songjiang"},
        changes={"description": "A district trading delegation."},
    ),
    Collection(
        basename="participation",
        model=Participation,
        make=lambda world, delegation, **overrides: ParticipationFactory(
            **{"delegation": delegation, "edition": world.new_edition(), **overrides}
        ),
        create=lambda world, delegation: {
            "delegation": delegation.pk,
            "edition": world.new_edition().pk,
            "registered_organisations": 120,
            "professional_audience": 3400,
            "enterprises": [world.buyer.pk],
        },
        changes={"services": "Matchmaking for buyers."},
        scope_field="delegation",
        delegation_of=attrgetter("delegation"),
        read_only={"enterprise_count": 999},
    ),
    Collection(
        basename="enterprise",
        model=Enterprise,
        make=lambda world, delegation, **overrides: EnterpriseFactory(**overrides),
        # A new name each time: a second create with the same name would be a probable duplicate (409).
        create=lambda world, delegation: {
            "name": f"Qingpu Silicones {next(ENTERPRISE_NUMBERS)} Co., Ltd.",
            "kind": "company",
            "country": "CN",
        },
        changes={"industry": "Chemicals"},
        read_only={"uscc_check_valid": True},
        editor_creates=True,
    ),
    Collection(
        basename="settlement",
        model=Settlement,
        make=lambda world, delegation, **overrides: SettlementFactory(
            participation=world.participation(delegation), enterprise=EnterpriseFactory(), **overrides
        ),
        create=lambda world, delegation: {
            "participation": world.participation(delegation).pk,
            "enterprise": EnterpriseFactory().pk,
            "status": "confirmed",
            "announced_on": "2023-11-10",
        },
        changes={"notes": "Announced at the signing ceremony."},
        scope_field="participation",
        delegation_of=attrgetter("participation.delegation"),
    ),
    Collection(
        basename="activity",
        model=PromotionalActivity,
        make=lambda world, delegation, **overrides: PromotionalActivityFactory(
            participation=world.participation(delegation), **overrides
        ),
        create=lambda world, delegation: {
            "participation": world.participation(delegation).pk,
            "title": "Investment promotion conference",
            "held_on": "2023-11-06",
        },
        changes={"location": "Hongqiao"},
        scope_field="participation",
        delegation_of=attrgetter("participation.delegation"),
    ),
    DEALS,
    Collection(
        basename="market",
        model=Market,
        make=lambda world, delegation, **overrides: MarketFactory(**overrides),
        create=lambda world, delegation: {"name": MarketFactory.build().name},
        changes={"name": "New energy vehicles"},
    ),
    Collection(
        basename="category",
        model=Category,
        make=lambda world, delegation, **overrides: CategoryFactory(**overrides),
        create=lambda world, delegation: {"name": CategoryFactory.build().name},
        changes={"description": "Silicones in primary forms."},
    ),
    Collection(
        basename="exchange-rate",
        model=ExchangeRate,
        make=lambda world, delegation, **overrides: ExchangeRateFactory(**overrides),
        create=lambda world, delegation: {
            "currency": "EUR",
            "date": ExchangeRateFactory.build().date.isoformat(),
            "rate_to_usd": "1.0702",
        },
        changes={"rate_to_usd": "0.2500000000"},
    ),
)

EDITOR_WRITABLE = tuple(collection for collection in COLLECTIONS if collection.editor_writable)


def readable(role: str, collection: Collection, row: Model) -> bool:
    """Whether ``role`` reads ``row`` (SPEC §4): the public reads published rows past their
    embargo; analysts and admins read everything; editors also read every row of their delegations."""
    if collection.public is None or role in (ANALYST, ADMIN):
        return True
    if collection.public(row):
        return True
    return role == EDITOR and collection.delegation_of(row).name in EDITED


def listed_ids(response) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


def queryset_ids(queryset: QuerySet) -> list[int]:
    return sorted(queryset.values_list("pk", flat=True))


@dataclass(frozen=True)
class ListView:
    """A read of many rows of a collection: ``observe`` reads the answer, ``expect`` computes the
    same from the rows the caller may read."""

    url_name: str
    collection: Collection
    params: Mapping[str, str] = field(default_factory=dict)
    observe: Callable = listed_ids
    expect: Callable[[QuerySet], object] = queryset_ids
    # Roles refused this read whatever the rows, with the status they get.
    refused: Mapping[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.url_name


def shows_row(response, row: Model) -> bool:
    return response.json()["id"] == row.pk


def shows_history(response, row: Model) -> bool:
    return response.json()["count"] == row.history.count() > 0


@dataclass(frozen=True)
class DetailView:
    """A read of one row: ``shows`` says whether a 200 answer is about that row."""

    url_name: str
    collection: Collection
    shows: Callable = shows_row
    # Roles refused this read whatever the row, with the status they get.
    refused: Mapping[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.url_name


def stats_totals(response) -> dict:
    return response.json()["totals"]


def deal_totals(deals: Iterable[Deal]) -> dict:
    """What ``/api/stats/deals/`` totals say of ``deals``: a deal with no value is counted in
    ``unvalued_count`` and left out of the sums."""
    rows = list(deals)
    valued = [deal for deal in rows if deal.value_usd is not None]
    return {
        "deal_count": len(rows),
        "value_usd": {
            stage: f"{sum((deal.value_usd for deal in valued if deal.stage == stage), Decimal(0)):.2f}"
            for stage in Deal.Stage.values
        },
        "unvalued_count": len(rows) - len(valued),
        "buyers": len({deal.buyer_id for deal in rows}),
        "sellers": len({deal.seller_id for deal in rows}),
    }


def stats_by_delegation(response) -> dict[str, tuple[int, str]]:
    return {
        row["delegation"]["name"]: (row["deal_count"], row["value_usd"]["signed"]) for row in response.json()["results"]
    }


def by_top_delegation(deals: QuerySet) -> dict[str, list[Deal]]:
    """``deals`` under the name of their delegation's ancestor at the top of the tree."""
    groups: dict[str, list[Deal]] = {}
    for deal in deals.select_related("delegation"):
        top = deal.delegation
        while top.parent is not None:
            top = top.parent
        groups.setdefault(top.name, []).append(deal)
    return groups


def deals_by_top_delegation(deals: QuerySet) -> dict[str, tuple[int, str]]:
    """Deal count and signed USD value of ``deals`` per delegation at the top of the tree."""
    groups = by_top_delegation(deals)
    return {name: (len(rows), deal_totals(rows)["value_usd"]["signed"]) for name, rows in groups.items()}


def funnel_entered(response) -> dict[str, tuple[int, str]]:
    """The deals, and their USD value, that entered the intention stage per top delegation."""
    return {
        row["delegation"]["name"]: (row["entered"]["intention"]["deal_count"], row["entered"]["intention"]["value_usd"])
        for row in response.json()["results"]
    }


def deals_entered_by_top_delegation(deals: QuerySet) -> dict[str, tuple[int, str]]:
    """What the funnel says of ``deals`` at the intention stage, which every deal entered, per
    delegation at the top of the tree: their count and USD value (of those with one)."""
    groups = by_top_delegation(deals)
    return {
        name: (len(rows), f"{sum((deal.value_usd for deal in rows if deal.value_usd is not None), Decimal(0)):.2f}")
        for name, rows in groups.items()
    }


def exported_csv_ids(response) -> list[int]:
    """The deal ids in a CSV export (its first column, after the header), sorted."""
    _, *rows = csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline=""))
    return sorted(int(row[0]) for row in rows)


def exported_xlsx_ids(response) -> list[int]:
    """The deal ids in an XLSX export (its first column, after the header), sorted."""
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    return sorted(row[0] for row in sheet.iter_rows(min_row=2, max_col=1, values_only=True))


def packaged_deal_ids(response) -> list[int]:
    """The deal ids in an OCDS release package (each release's ocid ends in ``-deal-<id>``), sorted."""
    return sorted(int(release["ocid"].rsplit("-", 1)[1]) for release in response.json()["releases"])


def shows_release(response, row: Model) -> bool:
    return response.json()["ocid"].endswith(f"-deal-{row.pk}")


def reported_ids(response) -> list[int]:
    """The ids of the records a quality report's findings name, sorted."""
    return sorted(finding["record"]["id"] for finding in response.json()["results"])


# Every deal of every delegation and visibility is signed with no date: each is a finding of the
# quality report, for whoever may read the deal.
UNDATED_DEALS = replace(
    DEALS, make=lambda world, delegation, **overrides: DEALS.make(world, delegation, signed_on=None, **overrides)
)

LIST_VIEWS: tuple[ListView, ...] = (
    *(ListView(c.list_url_name, c) for c in COLLECTIONS),
    ListView("stats-deals", DEALS, params={"group_by": "stage"}, observe=stats_totals, expect=deal_totals),
    ListView(
        "stats-deals",
        DEALS,
        params={"group_by": "delegation", "delegation_level": "0"},
        observe=stats_by_delegation,
        expect=deals_by_top_delegation,
    ),
    ListView(
        "stats-funnel",
        DEALS,
        params={"group_by": "delegation", "delegation_level": "0"},
        observe=funnel_entered,
        expect=deals_entered_by_top_delegation,
    ),
    ListView("deal-export-csv", DEALS, observe=exported_csv_ids),
    ListView("deal-export-xlsx", DEALS, observe=exported_xlsx_ids),
    ListView("ocds-releases", DEALS, observe=packaged_deal_ids),
    ListView(
        "quality-list",
        UNDATED_DEALS,
        params={"code": "signed_without_date"},
        observe=reported_ids,
        refused={ANONYMOUS: 401, NO_ROLE: 403},
    ),
)
DETAIL_VIEWS: tuple[DetailView, ...] = (
    *(DetailView(c.detail_url_name, c) for c in COLLECTIONS),
    DetailView("deal-history", DEALS, shows=shows_history, refused={ANONYMOUS: 401, NO_ROLE: 403}),
    DetailView("deal-ocds", DEALS, shows=shows_release),
)


@dataclass(frozen=True)
class DealAction:
    """A stage move: the stage a deal must be in, the body sent, and the stage it ends in."""

    name: str
    stage_before: str
    payload: Mapping[str, object]
    stage_after: str

    def __str__(self) -> str:
        return self.name

    @property
    def url_name(self) -> str:
        return f"deal-{self.name}"


DEAL_ACTIONS: tuple[DealAction, ...] = (
    DealAction("sign", Deal.Stage.INTENTION, {"signed_on": "2023-11-07"}, Deal.Stage.SIGNED),
    DealAction("execute", Deal.Stage.SIGNED, {}, Deal.Stage.EXECUTED),
    DealAction("cancel", Deal.Stage.SIGNED, {"reason": "The buyer withdrew."}, Deal.Stage.CANCELLED),
)
