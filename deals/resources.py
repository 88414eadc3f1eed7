"""How deals are imported into the admin from CSV/XLSX and exported from its change list."""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError

from deals.models import Deal
from deals.services import DEAL_EDITABLE_FIELDS, USD_FIELDS, VALUATION_FIELDS, deal_set_usd_value
from framework.codes import CURRENCY_CODES
from framework.errors import DomainError
from framework.resources import RecordResource


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
        """Fill the deal's USD value; ``False`` when it cannot be computed. Where the row's own
        values are what is wrong (no amount, an unknown currency or edition), those are the
        errors reported, not a missing rate."""
        if VALUATION_FIELDS & set(errors) or deal.amount is None or deal.amount <= 0:
            return False
        if deal.currency not in CURRENCY_CODES:
            return False
        try:
            deal_set_usd_value(deal=deal)
        except ObjectDoesNotExist:
            return False
        except DomainError as error:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(error.message, code=error.code))
            return False
        return True

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("markets")
