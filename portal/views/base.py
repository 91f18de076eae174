"""Browser view bases that put every marked queryset through `visible_to(request.user)`.

A record the user may not see is a 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from portal import audit
from portal.markings.models import MarkedQuerySet
from portal.references import readable
from portal.tables import MarkedPaginator


def visible(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The marking rule, and the model's object-level rule where it has one (`accessible_to`)."""
    if isinstance(queryset, MarkedQuerySet):
        return readable(queryset, user)
    return queryset


class MarkedListView(LoginRequiredMixin, ListView):
    paginate_by = 50
    paginator_class: type[Paginator] = MarkedPaginator

    def get_queryset(self) -> QuerySet[Any]:
        return visible(super().get_queryset(), self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        audit.record_reads(context["object_list"])
        return context


class MarkedDetailView(LoginRequiredMixin, DetailView):
    def get_queryset(self) -> QuerySet[Any]:
        return visible(super().get_queryset(), self.request.user)

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        obj = super().get_object(queryset)
        audit.record_reads([obj])
        return obj


class RoleRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    roles: tuple[str, ...] = ()

    def test_func(self) -> bool:
        role: Any = getattr(self.request.user, "role", None)  # type: ignore[attr-defined]
        return role in self.roles

    def handle_no_permission(self) -> Any:
        # Hide the page itself from those without the role, as for any record they cannot see.
        from django.http import Http404

        if self.request.user.is_authenticated:  # type: ignore[attr-defined]
            raise Http404
        return super().handle_no_permission()
