"""The API's throttles, which count requests in the cache (Redis, when configured). If the cache
cannot be reached they let the request through and log a warning: the API stays up without its
rate limits rather than failing every request, and /api/health/ reports the cache down."""

import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    ThrottleBase = throttling.SimpleRateThrottle
else:
    ThrottleBase = object


class CacheFailureTolerant(ThrottleBase):
    """Allows a request whose count cannot be read or written."""

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("Throttle %s let a request through: the cache is unavailable.", self.scope, exc_info=True)
            return True


class AnonRateThrottle(CacheFailureTolerant, throttling.AnonRateThrottle):
    """Anonymous requests, counted by client address."""


class UserRateThrottle(CacheFailureTolerant, throttling.UserRateThrottle):
    """Authenticated requests, counted by user."""


class ScopedRateThrottle(CacheFailureTolerant, throttling.ScopedRateThrottle):
    """Requests to a view with a ``throttle_scope``, counted by user or client address."""
