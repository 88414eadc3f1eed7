"""API token authentication: ``Authorization: Token <token>`` with hashed, expiring tokens."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

# Tokens are visible ASCII; anything else (bytes that are not UTF-8, a NUL, which PostgreSQL
# refuses in a query) cannot be one.
TOKEN_PATTERN = re.compile(rb"[\x21-\x7e]+")


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's token check, with a malformed header (bytes that are not UTF-8, say) answered as
    invalid credentials rather than an error."""

    def authenticate_credentials(self, token: bytes):
        if not TOKEN_PATTERN.fullmatch(token):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(token)


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token from POST /api/auth/tokens/, sent as `Token <token>`.",
        }
