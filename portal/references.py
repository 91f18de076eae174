"""How a record that points at a marked record shows it: to a reader who may read the target,
as it is; to anyone else, as if it were not there (no id, number, name or count).

One rule for every way a reference reaches a reader:
- `readable(model, user)`: the rows of any model `user` may read, as a queryset. A marked model
  goes through `visible_to` (or its `accessible_to`, where an object-level rule applies too).
  A child model without a marking of its own names its parent in `read_through`; it is read
  when its parent is, and when every marked record it names is too (a data-plan entry about a
  hidden sensor is itself absent), except the `optional_links` it names, which are shown or not
  on their own (a support-plan line keeps its label but not a hidden request's id).
- `readable_children(model, user)`: the same for the children of parents already shown, their
  parent not asked again (a page's windows, targets and passes, loaded after the page).
- `Reader`: a per-request cache of which related rows a user may read, filled in batches, behind
  the DRF related fields of `portal.api.base`, the `{% readable %}` template tags and messages.
  What a page has just loaded through these rules it may `vouch` for, so it is not asked again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from portal.markings.models import MarkedModel

_READER_ATTR = "_portal_reference_reader"


def is_marked(model: type[models.Model]) -> bool:
    return issubclass(model, MarkedModel)


def parent_field(model: type[models.Model]) -> str | None:
    """The field through which a child model without a marking of its own is read."""
    return getattr(model, "read_through", None)


def is_guarded(model: type[models.Model]) -> bool:
    """Whether reading `model` depends on the reader (marked, or read through a marked parent)."""
    return is_marked(model) or parent_field(model) is not None


def guarded_links(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    """The foreign keys of `model` to guarded models that a child row is about: other than its
    parent, and than the `optional_links` it may carry (each shown only to its own readers)."""
    parent = parent_field(model)
    optional = set(getattr(model, "optional_links", ()))
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey)
        and field.name != parent
        and field.name not in optional
        and field.related_model is not None
        and is_guarded(field.related_model)  # type: ignore[arg-type]
    ]


def readable(model_or_queryset: type[models.Model] | QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The rows `user` may read, as a lazy queryset (usable as a subquery)."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    model = queryset.model
    if is_marked(model):
        if hasattr(queryset, "accessible_to"):
            return queryset.accessible_to(user)
        return queryset.visible_to(user)  # type: ignore[attr-defined]
    parent = parent_field(model)
    if parent is None:
        return queryset
    parent_model: Any = model._meta.get_field(parent).related_model
    return readable_children(queryset, user).filter(
        **{f"{parent}__in": readable(parent_model, user).values("pk")}
    )


def readable_children(
    model_or_queryset: type[models.Model] | QuerySet[Any],
    user: Any,
    *,
    siblings_read: Mapping[type[models.Model], Collection[Any]] | None = None,
) -> QuerySet[Any]:
    """The rows of a child model (one read through a parent) whose own guarded links `user` may
    read, without asking about their parent: for the children of parents already read through
    `readable` and shown (a page's rows, loaded after the page). `readable` adds the parent.

    A link to a sibling, a child of the same parent model (a pass's target), is read within the
    row's own parent: the sibling must have that parent too, so its parent is not asked again
    (a sibling of another parent counts as hidden). Asking it would nest the parent's whole rule
    once more for each such link, which Django clones and compiles on every query.

    `siblings_read` gives, per sibling model, the ids of the siblings just read through this
    rule under the same parents (a page's targets, before its passes): a link to that model
    must then name one of them, of the row's own parent, and the sibling's rule is not compiled
    into the query again."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    model = queryset.model
    parent = parent_field(model)
    if parent is None:
        raise ValueError(f"{model.__name__} is not read through a parent")
    parent_link: Any = model._meta.get_field(parent)
    linked: list[Any] = [link.related_model for link in guarded_links(model)]
    sibling_links = {target for target in linked if _is_sibling(target, parent_link.related_model)}
    unknown = set(siblings_read or ()) - sibling_links
    if unknown:
        names = ", ".join(sorted(m.__name__ for m in unknown))
        raise ValueError(f"{model.__name__} links to no sibling {names}: siblings_read cannot apply")
    for link in guarded_links(model):
        target: Any = link.related_model
        if _is_sibling(target, parent_link.related_model):
            sibling_parent: Any = target._meta.get_field(parent_field(target))
            if siblings_read is not None and target in siblings_read:
                same_parent = {f"{link.name}__{sibling_parent.attname}": F(parent_link.attname)}
                queryset = queryset.filter(
                    Q(**{f"{link.name}__isnull": True})
                    | Q(**{f"{link.attname}__in": list(siblings_read[target])}, **same_parent)
                )
                continue
            inner = readable_children(target, user).filter(
                **{sibling_parent.attname: OuterRef(parent_link.attname)}
            )
        else:
            inner = readable(target, user)
        # EXISTS for this row's target rather than IN (every readable target): inside the OR,
        # PostgreSQL would build the whole readable set first (every readable request's
        # targets, to show one page's passes); as EXISTS it weighs probing each row's target.
        queryset = queryset.filter(
            Q(**{f"{link.name}__isnull": True}) | Exists(inner.filter(pk=OuterRef(link.attname)))
        )
    return queryset


def _is_sibling(model: type[models.Model], parent_model: Any) -> bool:
    """Whether `model` is a child read through a parent of `parent_model`."""
    name = parent_field(model)
    return name is not None and model._meta.get_field(name).related_model is parent_model


class Reader:
    """Which rows of which models one user may read; asked row by row, answered in batches."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._known: dict[type[models.Model], dict[Any, bool]] = {}

    def note(self, model: type[models.Model], pks: Iterable[Any]) -> None:
        """Learn in one query whether each of `pks` is readable."""
        if not is_guarded(model):
            return
        known = self._known.setdefault(model, {})
        wanted = {pk for pk in pks if pk is not None and pk not in known}
        if not wanted:
            return
        found = set(readable(model, self.user).filter(pk__in=wanted).values_list("pk", flat=True))
        for pk in wanted:
            known[pk] = pk in found

    def vouch(self, rows: Iterable[Any]) -> None:
        """Know `rows` readable without asking: the caller has just loaded them through
        `readable` (or `readable_children` under parents it loaded so) for this reader's user."""
        for obj in rows:
            self._known.setdefault(type(obj), {})[obj.pk] = True

    def may_read(self, model: type[models.Model], pk: Any) -> bool:
        if pk is None:
            return False
        if not is_guarded(model):
            return True
        self.note(model, [pk])
        return self._known[model][pk]

    def shown(self, obj: Any) -> Any:
        """`obj` if the user may read it, else None."""
        if obj is None:
            return None
        return obj if self.may_read(type(obj), obj.pk) else None

    def shown_all(self, objects: Iterable[Any]) -> list[Any]:
        """The readable ones of `objects`, in order (a child with a hidden link is left out)."""
        rows = list(objects)
        by_model: dict[type[models.Model], list[Any]] = {}
        for obj in rows:
            by_model.setdefault(type(obj), []).append(obj.pk)
        for model, pks in by_model.items():
            self.note(model, pks)
        return [obj for obj in rows if self.may_read(type(obj), obj.pk)]

    def name(self, obj: Any, absent: str = "") -> str:
        """How a message names `obj`: its own text when readable, else `absent`."""
        shown = self.shown(obj)
        return str(shown) if shown is not None else absent


def reader_for(request_or_user: Any) -> Reader:
    """The reader of a request (kept on it for the request's life), or of a bare user."""
    user = getattr(request_or_user, "user", request_or_user)
    holder = request_or_user if hasattr(request_or_user, "user") else None
    if holder is not None:
        reader = getattr(holder, _READER_ATTR, None)
        if reader is not None and reader.user is user:
            return reader
    reader = Reader(user)
    if holder is not None:
        with contextlib.suppress(AttributeError):
            setattr(holder, _READER_ATTR, reader)
    return reader
