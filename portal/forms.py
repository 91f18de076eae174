"""Form pieces shared by every app: ISO date and UTC time inputs, the marking field, notices."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.markings.marking import Marking, MarkingError
from portal.models import Notice


class ISODateInput(forms.DateInput):
    """`<input type=date>`: browsers read and send only YYYY-MM-DD. Rendered in the locale's
    form (01/04/2023) the field shows empty and saving clears it."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class UTCDateTimeInput(forms.DateTimeInput):
    """`<input type=datetime-local>` in the form browsers read (YYYY-MM-DDTHH:MM); the portal's
    times are UTC, whatever the browser's zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MarkingFormField(forms.CharField):
    """A marking typed in banner form; it must parse and be one the author may read."""

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", 'e.g. "SECRET//REL TO USA, GBR" or "CUI//NOFORN"')
        kwargs.setdefault("label", "Marking")
        super().__init__(**kwargs)
        self.user = user

    def to_python(self, value: Any) -> Marking | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            marking = Marking.parse(text)
        except MarkingError as exc:
            raise forms.ValidationError(str(exc)) from exc
        refusal = marking.refusal_for(self.user) if self.user is not None else None
        if refusal:
            raise forms.ValidationError(refusal)
        return marking

    def prepare_value(self, value: Any) -> Any:
        return value.banner if isinstance(value, Marking) else value


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marking"] = MarkingFormField(user=user)
        if self.instance.pk:
            self.initial["marking"] = self.instance.marking

    def save(self, commit: bool = True) -> Notice:
        self.instance.marking = self.cleaned_data["marking"]
        return super().save(commit)
