"""The raw limits of the deal list: plain Django views that answer ``?limit=&offset=`` with
exactly the JSON ``GET /api/deals/`` gives the public, built from ``.values()`` and dumped with
orjson. They do only the work that JSON needs (a count, the page's joined columns, the markets
and line items of its deals), so the API's throughput divided by theirs says how much the
framework costs on top of the unavoidable. There are two:

- ``deal_list`` (``/raw/deals/``) cuts the page from the whole join with OFFSET and counts every
  time: four queries;
- ``deal_list_by_keys`` (``/raw/deals/by-keys/``) does what the API's pagination does: past the
  first page it reads the page's keys first and then the rows by key, and it keeps its count as
  the API keeps its own (``LIST_COUNT_CACHE_SECONDS``): five queries past the first page, four on
  it, one less while the count is kept. It is the fair baseline: the same database work as the
  API, with nothing of the framework on top.

``tests/test_benchmarks.py`` holds the bodies equal; ``next`` and ``previous`` link to
``/api/deals/`` for that reason. The views are served only by the benchmark settings.
"""

from collections import defaultdict

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from rest_framework.utils.urls import remove_query_param, replace_query_param

from deals.models import Deal, DealLineItem
from expo.models import ordinal
from framework.access import published_condition
from framework.api.pagination import LimitOffsetPagination, cached_count, page_by_keys

DEAL_COLUMNS = (
    "id",
    "title",
    "description",
    "buyer_id",
    "buyer__name",
    "buyer__name_zh",
    "buyer__country",
    "seller_id",
    "seller__name",
    "seller__name_zh",
    "seller__country",
    "delegation_id",
    "delegation__name",
    "delegation__name_zh",
    "edition_id",
    "edition__name",
    "edition__name_zh",
    "edition__number",
    "edition__expo__name",
    "edition__expo__short_name",
    "amount",
    "currency",
    "stated_value_usd",
    "value_usd",
    "usd_rate",
    "usd_rate_date",
    "usd_rate_source",
    "stage",
    "signed_on",
    "first_deal_of_id",
    "first_deal_of__name",
    "first_deal_of__name_zh",
    "regional_debut",
    "debut_region",
    "is_published",
    "embargo_until",
    "source_id",
    "source__title",
    "created_at",
    "updated_at",
)
LINE_ITEM_COLUMNS = (
    "deal_id",
    "id",
    "product",
    "category_id",
    "category__name",
    "category__name_zh",
    "hs_code",
    "amount",
)


