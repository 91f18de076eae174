"""Tasking's signal receivers: staff groups follow users; notifications due an e-mail queue it.

Partner staff belong to their SpOC's staff group, which holds the permissions to answer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from tasking.models import Notification
from tasking.services.notify import email_due
from tasking.tasks import send_notification_email


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def keep_staff_group(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    from tasking.services.staff import sync_staff_membership

    sync_staff_membership(instance)


@receiver(email_due, sender=Notification)
def queue_notification_email(sender: Any, notification_id: int, **kwargs: Any) -> None:
    send_notification_email.delay(notification_id)
