"""Deals signed at expos, what they buy, the markets they aim at, and the exchange rates that
normalise their values to USD."""

import datetime
from collections.abc import Collection
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import MD5
from django.utils import timezone
from simple_history.models import HistoricalRecords

from delegations.models import Delegation, Enterprise
from expo.models import Bilingual, Edition, Record
from framework.models import MAX_AMOUNT, MAX_RATE, CurrencyField, ValidatedModel, currency_code_constraint


class Market(Bilingual, Record):
    """A downstream market a deal aims at, e.g. electronics or new energy."""

    name = models.CharField(max_length=100, unique=True)
    name_zh = models.CharField("Chinese name", max_length=100, blank=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "source",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(Bilingual, Record):
    """A product category line items are classed under, e.g. organo-silicon products."""

    name = models.CharField(max_length=200, unique=True)
    name_zh = models.CharField("Chinese name", max_length=200, blank=True)
    description = models.TextField(blank=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "description",
        "source",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ExchangeRate(Record):
    """How many US dollars one unit of ``currency`` was worth on ``date``."""

    currency = CurrencyField()
    date = models.DateField()
    rate_to_usd = models.DecimalField(
        "rate to USD",
        max_digits=20,
        decimal_places=10,
        validators=[MAX_RATE],
        help_text="USD per one unit of the currency.",
    )

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "currency",
        "date",
        "rate_to_usd",
        "source",
    )

    class Meta:
        ordering = ["currency", "-date"]
        # The date_after/date_before filters over every currency (the unique constraint leads with it).
        indexes = [models.Index(fields=["date"], name="exchangerate_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="exchangerate_one_per_currency_date",
                violation_error_message="There is already a rate for this currency on this date.",
            ),
            models.CheckConstraint(
                condition=Q(rate_to_usd__gt=0),
                name="exchangerate_rate_positive",
                violation_error_message="An exchange rate must be greater than zero.",
            ),
            currency_code_constraint(field="currency", name="exchangerate_currency_iso4217"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate_to_usd} USD on {self.date}"


class Deal(Record):
    """A procurement order or agreement between a buyer and a seller, signed within a delegation
    at an edition. ``amount``/``currency`` are kept as signed, or both empty where no source gives
    the value (it is then unknown, never zero); ``value_usd`` is the amount normalised to USD with
    ``usd_rate``: the rate the source itself states (``stated_value_usd`` given,
    ``usd_rate_source`` "stated"), else the rate table's of ``usd_rate_date`` ("table"). USD deals
    need no rate."""

    class RateSource(models.TextChoices):
        STATED = "stated", "Stated by the source"
        TABLE = "table", "Exchange rate table"

    class Stage(models.TextChoices):
        INTENTION = "intention", "Intention"
        SIGNED = "signed", "Signed"
        EXECUTED = "executed", "Executed"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    buyer = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="purchases")
    seller = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="sales")
    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="deals")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="deals")
    amount = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MAX_AMOUNT],
        help_text="The value as signed, in `currency`; empty where no source gives it.",
    )
    currency = CurrencyField(blank=True, help_text="ISO 4217 code; empty only with no amount.")
    value_usd = models.DecimalField(
        "value (USD)",
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MAX_AMOUNT],
        help_text="The amount normalised to US dollars; empty with no amount.",
    )
    stated_value_usd = models.DecimalField(
        "stated value (USD)",
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MAX_AMOUNT],
        help_text="The USD value the source itself gives beside the amount, e.g. US$261,538 for 1.7 million "
        "yuan; it is then the USD value, and its rate the one used.",
    )
    usd_rate = models.DecimalField(
        "USD rate",
        max_digits=20,
        decimal_places=10,
        null=True,
        blank=True,
        validators=[MAX_RATE],
        help_text="USD per one unit of `currency`, as used; empty with no amount.",
    )
    usd_rate_date = models.DateField(
        "USD rate date",
        null=True,
        blank=True,
        help_text="The date of the table rate used; empty for USD deals, stated rates and deals with no amount.",
    )
    usd_rate_source = models.CharField(
        "USD rate source",
        max_length=6,
        choices=RateSource.choices,
        blank=True,
        default="",
        help_text="Where the rate comes from: `stated` by the source, or the exchange rate `table`; "
        "empty for USD deals and deals with no amount.",
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.INTENTION)
    signed_on = models.DateField(null=True, blank=True)
    first_deal_of = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="first_deals",
        help_text="The delegation (this deal's or one above it) whose first deal at the edition this was.",
    )
    regional_debut = models.BooleanField(default=False, help_text="A product of the deal debuts in a region.")
    debut_region = models.CharField(max_length=100, blank=True, help_text="e.g. Asia Pacific")
    markets = models.ManyToManyField(Market, blank=True, related_name="deals", help_text="Downstream markets.")
    is_published = models.BooleanField(default=False, help_text="Visible to the public (after any embargo).")
    embargo_until = models.DateTimeField(null=True, blank=True, help_text="Hidden from the public until then.")
    history = HistoricalRecords(m2m_fields=[markets])

    class Meta:
        ordering = ["-signed_on", "-id"]
        # The foreign keys (delegation, edition, buyer, seller) have Django's own indexes. Each
        # sortable column is indexed with the id after it, the tie-break of every ordering, so
        # that a page in ascending order, or in the default order read backwards, is read without
        # sorting the deals, however deep it is. A descending ordering still breaks ties by
        # ascending id: the columns with many equal values have an index in that order too.
        indexes = [
            # The default ordering (read backwards) and the signed_after/signed_before filters; with
            # what the public's scope reads, so a deep page's keys come from the index alone.
            models.Index(fields=["signed_on", "id", "is_published", "embargo_until"], name="deal_signed_on_id_idx"),
            models.Index(fields=["stage", "id"], name="deal_stage_id_idx"),
            # The descending orderings, ties still broken by ascending id, so cursor paging follows
            # them too (framework.api.pagination.CursorPagination).
            models.Index(fields=["-signed_on", "id"], name="deal_signed_on_desc_id_idx"),
            models.Index(fields=["-stage", "id"], name="deal_stage_desc_id_idx"),
            # Deals with no value last (PostgreSQL's default); descending, deals.0006 adds the index
            # deal_value_usd_desc_id_idx (value_usd DESC NULLS LAST, id) on PostgreSQL.
            models.Index(fields=["value_usd", "id"], name="deal_value_usd_id_idx"),
            models.Index(fields=["title", "id"], name="deal_title_id_idx"),
            models.Index(fields=["created_at", "id"], name="deal_created_at_id_idx"),
            models.Index(fields=["currency"], name="deal_currency_idx"),
            # The few regional debuts, in the default ordering.
            models.Index(fields=["signed_on", "id"], condition=Q(regional_debut=True), name="deal_regional_debut_idx"),
            # updated_since also takes the deals whose embargo ended: the few embargoed ones.
            models.Index(
                fields=["embargo_until"], condition=Q(embargo_until__isnull=False), name="deal_embargo_until_idx"
            ),
            # The statistics by edition and delegation: every column they read of a deal, in the
            # order they group it (buyers sorted within a group), and what the public scope checks,
            # so the index alone answers them. Key columns all, not INCLUDE: SQLite has no INCLUDE.
            models.Index(
                fields=[
                    "edition",
                    "delegation",
                    "buyer",
                    "seller",
                    "stage",
                    "value_usd",
                    "is_published",
                    "embargo_until",
                ],
                name="deal_edition_delegation_idx",
            ),
            models.Index(fields=["is_published", "embargo_until"], name="deal_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="deal_amount_positive",
                violation_error_message="A deal's amount must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(value_usd__isnull=True) | Q(value_usd__gt=0),
                name="deal_value_usd_positive",
                violation_error_message="A deal's USD value must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(stated_value_usd__isnull=True) | Q(stated_value_usd__gt=0),
                name="deal_stated_value_usd_positive",
                violation_error_message="A deal's stated USD value must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(usd_rate__isnull=True) | Q(usd_rate__gt=0),
                name="deal_usd_rate_positive",
                violation_error_message="A deal's USD rate must be greater than zero.",
            ),
            # A value no source gives is unknown: no amount, no currency, nothing in USD.
            models.CheckConstraint(
                condition=Q(amount__isnull=True, currency="", value_usd__isnull=True, usd_rate__isnull=True)
                | (Q(amount__isnull=False, value_usd__isnull=False, usd_rate__isnull=False) & ~Q(currency="")),
                name="deal_value_all_or_nothing",
                violation_error_message="A deal has an amount, a currency and a USD value, or none of them.",
            ),
            # USD deals and deals with no value need no rate; any other is valued with the rate its
            # source states (its USD value is then the stated one) or with the table's rate of a date.
            models.CheckConstraint(
                condition=Q(currency__in=["", "USD"], usd_rate_source="", stated_value_usd__isnull=True)
                | (
                    ~Q(currency__in=["", "USD"])
                    & (
                        Q(usd_rate_source="table", stated_value_usd__isnull=True, usd_rate_date__isnull=False)
                        | Q(
                            usd_rate_source="stated",
                            stated_value_usd__isnull=False,
                            usd_rate_date__isnull=True,
                            value_usd=F("stated_value_usd"),
                        )
                    )
                ),
                name="deal_usd_rate_source",
                violation_error_message="A deal in another currency than USD is valued with its stated USD value "
                "(no rate date) or a table rate (with its date); a USD deal, or one with no value, has neither.",
            ),
            models.CheckConstraint(
                condition=~Q(buyer=F("seller")),
                name="deal_buyer_not_seller",
                violation_error_message="A deal's buyer and seller must be different enterprises.",
            ),
            currency_code_constraint(field="currency", name="deal_currency_iso4217", allow_empty=True),
            models.CheckConstraint(
                condition=~Q(currency="USD") | Q(usd_rate=1, value_usd=F("amount"), usd_rate_date__isnull=True),
                name="deal_usd_needs_no_rate",
                violation_error_message="A USD deal's USD value is its amount, at rate 1 with no rate date.",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["intention", "signed", "executed", "cancelled"]),
                name="deal_stage_valid",
                violation_error_message="Stage must be intention, signed, executed or cancelled.",
            ),
            models.CheckConstraint(
                condition=Q(regional_debut=True) | Q(debut_region=""),
                name="deal_debut_region_only_with_debut",
                violation_error_message="A debut region is given only for a deal with a regional debut.",
            ),
            models.UniqueConstraint(
                fields=["first_deal_of", "edition"],
                condition=Q(first_deal_of__isnull=False),
                name="deal_one_first_deal_per_delegation_edition",
                violation_error_message="This delegation already has a first deal at this edition.",
            ),
        ]

    # Set by from_db when both columns are loaded; framework.sync reads it.
    loaded_visibility: tuple[bool, datetime.datetime | None]

    # The stubs follow Django 6, whose from_db also takes fetch_mode; Django 5.2 calls it so.
    @classmethod
    def from_db(  # type: ignore[override]
        cls, db: str | None, field_names: Collection[str], values: Collection[Any]
    ) -> Self:
        deal = super().from_db(db, field_names, values)
        if "is_published" in field_names and "embargo_until" in field_names:
            # What the public could see of it as loaded: a save that hides it is a withdrawal.
            deal.loaded_visibility = (deal.is_published, deal.embargo_until)
        return deal

    @staticmethod
    def public_at(is_published: bool, embargo_until, now=None) -> bool:
        """Whether a deal so published and embargoed is visible to the public (now)."""
        return is_published and (embargo_until is None or embargo_until <= (now or timezone.now()))

    def __str__(self) -> str:
        # A deal with no known value (or being filled in: a form, an import row) has no amount.
        return self.title if self.amount is None else f"{self.title} ({self.currency} {self.amount:,})"

    def clean(self) -> None:
        super().clean()
        if self.first_deal_of_id is None or self.delegation_id is None:
            return
        lineage = [self.delegation, *self.delegation.ancestors()]
        if self.first_deal_of_id not in {delegation.pk for delegation in lineage}:
            # The code goes on the field's error: Django drops a code given beside a dict.
            raise ValidationError(
                {
                    "first_deal_of": ValidationError(
                        "Must be the deal's own delegation or a delegation above it.",
                        code="first_deal_of_outside_lineage",
                    )
                }
            )


