"""The services that write sources, venues, expos and editions: the model's rules, the writer's
scope, and only the fields named."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from expo import services
from expo.models import Edition, Source, Venue
from framework.access import OutOfScope
from tests.factories import DelegationFactory, EditionFactory, SourceFactory, admin, editor

pytestmark = pytest.mark.django_db

NOV_5 = datetime.date(2023, 11, 5)
NOV_10 = datetime.date(2023, 11, 10)


def test_an_editor_writes_no_venue():
    with pytest.raises(OutOfScope) as refused:
        services.venue_create(user=editor(DelegationFactory()), data={"name": "NECC"})

    assert (refused.value.code, refused.value.message, refused.value.details) == (
        "out_of_scope",
        "Not one of the delegations you edit.",
        {"field": "non_field_errors"},
    )
    assert not Venue.objects.exists()


def test_an_admin_creates_a_venue_with_what_was_given():
    venue = services.venue_create(user=admin(), data={"name": "NECC", "city": "Shanghai", "country": "CN"})

    stored = Venue.objects.get()
    assert (stored.pk, stored.name, stored.city, stored.country) == (venue.pk, "NECC", "Shanghai", "CN")


def test_an_edition_ending_before_it_starts_is_refused_by_the_models_rule():
    edition = EditionFactory(start_date=NOV_5, end_date=NOV_10)

    with pytest.raises(ValidationError) as refused:
        services.edition_update(edition=edition, user=admin(), data={"end_date": datetime.date(2023, 11, 4)})

    assert refused.value.message_dict == {"__all__": ["An edition cannot end before it starts."]}
    # Neither the caller's record nor the stored one changed.
    assert edition.end_date == NOV_10
    assert Edition.objects.get().end_date == NOV_10


def test_a_second_edition_with_the_same_number_is_refused():
    first = EditionFactory(number=6)

    with pytest.raises(ValidationError) as refused:
        services.edition_create(user=admin(), data={"expo": first.expo, "number": 6})

    assert refused.value.message_dict == {"__all__": ["This expo already has an edition with this number."]}
    assert Edition.objects.count() == 1


def test_an_update_writes_only_the_fields_it_names():
    source = SourceFactory(title="CIIE press release", author="")
    # Changed by another writer after this one read the source.
    Source.objects.filter(pk=source.pk).update(author="Xinhua")

    services.source_update(source=source, user=admin(), data={"title": "CIIE closing press release"})

    stored = Source.objects.get()
    assert (stored.title, stored.author) == ("CIIE closing press release", "Xinhua")


def test_a_source_still_cited_is_not_deleted():
    edition = EditionFactory(source=SourceFactory())

    with pytest.raises(ProtectedError):
        services.source_delete(source=edition.source, user=admin())

    assert Source.objects.count() == 1
