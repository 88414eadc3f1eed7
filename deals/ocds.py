"""Deals as Open Contracting Data Standard (OCDS) 1.1 releases, and releases in a release package.

Each deal is one contracting process: ``ocid`` is ``<OCDS_OCID_PREFIX>-deal-<id>``. A release is a
full snapshot of the deal as it is now (not a change notice), so each version of the deal is a
release of its own: ``id`` is ``deal-<id>-<date>``, ``date`` being the last change to the deal or
to a record the release shows (its parties, delegation and line items' categories), in UTC.
``language`` is ``en`` and ``initiationType`` ``tender`` (the codelist's one code).

The stage decides the award, the contract and the tags:

=========================== ============ ================= ============================================
stage                       award status contract status   tag
=========================== ============ ================= ============================================
intention                   pending      (no contract)     ``award``
signed                      active       active            ``award``, ``contract``
executed                    active       terminated        ``award``, ``contractTermination``
cancelled before signing    cancelled    (no contract)     ``awardCancellation``
cancelled after signing     cancelled    terminated        ``awardCancellation``, ``contractTermination``
=========================== ============ ================= ============================================

The tags name what the release holds: the award (``awardCancellation`` once it is cancelled) and,
from signing on, the contract (``contractTermination`` once it has come to an end). In OCDS 1.1 a
contract is ``cancelled`` only "prior to being signed" and ``terminated`` once it "was signed and
in force, and has now come to a close", whether completed or ended early: so an executed deal and
a deal cancelled after signing both have a terminated contract, told apart by the award's status.
A cancelled deal was signed first when its stage log records the move from signed to cancelled;
a deal whose cancellation was not logged (loaded with its stage, like the demo data) counts as
signed when it has a signing date.

Parties (``parties``, each ``{id, name, identifier, address, roles}``, empty keys left out):

- the buyer (``enterprise-<id>``, roles ``buyer``; also the release's ``buyer`` reference), the
  seller (``enterprise-<id>``, roles ``supplier``; the award's ``suppliers``) and the delegation
  the deal was signed within (``delegation-<id>``, roles ``tradingDelegation``: not a code of the
  partyRole codelist, which is open to new codes). Buyer and seller are always two parties: a
  deal's buyer is never its seller.
- Both names: ``name`` (English) and ``name_zh`` (Chinese), OCDS's form for a name in another
  language; the identifier's ``legalName`` and ``legalName_zh`` likewise.
- ``identifier``: an enterprise's Unified Social Credit Code, whichever authority issued it, is in
  org-id.guide's register ``CN-USCI`` (the national register of the codes):
  ``{scheme: CN-USCI, id: <code>, legalName: <name>, legalName_zh: <Chinese name>}``. Other
  registry ids have no known scheme, and are left out.
- ``address``: ``countryName`` (the ISO 3166-1 name), ``locality`` (the city), ``region`` (the
  district).

The award (``deal-<id>-award``) and the contract (``deal-<id>-contract``) have the deal's title, its
value as signed (``{amount, currency}``, the amount a JSON number: a double holds every stored
amount, at most 15 significant digits, to the cent), the signing date as the start of that day in
UTC (the award's ``date``, the contract's ``dateSigned``; left out where unknown) and the line
items; a deal whose value no source gives has no ``value``. A currency newer than OCDS 1.1.5's
currency codelist (``CURRENCIES_OUTSIDE_CODELIST``) cannot be published: such a value is given in US
dollars, as normalised (``value_usd``). Items are the line items (``id``: the line item's id;
``description``: the product), classified by HS code (scheme ``HS``) with the category as an
additional classification (scheme ``x_category``, its id and name), or by category alone where the
HS code is unknown. Quantities and units are not recorded, so not published; a deal without line
items has no ``items``.

Not published: the edition, markets, first-deal and regional-debut flags, the USD valuation of
deals in codelist currencies, publication and embargo (the API only ever releases the deals the
caller may read)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from deals.models import Deal, DealLineItem, DealStageChange
from delegations.models import Delegation, Enterprise
from framework.codes import COUNTRY_CHOICES

VERSION = "1.1"
LANGUAGE = "en"
INITIATION_TYPE = "tender"
DELEGATION_ROLE = "tradingDelegation"
# org-id.guide's list code for China's Unified Social Credit Identifiers.
USCC_SCHEME = "CN-USCI"
HS_SCHEME = "HS"
CATEGORY_SCHEME = "x_category"
# ISO 4217 codes that OCDS 1.1.5's closed currency codelist does not have (it predates them).
CURRENCIES_OUTSIDE_CODELIST = frozenset({"SLE", "VED", "XAD", "XCG", "ZWG"})

Stage = Deal.Stage
AWARD_STATUS: dict[str, str] = {
    Stage.INTENTION: "pending",
    Stage.SIGNED: "active",
    Stage.EXECUTED: "active",
    Stage.CANCELLED: "cancelled",
}
CONTRACT_STATUS: dict[str, str] = {Stage.SIGNED: "active", Stage.EXECUTED: "terminated", Stage.CANCELLED: "terminated"}

COUNTRY_NAMES = dict(COUNTRY_CHOICES)


def ocds_deals() -> QuerySet[Deal]:
    """Deals with all a release shows: parties and delegation joined, line items with their
    categories in one more query, and whether a cancellation was logged and came after signing."""
    cancellations = DealStageChange.objects.filter(deal=OuterRef("pk"), to_stage=Stage.CANCELLED)
    return (
        Deal.objects.select_related("buyer", "seller", "delegation")
        .prefetch_related(Prefetch("line_items", queryset=DealLineItem.objects.select_related("category")))
        .annotate(
            cancellation_logged=Exists(cancellations),
            cancelled_when_signed=Exists(cancellations.filter(from_stage=Stage.SIGNED)),
        )
    )


def ocid(deal: Deal) -> str:
    return f"{settings.OCDS_OCID_PREFIX}-deal-{deal.pk}"


def timestamp(moment: datetime.datetime) -> str:
    """``moment`` in UTC as RFC 3339, e.g. ``2023-11-05T09:30:00.123456Z``."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def day_start(day: datetime.date | None) -> str | None:
    """The start of ``day`` in UTC (OCDS dates carry a time), or ``None``."""
    if day is None:
        return None
    return timestamp(datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC))


