"""The test suite: the development settings with a fixed, non-secret key and fast hashing."""

from .development import *  # noqa: F403

SECRET_KEY = "test-only-key-not-used-anywhere-else-0123456789"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Throttling has its own tests; elsewhere the suite's bursts of requests must not be throttled.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min", "login": "100000/min"},
}

# Counts are counted, so a test that changes rows behind the signals' back still sees them; the
# cached counts and statistics have their own tests.
LIST_COUNT_CACHE_SECONDS = 0
STATISTICS_CACHE_SECONDS = 0
