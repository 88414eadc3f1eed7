"""What is expo-wide: expos, their editions and venues, the sources facts come from, and the
figures those sources report."""

from contextlib import nullcontext
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.core.validators import MaxValueValidator
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Case, Expression, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Mod, NullIf
from django.db.models.lookups import Exact, Range
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.utils import timezone
from knox.models import AbstractAuthToken

from expo.codes import COUNTRY_CHOICES, COUNTRY_CODES, CURRENCY_CHOICES, CURRENCY_CODES

# The ranges PostgreSQL gives small and ordinary integer columns, stated on the fields so that
# validation and the API schema are the same on every database (SQLite has one 64-bit range).
MAX_SMALL_INTEGER = MaxValueValidator(32767)
MAX_INTEGER = MaxValueValidator(2147483647)
# The largest amounts and rates kept exactly everywhere: SQLite stores decimals as 64-bit floats,
# exact to 15 significant digits (US$10 trillion is far above any deal).
MAX_AMOUNT = MaxValueValidator(Decimal("9999999999999.99"))
MAX_RATE = MaxValueValidator(Decimal("99999.9999999999"))


def country_code_constraint(*, field: str, name: str) -> models.CheckConstraint:
    """A check that ``field`` is empty or an ISO 3166-1 alpha-2 code."""
    return models.CheckConstraint(
        condition=Q(**{field: ""}) | Q(**{f"{field}__in": COUNTRY_CODES}),
        name=name,
        violation_error_message="Country must be an ISO 3166-1 alpha-2 code, such as CN or US.",
    )


def currency_code_constraint(*, field: str, name: str, allow_empty: bool = False) -> models.CheckConstraint:
    """A check that ``field`` is an ISO 4217 currency code (or empty, where allowed)."""
    condition = Q(**{f"{field}__in": CURRENCY_CODES})
    if allow_empty:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message="Currency must be an ISO 4217 code, such as USD or CNY.",
    )


class CountryField(models.CharField):
    """An ISO 3166-1 alpha-2 country code; empty where the source does not say."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("choices", COUNTRY_CHOICES)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code; empty where unknown.")
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):
    """An ISO 4217 currency code."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("choices", CURRENCY_CHOICES)
        kwargs.setdefault("help_text", "ISO 4217 code.")
        super().__init__(*args, **kwargs)


