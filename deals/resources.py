"""How deals are imported into the admin from CSV/XLSX and exported from its change list."""

import contextlib

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from import_export import widgets

from deals.models import Deal
from deals.services import (
    DEAL_EDITABLE_FIELDS,
    USD_FIELDS,
    VALUATION_FIELDS,
    deal_create,
    deal_set_usd_value,
    deal_update,
)
from framework.codes import CURRENCY_CODES
from framework.errors import DomainError
from framework.history import change_reason
from framework.resources import RecordResource, import_reason
from framework.services import adopt


class DealResource(RecordResource):
    """A deal as a spreadsheet row: the fields a deal's editor may change, its markets (ids
    separated by commas) and, exported only, its stage and USD value. Related records are given
    by id. The stage moves only through its actions, so a new imported deal is an intention; the
    USD value is computed from the amount, currency and signing date as the row is imported."""

    export_only_fields = ("stage", *USD_FIELDS)

    class Meta:
        model = Deal
        fields = ("id", *DEAL_EDITABLE_FIELDS, "markets", "stage", *USD_FIELDS)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Value the deal in USD, then check it against every rule of the model. A missing
        exchange rate is the row's error, in the valuation's own words."""
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        if not self._value_in_usd(instance, errors):
            exclude.update(USD_FIELDS)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _value_in_usd(deal: Deal, errors: dict) -> bool:
        """Fill the deal's USD value (none for a row with no amount: a value no source gives);
        ``False`` when it cannot be computed. Where the row's own values are what is wrong (an
        amount not above zero, an unknown currency or edition), those are the errors reported,
        not a missing rate."""
        if VALUATION_FIELDS & set(errors):
            return False
        if deal.amount is not None and (deal.amount <= 0 or deal.currency not in CURRENCY_CODES):
            return False
        try:
            deal_set_usd_value(deal=deal)
        except ObjectDoesNotExist:
            return False
        except DomainError as error:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(error.message, code=error.code))
            return False
        return True

    def save_instance(self, instance, is_create, row, **kwargs):
        """Write the row through the deal services, as the API does: a new deal with
        :func:`deal_create`, a changed one with :func:`deal_update` of the fields the row gives,
        the markets with it when the row has them. The history names the importing admin and the
        file; a service's refusal is the row's error (the whole import is then rolled back)."""
        fields = [field for field in self.get_import_fields() if field.column_name in row]
        markets = next(
            (field.clean(row) for field in fields if isinstance(field.widget, widgets.ManyToManyWidget)), None
        )
        values = {name: getattr(instance, name) for name in DEAL_EDITABLE_FIELDS}
        file_name = kwargs.get("file_name")
        with change_reason(import_reason(file_name)) if file_name else contextlib.nullcontext():
            try:
                if is_create:
                    saved = deal_create(**values, markets=markets or (), user=kwargs.get("user"))
                    adopt(instance, saved)
                else:
                    given = {field.attribute for field in fields} & set(DEAL_EDITABLE_FIELDS)
                    changes = {name: values[name] for name in DEAL_EDITABLE_FIELDS if name in given}
                    deal_update(deal=instance, changes=changes, markets=markets, user=kwargs.get("user"))
            except DomainError as error:
                raise ValidationError({NON_FIELD_ERRORS: [ValidationError(error.message, code=error.code)]}) from error

    def save_m2m(self, instance, row, **kwargs):
        """The markets were written with the deal, by :meth:`save_instance`."""

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("markets")
