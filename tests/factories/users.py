"""Users in each API role (SPEC §4), their editor assignments and API tokens."""

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from delegations.models import Delegation, EditorAssignment
from framework import access
from framework.models import ApiToken
from tests.factories.delegations import DelegationFactory

PASSWORD = "correct horse battery staple"  # noqa: S105 - every factory user's password, for tests that log in


class UserFactory(DjangoModelFactory):
    """A user with no role: the API treats them like the public."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


def analyst(**kwargs):
    """A member of the Analysts group."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=access.ANALYSTS)[0])
    return user


def editor(*delegations: Delegation, **kwargs):
    """A delegation editor assigned to ``delegations``."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=access.EDITORS)[0])
    for delegation in delegations:
        EditorAssignment.objects.create(user=user, delegation=delegation)
    return user


def admin(**kwargs):
    """A superuser."""
    return UserFactory(is_superuser=True, is_staff=True, **kwargs)


class EditorAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = EditorAssignment

    user = factory.SubFactory(UserFactory)
    delegation = factory.SubFactory(DelegationFactory)


def api_token(user, **kwargs) -> tuple[ApiToken, str]:
    """A new token of ``user``: the stored row and the secret the client sends."""
    return ApiToken.objects.create(user=user, **kwargs)