class Source(models.Model):
    """Where a fact comes from: a news report, a public record, a registry, a synthetic data set."""

    class Kind(models.TextChoices):
        NEWS_REPORT = "news_report", "News report"
        PUBLIC_RECORD = "public_record", "Public record"
        OFFICIAL = "official", "Official publication"
        REGISTRY = "registry", "Registry"
        SYNTHETIC = "synthetic", "Synthetic (generated demo data)"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEWS_REPORT)
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    file = models.CharField(max_length=300, blank=True, help_text="Path of a stored copy, where there is one.")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["title", "id"]
        # The published_after/published_before filters.
        indexes = [models.Index(fields=["published_on"], name="source_published_on_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""),
                name="source_title_not_empty",
                violation_error_message="A source needs a title.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.author})" if self.author else self.title


class Record(models.Model):
    """The columns every domain record has: the source it cites and when it changed."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where this record's facts come from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        """As Django's, but without fetching again a related record the instance already holds
        (the form or serializer that set it fetched it; the database's foreign key still holds)."""
        held = {
            field.name
            for field in self._meta.fields
            if field.many_to_one
            and field.is_cached(self)
            and getattr(self, field.name) is not None
            and getattr(self, field.name).pk == getattr(self, field.attname)
        }
        super().clean_fields(exclude=set(exclude or ()) | held)

    def validate_constraints(self, exclude=None) -> None:
        """Every constraint, as Django checks them, but the check constraints of a model in one
        query rather than a query (and a savepoint) each."""
        using = router.db_for_write(type(self), instance=self)
        errors: dict = {}
        for model_class, constraints in self.get_constraints():
            checks = [constraint for constraint in constraints if isinstance(constraint, models.CheckConstraint)]
            for constraint in broken_checks(self, model_class, checks, exclude=exclude, using=using):
                error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
                errors = error.update_error_dict(errors)
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if error.code == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def broken_checks(instance, model, checks: list, *, exclude, using: str) -> list:
    """The ``checks`` (check constraints of ``model``) that ``instance`` breaks, found in one query.
    A check on an excluded field is skipped, and one the database cannot evaluate passes, as
    Django's own ``CheckConstraint.validate`` does."""
    if not checks:
        return []
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    query = Query(None)
    for name, value in against.items():
        query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
    evaluated = []
    for check in checks:
        try:
            # NULL passes, as in the database.
            query.add_annotation(Coalesce(Q(check.condition), True, output_field=BooleanField()), check.name)
        except FieldError:
            continue
        evaluated.append(check)
    if not evaluated:
        return []
    connection = connections[using]
    try:
        with transaction.atomic(using=using) if connection.in_atomic_block else nullcontext():
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return [check for check in evaluated if not Q(check.condition).check(against, using=using)]
    return [check for check, holds in zip(evaluated, row, strict=True) if not holds]


class Venue(Record):
    """Where editions are held, e.g. the National Exhibition and Convention Center (Shanghai)."""

    name = models.CharField(max_length=200, unique=True)
    name_zh = models.CharField("Chinese name", max_length=200, blank=True)
    district = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = CountryField()
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [country_code_constraint(field="country", name="venue_country_iso3166")]

    def __str__(self) -> str:
        return self.name


class Expo(Record):
    """An expo series, e.g. the China International Import Expo (CIIE)."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=30, blank=True, help_text="e.g. CIIE")
    name_zh = models.CharField("Chinese name", max_length=200, blank=True)
    host_venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_expos",
        help_text="The permanent host venue, where the expo has one.",
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Edition(Record):
    """One numbered edition of an expo, e.g. the 6th CIIE (5–10 November 2023)."""

    expo = models.ForeignKey(Expo, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveSmallIntegerField(
        validators=[MAX_SMALL_INTEGER], help_text="1 for the first edition, 2 for the second…"
    )
    name = models.CharField(max_length=200, blank=True, help_text="e.g. 6th China International Import Expo")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    dates_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the dates come from, when that is not the record's source.",
    )
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="editions")

    class Meta:
        ordering = ["expo__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "number"],
                name="edition_number_unique_per_expo",
                violation_error_message="This expo already has an edition with this number.",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="edition_number_positive",
                violation_error_message="Edition numbers start at 1.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="edition_end_not_before_start",
                violation_error_message="An edition cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return edition_label(self)

    @staticmethod
    def label(path: str = "") -> Expression:
        """``str(edition)`` in the database, for the edition at ``path`` (e.g. ``"edition"`` from
        a deal; the edition itself by default): its name, or its ordinal and its expo's short name
        (or name)."""
        field = f"{path}__{{}}".format if path else "{}".format
        expo = Coalesce(NullIf(F(field("expo__short_name")), Value("")), F(field("expo__name")))
        return Case(
            When(Exact(F(field("name")), ""), then=Concat(ordinal_expression(F(field("number"))), Value(" "), expo)),
            default=F(field("name")),
            output_field=models.CharField(),
        )


def edition_label(edition) -> str:
    """An edition's name, or its number and its expo's: "6th CIIE". Reads only ``name``,
    ``number`` and the expo's ``short_name`` and ``name``, so any object with them will do."""
    if edition.name:
        return edition.name
    return f"{ordinal(edition.number)} {edition.expo.short_name or edition.expo.name}"


def ordinal(number: int) -> str:
    """``1`` → ``1st``, ``2`` → ``2nd``, ``11`` → ``11th``, ``23`` → ``23rd``."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def ordinal_expression(number: Expression) -> Concat:
    """``ordinal`` in the database, for a positive integer expression."""
    suffix = Case(
        When(Range(Mod(number, 100), (10, 20)), then=Value("th")),
        When(Exact(Mod(number, 10), 1), then=Value("st")),
        When(Exact(Mod(number, 10), 2), then=Value("nd")),
        When(Exact(Mod(number, 10), 3), then=Value("rd")),
        default=Value("th"),
    )
    return Concat(Cast(number, models.CharField()), suffix, output_field=models.CharField())


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

    class Meta:
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


class ApiToken(AbstractAuthToken):
    """An API token: only its hash is stored; it expires and can be revoked. A user holds one
    per client (a dashboard, a script), named by ``client``."""

    client = models.CharField(max_length=100, blank=True, help_text="What uses the token, e.g. 'sales dashboard'.")

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.client or 'unnamed client'}) of {self.user}"


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an ``Idempotency-Key``: a retry with the same key by
    the same caller gets this response again instead of creating a second row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                name="idempotencykey_unique_per_user",
                violation_error_message="This idempotency key has been used already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.method} {self.path})"


class Deletion(models.Model):
    """A record that left a collection: deleted, or (for a deal) withdrawn from public view. A
    client that keeps a copy of a collection removes what this feed lists since its last pull."""

    class Kind(models.TextChoices):
        DELETED = "deleted", "Deleted"
        WITHDRAWN = "withdrawn", "Withdrawn from public view"

    collection = models.CharField(max_length=40, help_text="The collection's name in its URL, e.g. deals.")
    record_id = models.PositiveBigIntegerField(help_text="The id the record had in its collection.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Who may read the entry: whom the record was visible to (only deals are ever unpublished).
    is_published = models.BooleanField(default=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    delegation_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["deleted_at", "id"]

    def __str__(self) -> str:
        return f"{self.collection} {self.record_id} {self.kind} at {self.deleted_at:%Y-%m-%d %H:%M:%S}"
