"""The test suite: the development settings with a fixed, non-secret key and fast hashing."""

from .development import *  # noqa: F403

SECRET_KEY = "test-only-key-not-used-anywhere-else-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