class DealLineItem(ValidatedModel):
    """What a deal buys: a product, its category, optionally its HS code and amount."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    product = models.CharField(max_length=300)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="line_items")
    hs_code = models.CharField(
        "HS code",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^(\d{2}|\d{4}|\d{6}|\d{8}|\d{10})$", "An HS code has 2, 4, 6, 8 or 10 digits.")],
    )
    amount = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MAX_AMOUNT],
        help_text="In the deal's currency, where known.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["deal_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="deallineitem_amount_positive",
                violation_error_message="A line item's amount must be greater than zero.",
            ),
        ]

    def __str__(self) -> str:
        return self.product


class DealStageChange(models.Model):
    """One move of a deal from stage to stage: who made it, when, and why (for a cancellation)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=10, choices=Deal.Stage.choices)
    to_stage = models.CharField(max_length=10, choices=Deal.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["deal_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage} → {self.to_stage}"


class DealSummaryKey(models.Model):
    """The key of a group of deals in the statistics summaries (see ``deals.summaries``):
    ``grouping`` says which of the key columns the group is keyed by (one bit per key, as
    ``deals.summaries.KEYS``); the others hold ``0`` or ``""``."""

    grouping = models.PositiveSmallIntegerField()
    edition_id = models.IntegerField()
    delegation_id = models.IntegerField()
    stage = models.CharField(max_length=10)
    buyer_country = models.CharField(max_length=2)
    seller_country = models.CharField(max_length=2)

    KEY = ("grouping", "edition_id", "delegation_id", "stage", "buyer_country", "seller_country")

    class Meta:
        abstract = True


class DealSummary(DealSummaryKey):
    """The measures of one group of deals, kept for ``/api/stats/deals/``. ``audience`` 0 counts
    every deal, 1 the deals the public reads. Only PostgreSQL keeps these rows (by triggers on the
    deals and their enterprises); elsewhere they stay empty and the statistics are computed."""

    audience = models.PositiveSmallIntegerField()
    deal_count = models.BigIntegerField()
    valued_count = models.BigIntegerField()
    value_usd_intention = models.DecimalField(max_digits=28, decimal_places=2)
    value_usd_signed = models.DecimalField(max_digits=28, decimal_places=2)
    value_usd_executed = models.DecimalField(max_digits=28, decimal_places=2)
    value_usd_cancelled = models.DecimalField(max_digits=28, decimal_places=2)
    buyers = models.BigIntegerField()
    sellers = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=[*DealSummaryKey.KEY, "audience"], name="dealsummary_group_key")]

    def __str__(self) -> str:
        return f"grouping {self.grouping}, audience {self.audience}: {self.deal_count} deals"


