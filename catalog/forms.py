"""Forms of the catalog pages."""

from __future__ import annotations

from django import forms

from catalog.models import ObjectType, Regime


class CatalogSearchForm(forms.Form):
    number = forms.IntegerField(required=False, min_value=1)
    name = forms.CharField(required=False, max_length=80)
    designator = forms.CharField(required=False, max_length=12)
    type = forms.ChoiceField(required=False, choices=[("", "any type"), *ObjectType.choices])
    country = forms.CharField(required=False, max_length=8)
    regime = forms.ChoiceField(required=False, choices=[("", "any regime"), *Regime.choices])
