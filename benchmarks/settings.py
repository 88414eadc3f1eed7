"""Settings of the servers the benchmarks measure: production's (``config.settings.production``),
served over plain HTTP on loopback, unthrottled, with the raw-limit view beside the API.

The harness sets ``SECRET_KEY`` (new each run) and ``ALLOWED_HOSTS=127.0.0.1`` in the
environment before these settings load. The database is ``DATABASE_URL``'s, else ``expo_bench``
on the local PostgreSQL."""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import REST_FRAMEWORK, database_from_url

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/expo_bench"
DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)}

ROOT_URLCONF = "benchmarks.urls"

# Whatever the environment says: debug mode keeps every query in memory and slows every request.
DEBUG = False
# The servers answer on http://127.0.0.1: a redirect to HTTPS would be measured instead of the page.
SECURE_SSL_REDIRECT = False
# One client sends all the load: throttled, most requests would be fast 429s. (Rates set very high
# instead would keep a list of every request of the last minute in the cache, a cost production
# with its low rates never pays.)
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
