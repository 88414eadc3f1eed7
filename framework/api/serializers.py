"""The serializer base every app's API shares, and the deletion feed's entries."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from rest_framework import serializers

from framework.api.errors import model_validation_error
from framework.models import Deletion


# The base of the model serializers: a write is checked against the model's own rules (clean()
# and every constraint, with its message) before saving, so the database never has to refuse it.
# A comment, not a docstring: the schema takes serializers' docstrings as their descriptions.
class ValidatedModelSerializer(serializers.ModelSerializer):
    def get_validators(self) -> list:
        # validate() checks every constraint with the model's own message; DRF's copies of the
        # unique-together ones would answer first, in their own words.
        return list(getattr(self.Meta, "validators", []))

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        # The stubs leave Meta.model's type variable unsolved: it is a model class.
        many_to_many = [field.name for field in self.Meta.model._meta.many_to_many]  # type: ignore[attr-defined]
        # A copy, so a refused update leaves the instance the view holds as it was.
        candidate = copy.copy(self.instance) if self.instance is not None else self.Meta.model()  # type: ignore[misc]
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=many_to_many)
        except DjangoValidationError as error:
            raise model_validation_error(error) from error
        return attrs

    def update(self, instance: Model, validated_data: dict) -> Model:
        """Write only the fields sent (a PATCH never overwrites a field it did not name)."""
        many_to_many = {field.name for field in instance._meta.many_to_many}
        fields = [name for name in validated_data if name not in many_to_many]
        for name in fields:
            setattr(instance, name, validated_data[name])
        instance.save(update_fields=[*fields, "updated_at"])
        for name in many_to_many & set(validated_data):
            getattr(instance, name).set(validated_data[name])
        return instance


class DeletionSerializer(serializers.ModelSerializer):
    """A record that left its collection: deleted, or a deal withdrawn from public view."""

    class Meta:
        model = Deletion
        fields = ("id", "collection", "record_id", "kind", "deleted_at")
