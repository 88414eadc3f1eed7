"""Business rules for delegations: who may edit them."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction

from delegations.models import Delegation, EditorAssignment
from framework import access


@transaction.atomic
def editor_create(*, username: str, delegations: Iterable[Delegation]) -> AbstractUser:
    """A new user ``username`` in the delegation editors' group, assigned to ``delegations`` (and
    so to every delegation below them). It has no usable password: it signs in with API tokens."""
    user = get_user_model().objects.create_user(username=username)
    user.groups.add(Group.objects.get_or_create(name=access.EDITORS)[0])
    for delegation in delegations:
        assignment = EditorAssignment(user=user, delegation=delegation)
        assignment.full_clean()
        assignment.save()
    return user
