"""Reported figures: the numbers sources state about an edition, a delegation or an enterprise at
an edition (or a run of editions), each statement kept with the sentence it comes from, and set
beside what the records add up to (the reconciliation)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from expo.models import Edition, Record
from figures.quotes import quote_problem
from framework.models import (
    MAX_AMOUNT,
    MAX_RATE,
    MAX_SMALL_INTEGER,
    CurrencyField,
    ValidatedModel,
    currency_code_constraint,
)


class ReportedFigure(ValidatedModel):
    """What a figure is about and what it measures: its subject (an edition alone, a delegation
    or an enterprise at an edition, over a run of ``consecutive_editions`` ending with it) and
    its metric. What sources say it is are its statements (:class:`FigureStatement`)."""

    class Metric(models.TextChoices):
        TRADING_VOLUME = "trading_volume", "Trading volume"
        INTENTION_ORDER_VOLUME = "intention_order_volume", "Procurement orders of intention"
        REGISTERED_ORGANISATIONS = "registered_organisations", "Enterprises and organisations registered"
        PROFESSIONAL_AUDIENCE = "professional_audience", "Professional audience registered"
        DEALERS_REGISTERED = "dealers_registered", "Dealers registered"
        SETTLEMENTS_CONFIRMED = "settlements_confirmed", "Settlements confirmed"
        SETTLEMENTS_INTENDED = "settlements_intended", "Settlements intended"
        PROMOTIONAL_ACTIVITIES = "promotional_activities", "Promotional activities held"
        FIRST_ORDERS_OF_PARENT = "first_orders_of_parent", "Editions signing the parent delegation's first order"
        COMPANIES_IN_TALKS = "companies_in_talks", "Companies in in-depth talks with foreign participants"
        EVENT_ATTENDANCE = "event_attendance", "Attendance of an event"
        MARKET_SALES = "market_sales", "Sales of a market"
        DAILY_VISITORS = "daily_visitors", "Daily visitor flow"

    # Metrics measured in money: their statements have a currency, the figure no unit.
    MONEY_METRICS = frozenset({Metric.TRADING_VOLUME, Metric.INTENTION_ORDER_VOLUME, Metric.MARKET_SALES})

    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="reported_figures",
        help_text="The edition the figure is about; for a run of editions, the last one.",
    )
    delegation = models.ForeignKey(
        "delegations.Delegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_figures",
        help_text="The delegation the figure is about; empty for an expo-wide figure or an enterprise's.",
    )
    enterprise = models.ForeignKey(
        "delegations.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_figures",
        help_text="The enterprise the figure is about (e.g. one buyer's orders as a total); empty otherwise.",
    )
    consecutive_editions = models.PositiveSmallIntegerField(
        default=1,
        validators=[MAX_SMALL_INTEGER],
        help_text="How many consecutive editions, ending with `edition`, the figure covers.",
    )
    metric = models.CharField(max_length=40, choices=Metric.choices)
    description = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="What exactly is measured, where the metric alone does not say (e.g. which event or market).",
    )
    unit = models.CharField(max_length=60, blank=True, help_text="What is counted, for counts; empty for money.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "edition",
        "delegation",
        "enterprise",
        "consecutive_editions",
        "metric",
        "description",
        "unit",
    )

    class Meta:
        # The table it had before the model moved here from the expo app.
        db_table = "expo_reportedfigure"
        ordering = ["edition__start_date", "metric", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consecutive_editions__gte=1),
                name="reportedfigure_consecutive_editions_positive",
                violation_error_message="A figure covers at least one edition.",
            ),
            models.CheckConstraint(
                condition=Q(delegation__isnull=True) | Q(enterprise__isnull=True),
                name="reportedfigure_one_subject",
                violation_error_message="A figure is about a delegation or an enterprise at an edition, not both.",
            ),
            # One figure per subject, metric and description: a second report of it is a statement.
            models.UniqueConstraint(
                fields=["metric", "edition", "consecutive_editions", "delegation", "description"],
                condition=Q(delegation__isnull=False),
                name="reportedfigure_one_per_delegation_subject",
                violation_error_message="This delegation already has this figure; add a statement to it.",
            ),
            models.UniqueConstraint(
                fields=["metric", "edition", "consecutive_editions", "enterprise", "description"],
                condition=Q(enterprise__isnull=False),
                name="reportedfigure_one_per_enterprise_subject",
                violation_error_message="This enterprise already has this figure; add a statement to it.",
            ),
            models.UniqueConstraint(
                fields=["metric", "edition", "consecutive_editions", "description"],
                condition=Q(delegation__isnull=True, enterprise__isnull=True),
                name="reportedfigure_one_per_edition_subject",
                violation_error_message="This edition already has this figure; add a statement to it.",
            ),
        ]

    def __str__(self) -> str:
        subject = self.delegation or self.enterprise
        about = f"{subject} at the {self.edition}" if subject else f"the {self.edition}"
        if self.consecutive_editions > 1:
            about += f" ({self.consecutive_editions} editions up to it)"
        return f"{self.get_metric_display()} of {about}"

    @property
    def is_money(self) -> bool:
        return self.metric in self.MONEY_METRICS

    def clean(self) -> None:
        if self.is_money and self.unit:
            raise ValidationError(
                {
                    "unit": ValidationError(
                        "A figure in money has no unit: its statements give the currency.", code="unit"
                    )
                }
            )
        if not self.is_money and not self.unit:
            raise ValidationError(
                {"unit": ValidationError("Say what the figure counts (e.g. companies).", code="unit")}
            )


class FigureStatement(Record):
    """What one source says a figure is: its value with a qualifier, the sentence it says it in,
    and its rank among the figure's statements. Money is also valued in US dollars, with the
    source's own conversion where the quote gives one, else the rate table."""

    class Qualifier(models.TextChoices):
        EXACT = "exact", "exactly"
        MORE_THAN = "more_than", "more than"
        AT_LEAST = "at_least", "at least"
        ABOUT = "about", "about"

    class Rank(models.TextChoices):
        PREFERRED = "preferred", "preferred"
        NORMAL = "normal", "normal"
        DEPRECATED = "deprecated", "deprecated"

    class RateSource(models.TextChoices):
        NONE = "", "no USD value"
        USD = "usd", "already in US dollars"
        STATED = "stated", "the source's own conversion"
        RATE_TABLE = "rate_table", "the exchange rate table"

    figure = models.ForeignKey(ReportedFigure, on_delete=models.CASCADE, related_name="statements")
    value = models.DecimalField(max_digits=20, decimal_places=2, validators=[MAX_AMOUNT])
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    currency = CurrencyField(blank=True, help_text="ISO 4217 code for money; empty for counts.")
    quote = models.TextField(help_text="The sentence of the source the value comes from, verbatim.")
    rank = models.CharField(
        max_length=10,
        choices=Rank.choices,
        default=Rank.NORMAL,
        help_text="`preferred`: the value to use (at most one per figure); `deprecated`: known to be wrong.",
    )
    as_of = models.DateField(null=True, blank=True, help_text="The date the value stands at, where the source says.")
    value_usd = models.DecimalField(
        "value in USD",
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MAX_AMOUNT],
        help_text="Money in US dollars; empty for counts and where no rate applies.",
    )
    usd_rate = models.DecimalField(
        "USD rate",
        max_digits=20,
        decimal_places=10,
        null=True,
        blank=True,
        validators=[MAX_RATE],
        help_text="USD per one unit of the currency that `value_usd` was computed with.",
    )
    usd_rate_source = models.CharField(
        "USD rate from",
        max_length=10,
        choices=RateSource.choices,
        blank=True,
        help_text="Where the rate came from: the source's own conversion in the quote, or the rate table.",
    )

    FIELDS = (
        "figure",
        "value",
        "qualifier",
        "currency",
        "quote",
        "rank",
        "as_of",
        "value_usd",
        "usd_rate",
        "usd_rate_source",
        "source",
    )
    # What the services compute: never written by a client.
    VALUATION = ("value_usd", "usd_rate", "usd_rate_source")

    class Meta:
        ordering = ["figure_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualifier__in=["exact", "more_than", "at_least", "about"]),
                name="figurestatement_qualifier_valid",
                violation_error_message="Qualifier must be one of exact, more_than, at_least, about.",
            ),
            models.CheckConstraint(
                condition=Q(rank__in=["preferred", "normal", "deprecated"]),
                name="figurestatement_rank_valid",
                violation_error_message="Rank must be one of preferred, normal, deprecated.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="figurestatement_value_not_negative",
                violation_error_message="A reported figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="figurestatement_quote_not_empty",
                violation_error_message="A statement needs the sentence it comes from.",
            ),
            currency_code_constraint(field="currency", name="figurestatement_currency_iso4217", allow_empty=True),
            models.CheckConstraint(
                condition=Q(usd_rate_source="", value_usd__isnull=True, usd_rate__isnull=True)
                | (~Q(usd_rate_source="") & Q(value_usd__isnull=False, usd_rate__isnull=False)),
                name="figurestatement_usd_value_with_its_rate",
                violation_error_message="A USD value comes with its rate and where the rate came from.",
            ),
            models.UniqueConstraint(
                fields=["figure"],
                condition=Q(rank="preferred"),
                name="figurestatement_one_preferred_per_figure",
                violation_error_message="The figure already has a preferred statement; rank this one normal.",
            ),
        ]
        indexes = [models.Index(fields=["source"], name="figurestatement_source_idx")]

    def __str__(self) -> str:
        amount = f"{self.currency} {self.value:,}" if self.currency else f"{self.value:,}"
        return f"{self.get_qualifier_display()} {amount} ({self.rank})"

    def clean(self) -> None:
        figure = self.figure if self.figure_id else None
        if figure is not None:
            if figure.is_money and not self.currency:
                raise ValidationError(
                    {"currency": ValidationError("A figure in money is stated with its currency.", code="currency")}
                )
            if not figure.is_money and self.currency:
                message = "A count has no currency; the figure's unit says what it counts."
                raise ValidationError({"currency": ValidationError(message, code="currency")})
        # A value or qualifier its field refused has its own error already.
        if not self.quote or not isinstance(self.value, Decimal) or self.qualifier not in self.Qualifier.values:
            return
        # Here, not in the services: the admin's inline and the import check it too.
        problem = quote_problem(
            quote=self.quote,
            text=self.source.text if self.source_id and self.source else "",
            value=self.value,
            qualifier=self.qualifier,
            currency=self.currency,
        )
        if problem is not None:
            raise ValidationError({problem.field: ValidationError(problem.message, code=problem.code)})
