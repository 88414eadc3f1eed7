"""Serializer fields every app's API shares: related records that read as a brief object and are
written as an id, and money as decimal strings with their currency."""

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction
from rest_framework import serializers

from framework.api.fieldsets import expanded_serializer
from framework.codes import CURRENCY_CHOICES
from framework.models import MAX_AMOUNT

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema


# The serializer context's key for the records a request's related fields name, read ahead:
# field path (e.g. "line_items.category") → id → record.
PRELOADED_RECORDS = "preloaded_records"


def field_path(field: serializers.Field) -> str:
    """Where ``field`` sits in its root serializer, e.g. ``buyer`` or ``line_items.category``."""
    names = []
    node: Any = field
    while node is not None and node.parent is not None:
        if node.field_name:
            names.append(node.field_name)
        node = node.parent
    return ".".join(reversed(names))


class BriefRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record: responses show it through ``brief`` (id, name, …) so a screen needs no
    second call; requests give its id."""

    def __init__(self, *, brief: type[serializers.Serializer], **kwargs: Any) -> None:
        self.brief = brief
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def to_internal_value(self, data: Any) -> Any:
        # A bulk write reads the records its items name once, all together (framework.api.bulk);
        # an id not among them is looked up as usual, and refused as usual.
        preloaded = self.context.get(PRELOADED_RECORDS)
        if preloaded is not None and type(data) is int:
            record = preloaded.get(field_path(self), {}).get(data)
            if record is not None:
                return record
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> Any:
        # One serializer renders every value of the field: building one per value costs more
        # than rendering it.
        renderer = getattr(self, "_renderer", None)
        if renderer is None or type(renderer) is not self.brief:
            renderer = self._renderer = self.brief(context=self.context)
        return renderer.to_representation(value)


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = BriefRelatedField

    def map_serializer_field(self, auto_schema: "AutoSchema", direction: Direction) -> Any:
        if direction == "request":
            return build_basic_type(OpenApiTypes.INT)
        brief = auto_schema.resolve_serializer(self.target.brief, direction).ref
        full = expanded_serializer(self.target)
        if full is None:
            return brief
        # With ?expand= naming the field, the whole record: a superset of the brief.
        return {"anyOf": [brief, auto_schema.resolve_serializer(full, direction).ref]}


class MoneySerializer(serializers.Serializer):
    """An amount as a decimal string with its ISO 4217 currency, e.g.
    ``{"amount": "300000000.00", "currency": "USD"}``."""

    amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT.limit_value
    )
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, help_text="ISO 4217 code.")


class UsdMoneySerializer(MoneySerializer):
    """An amount in US dollars as a decimal string, e.g. ``{"amount": "300000000.00", "currency": "USD"}``."""

    currency = serializers.ChoiceField(choices=[("USD", "US dollar")], help_text="Always `USD`.")


class MoneyField(serializers.Field):
    """Money kept in two model fields, an amount and a currency, shown as one object. With
    ``fixed_currency`` (``"USD"``, for a value in US dollars) the currency is not a field of the
    model, and a request must give that one. With ``allow_null``, ``null`` is no money: no amount and
    (for a currency field) an empty currency."""

    def __init__(
        self, *, amount: str, currency: str | None = None, fixed_currency: str | None = None, **kwargs: Any
    ) -> None:
        if fixed_currency not in (None, "USD"):
            raise ValueError("A money field is in any currency or fixed to USD.")
        kwargs["source"] = "*"
        super().__init__(**kwargs)
        self.amount_attr = amount
        self.currency_attr = currency
        self.fixed_currency = fixed_currency
        self.amount_field = serializers.DecimalField(max_digits=20, decimal_places=2)
        # The model fields it reads, for the query that fetches a response's columns.
        self.reads = (amount,) if fixed_currency else (amount, currency)

    def to_representation(self, obj: Any) -> dict[str, str] | None:
        amount = getattr(obj, self.amount_attr)
        if amount is None:
            return None
        # Without a fixed currency, the field names the currency's column.
        currency = self.fixed_currency or getattr(obj, cast(str, self.currency_attr))
        return {"amount": self.amount_field.to_representation(amount), "currency": currency}

    def _stored(self, amount: Decimal | None, currency: str) -> dict:
        """The model fields' values for ``amount`` of ``currency``."""
        if self.fixed_currency:
            return {self.amount_attr: amount}
        return {self.amount_attr: amount, self.currency_attr: currency}

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # The field writes two model fields: null is an empty value of each, not of the object.
        if data is None and self.allow_null and not self.read_only:
            return True, self._stored(None, "")
        return super().validate_empty_values(data)

    def to_internal_value(self, data: Any) -> dict:
        money = MoneySerializer(data=data)
        money.is_valid(raise_exception=True)
        currency = money.validated_data["currency"]
        if self.fixed_currency and currency != self.fixed_currency:
            raise serializers.ValidationError({"currency": [f"Must be {self.fixed_currency}."]}, code="invalid_choice")
        return self._stored(money.validated_data["amount"], currency)


class MoneyFieldExtension(OpenApiSerializerFieldExtension):
    """Money in any currency, or, for a field fixed to US dollars, money whose currency can only be
    ``USD`` (anything else is a 400)."""

    target_class = MoneyField

    def map_serializer_field(self, auto_schema: "AutoSchema", direction: Direction) -> Any:
        serializer = UsdMoneySerializer if self.target.fixed_currency == "USD" else MoneySerializer
        return auto_schema.resolve_serializer(serializer, direction).ref
