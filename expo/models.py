"""What is expo-wide: expos, their editions and venues, and the sources facts come from; and
the base of every record that cites a source."""

from typing import Any, ClassVar

from django.db import models
from django.db.models import Case, Expression, F, Q, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Mod, NullIf
from django.db.models.lookups import Exact, Range

from framework.models import MAX_SMALL_INTEGER, CountryField, ValidatedModel, country_code_constraint
from framework.names import search_keys


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
    text = models.TextField(
        blank=True,
        help_text="The source's text, where it is stored: the quotes of figure statements citing it must occur in it.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "kind",
        "title",
        "author",
        "publisher",
        "published_on",
        "url",
        "file",
        "text",
        "notes",
    )

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


class Record(ValidatedModel):
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


class Bilingual(models.Model):
    """A record named in English and Chinese: beside its Chinese name (``CHINESE_NAME``, e.g.
    ``name_zh``) it keeps the pinyin a source spells it with, the source of both where that is
    not the record's own, and a hidden search key of both that ``save()`` keeps in step."""

    # The field that holds the Chinese name.
    CHINESE_NAME: ClassVar[str] = "name_zh"
    # The fields a client shows and writes, after the Chinese name.
    BILINGUAL_FIELDS = ("name_pinyin", "name_zh_source")

    name_pinyin = models.CharField(
        "pinyin",
        max_length=300,
        blank=True,
        help_text="The Chinese name in pinyin as a source spells it, e.g. Mǐnháng Qū; "
        "searches also read the characters' most common reading.",
    )
    name_zh_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="source of the Chinese name",
        help_text="The source of the Chinese name and pinyin, where it is not the record's own source.",
    )
    # The search keys of the Chinese name and the pinyin (see framework.names), kept in step by
    # save() and by every bulk write (pinyin_search_keys): searches look for a term's key in it.
    search_pinyin = models.CharField(max_length=2000, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_pinyin = self.pinyin_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {self.CHINESE_NAME, "name_pinyin"} & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_pinyin"]
        super().save(*args, **kwargs)

    def pinyin_search_keys(self) -> str:
        """The value ``search_pinyin`` should hold: fill it with this before a bulk write."""
        return search_keys(getattr(self, self.CHINESE_NAME), self.name_pinyin)


class Venue(Bilingual, Record):
    """Where editions are held, e.g. the National Exhibition and Convention Center (Shanghai)."""

    name = models.CharField(max_length=200, unique=True)
    name_zh = models.CharField("Chinese name", max_length=200, blank=True)
    district = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = CountryField()
    address = models.CharField(max_length=300, blank=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "address",
        "district",
        "city",
        "country",
        "source",
    )

    class Meta:
        ordering = ["name"]
        constraints = [country_code_constraint(field="country", name="venue_country_iso3166")]

    def __str__(self) -> str:
        return self.name


class Expo(Bilingual, Record):
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

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "name",
        "short_name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "host_venue",
        "website",
        "source",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Edition(Bilingual, Record):
    """One numbered edition of an expo, e.g. the 6th CIIE (5–10 November 2023)."""

    expo = models.ForeignKey(Expo, on_delete=models.PROTECT, related_name="editions")
    number = models.PositiveSmallIntegerField(
        validators=[MAX_SMALL_INTEGER], help_text="1 for the first edition, 2 for the second…"
    )
    name = models.CharField(max_length=200, blank=True, help_text="e.g. 6th China International Import Expo")
    name_zh = models.CharField("Chinese name", max_length=200, blank=True, help_text="e.g. 第六届中国国际进口博览会")
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

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "expo",
        "number",
        "name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "start_date",
        "end_date",
        "venue",
        "dates_source",
        "source",
    )

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


def ordinal_expression(number: Expression | F) -> Concat:
    """``ordinal`` in the database, for a positive integer expression."""
    suffix = Case(
        When(Range(Mod(number, 100), (10, 20)), then=Value("th")),
        When(Exact(Mod(number, 10), 1), then=Value("st")),
        When(Exact(Mod(number, 10), 2), then=Value("nd")),
        When(Exact(Mod(number, 10), 3), then=Value("rd")),
        default=Value("th"),
    )
    return Concat(Cast(number, models.CharField()), suffix, output_field=models.CharField())
