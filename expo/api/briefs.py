"""The brief form of each expo-wide record that others embed in their responses (id, name and
what a screen shows beside it), so a client needs no second call to label a relation."""

from rest_framework import serializers

from expo.models import Edition, Expo, Source, Venue, edition_label
from framework.api.serializers import ModelSerializer


class SourceBriefSerializer(ModelSerializer):
    class Meta:
        model = Source
        fields = ("id", "title")


class VenueBriefSerializer(ModelSerializer):
    class Meta:
        model = Venue
        fields = ("id", "name", "name_zh")


class ExpoBriefSerializer(ModelSerializer):
    class Meta:
        model = Expo
        fields = ("id", "name", "name_zh", "short_name")


class EditionBriefSerializer(ModelSerializer):
    name = serializers.SerializerMethodField(help_text="The edition's name, e.g. 6th CIIE.")

    class Meta:
        model = Edition
        fields = ("id", "name", "name_zh", "number")
        reads = {"name": ("name", "number", "expo__name", "expo__short_name")}

    def get_name(self, edition) -> str:
        return edition_label(edition)
