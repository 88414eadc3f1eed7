"""Factories for delegations, enterprises, participations, settlements and promotional activities."""

import factory
from factory.django import DjangoModelFactory

from delegations.models import Delegation, Enterprise, EnterpriseAlias, Participation, PromotionalActivity, Settlement
from delegations.uscc import check_character
from tests.factories.expo import EditionFactory

# Registering authority 9 (market regulation), kind 1 (enterprise), Qingpu District (310118).
USCC_PREFIX = "91310118"


def valid_uscc(n: int) -> str:
    """A valid Unified Social Credit Code registered in Qingpu District, distinct for each ``n``
    from 0 to 999,999,999."""
    if not 0 <= n < 10**9:
        raise ValueError(f"n must be from 0 to 999,999,999, not {n}.")
    first17 = f"{USCC_PREFIX}{n:09d}"
    return first17 + check_character(first17)


class DelegationFactory(DjangoModelFactory):
    """A root delegation; pass ``parent`` for a sub-delegation."""

    class Meta:
        model = Delegation

    name = factory.Sequence(lambda n: f"Trading delegation {n}")
    region = "Shanghai"
    parent = None


class EnterpriseFactory(DjangoModelFactory):
    """A company registered in Qingpu District, with no USCC (pass ``uscc=valid_uscc(n)`` for one)."""

    class Meta:
        model = Enterprise

    name = factory.Faker("company")
    kind = Enterprise.Kind.COMPANY
    country = "CN"
    city = "Shanghai"
    district = "Qingpu District"
    industry = "Industrial supplies"
    uscc = ""


class EnterpriseAliasFactory(DjangoModelFactory):
    class Meta:
        model = EnterpriseAlias

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    kind = EnterpriseAlias.Kind.SHORT


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation
        skip_postgeneration_save = True

    delegation = factory.SubFactory(DelegationFactory)
    edition = factory.SubFactory(EditionFactory)
    registered_organisations = factory.Faker("random_int", min=100, max=5000)
    professional_audience = factory.Faker("random_int", min=1000, max=20000)

    @factory.post_generation
    def enterprises(self, create: bool, extracted, **kwargs) -> None:
        """``ParticipationFactory(enterprises=[...])`` registers those enterprises."""
        if create and extracted:
            self.enterprises.add(*extracted)


class SettlementFactory(DjangoModelFactory):
    class Meta:
        model = Settlement

    participation = factory.SubFactory(ParticipationFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    status = Settlement.Status.CONFIRMED
    announced_on = factory.SelfAttribute("participation.edition.end_date")


class PromotionalActivityFactory(DjangoModelFactory):
    class Meta:
        model = PromotionalActivity

    participation = factory.SubFactory(ParticipationFactory)
    title = factory.Sequence(lambda n: f"Investment promotion conference {n}")
    held_on = factory.SelfAttribute("participation.edition.start_date")
    location = "National Exhibition and Convention Center (Shanghai)"
