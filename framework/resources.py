"""What the admin's CSV/XLSX imports and exports of records share (django-import-export): every
row is checked against the model's rules and its errors reported by row, a file with any bad row
writes nothing, rows are saved one by one through the model's services (framework.services) so
their history names the admin who imported them, and exported text cells never run as
spreadsheet formulas."""

import contextlib
import datetime
import functools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from import_export import resources, widgets

from framework.history import change_reason
from framework.services import adopt, writes_of
from framework.spreadsheets import escape_formula


def import_reason(file_name: str) -> str:
    """The reason the history of an imported row gives."""
    return f"Imported from {file_name}"


class IntegerWidget(widgets.IntegerWidget):
    """A whole number; anything else is the row's error rather than a guess or a crash."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if self.is_empty(value):
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(f"“{value}” is not a whole number.")
        return int(number)


class DecimalWidget(widgets.DecimalWidget):
    """A decimal number, given as text or as a spreadsheet number."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except InvalidOperation as error:
            raise ValueError(f"“{value}” is not a number.") from error


class DateWidget(widgets.DateWidget):
    """A date, given as text (YYYY-MM-DD) or as a spreadsheet date, which arrives as a datetime."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            cleaned = super().clean(value, row, **kwargs)
        except ValueError as error:
            raise ValueError(f"“{value}” is not a date (YYYY-MM-DD).") from error
        return cleaned.date() if isinstance(cleaned, datetime.datetime) else cleaned


class BooleanWidget(widgets.BooleanWidget):
    """True or false; a value that is neither is an error, not silently false."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        if value in self.NULL_VALUES:
            return None
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(f"“{value}” is neither true nor false: use 1 or 0, true or false.")


class ForeignKeyWidget(widgets.ForeignKeyWidget):
    """A related record given by its id; an id with no record is the row's error."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, ValueError, TypeError) as error:
            raise ValueError(f"There is no {self.model._meta.verbose_name} with id {value}.") from error


class ManyToManyWidget(widgets.ManyToManyWidget):
    """Related records given by their ids separated by commas; an id with no record is the row's error."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if value is None or value == "":
            return self.model.objects.none()
        parts = [str(part).strip() for part in str(value).split(self.separator)]
        try:
            ids = {IntegerWidget().clean(part) for part in parts if part}
        except ValueError as error:
            raise ValueError(f"“{value}” is not a list of ids separated by “{self.separator}”.") from error
        ids.discard(None)
        found = self.model.objects.filter(pk__in=ids)
        missing = ids - set(found.values_list("pk", flat=True))
        if missing:
            names = self.model._meta.verbose_name_plural if len(missing) > 1 else self.model._meta.verbose_name
            raise ValueError(f"There is no {names} with id {', '.join(str(pk) for pk in sorted(missing))}.")
        return found


