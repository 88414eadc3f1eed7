"""The brief form of delegations, enterprises and participations that others embed in their
responses."""

from rest_framework import serializers

from delegations.models import Delegation, Enterprise, Participation
from expo.api.briefs import EditionBriefSerializer


class DelegationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Delegation
        fields = ("id", "name", "name_zh")


class EnterpriseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ("id", "name", "name_zh", "country")


class ParticipationBriefSerializer(serializers.ModelSerializer):
    delegation = DelegationBriefSerializer(read_only=True)
    edition = EditionBriefSerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ("id", "delegation", "edition")
