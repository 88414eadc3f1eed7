"""Reported figures: the numbers sources state about delegations at editions, kept with the
sentence they come from, and set beside what the records add up to (the reconciliation)."""

from django.db import models
from django.db.models import Q

from expo.models import Edition, Record
from framework.models import MAX_AMOUNT, MAX_SMALL_INTEGER, CurrencyField, currency_code_constraint


class ReportedFigure(Record):
    """A number a source states about a delegation at an edition (or a run of editions ending
    with it), kept with its qualifier and the sentence it comes from."""

    class Metric(models.TextChoices):
        TRADING_VOLUME = "trading_volume", "Trading volume"
        INTENTION_ORDER_VOLUME = "intention_order_volume", "Procurement orders of intention"
        REGISTERED_ORGANISATIONS = "registered_organisations", "Enterprises and organisations registered"
        PROFESSIONAL_AUDIENCE = "professional_audience", "Professional audience registered"
        SETTLEMENTS_CONFIRMED = "settlements_confirmed", "Settlements confirmed"
        SETTLEMENTS_INTENDED = "settlements_intended", "Settlements intended"
        PROMOTIONAL_ACTIVITIES = "promotional_activities", "Promotional activities held"
        FIRST_ORDERS_OF_PARENT = "first_orders_of_parent", "Editions signing the parent delegation's first order"

    class Qualifier(models.TextChoices):
        EXACT = "exact", "exactly"
        MORE_THAN = "more_than", "more than"
        AT_LEAST = "at_least", "at least"
        ABOUT = "about", "about"

    delegation = models.ForeignKey(
        "delegations.Delegation", on_delete=models.PROTECT, null=True, blank=True, related_name="reported_figures"
    )
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_figures",
        help_text="The edition the figure is about; for a run of editions, the last one.",
    )
    consecutive_editions = models.PositiveSmallIntegerField(
        default=1,
        validators=[MAX_SMALL_INTEGER],
        help_text="How many consecutive editions, ending with `edition`, the figure covers.",
    )
    metric = models.CharField(max_length=40, choices=Metric.choices)
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    value = models.DecimalField(max_digits=20, decimal_places=2, validators=[MAX_AMOUNT])
    currency = CurrencyField(blank=True, help_text="ISO 4217 code for money; empty for counts.")
    unit = models.CharField(max_length=60, blank=True, help_text="What is counted, for counts.")
    quote = models.TextField(help_text="The sentence of the source the figure comes from, verbatim.")
    as_of = models.DateField(null=True, blank=True, help_text="The date the figure stands at, where the source says.")

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "delegation",
        "edition",
        "consecutive_editions",
        "metric",
        "qualifier",
        "value",
        "currency",
        "unit",
        "quote",
        "as_of",
        "source",
    )

    class Meta:
        # The table it had before the model moved here from the expo app.
        db_table = "expo_reportedfigure"
        ordering = ["edition__start_date", "metric", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualifier__in=["exact", "more_than", "at_least", "about"]),
                name="reportedfigure_qualifier_valid",
                violation_error_message="Qualifier must be one of exact, more_than, at_least, about.",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="reportedfigure_value_not_negative",
                violation_error_message="A reported figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(consecutive_editions__gte=1),
                name="reportedfigure_consecutive_editions_positive",
                violation_error_message="A figure covers at least one edition.",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="reportedfigure_quote_not_empty",
                violation_error_message="A reported figure needs the sentence it comes from.",
            ),
            currency_code_constraint(field="currency", name="reportedfigure_currency_iso4217", allow_empty=True),
            models.CheckConstraint(
                condition=(Q(currency="") & ~Q(unit="")) | (~Q(currency="") & Q(unit="")),
                name="reportedfigure_currency_or_unit",
                violation_error_message="A figure has a currency (for money) or a unit (for counts), not both.",
            ),
        ]

    def __str__(self) -> str:
        amount = f"{self.currency} {self.value:,}" if self.currency else f"{self.value:,} {self.unit}".strip()
        return f"{self.get_metric_display()}: {self.get_qualifier_display()} {amount}"
