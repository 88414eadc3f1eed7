import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "When no superuser exists, create one named 'admin' with a random password and print it once. "
        "Does nothing when a superuser exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(15)
        user_model.objects.create_superuser(username=options["username"], email="", password=password)
        self.stdout.write(
            self.style.WARNING(
                f"Created the superuser '{options['username']}' with the password {password}\n"
                "It is shown only this once: note it now, or change it with `manage.py changepassword`."
            )
        )
