"""Serializers for deals (read: what a screen shows; write: ids and values) and for markets,
categories and exchange rates."""

from rest_framework import serializers

from deals.api.briefs import CategoryBriefSerializer, MarketBriefSerializer
from deals.models import Category, Deal, DealLineItem, ExchangeRate, Market
from deals.services import LineItemInput
from delegations.api.briefs import DelegationBriefSerializer, EnterpriseBriefSerializer
from delegations.models import Delegation, Enterprise
from expo.api.briefs import EditionBriefSerializer
from expo.api.serializers import name_zh_source_field, source_field
from expo.models import Edition
from framework.api.fields import BriefRelatedField, MoneyField
from framework.api.fieldsets import expandable
from framework.api.serializers import ModelSerializer, ValidatedModelSerializer
from framework.models import TIMESTAMPS


@expandable
class MarketSerializer(ValidatedModelSerializer):
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Market
        fields = ("id", *Market.FIELDS, *TIMESTAMPS)


@expandable
class CategorySerializer(ValidatedModelSerializer):
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Category
        fields = ("id", *Category.FIELDS, *TIMESTAMPS)


@expandable
class ExchangeRateSerializer(ValidatedModelSerializer):
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = ExchangeRate
        fields = ("id", *ExchangeRate.FIELDS, *TIMESTAMPS)


class DealLineItemSerializer(ModelSerializer):
    category = BriefRelatedField(brief=CategoryBriefSerializer, queryset=Category.objects.all())

    class Meta:
        model = DealLineItem
        fields = ("id", "product", "category", "hs_code", "amount")
        extra_kwargs = {"amount": {"help_text": "In the deal's currency, where known."}}

    def to_input(self, data: dict) -> LineItemInput:
        return LineItemInput(
            product=data["product"],
            category=data["category"],
            hs_code=data.get("hs_code", ""),
            amount=data.get("amount"),
        )


def enterprise_field(role: str) -> BriefRelatedField:
    return BriefRelatedField(brief=EnterpriseBriefSerializer, queryset=Enterprise.objects.all(), help_text=role)


class DealSerializer(ModelSerializer):
    """A deal. Responses embed its parties, delegation, edition, markets and line items;
    requests give their ids. ``value_usd``, ``usd_rate``, ``usd_rate_date`` and
    ``usd_rate_source`` are computed."""

    buyer = enterprise_field("The buying enterprise.")
    seller = enterprise_field("The selling enterprise.")
    delegation = BriefRelatedField(
        brief=DelegationBriefSerializer,
        queryset=Delegation.objects.all(),
        help_text="The delegation the deal was signed within.",
    )
    edition = BriefRelatedField(
        brief=EditionBriefSerializer,
        queryset=Edition.objects.select_related("expo"),
        help_text="The edition the deal was signed at.",
    )
    value = MoneyField(
        amount="amount",
        currency="currency",
        allow_null=True,
        help_text="The value as signed; `null` where no source gives it (it is then unknown, never zero).",
    )
    stated_value_usd = MoneyField(
        amount="stated_value_usd",
        fixed_currency="USD",
        required=False,
        allow_null=True,
        help_text="The USD value the source itself gives beside a value in another currency, e.g. "
        '`{"amount": "261538.00", "currency": "USD"}` for 1.7 million yuan: it is then `value_usd`, '
        "its rate `usd_rate` (`usd_rate_source` `stated`). Its rate must be positive and, where the rate "
        "table has the currency, within a factor of 2 of the table's rate.",
    )
    value_usd = MoneyField(
        amount="value_usd",
        fixed_currency="USD",
        read_only=True,
        allow_null=True,
        help_text="The value normalised to US dollars; `null` with no value.",
    )
    usd_rate_source = serializers.ChoiceField(
        choices=Deal.RateSource.choices,
        allow_blank=True,
        read_only=True,
        help_text="Where `usd_rate` comes from: `stated` by the source (from `stated_value_usd`), or the exchange "
        "rate `table` (of `usd_rate_date`); empty for USD deals and deals with no value.",
    )
    first_deal_of = BriefRelatedField(
        brief=DelegationBriefSerializer,
        queryset=Delegation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The delegation (the deal's own or one above it) whose first deal at the edition this was.",
    )
    is_first_deal = serializers.SerializerMethodField(help_text="Whether this was a delegation's first deal.")
    markets = BriefRelatedField(
        brief=MarketBriefSerializer,
        queryset=Market.objects.all(),
        many=True,
        required=False,
        help_text="Downstream markets (ids in requests; replaces the list).",
    )
    line_items = DealLineItemSerializer(many=True, required=False, help_text="Replaces the list when given.")
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Deal
        fields = (
            "id",
            "title",
            "description",
            "buyer",
            "seller",
            "delegation",
            "edition",
            "value",
            "stated_value_usd",
            "value_usd",
            "usd_rate",
            "usd_rate_date",
            "usd_rate_source",
            "stage",
            "signed_on",
            "first_deal_of",
            "is_first_deal",
            "regional_debut",
            "debut_region",
            "markets",
            "line_items",
            "is_published",
            "embargo_until",
            "source",
            *TIMESTAMPS,
        )
        read_only_fields = ("usd_rate", "usd_rate_date", "usd_rate_source", "stage")
        reads = {"is_first_deal": ("first_deal_of",)}
        # The service checks every constraint with full_clean(); DRF's own unique-together check
        # would demand first_deal_of on every create, as if its condition did not exist.
        validators: list = []

    def get_is_first_deal(self, deal: Deal) -> bool:
        return deal.first_deal_of_id is not None

    def service_arguments(self) -> dict:
        """The validated request as keyword arguments of ``deal_create`` / ``deal_update``."""
        data = dict(self.validated_data)
        # A PATCH leaves unsent lists as they are; a POST or PUT replaces them (with none if unsent).
        unsent: list | None = None if self.partial else []
        markets = data.pop("markets", unsent)
        line_items = data.pop("line_items", unsent)
        if line_items is not None:
            # The field is a list of DealLineItemSerializer (its child), which the stubs see as any Field.
            line_items = [self.fields["line_items"].child.to_input(item) for item in line_items]  # type: ignore[attr-defined]
        return {"fields": data, "markets": markets, "line_items": line_items}


class SignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(help_text="The day the deal was signed; its USD value is taken at this date.")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the deal is cancelled.")


class HistoryUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True, help_text="The value before, as text (ids for relations).")
    new = serializers.CharField(allow_null=True, help_text="The value after, as text (ids for relations).")


class DealHistoryEntrySerializer(serializers.Serializer):
    """One recorded change of a deal."""

    id = serializers.IntegerField(source="history_id")
    date = serializers.DateTimeField(source="history_date")
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = HistoryUserSerializer(source="history_user", allow_null=True, help_text="Who made it; null for imports.")
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changes = FieldChangeSerializer(many=True)
