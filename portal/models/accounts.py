"""People and organisations: nations, their Space Operations Centers, and users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from portal.markings.marking import Level
from portal.markings.models import LEVEL_CHOICES
from portal.markings.nations import NATIONS, US

NATION_CHOICES = list(NATIONS)


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone")


class Nation(models.Model):
    code = models.CharField("ISO 3166 trigraph", max_length=3, primary_key=True, choices=NATION_CHOICES)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class CommunicationMode(models.TextChoices):
    TEXT = "text", "Text"
    VOICE = "voice", "Voice"


class SpOC(models.Model):
    """A Space Operations Center: the partner organisation that answers requests."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=120)
    nation = models.ForeignKey(Nation, on_delete=models.PROTECT, related_name="spocs")
    staffed_24x7 = models.BooleanField("staffed 24/7", default=False)
    staffed_from = models.TimeField(null=True, blank=True, help_text="Local time")
    staffed_until = models.TimeField(null=True, blank=True, help_text="Local time")
    staffed_weekdays = models.CharField(
        max_length=7, default="12345", help_text="ISO weekdays staffed, 1 = Monday"
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    languages = models.CharField(max_length=120, default="en", help_text="Comma-separated")
    preferred_communication = models.CharField(
        max_length=5, choices=CommunicationMode.choices, default=CommunicationMode.TEXT
    )
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "SpOC"
        verbose_name_plural = "SpOCs"

    def __str__(self) -> str:
        return self.name

    @property
    def is_us(self) -> bool:
        return self.nation_id == US

    def clean(self) -> None:
        if not self.staffed_24x7 and (self.staffed_from is None or self.staffed_until is None):
            raise ValidationError("A SpOC not staffed 24/7 needs its staffed hours.")

    def is_staffed_at(self, moment: dt.datetime) -> bool:
        if self.staffed_24x7:
            return True
        if self.staffed_from is None or self.staffed_until is None:
            return False
        local = moment.astimezone(ZoneInfo(self.time_zone))
        if str(local.isoweekday()) not in self.staffed_weekdays:
            return False
        now = local.time()
        if self.staffed_from <= self.staffed_until:
            return self.staffed_from <= now < self.staffed_until
        return now >= self.staffed_from or now < self.staffed_until  # an overnight shift


class Role(models.TextChoices):
    US_OPERATOR = "us_operator", "US operator"
    PARTNER_STAFF = "partner_staff", "Partner SpOC staff"
    AGREEMENT_ADMIN = "agreement_admin", "Agreement admin"
    SECURITY_OFFICER = "security_officer", "Security officer"
    NONE = "none", "No role"


SECOND_FACTOR_ROLES = frozenset({Role.AGREEMENT_ADMIN, Role.SECURITY_OFFICER})
US_ONLY_ROLES = frozenset({Role.US_OPERATOR, Role.AGREEMENT_ADMIN, Role.SECURITY_OFFICER})


class User(AbstractUser):
    nationality = models.CharField(max_length=3, choices=NATION_CHOICES, default=US)
    clearance = models.PositiveSmallIntegerField(choices=LEVEL_CHOICES, default=Level.UNCLASSIFIED)
    spoc = models.ForeignKey(SpOC, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.NONE)
    # When the next approved change of this user's access comes into force (see portal.access);
    # read on every request so that the change needs no extra query until it is due.
    access_change_due = models.DateTimeField(null=True, blank=True, editable=False)

    def clean(self) -> None:
        super().clean()
        if self.role in US_ONLY_ROLES and self.nationality != US:
            raise ValidationError({"role": "This role is held by US persons only."})
        if self.role == Role.PARTNER_STAFF and self.spoc_id is None:
            raise ValidationError({"spoc": "Partner SpOC staff must belong to a SpOC."})

    @property
    def is_us_person(self) -> bool:
        return self.nationality == US

    @property
    def clearance_level(self) -> Level:
        return Level(self.clearance)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def needs_second_factor(self) -> bool:
        """Agreement admins, security officers and anyone who may use the admin site sign in
        with a one-time password as well."""
        return self.is_staff or self.is_superuser or self.role in SECOND_FACTOR_ROLES

    @property
    def is_us_side(self) -> bool:
        """The US side of the exchange: an active US person holding a US role. They read every
        SpOC's records their marking allows (`portal.ownership`)."""
        return self.is_active and self.is_us_person and self.role in US_ONLY_ROLES

    @property
    def is_partner_staff(self) -> bool:
        """Active staff of a partner SpOC."""
        return self.is_active and self.role == Role.PARTNER_STAFF and self.spoc_id is not None

    @classmethod
    def partner_staff_of(cls, spoc_ids: Iterable[int]) -> models.QuerySet[User]:
        """`is_partner_staff` as a query: the active partner staff of the SpOCs `spoc_ids`."""
        return cls.objects.filter(is_active=True, role=Role.PARTNER_STAFF, spoc_id__in=list(spoc_ids))

    @property
    def works_for_a_spoc(self) -> bool:
        """An active member of a SpOC's staff (partner staff, or US operators of the US SpOC)."""
        return (
            self.is_active
            and self.spoc_id is not None
            and self.role in {Role.PARTNER_STAFF, Role.US_OPERATOR}
        )

    def is_staff_of(self, spoc_id: int | None) -> bool:
        """True when the user works for the SpOC `spoc_id`: who may change what it owns."""
        return spoc_id is not None and self.works_for_a_spoc and self.spoc_id == spoc_id
