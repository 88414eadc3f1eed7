"""The brief form of delegations, enterprises and participations that others embed in their
responses."""

from delegations.models import Delegation, Enterprise, Participation
from expo.api.briefs import EditionBriefSerializer
from framework.api.serializers import ModelSerializer


class DelegationBriefSerializer(ModelSerializer):
    class Meta:
        model = Delegation
        fields = ("id", "name", "name_zh")


class EnterpriseBriefSerializer(ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ("id", "name", "name_zh", "country")


class ParticipationBriefSerializer(ModelSerializer):
    delegation = DelegationBriefSerializer(read_only=True)
    edition = EditionBriefSerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ("id", "delegation", "edition")
