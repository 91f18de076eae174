"""Celery tasks of tasking: they take ids or nothing, are safe to run twice, and record their runs."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from portal.models import TaskRun
from portal.task_runs import per_minute, recorded_task
from tasking.models import Notification
from tasking.services import sweeps
from tasking.services.notify import email_subject_and_body


@recorded_task("tasking.expire_overdue", key=per_minute("tasking.expire_overdue"))
def expire_overdue(run: TaskRun, counts: dict[str, Any], key: str | None = None) -> None:
    """Every minute: expire unanswered requests and remind partners of deadlines coming up."""
    counts.update(sweeps.expire_overdue())
    counts.update(sweeps.remind_deadlines())


@recorded_task("tasking.settle_fulfilment", key=per_minute("tasking.settle_fulfilment"))
def settle_fulfilment(run: TaskRun, counts: dict[str, Any], key: str | None = None) -> None:
    """Every few minutes: count delivered observations against requests being executed."""
    counts.update(sweeps.settle_in_execution())
    counts.update(sweeps.refresh_before_execution())


@shared_task(name="tasking.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    """Send one notification's e-mail once; a second delivery of the task finds it sent."""
    notification = (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .select_related("user", "request")
        .first()
    )
    if notification is None or not notification.user.email:
        return False
    if not Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    ):
        return False
    subject, body = email_subject_and_body(notification)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
    return True


@recorded_task("tasking.retask")
def retask(run: TaskRun, counts: dict[str, Any], at: str | None = None) -> dict[str, Any]:
    """On a schedule and whenever a request becomes unmet: retask the SSN for the unmet demand.

    One run per input snapshot; a second delivery (or a run with nothing new) finds it done. A
    delivery whose worker was lost is queued again by `recover`; it takes the failed run over.
    A run of more targets than `settings.RETASK_CHUNK_TARGETS` is split: its access windows are
    predicted by `retask_chunk` tasks and the run is finished by `retask_finish`.
    """
    import datetime as dt

    from tasking.services import retask_split, retasking

    when = dt.datetime.fromisoformat(at) if at else None
    try:
        planned = retasking.run_retasking(when, task_run=run, split=retask_split.dispatch)
    except retasking.AlreadyPlanned as done:
        counts["already_planned"] = 1
        return {"run": done.run.pk, "duplicate": True}
    if planned.status == "running":  # split: the chunks' callback finishes it
        counts["chunks"] = planned.inputs.get("chunks", 0)
    counts.update(planned.outputs)
    return {"run": planned.pk}


@shared_task(name="tasking.retask_chunk", ignore_result=False)
def retask_chunk(
    pairs: list[list[Any]], fields: list[dict[str, Any]], start: str, end: str
) -> dict[str, Any]:
    """One chunk of a split retasking run: the access windows of its targets (no table touched,
    so a second delivery only computes them again)."""
    from tasking.services import retask_split

    return retask_split.chunk_windows(pairs, fields, start, end)


@recorded_task(
    "tasking.retask_finish",
    key=lambda chunks, run_pk: f"tasking.retask_finish:{run_pk}",
    # Recorded without the chunks: the recovery sweep queues it again with none, and it then
    # predicts in process.
    stored_args=lambda chunks, run_pk: [None, run_pk],
)
def retask_finish(
    run: TaskRun, counts: dict[str, int], chunks: list[dict[str, Any]] | None, run_pk: int
) -> dict[str, Any]:
    """The callback of a split retasking run: schedule, book and record it, once."""
    from tasking.services import retasking

    try:
        planned = retasking.finish_split_run(run_pk, chunks, task_run=run)
    except retasking.AlreadyPlanned:
        counts["already_planned"] = 1
        return {"run": run_pk, "duplicate": True}
    counts.update(planned.outputs)
    return {"run": run_pk}


@shared_task(name="tasking.retask_split_failed")
def retask_split_failed(request: Any = None, exc: Any = None, traceback: Any = None, *, run_pk: int) -> None:
    """A chunk of a split run failed for good: the run fails, so the next delivery of the same
    snapshot takes it over."""
    from tasking.models import RetaskingRun

    RetaskingRun.objects.filter(pk=run_pk, status="running").update(
        status="failed", error=f"a chunk of the access windows failed: {exc}"[:2000], finished=timezone.now()
    )
