"""Settings shared by every environment. Each value that varies comes from the environment."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import URLValidator
from import_export.formats.base_formats import CSV, XLSX

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """The environment variable ``name`` read as a boolean (1/true/yes/on or 0/false/no/off)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    """The environment variable ``name`` read as a comma-separated list."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str) -> str:
    """The environment variable ``name`` as an absolute http(s) URL, or empty for none."""
    value = os.environ.get(name, default).strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ImproperlyConfigured(f"{name} must be an absolute http(s) URL or empty, not {value!r}.") from None
    return value


# PostgreSQL's connection option that turns just-in-time compilation off (database_from_url).
NO_JIT = "-c jit=off"


def database_from_url(url: str) -> dj_database_url.DBConfig:
    """A ``DATABASES`` entry for ``url``. PostgreSQL connections persist across requests, are
    checked before each request reuses them (so the app recovers by itself after the database
    restarts) and give up connecting after ``DATABASE_CONNECT_TIMEOUT`` seconds.

    Their queries are not compiled just in time (``jit=off``): the planner compiles any query it
    expects to be costly, and a search it overestimates then spends far longer compiling than
    running (nearly half a second for each query of the page at a million deals), while the
    statistics gain nothing measurable. An ``options`` parameter in the URL is applied after
    this, so ``?options=-c%20jit%3Don`` turns it back on."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "600"))
        config["CONN_HEALTH_CHECKS"] = True
        options = config.setdefault("OPTIONS", {})
        options["connect_timeout"] = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
        options["options"] = " ".join(filter(None, [NO_JIT, options.get("options")]))
    return config


DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    # django.contrib.admin, with the quality report in its site.
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "knox",
    "simple_history",
    "import_export",
    # The shared machinery, then the domain apps in the order they depend on each other, then the site.
    "framework",
    "expo",
    "delegations",
    "deals",
    "figures",
    "config",
]

MIDDLEWARE = [
    "framework.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "framework.routers.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# A read replica of the default database: GET, HEAD and OPTIONS requests read from it (but for
# logins, sessions and tokens), everything else uses the default database (framework.routers).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(os.environ["DATABASE_REPLICA_URL"])
    # The tests use the default database in its place.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["framework.routers.ReplicaRouter"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `manage.py collectstatic` gathers the static files (the admin's, Swagger UI's, ReDoc's)
# for WhiteNoise to serve, compressed and with far-future caching of their hashed names.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Browsers may call the API from these origins (comma-separated, e.g. https://dashboard.example.org).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "X-Total-Count"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "framework.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["framework.api.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "framework.api.throttling.AnonRateThrottle",
        "framework.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON_RATE", "120/min"),
        "user": os.environ.get("THROTTLE_USER_RATE", "1200/min"),
        "login": os.environ.get("THROTTLE_LOGIN_RATE", "10/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["framework.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "framework.api.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "framework.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "URL_FORMAT_OVERRIDE": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # How many proxies in front of the app append to X-Forwarded-For: the client's address is the
    # one the outermost of them saw. 0 trusts no such header (clients could forge it to evade the
    # anonymous throttle); set it to the proxies you run.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}

_ERROR_STATUS_CODES = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "429"]
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "framework.api.errors.ExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": _ERROR_STATUS_CODES,
    # One shape for every error: the same component for each status code.
    "ERROR_SCHEMAS": dict.fromkeys(_ERROR_STATUS_CODES, "framework.api.errors.ErrorResponseSerializer"),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Expo Deals API",
    "DESCRIPTION": (
        "Trade expos, the trading delegations at them, the enterprises registered with those delegations "
        "and the procurement deals they sign; every record cites its source.\n\n"
        "Collections take `limit` (default 50, at most 1000) and `offset`. Money is a decimal string with its "
        "ISO 4217 currency. An unknown or malformed query parameter is a 400 naming it. Every error has the "
        "shape `{type, errors: [{code, detail, attr}]}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enums list their values; descriptions stay short rather than repeat ~250 country names per field.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "framework.codes.COUNTRY_CHOICES",
        "CurrencyEnum": "framework.codes.CURRENCY_CHOICES",
        "DealStageEnum": "deals.models.Deal.Stage",
        "EnterpriseKindEnum": "delegations.models.Enterprise.Kind",
        "SettlementStatusEnum": "delegations.models.Settlement.Status",
        "SourceKindEnum": "expo.models.Source.Kind",
        "MetricEnum": "figures.models.ReportedFigure.Metric",
        "QualifierEnum": "figures.models.FigureStatement.Qualifier",
        "StatementRankEnum": "figures.models.FigureStatement.Rank",
        "UsdRateSourceEnum": "figures.models.FigureStatement.RateSource",
        "ErrorTypeEnum": ["validation_error", "client_error", "server_error"],
        "HealthStatusEnum": "framework.api.health.HEALTH_STATES",
        "QualityCheckEnum": "framework.api.quality.CODES",
        "QualityCollectionEnum": "framework.api.quality.COLLECTIONS",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "displayRequestDuration": True},
    "TAGS": [
        {"name": "expos", "description": "Expo series, their numbered editions and venues."},
        {"name": "delegations", "description": "Trading delegations (a tree) and their participation in editions."},
        {"name": "enterprises", "description": "Organisations that register and trade."},
        {"name": "deals", "description": "Procurement orders and agreements, with their line items and markets."},
        {"name": "settlements", "description": "Enterprises settling in a delegation's district."},
        {"name": "activities", "description": "Promotional activities held during an edition."},
        {"name": "sources", "description": "Where facts come from, and the figures sources report."},
        {"name": "reference", "description": "Markets, product categories and exchange rates."},
        {"name": "stats", "description": "Deal statistics per group, and reported figures beside the records."},
        {
            "name": "quality",
            "description": "What is missing, doubtful or inconsistent in the records, record by record.",
        },
        {
            "name": "ocds",
            "description": "Deals as Open Contracting Data Standard 1.1 releases, one by one or in release packages.",
        },
        {"name": "auth", "description": "API tokens: hashed at rest, expiring, one per client, revocable."},
        {"name": "health", "description": "Whether the app and what it depends on are up, for load balancers."},
    ],
}

