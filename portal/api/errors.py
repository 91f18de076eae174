"""The API's exception handler: domain errors become HTTP answers with a machine-readable body."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError
from portal.markings.marking import MarkingError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, MarkingError):
        return Response({"marking": [str(exc)]}, status=400)
    if isinstance(exc, DomainError):
        key = exc.field or "detail"
        return Response(
            {key: [exc.message] if exc.field else exc.message, "code": exc.code}, status=exc.status
        )
    return drf_exception_handler(exc, context)
