"""Natural keys that are unique over every marking, refused without an oracle.

A sensor number or an operation code is unique over all records, hidden ones included, so a
key a hidden record holds cannot be given again. The refusal is one and the same for every
taken key, whoever holds it and whether the submitter may read the holder: one message that
names neither the holder nor its id nor anything of it. The holder is named only to the
security officer, in an audit event `conflict` (its model, id, marking and the key asked for).
What remains is the bare fact that the key is taken (see docs/security.md, residual risks).

- `refuse_if_taken(model, field, value, noun=...)`: for services (raises DomainError);
- `Untaken(model, field, noun)`: the DRF validator that replaces the generated `UniqueValidator`;
- `TAKEN_MESSAGE`: also the model field's `unique` error message, for forms and the admin.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from portal import audit
from portal.errors import TAKEN_MESSAGE, DomainError
from portal.models import AuditAction


def _holder(model: type[models.Model], field: str, value: Any, exclude_pk: Any = None) -> Any:
    rows = model._default_manager.filter(**{field: value})
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.first()


def _report(holder: models.Model, field: str, value: Any) -> None:
    audit.record(AuditAction.CONFLICT, holder, detail={"field": field, "value": str(value)})


def refuse_if_taken(model: type[models.Model], field: str, value: Any, *, exclude_pk: Any = None) -> None:
    holder = _holder(model, field, value, exclude_pk)
    if holder is not None:
        _report(holder, field, value)
        raise DomainError(TAKEN_MESSAGE, field=field)


class Untaken:
    """DRF field validator: the value is held by no other row of `model`, hidden or not."""

    requires_context = True

    def __init__(self, model: type[models.Model], field: str) -> None:
        self.model = model
        self.field = field

    def __call__(self, value: Any, serializer_field: Any) -> None:
        instance = getattr(serializer_field.parent, "instance", None)
        holder = _holder(self.model, self.field, value, getattr(instance, "pk", None))
        if holder is not None:
            _report(holder, self.field, value)
            raise serializers.ValidationError(TAKEN_MESSAGE, code="unique")