def release_date(deal: Deal) -> datetime.datetime:
    """The last change to ``deal`` or to a record its release shows."""
    shown = [deal.buyer, deal.seller, deal.delegation, *(item.category for item in deal.line_items.all())]
    return max(deal.updated_at, *(record.updated_at for record in shown))


def was_signed(deal: Deal) -> bool:
    """Whether the deal was signed: signed or executed, or cancelled after signing."""
    if deal.stage in (Stage.SIGNED, Stage.EXECUTED):
        return True
    if deal.stage != Stage.CANCELLED:
        return False
    # Both annotated by ocds_deals().
    if deal.cancellation_logged:  # type: ignore[attr-defined]
        return deal.cancelled_when_signed  # type: ignore[attr-defined]
    return deal.signed_on is not None


def release_tags(deal: Deal) -> list[str]:
    tags = ["awardCancellation" if deal.stage == Stage.CANCELLED else "award"]
    if was_signed(deal):
        tags.append("contract" if deal.stage == Stage.SIGNED else "contractTermination")
    return tags


def _compact(mapping: dict) -> dict:
    """``mapping`` without the keys whose value is empty: OCDS prefers a key absent to null."""
    return {key: value for key, value in mapping.items() if value is not None and value != "" and value != []}


def enterprise_party_id(enterprise: Enterprise) -> str:
    return f"enterprise-{enterprise.pk}"


def delegation_party_id(delegation: Delegation) -> str:
    return f"delegation-{delegation.pk}"


def enterprise_identifier(enterprise: Enterprise) -> dict | None:
    if not enterprise.uscc:
        return None
    return _compact(
        {
            "scheme": USCC_SCHEME,
            "id": enterprise.uscc,
            "legalName": enterprise.name,
            "legalName_zh": enterprise.name_zh,
        }
    )


