"""The API's exception handler: domain errors become HTTP answers with a machine-readable body."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError
from portal.markings.marking import MarkingError


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, answering JSON nested deeper than Python can read with a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested deeper than the parser's limit") from None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"request body larger than the {limit}-byte limit (DATA_UPLOAD_MAX_MEMORY_SIZE)"},
            status=413,
        )
    if isinstance(exc, MarkingError):
        return Response({"marking": [str(exc)]}, status=400)
    if isinstance(exc, DomainError):
        key = exc.field or "detail"
        return Response(
            {key: [exc.message] if exc.field else exc.message, "code": exc.code}, status=exc.status
        )
    return drf_exception_handler(exc, context)
