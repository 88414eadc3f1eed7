from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from framework.api.tokens import token_issue


class Command(BaseCommand):
    help = (
        "Issue an API token to an existing user and print it, alone on its line (only its hash is kept). "
        "It expires after API_TOKEN_TTL_HOURS, as a token from POST /api/auth/tokens/ does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--client", default="", help="What will use the token, e.g. 'sales dashboard'.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is named {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"The user {options['username']!r} is inactive: a token would not authenticate.")
        _, token = token_issue(user=user, client=options["client"])
        self.stdout.write(token)
