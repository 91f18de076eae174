"""Element sets of the catalog as format records, for the API's text formats and file exports."""

from __future__ import annotations

import io
from collections.abc import Iterable

from catalog.formats.elements import ElementSetRecord, RecordError, write_elements
from catalog.models import ElementSet, ObjectType, SpaceObject

# Catalog object types as the GP class spells them.
GP_OBJECT_TYPES = {
    ObjectType.PAYLOAD: "PAYLOAD",
    ObjectType.ROCKET_BODY: "ROCKET BODY",
    ObjectType.DEBRIS: "DEBRIS",
    ObjectType.UNKNOWN: "UNKNOWN",
}
# ?format= name -> (format of catalog.formats, whether TLE output carries a name line)
TEXT_FORMATS: dict[str, tuple[str, bool]] = {
    "tle": ("tle", False),
    "3le": ("tle", True),
    "omm-json": ("omm-json", True),
    "omm-xml": ("omm-xml", True),
    "omm-kvn": ("omm-kvn", True),
    "omm-csv": ("omm-csv", True),
}


def record_of(
    elset: ElementSet, space_object: SpaceObject | None = None, *, named: bool = True
) -> ElementSetRecord:
    """The format record of `elset` (its object loaded with it, or given)."""
    obj = space_object or elset.space_object
    return ElementSetRecord(
        norad_cat_id=obj.catalog_number,
        object_name=(obj.name or None) if named else None,
        object_id=obj.intl_designator or None,
        epoch=elset.epoch,
        mean_motion=elset.mean_motion,
        eccentricity=elset.eccentricity,
        inclination=elset.inclination,
        ra_of_asc_node=elset.ra_of_asc_node,
        arg_of_pericenter=elset.arg_of_pericenter,
        mean_anomaly=elset.mean_anomaly,
        bstar=elset.bstar,
        mean_motion_dot=elset.mean_motion_dot,
        mean_motion_ddot=elset.mean_motion_ddot,
        element_set_no=elset.element_set_no,
        rev_at_epoch=elset.rev_at_epoch,
        ephemeris_type=elset.ephemeris_type,
        classification_type=elset.classification_type,
        object_type=GP_OBJECT_TYPES.get(ObjectType(obj.object_type)),
        country_code=obj.owner_country or None,
        launch_date=obj.launch_date,
        site=obj.launch_site or None,
        decay_date=obj.decay_date,
        rcs_size=obj.rcs_size or None,
    )


def render_records(records: Iterable[ElementSetRecord], fmt: str) -> tuple[str, list[RecordError]]:
    """Text of `records` in one of TEXT_FORMATS, and the records that format cannot carry."""
    base, named = TEXT_FORMATS[fmt]
    out = io.StringIO()
    if not named:
        records = (_without_name(r) for r in records)
    errors = write_elements(records, base, out)
    return out.getvalue(), errors


def _without_name(rec: ElementSetRecord) -> ElementSetRecord:
    from dataclasses import replace

    return replace(rec, object_name=None)