class DealSummaryParty(DealSummaryKey):
    """How many of a group's deals (as :class:`DealSummary` keys them) an enterprise is the buyer
    (``role`` "b") or the seller ("s") of, and how many of those the public reads: a group's
    distinct buyers are its rows here with role "b" and a count above zero. Rows whose counts
    fall to zero are removed."""

    role = models.CharField(max_length=1)
    enterprise_id = models.IntegerField()
    deal_count = models.IntegerField()
    public_count = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=[*DealSummaryKey.KEY, "role", "enterprise_id"], name="dealsummaryparty_key")
        ]
        indexes = [models.Index(fields=["id"], condition=Q(deal_count=0), name="dealsummaryparty_spent_idx")]

    def __str__(self) -> str:
        return f"grouping {self.grouping}: {self.role} {self.enterprise_id} in {self.deal_count} deals"


class DealSummaryChange(models.Model):
    """A change of one deal not yet added to the summaries: the deal's version that left them
    (``sign`` -1) or entered them (+1), as the summaries see it. Written by triggers in the
    transaction that changes the deal; taken and added by the next statistics read."""

    sign = models.SmallIntegerField()
    edition_id = models.IntegerField()
    delegation_id = models.IntegerField()
    stage = models.CharField(max_length=10)
    buyer_id = models.IntegerField()
    seller_id = models.IntegerField()
    buyer_country = models.CharField(max_length=2)
    seller_country = models.CharField(max_length=2)
    value_usd = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    is_published = models.BooleanField()
    embargo_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.sign:+d} deal at edition {self.edition_id}, delegation {self.delegation_id}"


