"""Delegation services: creating a delegation editor."""

import pytest
from django.contrib.auth.models import Group

from delegations.models import EditorAssignment
from delegations.services import editor_create
from framework import access
from tests.factories import DelegationFactory

pytestmark = pytest.mark.django_db


def test_an_editor_is_in_the_editors_group_and_assigned_to_its_delegations():
    first, second = DelegationFactory(), DelegationFactory()

    user = editor_create(username="qingpu-editor", delegations=[first, second])

    assert list(user.groups.values_list("name", flat=True)) == [access.EDITORS]
    assert set(EditorAssignment.objects.values_list("user__username", "delegation")) == {
        ("qingpu-editor", first.pk),
        ("qingpu-editor", second.pk),
    }


def test_an_editor_edits_the_delegations_below_its_own():
    parent = DelegationFactory()
    child = DelegationFactory(parent=parent)
    DelegationFactory()

    user = editor_create(username="shanghai-editor", delegations=[parent])

    assert access.access_of(user) == access.Access(access.Role.EDITOR, frozenset({parent.pk, child.pk}))


def test_an_editor_has_no_usable_password():
    user = editor_create(username="token-only", delegations=[DelegationFactory()])

    assert not user.has_usable_password()


def test_an_editor_takes_the_existing_group():
    group = Group.objects.get_or_create(name=access.EDITORS)[0]

    user = editor_create(username="editor", delegations=[])

    assert list(user.groups.all()) == [group]
    assert Group.objects.filter(name=access.EDITORS).count() == 1