def _whole_number(request: HttpRequest, name: str, *, default: int, minimum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValueError(name)
    return int(raw)


def _decimal(value) -> str | None:
    # As the API's decimal fields render them: the places the column has, never an exponent.
    return None if value is None else f"{value:f}"


def _money(amount, currency: str) -> dict | None:
    # As the API's money fields: null where there is no amount (a deal no source gives a value).
    return None if amount is None else {"amount": _decimal(amount), "currency": currency}


def _party(row: dict, role: str) -> dict:
    return {
        "id": row[f"{role}_id"],
        "name": row[f"{role}__name"],
        "name_zh": row[f"{role}__name_zh"],
        "country": row[f"{role}__country"],
    }


def _edition_name(row: dict) -> str:
    # As Edition.__str__, with Expo.__str__ for an edition without a name of its own.
    expo = row["edition__expo__short_name"] or row["edition__expo__name"]
    return row["edition__name"] or f"{ordinal(row['edition__number'])} {expo}"


def _deal(row: dict, markets: list, line_items: list) -> dict:
    first_deal_of = row["first_deal_of_id"]
    source = row["source_id"]
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "buyer": _party(row, "buyer"),
        "seller": _party(row, "seller"),
        "delegation": {
            "id": row["delegation_id"],
            "name": row["delegation__name"],
            "name_zh": row["delegation__name_zh"],
        },
        "edition": {
            "id": row["edition_id"],
            "name": _edition_name(row),
            "name_zh": row["edition__name_zh"],
            "number": row["edition__number"],
        },
        "value": _money(row["amount"], row["currency"]),
        "stated_value_usd": _money(row["stated_value_usd"], "USD"),
        "value_usd": _money(row["value_usd"], "USD"),
        "usd_rate": _decimal(row["usd_rate"]),
        "usd_rate_date": row["usd_rate_date"],
        "usd_rate_source": row["usd_rate_source"],
        "stage": row["stage"],
        "signed_on": row["signed_on"],
        "first_deal_of": None
        if first_deal_of is None
        else {"id": first_deal_of, "name": row["first_deal_of__name"], "name_zh": row["first_deal_of__name_zh"]},
        "is_first_deal": first_deal_of is not None,
        "regional_debut": row["regional_debut"],
        "debut_region": row["debut_region"],
        "markets": markets,
        "line_items": line_items,
        "is_published": row["is_published"],
        "embargo_until": row["embargo_until"],
        "source": None if source is None else {"id": source, "title": row["source__title"]},
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _links(request: HttpRequest, *, count: int, limit: int, offset: int) -> tuple[str | None, str | None]:
    """``next`` and ``previous`` as the API's limit/offset pagination writes them, on the API's URL."""
    query = request.META.get("QUERY_STRING", "")
    url = request.build_absolute_uri(reverse("deal-list") + (f"?{query}" if query else ""))
    url = replace_query_param(url, "limit", limit)
    following = None if offset + limit >= count else replace_query_param(url, "offset", offset + limit)
    if offset <= 0:
        previous = None
    elif offset - limit <= 0:
        previous = remove_query_param(url, "offset")
    else:
        previous = replace_query_param(url, "offset", offset - limit)
    return following, previous


def _page_asked(request: HttpRequest) -> tuple[int, int]:
    """The ``limit`` and ``offset`` asked, as the API reads them; ``ValueError`` naming the
    parameter that is not a whole number."""
    limit = min(
        _whole_number(request, "limit", default=LimitOffsetPagination.default_limit, minimum=1),
        LimitOffsetPagination.max_limit,
    )
    return limit, _whole_number(request, "offset", default=0, minimum=0)


def _response(request: HttpRequest, rows: list[dict], *, count: int, limit: int, offset: int) -> HttpResponse:
    """The page of ``rows`` with their markets and line items (two queries), as the API renders it."""
    ids = [row["id"] for row in rows]
    markets_of: dict[int, list] = defaultdict(list)
    line_items_of: dict[int, list] = defaultdict(list)
    if ids:
        through = Deal.markets.through.objects.filter(deal_id__in=ids).order_by("market__name")
        markets = through.values_list("deal_id", "market_id", "market__name", "market__name_zh")
        for deal_id, market_id, name, name_zh in markets:
            markets_of[deal_id].append({"id": market_id, "name": name, "name_zh": name_zh})
        for item in DealLineItem.objects.filter(deal_id__in=ids).values(*LINE_ITEM_COLUMNS):
            line_items_of[item["deal_id"]].append(
                {
                    "id": item["id"],
                    "product": item["product"],
                    "category": {
                        "id": item["category_id"],
                        "name": item["category__name"],
                        "name_zh": item["category__name_zh"],
                    },
                    "hs_code": item["hs_code"],
                    "amount": _decimal(item["amount"]),
                }
            )
    following, previous = _links(request, count=count, limit=limit, offset=offset)
    body = {
        "count": count,
        "next": following,
        "previous": previous,
        "results": [_deal(row, markets_of[row["id"]], line_items_of[row["id"]]) for row in rows],
    }
    return HttpResponse(orjson.dumps(body, option=orjson.OPT_UTC_Z), content_type="application/json")


def deal_list(request: HttpRequest) -> HttpResponse:
    """A page of the deals the public sees, as ``GET /api/deals/?limit=&offset=`` renders it: the
    rows cut from the whole join with OFFSET, the deals counted every time."""
    try:
        limit, offset = _page_asked(request)
    except ValueError as error:
        return HttpResponseBadRequest(f"{error} must be a whole number.")
    deals = Deal.objects.filter(published_condition())
    count = deals.count()
    rows = [] if count == 0 or offset > count else list(deals.values(*DEAL_COLUMNS)[offset : offset + limit])
    return _response(request, rows, count=count, limit=limit, offset=offset)


def deal_list_by_keys(request: HttpRequest) -> HttpResponse:
    """The same page as ``deal_list``, read as the API reads it: the count kept as the API keeps
    its own, and past the first page the page's keys first (the deals alone, no join), then the
    rows of those keys."""
    try:
        limit, offset = _page_asked(request)
    except ValueError as error:
        return HttpResponseBadRequest(f"{error} must be a whole number.")
    deals = Deal.objects.filter(published_condition())
    count = cached_count(deals)
    rows = deals.values(*DEAL_COLUMNS)
    page: list[dict]
    if count == 0 or offset >= count:
        page = []
    elif offset == 0:
        page = list(rows[:limit])
    else:
        page = page_by_keys(deals, rows, offset=offset, limit=limit)
    return _response(request, page, count=count, limit=limit, offset=offset)