class RecordResource(resources.ModelResource):
    """The base of every record's import and export. Subclasses list their fields explicitly in
    ``Meta.fields``; those in ``export_only_fields`` are exported but never read from a file."""

    export_only_fields: tuple[str, ...] = ()

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "AutoField": IntegerWidget,
        "BigAutoField": IntegerWidget,
        "BooleanField": BooleanWidget,
        "DateField": DateWidget,
        "DecimalField": DecimalWidget,
        "IntegerField": IntegerWidget,
        "PositiveIntegerField": IntegerWidget,
        "PositiveSmallIntegerField": IntegerWidget,
        # An empty text cell is an empty string, as for CharField; the default widget would leave None.
        "TextField": widgets.CharWidget,
    }

    class Meta:
        # Every row is validated with the model's full_clean(): its fields, clean() and constraints.
        clean_model_instances = True
        # Rows are saved one by one through save(), so that their history is recorded.
        use_bulk = False
        use_transactions = True
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True

    @classmethod
    def get_fk_widget(cls, field: models.Field) -> Callable[..., Any]:
        return functools.partial(ForeignKeyWidget, model=field.related_model)

    @classmethod
    def get_m2m_widget(cls, field: models.Field) -> Callable[..., Any]:
        return functools.partial(ManyToManyWidget, model=field.related_model)

    @classmethod
    def field_from_django_field(cls, field_name: str, django_field: models.Field, readonly: bool) -> Any:
        return super().field_from_django_field(
            field_name, django_field, readonly or field_name in cls.export_only_fields
        )

    def import_data(self, dataset: Any, dry_run: bool = False, raise_errors: bool = False, **kwargs: Any) -> Any:
        """Import ``dataset`` whole or not at all: one bad row rolls every row back, at the
        preview and at the confirmed import alike."""
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def get_or_init_instance(self, instance_loader: Any, row: Any) -> tuple[models.Model, bool]:
        """The record the row's id names, or a new one when the row has no id. An id that names
        no record is the row's error: a file does not choose the ids of new records."""
        try:
            given_id = self.fields["id"].clean(row) if "id" in row else None
        except ValueError as error:
            raise ValidationError({"id": str(error)}) from error
        instance, new = super().get_or_init_instance(instance_loader, row)
        if new and given_id is not None:
            name = self._meta.model._meta.verbose_name
            raise ValidationError({"id": f"There is no {name} with id {given_id}: leave id empty to add a new one."})
        return instance, new

    def import_instance(self, instance: models.Model, row: Any, **kwargs: Any) -> None:
        """Set the row's values on ``instance``; every value that cannot be read is reported
        under its model field's name, many-to-many ones included."""
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError({self._model_field_name(key): messages for key, messages in errors.items()})

    def _model_field_name(self, attribute: str) -> str:
        """``buyer`` for ``buyer_id``: errors name the field as the model's rules do."""
        try:
            return self._meta.model._meta.get_field(attribute).name
        except FieldDoesNotExist:
            return attribute

    def before_save_instance(self, instance: models.Model, row: Any, **kwargs: Any) -> None:
        """Record the importing user and the file in the row's history."""
        if kwargs.get("user") is not None:
            # simple_history reads both from the instance it saves.
            instance._history_user = kwargs["user"]  # type: ignore[attr-defined]
        if kwargs.get("file_name"):
            instance._change_reason = import_reason(kwargs["file_name"])  # type: ignore[attr-defined]

    def save_instance(self, instance: models.Model, is_create: bool, row: Any, **kwargs: Any) -> None:
        """Write the row through the services the model's app registered (framework.services),
        as the importing user and with the file as the reason; a model without them is saved
        as django-import-export saves it."""
        writes = writes_of(self._meta.model)
        if writes is None:
            return super().save_instance(instance, is_create, row, **kwargs)
        user, file_name = kwargs.get("user"), kwargs.get("file_name")
        data = self._row_data(instance, row)
        with change_reason(import_reason(file_name)) if file_name else contextlib.nullcontext():
            if is_create:
                adopt(instance, writes.create_record(user=user, data=data))
            else:
                writes.update_record(record=instance, user=user, data=data)
        self.after_save_instance(instance, row, **kwargs)
        return None

    def save_m2m(self, instance: models.Model, row: Any, **kwargs: Any) -> None:
        # Where the services write the record, they wrote its many-to-many relations with it.
        if writes_of(self._meta.model) is None:
            super().save_m2m(instance, row, **kwargs)

    def _row_data(self, instance: models.Model, row: Any) -> dict[str, Any]:
        """What the row sets, by model field: the values read into ``instance`` from the
        row's columns, and the records its many-to-many columns name."""
        data: dict[str, Any] = {}
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row or field.attribute == self._meta.model._meta.pk.name:
                continue
            if isinstance(field.widget, widgets.ManyToManyWidget):
                data[field.attribute] = field.clean(row)
            else:
                data[field.attribute] = getattr(instance, field.attribute)
        return data

    def get_user_visible_fields(self) -> list:
        return [field for field in self.get_import_fields() if not field.readonly]

    @functools.cached_property
    def _text_attributes(self) -> frozenset[str]:
        return frozenset(
            field.attname
            for field in self._meta.model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        )

    def export_field(self, field: Any, instance: models.Model, **kwargs: Any) -> Any:
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and field.attribute in self._text_attributes:
            return escape_formula(value)
        return value
