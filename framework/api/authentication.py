"""API token authentication (``Authorization: Token <token>``, hashed, expiring tokens), and how the
schema describes it and the login session."""

import re
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

# Tokens are visible ASCII; anything else (bytes that are not UTF-8, a NUL, which PostgreSQL
# refuses in a query) cannot be one.
TOKEN_PATTERN = re.compile(rb"[\x21-\x7e]+")


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check, with a malformed header (bytes that are not UTF-8, say) answered as
    invalid credentials rather than an error."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        if not TOKEN_PATTERN.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: "AutoSchema") -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token from POST /api/auth/tokens/, sent as `Token <token>`.",
        }


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """The login session, described where Swagger UI's Authorize dialog shows it: with the way to log in."""

    target_class = "rest_framework.authentication.SessionAuthentication"
    name = "cookieAuth"
    priority = 0  # above drf-spectacular's own description of the session (-1)

    def get_security_definition(self, auto_schema: "AutoSchema") -> dict:
        login, docs = reverse("api-login"), reverse("swagger-ui")
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The login session of the admin and of these docs: log in at "
            f'[{login}]({login}?next={docs}) and "Try it out" sends requests as you.',
        }
