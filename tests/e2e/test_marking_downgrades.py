"""In the browser: a writer's downgrade on the portal's own edit page is refused with a message
that says why; the security officer's downgrade with a reason is made and audited."""

from __future__ import annotations

from typing import Any

import pytest

from agreements.models import Agreement
from agreements.seed import seed as seed_agreements
from portal.markings.marking import Level
from portal.models import AuditEvent, User

from .test_clearances import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_writers_downgrade_is_refused_and_the_officers_with_a_reason_is_made(
    coalition: dict[str, User], chromium_browser: Any, live_server: Any
) -> None:
    seed_agreements()
    agreement = (
        Agreement.objects.filter(classification_level__gte=Level.CUI, classification_level__lte=Level.SECRET)
        .order_by("pk")
        .first()
    )
    assert agreement is not None
    before = agreement.marking.banner

    admin = signed_in(chromium_browser, live_server, "agreement_admin")  # may edit agreements
    admin.goto(f"{live_server.url}/agreements/{agreement.pk}/edit/")
    admin.fill("input[name=marking]", "UNCLASSIFIED")
    admin.click("main form button:has-text('Save')")
    admin.wait_for_load_state()
    assert "Only the security officer may downgrade a marking." in admin.content()
    agreement.refresh_from_db()
    assert agreement.marking.banner == before

    officer = signed_in(chromium_browser, live_server, "security_officer")
    officer.goto(f"{live_server.url}/markings/agreements.agreement/{agreement.pk}/downgrade/")
    officer.fill("input[name=marking]", "UNCLASSIFIED")
    officer.fill("input[name=reason]", "released by the originator")
    officer.click("main form button:has-text('Change the marking')")
    officer.wait_for_load_state()
    assert "is now UNCLASSIFIED" in officer.content()
    agreement.refresh_from_db()
    assert agreement.marking.level == Level.UNCLASSIFIED
    event = AuditEvent.objects.filter(
        action="downgrade", model="agreements.agreement", object_id=str(agreement.pk)
    ).get()
    assert (event.actor_name, event.detail["reason"]) == ("security_officer", "released by the originator")
