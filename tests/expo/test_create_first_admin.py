"""The first superuser: created once, with a random password printed once."""

import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PASSWORD = re.compile(r"Created the superuser 'admin' with the password (\S+)")


def test_creates_admin_with_a_printed_password_that_logs_in(capsys):
    call_command("create_first_admin")
    password = PASSWORD.search(capsys.readouterr().out).group(1)
    user = authenticate(username="admin", password=password)
    assert user is not None
    assert (user.is_superuser, user.is_staff) == (True, True)
    assert len(password) == 20


def test_second_run_prints_nothing_and_creates_nothing(capsys):
    call_command("create_first_admin")
    capsys.readouterr()
    call_command("create_first_admin")
    assert capsys.readouterr().out == ""
    assert get_user_model().objects.count() == 1


def test_passwords_differ_between_installations(capsys):
    call_command("create_first_admin")
    first = PASSWORD.search(capsys.readouterr().out).group(1)
    get_user_model().objects.all().delete()
    call_command("create_first_admin")
    second = PASSWORD.search(capsys.readouterr().out).group(1)
    assert first != second


def test_does_nothing_when_a_superuser_exists(capsys):
    get_user_model().objects.create_superuser(username="ops", email="", password="x")
    call_command("create_first_admin")
    assert capsys.readouterr().out == ""
    assert not get_user_model().objects.filter(username="admin").exists()
