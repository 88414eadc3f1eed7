"""JSON responses rendered with orjson: the same JSON as DRF's renderer, several times faster,
which counts on large pages."""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# What orjson does not render itself (decimals, lazy text, dates and times), DRF's encoder does,
# so values come out exactly as with DRF's own renderer.
_encoder = JSONEncoder()


class ORJSONRenderer(JSONRenderer):
    """``application/json`` rendered by orjson: compact UTF-8, as DRF's default."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
