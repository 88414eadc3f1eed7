"""Deals as OCDS 1.1: one deal's release (``/api/deals/{id}/ocds/``) and a release package of the
deals the deal filters select (``/api/ocds/releases/``), both over the deals the caller may read.
The mapping is :mod:`deals.ocds`."""

from typing import cast

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from deals import ocds
from deals.filtersets import DealFilterSet
from deals.models import Deal
from framework import access
from framework.api.filters import StrictParametersMixin, check_query_parameters
from framework.api.pagination import LimitOffsetPagination

OCDS_DOCS = "https://standard.open-contracting.org/1.1/en/schema/"
MAPPING = (
    "The ocid is `<prefix>-deal-<id>`; parties are the buyer (`buyer`), the seller (`supplier`) and the "
    "delegation (`tradingDelegation`); the award and, once signed, the contract carry the value as signed and "
    "the line items (HS code, else category). The stage sets the statuses and tags: intention → award pending, "
    "tag `award`; signed → award and contract active, tags `award`, `contract`; executed → award active, "
    "contract terminated, tags `award`, `contractTermination`; cancelled → award cancelled, tag "
    "`awardCancellation`, and when it had been signed, contract terminated and tag `contractTermination`. "
    "Empty fields are left out, never null."
)


class ReleasePackagePagination(LimitOffsetPagination):
    """Releases per package: 100 by default, at most 1000."""

    default_limit = 100


@extend_schema(
    tags=["ocds"],
    summary="Get a deal as an OCDS release",
    description=(
        f"The deal as one [Open Contracting Data Standard 1.1]({OCDS_DOCS}) release, valid against the OCDS "
        f"1.1.5 release schema. {MAPPING} A deal you may not read (the public: unpublished or embargoed) is a 404."
    ),
    responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="An OCDS 1.1 release.")},
)
class DealReleaseView(generics.GenericAPIView):
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return access.scope_for_read(ocds.ocds_deals(), self.request.user)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        check_query_parameters(self, request, allowed=set(), multi_valued=set())

    def get(self, request, *args, **kwargs) -> Response:
        return Response(ocds.deal_release(self.get_object()))


PAGE = ReleasePackagePagination


@extend_schema(
    tags=["ocds"],
    summary="List deals as an OCDS release package",
    description=(
        f"The deals `/api/deals/` lists for the same filters and caller, in the same order, as an "
        f"[Open Contracting Data Standard 1.1]({OCDS_DOCS}) release package, valid against the OCDS 1.1.5 "
        f"release package schema: one release per deal, `publishedDate` the last change to any of them, `uri` "
        f"this request's URL. {MAPPING} Pages of `limit` releases: the `Link` header points to the next and "
        f'previous pages (`rel="next"`, `rel="prev"`) and `X-Total-Count` counts every matching deal. A page '
        f"with no deal (none matches, or `offset` is past the end) has `releases: []`, which the schema, asking "
        f"for at least one release, does not count as a package."
    ),
    parameters=[
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "default": PAGE.default_limit},
            description=f"Releases per page: {PAGE.default_limit} by default; more than {PAGE.max_limit} is read "
            f"as {PAGE.max_limit}.",
        ),
        OpenApiParameter(
            "offset",
            {"type": "integer", "minimum": 0, "default": 0},
            description="How many releases to skip; past the end gives a package with no releases.",
        ),
        OpenApiParameter(
            "Link",
            OpenApiTypes.STR,
            location=OpenApiParameter.HEADER,
            response=[200],
            description='RFC 8288 links to the next and previous pages, e.g. `<…?limit=100&offset=200>; rel="next", '
            '<…?limit=100&offset=0>; rel="prev"`; absent when there is neither.',
        ),
        OpenApiParameter(
            "X-Total-Count",
            OpenApiTypes.INT,
            location=OpenApiParameter.HEADER,
            response=[200],
            required=True,
            description="How many deals match, on every page together.",
        ),
    ],
    filters=True,
    responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="An OCDS 1.1 release package.")},
)
class ReleasePackageView(StrictParametersMixin, generics.GenericAPIView):
    filterset_class = DealFilterSet
    pagination_class = ReleasePackagePagination
    paginator: ReleasePackagePagination

    def get_queryset(self):
        return access.scope_for_read(ocds.ocds_deals(), self.request.user)

    def get(self, request, *args, **kwargs) -> Response:
        # A list: never None, as the view is paginated.
        deals = cast(list[Deal], self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        package = ocds.release_package(
            [ocds.deal_release(deal) for deal in deals],
            uri=request.build_absolute_uri(),
            published_date=max((ocds.release_date(deal) for deal in deals), default=timezone.now()),
        )
        links = [
            f'<{url}>; rel="{relation}"'
            for url, relation in (
                (self.paginator.get_next_link(), "next"),
                (self.paginator.get_previous_link(), "prev"),
            )
            if url is not None
        ]
        headers = {"X-Total-Count": str(self.paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return Response(package, headers=headers)
