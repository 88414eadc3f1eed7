"""Trading delegations (a tree), their participation in expo editions, the enterprises that
register and trade, and what a participation brings about: settlements and promotional activities."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from delegations import uscc
from delegations.name_keys import name_key, pinyin_key
from expo.models import Bilingual, Edition, Record
from framework.models import MAX_INTEGER, CountryField, country_code_constraint
from framework.names import search_keys


class Delegation(Bilingual, Record):
    """A trading delegation, e.g. the Shanghai trading delegation and, under it, the Qingpu
    District trading delegation. ``parent`` makes the tree; no delegation is its own ancestor."""

    name = models.CharField(max_length=200)
    name_zh = models.CharField("Chinese name", max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The delegation this one belongs to, e.g. Shanghai for Qingpu District.",
    )
    region = models.CharField(max_length=100, blank=True, help_text="The city or district it represents.")
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "parent",
        "region",
        "description",
        "source",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("id")),
                name="delegation_not_own_parent",
                violation_error_message="A delegation cannot be its own parent.",
            ),
            # Deeper cycles are refused by the trigger delegation_not_own_ancestor (migration 0003).
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Delegation"]:
        """The chain of parents, nearest first (stops at a cycle rather than looping)."""
        chain: list[Delegation] = []
        seen = {self.pk}
        node = self.parent
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def clean(self) -> None:
        super().clean()
        if self.pk is None or self.parent is None:
            return
        if self.parent.pk == self.pk or any(node.pk == self.pk for node in self.parent.ancestors()):
            raise ValidationError({"parent": "A delegation cannot be its own ancestor."})


class Enterprise(Bilingual, Record):
    """Any organisation that registers or trades: a company, association, institute or government body."""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        ASSOCIATION = "association", "Association"
        INSTITUTE = "institute", "Institute"
        GOVERNMENT = "government", "Government body"
        OTHER = "other", "Other organisation"

    name = models.CharField("legal name (English)", max_length=300)
    name_zh = models.CharField("legal name (Chinese)", max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    country = CountryField(db_index=True)
    city = models.CharField(max_length=100, blank=True)
    district = models.CharField(max_length=100, blank=True, help_text="Where it is registered, e.g. Qingpu District.")
    industry = models.CharField(max_length=200, blank=True)
    uscc = models.CharField(
        "Unified Social Credit Code",
        max_length=18,
        blank=True,
        help_text="18 digits and capital letters other than I, O, S, V, Z; empty where unknown. "
        "A check character that does not match is kept, with a warning (uscc_check_valid).",
        validators=[uscc.validate],
    )
    registry_id = models.CharField("other registry id", max_length=100, blank=True)
    description = models.TextField(blank=True)
    # Whether the USCC's check character matches the rest of it: null without a USCC. Kept in step
    # by save(); a false one is a warning (delegations.quality), not a refusal.
    uscc_check_valid = models.BooleanField(
        "USCC check character valid", null=True, editable=False, help_text="Null where there is no USCC."
    )
    # The names' normalised keys and their pinyin (delegations.name_keys), kept in step by save():
    # duplicate detection (delegations.duplicates) looks candidates up by them.
    name_key = models.CharField(max_length=300, blank=True, editable=False)
    name_pinyin_key = models.CharField(max_length=2000, blank=True, editable=False)
    name_zh_key = models.CharField(max_length=300, blank=True, editable=False)
    name_zh_pinyin_key = models.CharField(max_length=2000, blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=["name_key", "name_pinyin_key", "name_zh_key", "name_zh_pinyin_key", "uscc_check_valid"]
    )

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "name",
        "name_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "kind",
        "country",
        "city",
        "district",
        "industry",
        "uscc",
        "registry_id",
        "description",
        "source",
    )

    # The columns save() derives from each field, written with it.
    DERIVED = {
        "name": ("name_key", "name_pinyin_key"),
        "name_zh": ("name_zh_key", "name_zh_pinyin_key"),
        "uscc": ("uscc_check_valid",),
    }

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"], name="enterprise_name_idx"),
            # Equality and, on PostgreSQL, prefix (LIKE 'x%') lookups of duplicate detection.
            models.Index(fields=["name_key"], name="enterprise_name_key_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_zh_key"], name="enterprise_name_zh_key_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_pinyin_key"], name="enterprise_name_pinyin_key_idx"),
            models.Index(fields=["name_zh_pinyin_key"], name="enterprise_zh_pinyin_key_idx"),
        ]
        constraints = [
            country_code_constraint(field="country", name="enterprise_country_iso3166"),
            models.CheckConstraint(
                condition=uscc.database_condition("uscc"),
                name="enterprise_uscc_valid",
                violation_error_message=uscc.MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc=""),
                name="enterprise_uscc_unique",
                violation_error_message="Another enterprise has this Unified Social Credit Code.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})" if self.country else self.name

    def derive(self) -> None:
        """Set the columns derived from the names and the USCC (see ``DERIVED``)."""
        self.name_key = name_key(self.name)
        self.name_pinyin_key = pinyin_key(self.name_key)
        self.name_zh_key = name_key(self.name_zh)
        self.name_zh_pinyin_key = pinyin_key(self.name_zh_key)
        self.uscc_check_valid = uscc.check_character_matches(self.uscc) if uscc.is_well_formed(self.uscc) else None

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = [column for name in update_fields for column in self.DERIVED.get(name, ())]
            kwargs["update_fields"] = [*update_fields, *derived]
        super().save(*args, **kwargs)


class EnterpriseAlias(models.Model):
    """Another name an enterprise is known by: a short name, a former name, its name in the other
    language, a transliteration, or the name of a record merged into it. Shown with the
    enterprise and searched with its own names."""

    class Kind(models.TextChoices):
        SHORT = "short", "Short name"
        FORMER = "former", "Former name"
        OTHER_LANGUAGE = "other_language", "Name in another language"
        TRANSLITERATION = "transliteration", "Transliteration"
        MERGED = "merged", "Name of a record merged into this one"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SHORT)
    # The name's search key (pinyin without tones for a Chinese name, see framework.names), kept
    # in step by save(): searches look for a term's own key in it.
    search_pinyin = models.CharField(max_length=2000, blank=True, editable=False)
    # The name's normalised key and its pinyin (delegations.name_keys), kept in step by save().
    name_key = models.CharField(max_length=300, blank=True, editable=False)
    pinyin_key = models.CharField(max_length=2000, blank=True, editable=False)

    FIELDS = ("name", "kind")

    class Meta:
        ordering = ["enterprise_id", "name", "id"]
        verbose_name_plural = "enterprise aliases"
        indexes = [
            models.Index(fields=["name_key"], name="enterprisealias_name_key_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["pinyin_key"], name="enterprisealias_pinyin_key_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name"],
                name="enterprisealias_unique_per_enterprise",
                violation_error_message="This enterprise already has this alias.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="enterprisealias_name_not_empty",
                violation_error_message="An alias needs a name.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["short", "former", "other_language", "transliteration", "merged"]),
                name="enterprisealias_kind_valid",
                violation_error_message="Kind must be short, former, other_language, transliteration or merged.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_pinyin = search_keys(self.name)
        self.name_key = name_key(self.name)
        self.pinyin_key = pinyin_key(self.name_key)
        super().save(*args, **kwargs)


class Participation(Record):
    """A delegation taking part in an edition: who registered with it and what it ran there."""

    delegation = models.ForeignKey(Delegation, on_delete=models.PROTECT, related_name="participations")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="participations")
    registered_organisations = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MAX_INTEGER],
        help_text="Enterprises and organisations registered with the delegation.",
    )
    professional_audience = models.PositiveIntegerField(
        null=True, blank=True, validators=[MAX_INTEGER], help_text="Professional visitors registered by the delegation."
    )
    enterprises = models.ManyToManyField(
        Enterprise,
        blank=True,
        related_name="participations",
        help_text="The registered enterprises known by name.",
    )
    city_parlor = models.TextField(blank=True, help_text="The delegation's showcase at the venue, where it had one.")
    services = models.TextField(blank=True, help_text="Services it offered visitors.")
    history = HistoricalRecords(m2m_fields=[enterprises])

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "delegation",
        "edition",
        "registered_organisations",
        "professional_audience",
        "enterprises",
        "city_parlor",
        "services",
        "source",
    )

    class Meta:
        ordering = ["edition__start_date", "delegation__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delegation", "edition"],
                name="participation_one_per_delegation_edition",
                violation_error_message="This delegation already has a participation in this edition.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegation} at {self.edition}"


class Settlement(Record):
    """An enterprise that attended and will settle in the delegation's district."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        INTENDED = "intended", "Intended"

    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="settlements")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="settlements")
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    announced_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "participation",
        "enterprise",
        "status",
        "announced_on",
        "notes",
        "source",
    )

    class Meta:
        ordering = ["participation_id", "enterprise__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "enterprise"],
                name="settlement_one_per_enterprise_participation",
                violation_error_message="This enterprise already has a settlement for this participation.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "intended"]),
                name="settlement_status_valid",
                violation_error_message="Status must be confirmed or intended.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} ({self.get_status_display().lower()}) – {self.participation}"


class PromotionalActivity(Bilingual, Record):
    """An event a delegation held during an edition to promote its district."""

    CHINESE_NAME = "title_zh"

    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(max_length=300)
    title_zh = models.CharField("Chinese title", max_length=300, blank=True)
    held_on = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)

    # The fields the record is shown and written with, in this order: its API representation, admin
    # form and import rows list them (with the id and timestamps where each needs them).
    FIELDS = (
        "participation",
        "title",
        "title_zh",
        *Bilingual.BILINGUAL_FIELDS,
        "held_on",
        "location",
        "description",
        "source",
    )

    class Meta:
        ordering = ["held_on", "title", "id"]
        verbose_name_plural = "promotional activities"
        # The default ordering and the held_after/held_before filters.
        indexes = [models.Index(fields=["held_on", "title", "id"], name="activity_held_on_idx")]

    def __str__(self) -> str:
        return self.title