def enterprise_address(enterprise: Enterprise) -> dict | None:
    address = _compact(
        {
            "locality": enterprise.city,
            "region": enterprise.district,
            "countryName": COUNTRY_NAMES.get(enterprise.country, ""),
        }
    )
    return address or None


def enterprise_party(enterprise: Enterprise, *, role: str) -> dict:
    return _compact(
        {
            "id": enterprise_party_id(enterprise),
            "name": enterprise.name,
            "name_zh": enterprise.name_zh,
            "identifier": enterprise_identifier(enterprise),
            "address": enterprise_address(enterprise),
            "roles": [role],
        }
    )


def delegation_party(delegation: Delegation) -> dict:
    return _compact(
        {
            "id": delegation_party_id(delegation),
            "name": delegation.name,
            "name_zh": delegation.name_zh,
            "roles": [DELEGATION_ROLE],
        }
    )


def enterprise_reference(enterprise: Enterprise) -> dict:
    return {"id": enterprise_party_id(enterprise), "name": enterprise.name}


def deal_value(deal: Deal) -> dict | None:
    """The value as signed, or in US dollars where the codelist lacks the currency; ``None`` (no
    ``value`` in the release) where no source gives it."""
    if deal.amount is None:
        return None
    if deal.currency in CURRENCIES_OUTSIDE_CODELIST:
        # A deal with an amount has a USD value (deal_value_all_or_nothing).
        return {"amount": float(cast(Decimal, deal.value_usd)), "currency": "USD"}
    return {"amount": float(deal.amount), "currency": deal.currency}


def line_item(item: DealLineItem) -> dict:
    category = {"scheme": CATEGORY_SCHEME, "id": str(item.category.pk), "description": item.category.name}
    if not item.hs_code:
        return {"id": str(item.pk), "description": item.product, "classification": category}
    return {
        "id": str(item.pk),
        "description": item.product,
        "classification": {"scheme": HS_SCHEME, "id": item.hs_code},
        "additionalClassifications": [category],
    }


def deal_release(deal: Deal) -> dict:
    """The OCDS release of ``deal`` as it is now; ``deal`` comes from :func:`ocds_deals`."""
    items = [line_item(item) for item in deal.line_items.all()]
    value = deal_value(deal)
    signed = day_start(deal.signed_on)
    award_id = f"deal-{deal.pk}-award"
    award = _compact(
        {
            "id": award_id,
            "title": deal.title,
            "description": deal.description,
            "status": AWARD_STATUS[deal.stage],
            "date": signed,
            "value": value,
            "suppliers": [enterprise_reference(deal.seller)],
            "items": items,
        }
    )
    contracts = []
    if was_signed(deal):
        contracts.append(
            _compact(
                {
                    "id": f"deal-{deal.pk}-contract",
                    "awardID": award_id,
                    "title": deal.title,
                    "status": CONTRACT_STATUS[deal.stage],
                    "value": value,
                    "items": items,
                    "dateSigned": signed,
                }
            )
        )
    date = release_date(deal)
    return _compact(
        {
            "ocid": ocid(deal),
            "id": f"deal-{deal.pk}-{date.astimezone(datetime.UTC):%Y%m%dT%H%M%S.%fZ}",
            "date": timestamp(date),
            "language": LANGUAGE,
            "tag": release_tags(deal),
            "initiationType": INITIATION_TYPE,
            "parties": [
                enterprise_party(deal.buyer, role="buyer"),
                enterprise_party(deal.seller, role="supplier"),
                delegation_party(deal.delegation),
            ],
            "buyer": enterprise_reference(deal.buyer),
            "awards": [award],
            "contracts": contracts,
        }
    )


def release_package(releases: Iterable[dict], *, uri: str, published_date: datetime.datetime) -> dict:
    """An OCDS release package of ``releases``, published at ``uri`` on ``published_date``, with the
    publisher, license and publication policy of the settings (``OCDS_*``)."""
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": timestamp(published_date),
        "publisher": _compact({"name": settings.OCDS_PUBLISHER_NAME, "uri": settings.OCDS_PUBLISHER_URI}),
        **_compact({"license": settings.OCDS_LICENSE, "publicationPolicy": settings.OCDS_PUBLICATION_POLICY}),
        "releases": list(releases),
    }