class DealSummaryState(models.Model):
    """The one row saying until when the public's summaries have let embargoes end: a published
    deal is in them if it has no embargo or one ending by ``public_as_of``."""

    public_as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"public as of {self.public_as_of.isoformat()}"


# The groupings the funnel's summaries keep (``deals.funnel_summaries``), by the key columns of
# each: every deal, each key alone, and each key with the edition. Each has an index over the
# signed deals' waits, in whose order its medians are read.
FUNNEL_GROUPINGS: tuple[tuple[str, ...], ...] = (
    (),
    ("edition_id",),
    ("delegation_id",),
    ("buyer_country",),
    ("seller_country",),
    ("edition_id", "delegation_id"),
    ("edition_id", "buyer_country"),
    ("edition_id", "seller_country"),
)


class DealFunnelFact(models.Model):
    """One deal as the pipeline funnel sees it: its keys and value, the stages it entered (one
    bit per stage, as ``deals.funnel_summaries.ENTERED``), how long it waited from its creation
    to its move to signed, and the reason and stage of its cancellation. Kept by triggers on the
    deals, their stage changes and their enterprises (PostgreSQL only), which log each change of
    a row here to :class:`DealFunnelChange`."""

    deal_id = models.BigIntegerField(primary_key=True)
    edition_id = models.BigIntegerField()
    delegation_id = models.BigIntegerField()
    buyer_country = models.CharField(max_length=2)
    seller_country = models.CharField(max_length=2)
    value_usd = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    entered = models.PositiveSmallIntegerField()
    signed_wait = models.DurationField(null=True)
    cancel_reason = models.TextField(null=True)
    cancelled_from = models.CharField(max_length=10, null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=[*columns, "signed_wait"],
                condition=Q(signed_wait__isnull=False),
                name=f"dealfunnelfact_wait_{number}",
            )
            for number, columns in enumerate(FUNNEL_GROUPINGS)
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: entered {self.entered:04b}"


