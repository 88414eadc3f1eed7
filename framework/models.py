"""What every app's models share: a base that checks every rule in as few queries as it can,
ISO code fields and checks, the largest values kept exactly; and the API's own records (tokens,
idempotency keys, the deletion feed)."""

import operator
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError, ValidationError
from django.core.validators import MaxValueValidator
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.utils import timezone
from knox.models import AbstractAuthToken

from framework.codes import COUNTRY_CHOICES, COUNTRY_CODES, CURRENCY_CHOICES, CURRENCY_CODES

# The ranges PostgreSQL gives small and ordinary integer columns, stated on the fields so that
# validation and the API schema are the same on every database (SQLite has one 64-bit range).
MAX_SMALL_INTEGER = MaxValueValidator(32767)
MAX_INTEGER = MaxValueValidator(2147483647)
# The largest amounts and rates kept exactly everywhere: SQLite stores decimals as 64-bit floats,
# exact to 15 significant digits (US$10 trillion is far above any deal).
MAX_AMOUNT = MaxValueValidator(Decimal("9999999999999.99"))
MAX_RATE = MaxValueValidator(Decimal("99999.9999999999"))
# When a record was created and last changed: shown with every record, never written by a client.
TIMESTAMPS = ("created_at", "updated_at")


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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("choices", COUNTRY_CHOICES)
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code; empty where unknown.")
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):
    """An ISO 4217 currency code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("choices", CURRENCY_CHOICES)
        kwargs.setdefault("help_text", "ISO 4217 code.")
        super().__init__(*args, **kwargs)


class ValidatedModel(models.Model):
    """The base of every domain model: Django's checks of a record, in fewer queries."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """As Django's, but without fetching again a related record the instance already holds
        (the form or serializer that set it fetched it; the database's foreign key still holds)."""
        held = {
            field.name
            for field in self._meta.fields
            if field.many_to_one
            and field.is_cached(self)  # type: ignore[attr-defined]  # a many-to-one field caches its record
            and getattr(self, field.name) is not None
            and getattr(self, field.name).pk == getattr(self, field.attname)
        }
        super().clean_fields(exclude=set(exclude or ()) | held)

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
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
                    # As Django's own validate_constraints passes it (the stubs ask for a set).
                    constraint.validate(model_class, self, exclude=exclude, using=using)  # type: ignore[arg-type]
                except ValidationError as error:
                    if error.code == "unique" and len(getattr(constraint, "fields", ())) == 1:
                        errors.setdefault(cast(models.UniqueConstraint, constraint).fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


def broken_checks(
    instance: models.Model, model: type[models.Model], checks: list, *, exclude: Collection[str] | None, using: str
) -> list:
    """The ``checks`` (check constraints of ``model``) that ``instance`` breaks, found in one query.
    A check on an excluded field is skipped, and one the database cannot evaluate passes, as
    Django's own ``CheckConstraint.validate`` does."""
    if not checks:
        return []
    if _checks_in_python.get():
        try:
            return [check for check in checks if _holds(check.condition, instance, exclude=exclude) is False]
        except _NotInPython:
            pass
    # Django's own (private) map of field names to values, which the stubs leave out.
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)  # type: ignore[attr-defined]
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


_checks_in_python: ContextVar[bool] = ContextVar("checks_in_python", default=False)


@contextmanager
def checks_in_python() -> Iterator[None]:
    """Evaluate check constraints in Python, without a query, in the block, where each condition
    is one Python can evaluate as the database does (comparisons of a record's own columns with
    values or with each other, under SQL's rules for NULL); any other is checked by the database
    as usual. For writes of many records at once, where a query per record is the cost."""
    token = _checks_in_python.set(True)
    try:
        yield
    finally:
        _checks_in_python.reset(token)


class _NotInPython(Exception):
    """A condition that only the database evaluates."""


# SQL's comparisons: NULL (None) on either side makes the comparison NULL.
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _column(instance: models.Model, name: str, exclude: Collection[str] | None) -> Any:
    """The value of ``instance``'s own column ``name`` (a foreign key's id for a relation)."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise _NotInPython from error
    if not field.concrete or field.many_to_many or (exclude and name in exclude):
        # A check on an excluded field is skipped, as the database path skips it.
        raise _NotInPython
    return getattr(instance, field.attname)


def _holds(condition: Any, instance: models.Model, *, exclude: Collection[str] | None) -> bool | None:
    """``condition`` (a ``Q`` or a ``(lookup, value)`` child of one) for ``instance``: True,
    False, or None where SQL would find it NULL. Raises :class:`_NotInPython` for anything
    beyond a record's own columns compared with values, ``isnull`` and ``in``."""
    if isinstance(condition, Q):
        results = [_holds(child, instance, exclude=exclude) for child in condition.children]
        if condition.connector == Q.AND:
            result = False if False in results else (None if None in results else True)
        elif condition.connector == Q.OR:
            result = True if True in results else (None if None in results else False)
        else:
            raise _NotInPython
        return (None if result is None else not result) if condition.negated else result
    if not isinstance(condition, tuple) or len(condition) != 2:
        raise _NotInPython
    lookup, expected = condition
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    value = _column(instance, name, exclude)
    if kind == "isnull":
        if not isinstance(expected, bool):
            raise _NotInPython
        return (value is None) is expected
    if isinstance(expected, F):
        expected = _column(instance, cast(str, expected.name), exclude)  # type: ignore[attr-defined]
    elif hasattr(expected, "resolve_expression"):
        raise _NotInPython
    if kind == "exact" and expected is None and not isinstance(condition[1], F):
        # Django reads field=None as field__isnull=True.
        return value is None
    if kind == "in":
        if not isinstance(expected, list | tuple | set | frozenset):
            raise _NotInPython
        if value is None:
            return None
        if value in expected:
            return True
        return None if None in expected else False
    compare = _COMPARISONS.get(kind)
    if compare is None:
        raise _NotInPython
    if value is None or expected is None:
        return None
    return compare(value, expected)


class ApiToken(AbstractAuthToken):
    """An API token: only its hash is stored; it expires and can be revoked. A user holds one
    per client (a dashboard, a script), named by ``client``."""

    client = models.CharField(max_length=100, blank=True, help_text="What uses the token, e.g. 'sales dashboard'.")

    class Meta:
        # The table it had before the model moved here.
        db_table = "expo_apitoken"
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
        db_table = "expo_idempotencykey"
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
    """A record that left a collection: deleted, (for a deal) withdrawn from public view, or
    merged into another record of its collection, the survivor (``survivor_id``). A client that
    keeps a copy of a collection removes what this feed lists since its last pull (and, for a
    merge, reads the survivor again: the records that named the merged one now name it)."""

    class Kind(models.TextChoices):
        DELETED = "deleted", "Deleted"
        WITHDRAWN = "withdrawn", "Withdrawn from public view"
        MERGED = "merged", "Merged into another record"

    collection = models.CharField(max_length=40, help_text="The collection's name in its URL, e.g. deals.")
    record_id = models.PositiveBigIntegerField(help_text="The id the record had in its collection.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    survivor_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="For a merged record: the id of the record it was merged into."
    )
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Who may read the entry: whom the record was visible to (only deals are ever unpublished).
    is_published = models.BooleanField(default=True)
    embargo_until = models.DateTimeField(null=True, blank=True)
    delegation_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "expo_deletion"
        ordering = ["deleted_at", "id"]

    def __str__(self) -> str:
        return f"{self.collection} {self.record_id} {self.kind} at {self.deleted_at:%Y-%m-%d %H:%M:%S}"
