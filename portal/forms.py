"""Form pieces shared by every app: ISO date and UTC time inputs, a whole-number field for
query parameters, the marking field, notices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from portal import marking_changes
from portal.markings.marking import Marking, MarkingError
from portal.markings.models import LEVEL_CHOICES
from portal.models import Notice, Role, SpOC, User
from portal.models.accounts import NATION_CHOICES


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


class UTCISODateTimeInput(forms.DateTimeInput):
    """A text field holding an ISO 8601 UTC time (2026-12-01T18:00Z): the same in every browser,
    where `datetime-local` shows the browser's locale (a 12-hour clock in some) and no zone."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        attrs = {
            "placeholder": "YYYY-MM-DDTHH:MMZ",
            "pattern": r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]00:?00)?",
            "inputmode": "numeric",
            "autocomplete": "off",
            "class": "utc-time",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%MZ")


class WholeNumberField(forms.IntegerField):
    """A whole number from `low` to `high` written in digits only: no sign, decimals, exponent or
    spaces (which `int()` would take). Every refusal says `message`, which names the range."""

    def __init__(self, *, low: int, high: int, message: str, **kwargs: Any) -> None:
        refusals = {"invalid": message, "min_value": message, "max_value": message}
        kwargs["error_messages"] = {**refusals, **kwargs.get("error_messages", {})}
        super().__init__(min_value=low, max_value=high, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values and not str(value).isdigit():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        result: int | None = super().to_python(value)
        return result


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
            marking_changes.check_readable(self.user, marking)
        except MarkingError as exc:
            raise forms.ValidationError(str(exc)) from exc
        except marking_changes.MarkingChangeRefused as exc:
            raise forms.ValidationError(exc.message) from exc
        return marking

    def prepare_value(self, value: Any) -> Any:
        return value.banner if isinstance(value, Marking) else value


class MarkingChangeFormMixin:
    """The marking of a record edited in a form, changed through `marking_changes.check_change`:
    a raise by any writer; a downgrade by the security officer, who also sees a reason field.
    Call `add_marking_field` from `__init__` and `apply_marking` before the model is validated."""

    fields: Any
    initial: Any
    instance: Any
    marking_change: marking_changes.MarkingChange | None = None

    def add_marking_field(self, user: Any, **field_kwargs: Any) -> None:
        self._marking_user = user
        self.fields["marking"] = MarkingFormField(user=user, **field_kwargs)
        if self.instance.pk:
            self.initial["marking"] = self.instance.marking
            if marking_changes.may_downgrade(user):
                self.fields["marking_reason"] = forms.CharField(
                    required=False, label="Reason for a downgrade", max_length=500
                )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}  # type: ignore[misc]
        marking = data.get("marking")
        if marking is not None:
            before = self.instance.marking if self.instance.pk else None
            try:
                self.marking_change = marking_changes.check_change(
                    self._marking_user, before, marking, data.get("marking_reason", "")
                )
            except marking_changes.MarkingChangeRefused as exc:
                field = exc.field if exc.field in self.fields else "marking"
                self.add_error(field, exc.message)  # type: ignore[attr-defined]
        return data

    def apply_marking(self) -> None:
        if self.marking_change is not None:
            marking_changes.apply(self.instance, self.marking_change)


class NoticeForm(MarkingChangeFormMixin, forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_marking_field(user)

    def save(self, commit: bool = True) -> Notice:
        self.apply_marking()
        return super().save(commit)


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label="One-time password",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class AccessForm(forms.Form):
    """A user's access as it should become, with the reason and when it takes effect."""

    clearance = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int)
    nationality = forms.ChoiceField(choices=NATION_CHOICES)
    spoc = forms.ModelChoiceField(queryset=SpOC.objects.all(), required=False, label="SpOC")
    role = forms.ChoiceField(choices=Role.choices)
    is_active = forms.BooleanField(required=False, label="Account active")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    effective_at = forms.DateTimeField(
        label="Effective (UTC)",
        required=False,
        widget=UTCDateTimeInput(),
        help_text="Empty means now; never earlier than the approval.",
    )

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        return {
            "clearance": user.clearance,
            "nationality": user.nationality,
            "spoc": user.spoc_id,
            "role": user.role,
            "is_active": user.is_active,
        }

    def desired(self) -> dict[str, Any]:
        data = self.cleaned_data
        spoc = data.get("spoc")
        return {
            "clearance": data["clearance"],
            "nationality": data["nationality"],
            "spoc": spoc.pk if spoc is not None else None,
            "role": data["role"],
            "is_active": data.get("is_active", True),
        }


class NewUserForm(AccessForm):
    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, help_text="The user's first password.")

    field_order = ["username", "email", "password", "nationality", "clearance", "spoc", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["is_active"]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        candidate = User(
            username=self.cleaned_data.get("username", ""), email=self.cleaned_data.get("email", "")
        )
        validate_password(password, candidate)
        return password

    def desired(self) -> dict[str, Any]:
        wanted = super().desired()
        wanted.pop("nationality")
        wanted["is_active"] = True
        return wanted


class DecisionForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note")


class IssueTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. the delivery client")
    days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Expires after (days)")
    password = forms.CharField(widget=forms.PasswordInput, help_text="Your password again, to issue a token.")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class DowngradeForm(forms.Form):
    """The security officer's change of one record's marking, with the reason it is recorded with."""

    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 60}))

    def __init__(self, *args: Any, user: Any, record: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.record = record
        self.fields["marking"] = MarkingFormField(user=user, label="New marking")
        self.initial.setdefault("marking", record.marking)
        self.order_fields(["marking", "reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("marking") is not None:
            try:
                marking_changes.check_change(
                    self.user, self.record.marking, data["marking"], data.get("reason", "")
                )
            except marking_changes.MarkingChangeRefused as exc:
                self.add_error("reason" if exc.field == "marking_reason" else "marking", exc.message)
        return data
