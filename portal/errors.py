"""Domain exceptions shared by the apps; views and the API map them to messages and HTTP codes."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. `status` is the HTTP code the API answers with."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status = 403
    code = "not_allowed"


class Conflict(DomainError):
    status = 409
    code = "conflict"


# The one refusal of a natural key another record holds, hidden or not (portal.conflicts).
TAKEN_MESSAGE = "This value cannot be used. The security officer has been told and can help."
