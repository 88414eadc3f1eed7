"""One error shape for every 4xx (and 5xx) response:

    {"type": "validation_error" | "client_error" | "server_error",
     "errors": [{"code": "...", "detail": "...", "attr": "field or parameter name, or null"}]}

drf-standardized-errors formats every exception so; this module maps our own and Django's
exceptions onto it and declares the shape for the schema."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from drf_standardized_errors.handler import ExceptionHandler as StandardizedExceptionHandler
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from framework.errors import DomainError


class Conflict(exceptions.APIException):
    """409: the request conflicts with the current state, e.g. deleting a referenced record.
    ``extra`` holds members the error body carries beside ``type`` and ``errors`` (documented by
    the operation that answers them, e.g. the candidates of a probable duplicate)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"

    def __init__(self, detail: Any = None, code: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, code)
        self.extra = extra or {}


def protected_message(error: ProtectedError | RestrictedError) -> str:
    """Names what still refers to the record a delete was refused for."""
    referrers = getattr(error, "protected_objects", ()) or getattr(error, "restricted_objects", ())
    names = sorted({str(obj._meta.verbose_name_plural) for obj in referrers})
    return f"Cannot delete: still referred to by {', '.join(names)}. Delete or change those first."


def model_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A model's ValidationError as the API's: each message under the field it names, and rules
    of the whole record under ``non_field_errors`` (never Django's ``__all__``)."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            [exceptions.ErrorDetail(message, code=error.code or "invalid") for message in error.messages]
        )
    return exceptions.ValidationError(
        {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): [
                exceptions.ErrorDetail(message, code=each.code or "invalid")
                for each in errors
                for message in each.messages
            ]
            for field, errors in error.error_dict.items()
        }
    )


class PreconditionFailed(exceptions.APIException):
    """412: the ``If-Match`` tag does not match the record's current ``ETag``."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has changed since you read it: fetch it again and reapply your change."
    default_code = "stale"


class ServiceUnavailable(exceptions.APIException):
    """503: the database cannot be reached (or refused the work for now); retry shortly."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable at the moment. Try again shortly."
    default_code = "database_unavailable"
    # Seconds the client is asked to wait (Retry-After).
    wait = 5


# The database errors that mean "not now" rather than "not this request": the server is down or
# restarting, the connection broke, a lock or statement timed out.
UNAVAILABLE_DATABASE_ERRORS = (OperationalError, InterfaceError)

# The exceptions of our own and Django's that api_exception() turns into errors of the request
# (a bulk write reports them per item); it also turns UNAVAILABLE_DATABASE_ERRORS into a 503.
CONVERTED_EXCEPTIONS = (ProtectedError, RestrictedError, DomainError, DjangoValidationError, IntegrityError)


def api_exception(exc: Exception) -> Exception:
    """``exc`` as the API answers it: domain errors as 400 (409 where the state refuses), protected
    deletes and integrity conflicts as 409, model validation errors as 400 naming their fields, a
    database that cannot be reached as 503. Any other exception is returned as it is."""
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict(protected_message(exc), code="protected")
    if isinstance(exc, DomainError):
        attr = exc.details.get("field")
        if exc.status_code == status.HTTP_409_CONFLICT:
            return Conflict({attr: [exc.message]} if isinstance(attr, str) else exc.message, code=exc.code)
        detail = {attr: [exc.message]} if isinstance(attr, str) else [exc.message]
        return exceptions.ValidationError(detail, code=exc.code)
    if isinstance(exc, DjangoValidationError):
        return model_validation_error(exc)
    if isinstance(exc, IntegrityError):
        return Conflict("The change conflicts with data already stored.", code="integrity_error")
    if isinstance(exc, UNAVAILABLE_DATABASE_ERRORS):
        return ServiceUnavailable()
    return exc


class ExceptionHandler(StandardizedExceptionHandler):
    """Answers our own and Django's exceptions as :func:`api_exception` says."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        converted = api_exception(exc)
        if converted is not exc:
            return converted
        return super().convert_known_exceptions(exc)

    def format_exception(self, exc: exceptions.APIException) -> dict:
        return {**super().format_exception(exc), **getattr(exc, "extra", {})}


class PathNotFound(APIView):
    """A path under /api/ that no route matches (an id that is not a number, say): the 404 every
    API route gives, in the same error shape."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Nothing is allowed at a path that does not exist; APIView would list OPTIONS.
        del response.headers["Allow"]
        return response


path_not_found = PathNotFound.as_view()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A short machine-readable code, e.g. `invalid`, `not_found`.")
    detail = serializers.CharField(help_text="What went wrong, for people.")
    attr = serializers.CharField(
        allow_null=True, help_text="The field or query parameter at fault (dotted for nested fields), or null."
    )


class ErrorResponseSerializer(serializers.Serializer):
    """The body of every error response."""

    type = serializers.ChoiceField(choices=["validation_error", "client_error", "server_error"])
    # A field, taken out of the class by DRF's metaclass: Serializer.errors stays what it is.
    errors = ErrorSerializer(many=True)  # type: ignore[assignment]