class EditorAssignment(models.Model):
    """A delegation editor may write the deals, participations, settlements and activities of
    this delegation and of every delegation below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_assignments")
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="editor_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "delegation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "delegation"],
                name="editorassignment_unique",
                violation_error_message="This user is already an editor of this delegation.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} edits {self.delegation}"


class Merge(models.Model):
    """An enterprise merged into another, the survivor, and everything the merge did, so that it
    can be undone exactly (delegations.merging): the merged record as it was, its aliases, the
    aliases the survivor gained, and every reference moved from the one to the other."""

    merged_id = models.PositiveBigIntegerField(
        db_index=True, help_text="The id the merged enterprise had (and gets back)."
    )
    # Ids, not foreign keys: the merged record is gone while the merge stands, and the survivor may
    # later be merged or deleted in turn without this record holding it back or following it.
    survivor_id = models.PositiveBigIntegerField(db_index=True, help_text="The enterprise it was merged into.")
    merged_name = models.CharField(max_length=300, help_text="The merged enterprise's name, as it was.")
    survivor_name = models.CharField(max_length=300, help_text="The survivor's name at the merge.")
    reason = models.TextField(help_text="Why the two records are one enterprise.")
    # Each concrete column of the merged enterprise, by column attribute name, as text (None for NULL).
    snapshot = models.JSONField(help_text="The merged enterprise's columns as they were.")
    # {"moved": [alias ids re-pointed], "dropped": [aliases deleted, as rows], "added": [alias ids]}.
    aliases = models.JSONField(help_text="The merged enterprise's aliases and those the survivor gained.")
    # One entry per reference moved: {"model", "field", "pk"} for a foreign key; for a many-to-many
    # relation also "row" (the link's id) and "dropped" (the survivor was linked already).
    links = models.JSONField(help_text="Every reference moved to the survivor.")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True, db_index=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged_id"],
                condition=Q(undone_at__isnull=True),
                name="merge_one_standing_per_enterprise",
                violation_error_message="This enterprise is merged already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merged_name} (#{self.merged_id}) into {self.survivor_name} (#{self.survivor_id})"