# Throttle counters (and any other cache) live in Redis when REDIS_URL is set, so every app
# process shares them; otherwise in this process's memory. Redis that does not answer within a
# second counts as down: /api/health/ says so, throttles let requests through and counts are
# computed rather than kept until it is back.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Admin import and export (django-import-export), for enterprises and deals: CSV and XLSX only.
# Importing needs the model's "change" permission (and "add": expo.admin.ImportExportHistoryAdmin),
# exporting its "view" permission.
IMPORT_EXPORT_FORMATS = [CSV, XLSX]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Text cells are escaped by the resources (framework.resources, framework.spreadsheets.escape_formula). This
# version's own escaping only drops a leading "=" (not +, -, @) and writes empty cells as "None".
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# A control character, which XLSX cannot hold, is exported as U+FFFD rather than failing the export.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
# The confirmed import reads the file its preview stored: in the shared cache where there is one
# (several app servers), else in this machine's temporary folder (shared by its worker processes).
IMPORT_EXPORT_TMP_STORAGE_CLASS = (
    "import_export.tmp_storages.CacheStorage" if REDIS_URL else "import_export.tmp_storages.TempFolderStorage"
)

# API tokens: stored as hashes, expiring after API_TOKEN_TTL_HOURS (default 30 days), one per client.
KNOX_TOKEN_MODEL = "framework.ApiToken"  # noqa: S105 - a model label, not a secret
# Knox's migrations would create its own token table even with the model swapped for ours.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=float(os.environ.get("API_TOKEN_TTL_HOURS", str(24 * 30)))),
    "TOKEN_PREFIX": "expo_",
    "AUTO_REFRESH": False,
}

# Idempotency keys are honoured for this long after the first request.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)

# How long a list's row count is kept in the cache (0: counted on every request). Any change to a
# record makes the kept counts stale at once; an embargo ending shows in counts within this time.
LIST_COUNT_CACHE_SECONDS = int(os.environ.get("LIST_COUNT_CACHE_SECONDS", "10"))
# The same for the deal statistics' answers.
STATISTICS_CACHE_SECONDS = int(os.environ.get("STATISTICS_CACHE_SECONDS", "60"))

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Deals as OCDS releases. The ocid prefix is the publisher's own, registered with the Open
# Contracting Partnership ("ocds-" and six letters or digits); the default is a placeholder.
OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX") or "ocds-expodl"
if not re.fullmatch(r"ocds-[a-z0-9]{6}", OCDS_OCID_PREFIX):
    raise ImproperlyConfigured(
        f"OCDS_OCID_PREFIX must be 'ocds-' and six lowercase letters or digits, not {OCDS_OCID_PREFIX!r}."
    )
OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME") or "Expo Deals API"
OCDS_PUBLISHER_URI = env_url("OCDS_PUBLISHER_URI", "")
OCDS_LICENSE = env_url("OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/")
OCDS_PUBLICATION_POLICY = env_url("OCDS_PUBLICATION_POLICY", "")

# Logging: one line per record on standard error, as JSON objects (LOG_FORMAT=json, production's
# default) or as plain text (development's). Every request is logged by framework.logs.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()


def logging_config(log_format: str, level: str) -> dict:
    """A ``LOGGING`` dictionary that writes every logger's records to standard error in
    ``log_format`` ("json" or "text") from ``level`` up."""
    if log_format not in {"json", "text"}:
        raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["stderr"], "level": level},
        # Django's own handlers would print its records a second time, or mail them.
        "loggers": {"django": {"handlers": [], "level": level, "propagate": True}},
    }


LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