class DealFunnelChange(models.Model):
    """A change of one :class:`DealFunnelFact` not yet added to the funnel's summaries: the row
    that left (``sign`` -1) or entered (+1). Taken and added by the next funnel read."""

    sign = models.SmallIntegerField()
    edition_id = models.BigIntegerField()
    delegation_id = models.BigIntegerField()
    buyer_country = models.CharField(max_length=2)
    seller_country = models.CharField(max_length=2)
    value_usd = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    entered = models.PositiveSmallIntegerField()
    cancel_reason = models.TextField(null=True)
    cancelled_from = models.CharField(max_length=10, null=True)

    def __str__(self) -> str:
        return f"{self.sign:+d} funnel deal at edition {self.edition_id}, delegation {self.delegation_id}"


class DealFunnelSummary(DealSummaryKey):
    """Per group of deals (keyed as :class:`DealSummary`, never by stage), the deals, and per stage
    the deals that entered it, those of them with a value, and their USD value: the funnel of
    ``/api/stats/funnel/`` for the callers who read every deal."""

    deal_count = models.BigIntegerField()
    intention_count = models.BigIntegerField()
    intention_valued = models.BigIntegerField()
    intention_value_usd = models.DecimalField(max_digits=28, decimal_places=2)
    signed_count = models.BigIntegerField()
    signed_valued = models.BigIntegerField()
    signed_value_usd = models.DecimalField(max_digits=28, decimal_places=2)
    executed_count = models.BigIntegerField()
    executed_valued = models.BigIntegerField()
    executed_value_usd = models.DecimalField(max_digits=28, decimal_places=2)
    cancelled_count = models.BigIntegerField()
    cancelled_valued = models.BigIntegerField()
    cancelled_value_usd = models.DecimalField(max_digits=28, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=DealSummaryKey.KEY, name="dealfunnelsummary_group_key")]

    def __str__(self) -> str:
        return f"grouping {self.grouping}: {self.deal_count} deals"


class DealFunnelCancellation(DealSummaryKey):
    """Per group of deals (as :class:`DealFunnelSummary`), reason and stage cancelled from, the
    deals cancelled, those of them with a value, and their USD value."""

    reason = models.TextField()
    from_stage = models.CharField(max_length=10)
    deal_count = models.BigIntegerField()
    valued_count = models.BigIntegerField()
    value_usd = models.DecimalField(max_digits=28, decimal_places=2)

    class Meta:
        constraints = [
            # A reason is free text, longer than an index entry may be: its digest keys it.
            models.UniqueConstraint(*DealSummaryKey.KEY, "from_stage", MD5("reason"), name="dealfunnelcancellation_key")
        ]

    def __str__(self) -> str:
        return f"grouping {self.grouping}: {self.deal_count} cancelled from {self.from_stage}"
