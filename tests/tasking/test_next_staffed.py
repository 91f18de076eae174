"""When a SpOC's watch next opens: the moment its staffed hours begin, not a step after `now`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from portal.models import SpOC
from tasking.services.filing import next_staffed, staffing_warning

PARIS = ZoneInfo("Europe/Paris")


def office_hours(**changes: object) -> SpOC:
    """Staffed 08:00-16:00 local, Monday to Friday (an unsaved SpOC: the rule reads no table)."""
    fields = {
        "code": "xx-spoc",
        "name": "Test SpOC",
        "time_zone": "Europe/Paris",
        "staffed_24x7": False,
        "staffed_from": dt.time(8, 0),
        "staffed_until": dt.time(16, 0),
        "staffed_weekdays": "12345",
        **changes,
    }
    return SpOC(**fields)


def paris(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


def test_the_watch_opens_at_the_start_of_the_staffed_hours() -> None:
    # Wednesday 2 December 2026, nine minutes past midnight in Paris.
    assert next_staffed(office_hours(), paris(2026, 12, 2, 0, 9)) == paris(2026, 12, 2, 8, 0)
    assert next_staffed(office_hours(), paris(2026, 12, 2, 7, 59, 59)) == paris(2026, 12, 2, 8, 0)


def test_after_hours_on_friday_the_watch_opens_on_monday_morning() -> None:
    assert next_staffed(office_hours(), paris(2026, 12, 4, 16, 0)) == paris(2026, 12, 7, 8, 0)


def test_a_staffed_moment_is_its_own_opening() -> None:
    assert next_staffed(office_hours(), paris(2026, 12, 2, 9, 17)) == paris(2026, 12, 2, 9, 17)
    always = office_hours(staffed_24x7=True, staffed_from=None, staffed_until=None)
    assert next_staffed(always, paris(2026, 12, 5, 3, 0)) == paris(2026, 12, 5, 3, 0)


def test_an_overnight_watch_opens_in_the_evening_or_at_midnight_of_a_staffed_day() -> None:
    night = office_hours(staffed_from=dt.time(22, 0), staffed_until=dt.time(6, 0))
    assert next_staffed(night, paris(2026, 12, 2, 12, 0)) == paris(2026, 12, 2, 22, 0)
    # Saturday noon: Saturday and Sunday are not staffed; Monday's early hours are.
    assert next_staffed(night, paris(2026, 12, 5, 12, 0)) == paris(2026, 12, 7, 0, 0)


def test_the_opening_keeps_local_time_across_a_clock_change() -> None:
    # Paris goes from CET to CEST on Sunday 28 March 2027; Monday opens at 08:00 CEST (06:00 UTC).
    opening = next_staffed(office_hours(), paris(2027, 3, 26, 17, 0))
    assert opening == dt.datetime(2027, 3, 29, 6, 0, tzinfo=dt.UTC)


def test_a_spoc_never_staffed_has_no_opening() -> None:
    assert next_staffed(office_hours(staffed_weekdays=""), paris(2026, 12, 2, 0, 9)) is None


def test_the_warning_names_the_opening() -> None:
    now = paris(2026, 12, 2, 0, 9)
    warning = staffing_warning(office_hours(), now, now + dt.timedelta(hours=12))
    assert "next staffed Wed 08:00 local (2026-12-02 07:00 UTC)" in warning
