"""Factories for the records tests build: nations and SpOCs, users in their roles, sensors and
their biases, agreements, space objects and element sets, deliveries and observations,
calibration runs and tasking requests.

Every marked record is UNCLASSIFIED and releasable to the whole coalition unless the test gives
`marking=` (a `Marking` or its banner text), so that a test about markings names the one it
means. Numbers that must be unique come from sequences placed above the ranges the demo seed and
the tests' hand-picked numbers use. Call `XFactory.create(...)` (or `.build(...)`): those are
typed as the model, the bare call is not.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, TypeVar

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from agreements.choices import AgreementKind, DataFormat, MeasurementType, SensorType
from agreements.models import Agreement, Sensor, SensorBias, path_from_draft
from catalog.choices import ElsetSource, Regime
from catalog.models import CalibrationRun, CalibrationStatus, ElementSet, SpaceObject
from catalog.observations.models import IngestBatch, Observation
from portal.markings.marking import Level, Marking
from portal.markings.models import marking_columns
from portal.markings.nations import NATION_NAMES, US
from portal.models import Nation, Role, SpOC, User
from tasking.choices import Purpose
from tasking.models import TaskingRequest

MARKING_COLUMNS = frozenset(marking_columns(Marking.unclassified()))
RADAR_MEASURES = [MeasurementType.RANGE, MeasurementType.AZIMUTH_ELEVATION]


# Space objects and element sets share one change sequence, as the catalog's counter is one:
# partner feeds order both kinds of record by it.
_change_seq = itertools.count(1_000_000)


def next_change_seq() -> int:
    return next(_change_seq)


T = TypeVar("T")


class BaseFactory(DjangoModelFactory[T]):
    class Meta:
        abstract = True
        # Post-generation hooks save what they change themselves (an agreement refuses a
        # second save that would look like a status change).
        skip_postgeneration_save = True


class MarkedFactory(BaseFactory[T]):
    """A marked record: `marking=` becomes the three marking columns, unless the caller gave
    the columns themselves (`**marking_columns(...)`)."""

    class Meta:
        abstract = True

    marking: Any = Marking.unclassified()

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        marking = kwargs.pop("marking")
        if MARKING_COLUMNS.isdisjoint(kwargs):
            kwargs.update(marking_columns(marking))
        return kwargs


class NationFactory(BaseFactory[Nation]):
    class Meta:
        model = Nation
        django_get_or_create = ("code",)

    code = "GBR"
    name = factory.LazyAttribute(lambda o: NATION_NAMES[o.code])


class SpOCFactory(BaseFactory[SpOC]):
    """A SpOC; asking for a code the demo coalition has (`code="uk-spoc"`) returns that one."""

    class Meta:
        model = SpOC
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-spoc-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} operations center")
    nation = factory.SubFactory(NationFactory)
    staffed_24x7 = True


class UserFactory(BaseFactory[User]):
    """A user; the traits give the portal's roles (`UserFactory.create(partner_staff=True)`).
    Nationality follows the SpOC, if any; the password is the demo one."""

    class Meta:
        model = User

    class Params:
        us_operator = factory.Trait(role=Role.US_OPERATOR, clearance=Level.SECRET)
        agreement_admin = factory.Trait(role=Role.AGREEMENT_ADMIN, clearance=Level.SECRET)
        security_officer = factory.Trait(role=Role.SECURITY_OFFICER, clearance=Level.SECRET)
        partner_staff = factory.Trait(
            role=Role.PARTNER_STAFF, clearance=Level.SECRET, spoc=factory.SubFactory(SpOCFactory)
        )

    username = factory.Sequence(lambda n: f"user{n}")
    password = Password("coalition-demo")
    spoc = None
    nationality = factory.LazyAttribute(lambda o: o.spoc.nation_id if o.spoc else US)
    clearance = Level.UNCLASSIFIED
    role = Role.NONE


class SensorFactory(MarkedFactory[Sensor]):
    """A tracking radar of a new SpOC; `optical=True` makes it a telescope."""

    class Meta:
        model = Sensor

    class Params:
        optical = factory.Trait(
            sensor_type=SensorType.OPTICAL_TELESCOPE,
            measurement_types=factory.LazyFunction(lambda: [MeasurementType.RA_DEC]),
            max_range_km=None,
            limiting_magnitude=16.0,
        )

    spoc = factory.SubFactory(SpOCFactory)
    name = factory.Sequence(lambda n: f"Test sensor {n}")
    number = factory.Sequence(lambda n: 50_000 + n)
    sensor_type = SensorType.TRACKING_RADAR
    latitude_deg = 50.0
    longitude_deg = 0.0
    altitude_km = 0.1
    measurement_types = factory.LazyFunction(lambda: list(RADAR_MEASURES))
    max_range_km = 3000.0
    is_us_ssn = factory.LazyAttribute(lambda o: o.spoc.nation_id == US)


class SensorBiasFactory(MarkedFactory[SensorBias]):
    class Meta:
        model = SensorBias

    sensor = factory.SubFactory(SensorFactory)
    measurement_type = MeasurementType.RANGE
    bias = 0.0
    noise_sigma = 0.01
    effective_date = dt.date(2024, 1, 1)
    source = "hand-entered for a test"


class AgreementFactory(MarkedFactory[Agreement]):
    """A SpOC-level agreement, created as a draft. `status=` moves it on afterwards: through
    the lifecycle, with its history, when `status__by=` names an agreement admin (and
    `status__reason=` the reason); set directly, with no history, otherwise. `sensors=` lists
    its sensors before that, as activation checks them."""

    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Test agreement {n}")
    kind = AgreementKind.SPOC_LEVEL
    partner = factory.SubFactory(SpOCFactory)
    effective_from = dt.date(2024, 1, 1)
    data_formats = factory.LazyFunction(lambda: [DataFormat.UDL_JSON])
    default_releasability = factory.LazyAttribute(lambda o: str(as_marking(o.marking)))

    @factory.post_generation
    def sensors(obj: Agreement, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.sensors.set(extracted)

    @factory.post_generation
    def status(obj: Agreement, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted or extracted == obj.status:
            return
        by = kwargs.get("by")
        if by is not None:
            for step in path_from_draft(extracted):
                obj.transition(step, by, reason=kwargs.get("reason", ""))
            return
        Agreement.objects.filter(pk=obj.pk).update(status=extracted)
        obj.refresh_from_db()


class SpaceObjectFactory(MarkedFactory[SpaceObject]):
    class Meta:
        model = SpaceObject

    catalog_number = factory.Sequence(lambda n: 200_000 + n)
    name = factory.LazyAttribute(lambda o: f"TEST OBJECT {o.catalog_number}")
    seq = factory.LazyFunction(next_change_seq)


class ElementSetFactory(MarkedFactory[ElementSet]):
    """A low-Earth-orbit element set from the upstream feed, three hours old."""

    class Meta:
        model = ElementSet

    space_object = factory.SubFactory(SpaceObjectFactory)
    epoch = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=3))
    mean_motion = 15.50
    eccentricity = 0.0005
    inclination = 51.64
    ra_of_asc_node = 120.0
    arg_of_pericenter = 80.0
    mean_anomaly = 10.0
    bstar = 0.0001
    mean_motion_dot = 0.0
    mean_motion_ddot = 0.0
    source = ElsetSource.UPSTREAM
    source_key = "upstream"
    regime = Regime.LEO
    content_hash = factory.Sequence(lambda n: f"elset-{n}")
    seq = factory.LazyFunction(next_change_seq)


class IngestBatchFactory(MarkedFactory[IngestBatch]):
    """A delivery already archived (the payload's name and digest only: no file is written)."""

    class Meta:
        model = IngestBatch

    spoc = factory.SubFactory(SpOCFactory)
    delivered_by_name = "test"
    payload = "observations/test.json"
    payload_sha256 = "0" * 64


class ObservationFactory(MarkedFactory[Observation]):
    """An observation by a sensor, in a delivery of that sensor's SpOC marked like it."""

    class Meta:
        model = Observation

    sensor = factory.SubFactory(SensorFactory)
    batch = factory.SubFactory(
        IngestBatchFactory,
        spoc=factory.SelfAttribute("..sensor.spoc"),
        marking=factory.SelfAttribute("..marking"),
    )
    ob_time = factory.LazyFunction(timezone.now)
    content_hash = factory.Sequence(lambda n: f"obs-{n}")


class CalibrationRunFactory(MarkedFactory[CalibrationRun]):
    """A finished calibration run of a sensor over one day."""

    class Meta:
        model = CalibrationRun

    sensor = factory.SubFactory(SensorFactory)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    status = CalibrationStatus.DONE


class TaskingRequestFactory(MarkedFactory[TaskingRequest]):
    """A draft tasking request to a SpOC; filing through `tasking.services.filing` is what
    gives a request its targets, windows and routing."""

    class Meta:
        model = TaskingRequest

    title = factory.Sequence(lambda n: f"Test request {n}")
    spoc = factory.SubFactory(SpOCFactory)
    purpose = Purpose.CATALOG_MAINTENANCE


def as_marking(value: Marking | str) -> Marking:
    return value if isinstance(value, Marking) else Marking.parse(value)
