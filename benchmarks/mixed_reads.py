"""The soak's mixed reads: the requests wrk cycles through, in the proportions of a day's use of
the API — deal lists with filters, orderings and pages, deal details, enterprise pages,
statistics, OCDS releases and packages, small CSV exports and the load balancer's health checks;
most asked by the public, some by an analyst with a token.

Each request has a kind (the deal list, the statistics…) and a shape within it (the deal list
searched, the statistics by seller country…): the soak reports throughput and latency by shape."""

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlencode

from django.urls import reverse

from deals.models import Deal
from delegations.models import Delegation, Enterprise
from expo.models import Edition
from framework import access

LIMIT = 50
# Pages are drawn among the first ones: a user pages a little, not to the end.
PAGES = 20
SAMPLE = 200


@dataclass(frozen=True)
class Catalogue:
    """The records the requests name: deals the public sees (and how many), buyers among them,
    how many enterprises there are, delegations and editions."""

    public_deals: int
    deal_ids: list[int]
    enterprise_ids: list[int]
    enterprises: int
    delegation_ids: list[int]
    edition_ids: list[int]

    @classmethod
    def read(cls, *, sample: int = SAMPLE, seed: int = 0) -> "Catalogue":
        """Up to ``sample`` of each, drawn at random (the same for the same data and seed)."""
        rng = random.Random(seed)

        def drawn(ids: list[int]) -> list[int]:
            return sorted(rng.sample(ids, min(sample, len(ids))))

        public = Deal.objects.filter(access.published_condition()).order_by("id")
        return cls(
            public_deals=public.count(),
            deal_ids=drawn(list(public.values_list("id", flat=True))),
            enterprise_ids=drawn(sorted(set(public.values_list("buyer_id", flat=True)))),
            enterprises=Enterprise.objects.count(),
            delegation_ids=drawn(list(Delegation.objects.values_list("id", flat=True))),
            edition_ids=drawn(list(Edition.objects.values_list("id", flat=True))),
        )


@dataclass(frozen=True)
class MixedRequest:
    kind: str
    path: str
    as_analyst: bool = False
    # What the request asks within its kind, in a few words; the kind where it has one shape only.
    shape: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not self.shape:
            object.__setattr__(self, "shape", self.kind)


def _url(name: str, query: dict | list | None = None, *args) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def _page(rng: random.Random, rows: int, limit: int = LIMIT) -> int:
    return rng.randrange(max(1, min(PAGES, -(-rows // limit)))) * limit


def _deal_list(rng: random.Random, c: Catalogue) -> MixedRequest:
    queries: list[tuple[str, dict]] = [
        ("deal list, a page", {"limit": LIMIT, "offset": _page(rng, c.public_deals)}),
        (
            "deal list, signed or executed by value",
            {"stage": ["signed", "executed"], "ordering": "-value_usd", "limit": 20},
        ),
        ("deal list, by countries", {"buyer_country": "CN", "seller_country": ["US", "DE"], "ordering": "-signed_on"}),
        (
            "deal list, a delegation's since 2019",
            {"delegation": rng.choice(c.delegation_ids), "signed_after": "2019-01-01", "limit": 100},
        ),
        (
            "deal list, over a value, three fields",
            {"value_usd_min": "1000000", "ordering": "value_usd", "fields": "id,title,value_usd"},
        ),
        (
            "deal list, an edition's intentions by title",
            {"edition": rng.choice(c.edition_ids), "stage": "intention", "ordering": "title"},
        ),
        ("deal search", {"search": rng.choice(["sealant", "robot", "vaccine", "memory chip"]), "limit": 20}),
        ("deal list, expanded", {"expand": "buyer,seller,markets", "limit": 20, "offset": _page(rng, 400, 20)}),
    ]
    shape, query = rng.choice(queries)
    return MixedRequest("deal list", _url("deal-list", query), as_analyst=rng.random() < 0.2, shape=shape)


def _deal_detail(rng: random.Random, c: Catalogue) -> MixedRequest:
    return MixedRequest("deal detail", _url("deal-detail", None, rng.choice(c.deal_ids)))


def _enterprise_list(rng: random.Random, c: Catalogue) -> MixedRequest:
    queries: list[tuple[str, dict]] = [
        ("enterprise list, a page", {"limit": LIMIT, "offset": _page(rng, c.enterprises)}),
        ("enterprise list, by countries", {"country": ["DE", "FR"], "ordering": "name"}),
    ]
    shape, query = rng.choice(queries)
    return MixedRequest("enterprise list", _url("enterprise-list", query), shape=shape)


def _statistics(rng: random.Random, c: Catalogue) -> MixedRequest:
    queries: list[tuple[str, dict]] = [
        ("statistics by delegation and edition", {"group_by": "delegation,edition"}),
        ("statistics by seller country, signed", {"group_by": "seller_country", "stage": "signed"}),
        ("statistics by month, an edition", {"group_by": "month", "edition": rng.choice(c.edition_ids)}),
    ]
    shape, query = rng.choice(queries)
    return MixedRequest("statistics", _url("stats-deals", query), as_analyst=rng.random() < 0.5, shape=shape)


def _release_package(rng: random.Random, c: Catalogue) -> MixedRequest:
    queries: list[tuple[str, dict]] = [
        ("OCDS release package, a page", {"limit": 20, "offset": _page(rng, c.public_deals, 20)}),
        ("OCDS release package, an edition", {"edition": rng.choice(c.edition_ids), "limit": 20}),
    ]
    shape, query = rng.choice(queries)
    return MixedRequest("OCDS release package", _url("ocds-releases", query), shape=shape)


def _release(rng: random.Random, c: Catalogue) -> MixedRequest:
    return MixedRequest("OCDS release", _url("deal-ocds", None, rng.choice(c.deal_ids)))


def _csv_export(rng: random.Random, c: Catalogue) -> MixedRequest:
    query = {"buyer": rng.choice(c.enterprise_ids)}
    return MixedRequest("CSV export", _url("deal-export-csv", query), as_analyst=True, shape="CSV export, a buyer's")


def _health(rng: random.Random, c: Catalogue) -> MixedRequest:
    return MixedRequest("health", _url("health"))


# What each kind of request is, and its share of the mix (in percent).
MIX = [
    (_deal_list, 35),
    (_deal_detail, 20),
    (_enterprise_list, 10),
    (_statistics, 8),
    (_release_package, 7),
    (_release, 5),
    (_csv_export, 5),
    (_health, 10),
]


def mixed_requests(catalogue: Catalogue, *, count: int = 500, seed: int = 0) -> list[MixedRequest]:
    """``count`` requests drawn in the proportions of ``MIX`` (the same for the same seed)."""
    rng = random.Random(seed)
    builders = rng.choices([builder for builder, _ in MIX], weights=[weight for _, weight in MIX], k=count)
    return [builder(rng, catalogue) for builder in builders]


def shares(requests: list[MixedRequest], *, by: Literal["kind", "shape"] = "kind") -> dict[str, int]:
    """How many of ``requests`` there are of each kind (``by="shape"``: of each shape)."""
    return dict(Counter(getattr(each, by) for each in requests))
