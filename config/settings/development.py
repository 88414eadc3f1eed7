"""Local development: debug on, SQLite unless ``DATABASE_URL`` says otherwise, and a secret key
generated once into a git-ignored file."""

import os
import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, LOG_LEVEL, env_bool, env_list, logging_config

DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])


def _development_secret_key() -> str:
    """The key from ``SECRET_KEY``, else from ``.secret_key``, which is created on first use."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _development_secret_key()

# Plain-text log lines unless LOG_FORMAT says otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
# runserver's own line per request would repeat what the request log says (framework.logs).
LOGGING["loggers"]["django.server"] = {"level": "WARNING"}
