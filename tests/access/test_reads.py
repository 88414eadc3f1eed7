"""Reads, for every role and collection: a list holds exactly the rows the role may read (or, where
the role may not read that view at all, is refused), and a detail (or a deal's history) answers
200 for those rows and 404 for every other."""

import pytest
from django.urls import reverse

from tests.access.matrix import DETAIL_VIEWS, LIST_VIEWS, ROLES, readable


@pytest.mark.parametrize("view", LIST_VIEWS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_a_list_holds_exactly_the_rows_the_role_reads(world, role, view):
    collection = view.collection
    collection.populate(world)
    rows = list(collection.model.objects.all())
    visible = [row.pk for row in rows if readable(role, collection, row)]

    response = world.client(role).get(reverse(view.url_name), view.params)

    if role in view.refused:
        assert response.status_code == view.refused[role]
    else:
        assert response.status_code == 200
        assert view.observe(response) == view.expect(collection.model.objects.filter(pk__in=visible))


@pytest.mark.parametrize("view", DETAIL_VIEWS, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_a_detail_answers_for_exactly_the_rows_the_role_reads(world, role, view):
    collection = view.collection
    collection.populate(world)
    rows = list(collection.model.objects.all())
    client = world.client(role)

    answers = {}
    for row in rows:
        response = client.get(reverse(view.url_name, args=[row.pk]))
        answers[row.pk] = response.status_code if response.status_code != 200 else view.shows(response, row)

    if role in view.refused:
        assert answers == dict.fromkeys(answers, view.refused[role])
    else:
        assert answers == {row.pk: True if readable(role, collection, row) else 404 for row in rows}
