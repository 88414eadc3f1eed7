"""Serializers for what is expo-wide: expos, editions, venues and sources."""

from expo.api.briefs import ExpoBriefSerializer, SourceBriefSerializer, VenueBriefSerializer
from expo.models import Edition, Expo, Source, Venue
from framework.api.fields import BriefRelatedField
from framework.api.fieldsets import expandable
from framework.api.serializers import ValidatedModelSerializer
from framework.models import TIMESTAMPS


def source_field() -> BriefRelatedField:
    return BriefRelatedField(
        brief=SourceBriefSerializer,
        queryset=Source.objects.all(),
        required=False,
        allow_null=True,
        help_text="The source this record's facts come from.",
    )


def name_zh_source_field() -> BriefRelatedField:
    return BriefRelatedField(
        brief=SourceBriefSerializer,
        queryset=Source.objects.all(),
        required=False,
        allow_null=True,
        help_text="The source of the Chinese name and pinyin, where it is not the record's own source.",
    )


@expandable
class SourceSerializer(ValidatedModelSerializer):
    class Meta:
        model = Source
        fields = ("id", *Source.FIELDS, *TIMESTAMPS)


@expandable
class VenueSerializer(ValidatedModelSerializer):
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Venue
        fields = ("id", *Venue.FIELDS, *TIMESTAMPS)


@expandable
class ExpoSerializer(ValidatedModelSerializer):
    host_venue = BriefRelatedField(
        brief=VenueBriefSerializer, queryset=Venue.objects.all(), required=False, allow_null=True
    )
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Expo
        fields = ("id", *Expo.FIELDS, *TIMESTAMPS)


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
    name_zh_source = name_zh_source_field()
    source = source_field()  # type: ignore[assignment]  # a declared field, not the Field attribute

    class Meta:
        model = Edition
        fields = ("id", *Edition.FIELDS, *TIMESTAMPS)
