"""Calibration truth: import an OEM as a calibration satellite's truth; states for a run.

A truth is either a precise ephemeris (an imported CCSDS OEM, interpolated as it states) or,
labelled coarse, a designated element set propagated with SGP4.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import transaction

from catalog.astro.ephemeris import Ephemeris
from catalog.astro.orientation import EarthOrientation
from catalog.astro.propagation import MeanElements, propagate, satrec_array, satrec_from_elements
from catalog.formats.oem import OemError, catalog_number_of, read_oem
from catalog.models import CalibrationTruth, ElementSet, SpaceObject, TruthKind
from portal.markings.marking import Marking
from portal.markings.models import marking_columns


class TruthError(ValueError):
    """A truth that cannot be imported or used, said in the reader's terms."""


def _aware(value: np.datetime64) -> dt.datetime:
    return dt.datetime.fromisoformat(str(np.asarray(value, dtype="datetime64[us]"))).replace(tzinfo=dt.UTC)


@transaction.atomic
def import_ephemeris(text: str, name: str, marking: Marking | None = None) -> tuple[CalibrationTruth, bool]:
    """Store an OEM as the truth of the catalog object it names and flag that object as a
    calibration satellite. The truth is marked at least as its object. Same file twice: one."""
    try:
        oem = read_oem(text, name)
    except OemError as exc:
        raise TruthError(str(exc)) from exc
    number = catalog_number_of(oem.ephemeris)
    if number is None:
        raise TruthError(
            f"{name}: OBJECT_ID {oem.ephemeris.object_id!r} / OBJECT_NAME {oem.ephemeris.object_name!r} "
            "name no catalog number"
        )
    space_object = SpaceObject.objects.filter(catalog_number=number).first()
    if space_object is None:
        raise TruthError(f"{name}: OBJECT_ID / OBJECT_NAME: no catalog object {number}")
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = CalibrationTruth.objects.filter(content_hash=digest).first()
    if existing is not None:
        return existing, False
    ephemeris = oem.ephemeris
    truth = CalibrationTruth(
        space_object=space_object,
        kind=TruthKind.EPHEMERIS,
        name=name,
        content_hash=digest,
        text=text,
        frames=",".join(s.frame for s in ephemeris.segments),
        time_systems=",".join(oem.time_systems),
        start=_aware(ephemeris.start),
        stop=_aware(ephemeris.stop),
        state_count=ephemeris.state_count,
    )
    truth.marking = Marking.combine(space_object.marking, marking) if marking else space_object.marking
    truth.save()
    if not space_object.calibration_satellite:
        SpaceObject.objects.filter(pk=space_object.pk).update(calibration_satellite=True)
    return truth, True


@transaction.atomic
def designate_element_set(element_set: ElementSet, start: dt.datetime, stop: dt.datetime) -> CalibrationTruth:
    """Use an element set, propagated with SGP4, as a coarse truth over [start, stop]."""
    space_object = element_set.space_object
    key = f"elset:{element_set.pk}:{start.isoformat()}:{stop.isoformat()}"
    defaults: dict[str, object] = {
        "space_object": space_object,
        "kind": TruthKind.ELEMENT_SET,
        "name": f"element set {element_set.element_set_no} epoch {element_set.epoch:%Y-%m-%dT%H:%M:%S}",
        "element_set": element_set,
        "frames": "TEME",
        "time_systems": "UTC",
        "start": start,
        "stop": stop,
        **marking_columns(Marking.combine(space_object.marking, element_set.marking)),
    }
    truth, _ = CalibrationTruth.objects.get_or_create(
        content_hash=hashlib.sha256(key.encode()).hexdigest(), defaults=defaults
    )
    SpaceObject.objects.filter(pk=space_object.pk).update(calibration_satellite=True)
    return truth


@dataclass(frozen=True)
class TruthStates:
    """Computes TEME states of one truth at UTC instants."""

    truth_id: int
    kind: str
    ephemeris: Ephemeris | None
    elements: MeanElements | None

    def teme(self, utc: np.ndarray, eo: EarthOrientation) -> tuple[np.ndarray, np.ndarray]:
        if self.ephemeris is not None:
            return self.ephemeris.teme_states(utc, eo)
        assert self.elements is not None
        r, v, err = propagate(satrec_array([satrec_from_elements(self.elements)]), utc)
        r, v = r[0], v[0]
        bad = err[0] != 0
        r[bad] = np.nan
        v[bad] = np.nan
        return r, v


@lru_cache(maxsize=32)
def _ephemeris_of(truth_id: int, content_hash: str) -> Ephemeris:
    truth = CalibrationTruth.objects.get(pk=truth_id)
    return read_oem(truth.text, truth.name).ephemeris


def states_of(truth: CalibrationTruth) -> TruthStates:
    if truth.kind == TruthKind.EPHEMERIS:
        return TruthStates(truth.pk, truth.kind, _ephemeris_of(truth.pk, truth.content_hash), None)
    elset = truth.element_set
    if elset is None:
        raise TruthError(f"truth {truth.pk}: no designated element set")
    elements = elset.mean_elements(truth.space_object.catalog_number)
    return TruthStates(truth.pk, truth.kind, None, elements)
