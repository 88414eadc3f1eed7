"""The serializer base every app's API shares, and the deletion feed's entries."""

from typing import NoReturn

from django.db.models import Model
from rest_framework import serializers

from framework.models import Deletion


# The base of the model serializers: they check a request's shape (types, lengths, related ids);
# the collection's services (framework.services) check the model's rules and write the record,
# so a serializer never saves. A comment, not a docstring: the schema takes serializers'
# docstrings as their descriptions.
class ValidatedModelSerializer(serializers.ModelSerializer):
    def get_validators(self) -> list:
        # The services check every constraint with the model's own message; DRF's copies of the
        # unique-together ones would answer first, in their own words.
        return list(getattr(self.Meta, "validators", []))

    def create(self, validated_data: dict) -> NoReturn:
        raise NotImplementedError("Records are written by their app's services (framework.services), not serializers.")

    def update(self, instance: Model, validated_data: dict) -> NoReturn:
        raise NotImplementedError("Records are written by their app's services (framework.services), not serializers.")


class DeletionSerializer(serializers.ModelSerializer):
    """A record that left its collection: deleted, a deal withdrawn from public view, or a record
    merged into another (``survivor_id``)."""

    class Meta:
        model = Deletion
        fields = ("id", "collection", "record_id", "kind", "survivor_id", "deleted_at")
