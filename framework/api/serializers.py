"""The serializer base every app's API shares, and the deletion feed's entries."""

from collections.abc import MutableMapping
from typing import Any, NoReturn

from django.db.models import Model
from rest_framework import serializers

from framework.models import Deletion


# The base of every model serializer. A field listed in Meta.read_only_fields keeps allow_blank
# (DRF drops it), so the schema says a blank choice may come back, as it may.
class ModelSerializer(serializers.ModelSerializer):
    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        allow_blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


# The model serializers that take writes: they check a request's shape (types, lengths, related ids);
# the collection's services (framework.services) check the model's rules and write the record,
# so a serializer never saves. A comment, not a docstring: the schema takes serializers'
# docstrings as their descriptions.
class ValidatedModelSerializer(ModelSerializer):
    def get_validators(self) -> list:
        # The services check every constraint with the model's own message; DRF's copies of the
        # unique-together ones would answer first, in their own words.
        return list(getattr(self.Meta, "validators", []))

    def create(self, validated_data: dict) -> NoReturn:
        raise NotImplementedError("Records are written by their app's services (framework.services), not serializers.")

    def update(self, instance: Model, validated_data: dict) -> NoReturn:
        raise NotImplementedError("Records are written by their app's services (framework.services), not serializers.")


class DeletionSerializer(ModelSerializer):
    """A record that left its collection: deleted, a deal withdrawn from public view, or a record
    merged into another (``survivor_id``)."""

    class Meta:
        model = Deletion
        fields = ("id", "collection", "record_id", "kind", "survivor_id", "deleted_at")
