"""The observations app's forms: the upload of a delivery file."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.forms import MarkingFormField


class UploadForm(forms.Form):
    file = forms.FileField(help_text="CCSDS TDM (KVN or XML), CSV with a header, or UDL-style JSON")
    sensor = forms.IntegerField(required=False, min_value=1, help_text="Only for files that do not name it")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A marking that does not parse, or that its author could not read, is a form error here,
        # before anything is stored (not a rejected delivery).
        self.fields["marking"] = MarkingFormField(
            user=user,
            required=False,
            help_text="Optional; never looser than the agreement's default",
        )
