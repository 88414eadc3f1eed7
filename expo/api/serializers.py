"""Serializers for what is expo-wide (expos, editions, venues, sources, reported figures) and
the serializer base every app's API shares."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from delegations.models import Delegation
from expo.api.briefs import (
    DelegationBriefSerializer,
    EditionBriefSerializer,
    ExpoBriefSerializer,
    SourceBriefSerializer,
    VenueBriefSerializer,
)
from expo.api.errors import model_validation_error
from expo.api.fields import BriefRelatedField
from expo.api.fieldsets import expandable
from expo.models import Deletion, Edition, Expo, ReportedFigure, Source, Venue

TIMESTAMPS = ("created_at", "updated_at")


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
        many_to_many = [field.name for field in self.Meta.model._meta.many_to_many]
        # A copy, so a refused update leaves the instance the view holds as it was.
        candidate = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=many_to_many)
        except DjangoValidationError as error:
            raise model_validation_error(error) from error
        return attrs

    def update(self, instance, validated_data: dict):
        """Write only the fields sent (a PATCH never overwrites a field it did not name)."""
        many_to_many = {field.name for field in instance._meta.many_to_many}
        fields = [name for name in validated_data if name not in many_to_many]
        for name in fields:
            setattr(instance, name, validated_data[name])
        instance.save(update_fields=[*fields, "updated_at"])
        for name in many_to_many & set(validated_data):
            getattr(instance, name).set(validated_data[name])
        return instance


def source_field() -> BriefRelatedField:
    return BriefRelatedField(
        brief=SourceBriefSerializer,
        queryset=Source.objects.all(),
        required=False,
        allow_null=True,
        help_text="The source this record's facts come from.",
    )


@expandable
class SourceSerializer(ValidatedModelSerializer):
    class Meta:
        model = Source
        fields = ("id", "kind", "title", "author", "publisher", "published_on", "url", "file", "notes", *TIMESTAMPS)


@expandable
class VenueSerializer(ValidatedModelSerializer):
    source = source_field()

    class Meta:
        model = Venue
        fields = ("id", "name", "name_zh", "address", "district", "city", "country", "source", *TIMESTAMPS)


@expandable
class ExpoSerializer(ValidatedModelSerializer):
    host_venue = BriefRelatedField(
        brief=VenueBriefSerializer, queryset=Venue.objects.all(), required=False, allow_null=True
    )
    source = source_field()

    class Meta:
        model = Expo
        fields = ("id", "name", "short_name", "name_zh", "host_venue", "website", "source", *TIMESTAMPS)


@expandable
class EditionSerializer(ValidatedModelSerializer):
    expo = BriefRelatedField(brief=ExpoBriefSerializer, queryset=Expo.objects.all())
    venue = BriefRelatedField(brief=VenueBriefSerializer, queryset=Venue.objects.all(), required=False, allow_null=True)
    dates_source = BriefRelatedField(
        brief=SourceBriefSerializer,
        queryset=Source.objects.all(),
        required=False,
        allow_null=True,
        help_text="Where the dates come from, when that is not the record's source.",
    )
    source = source_field()

    class Meta:
        model = Edition
        fields = (
            "id",
            "expo",
            "number",
            "name",
            "start_date",
            "end_date",
            "venue",
            "dates_source",
            "source",
            *TIMESTAMPS,
        )


@expandable
class ReportedFigureSerializer(ValidatedModelSerializer):
    delegation = BriefRelatedField(
        brief=DelegationBriefSerializer,
        queryset=Delegation.objects.all(),
        required=False,
        allow_null=True,
    )
    edition = BriefRelatedField(
        brief=EditionBriefSerializer,
        queryset=Edition.objects.all(),
        required=False,
        allow_null=True,
        help_text="The edition the figure is about; for a run of editions, the last one.",
    )
    source = source_field()

    class Meta:
        model = ReportedFigure
        fields = (
            "id",
            "delegation",
            "edition",
            "consecutive_editions",
            "metric",
            "qualifier",
            "value",
            "currency",
            "unit",
            "quote",
            "as_of",
            "source",
            *TIMESTAMPS,
        )


class DeletionSerializer(serializers.ModelSerializer):
    """A record that left its collection: deleted, or a deal withdrawn from public view."""

    class Meta:
        model = Deletion
        fields = ("id", "collection", "record_id", "kind", "deleted_at")
