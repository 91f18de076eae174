"""Running background work so that it is recorded, never done twice, and never lost.

Every Celery task of the project is declared with `recorded_task`: its run is a `TaskRun` row
under an idempotency key, so a second delivery of the same work finds the first. While it runs,
a thread moves the row's `heartbeat` on every `TASK_RUN_HEARTBEAT_S`; a run silent for longer
than `TASK_RUN_LEASE_S` lost its worker (killed, host gone) and is taken over by whichever
delivery comes next — the broker's redelivery, or the one `recover` queues from the periodic
sweep. Whatever a lost run held (a sync source, for instance) is released by the receivers of
`run_lost`.

How the limits fit together (settings, each overridable from the environment):
heartbeat (30 s) x 3 <= lease (5 min) — a busy database may delay a beat, not three; the soft
and hard time limits (25 / 30 min) end a stuck task well before the broker's visibility timeout
(45 min) would hand its message to a second worker while the first still works.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, close_old_connections, transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from portal import audit, ownership
from portal.model_labels import model_for
from portal.models import TaskRun, TaskRunStatus
from portal.references import readable

log = logging.getLogger(__name__)

# Sent with `run=` when a run is found to have lost its worker, before its work starts again.
run_lost = Signal()

# Failures worth another try later: the database or the broker went away for a moment.
RETRY_ON: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, ConnectionError)


# What a run is about: ("app_label.model", id).
Subject = tuple[str, int]


def subject_of(obj: Any) -> Subject:
    return (obj._meta.label_lower, int(obj.pk))


def about(run: TaskRun, obj: Any) -> None:
    """Record that `run` is about `obj` (when that is known only once the work has begun)."""
    run.subject_model, run.subject_id = subject_of(obj)
    TaskRun.objects.filter(pk=run.pk).update(subject_model=run.subject_model, subject_id=run.subject_id)


def runs_visible_to(user: Any) -> QuerySet[TaskRun]:
    """The background runs `user` may see: a run about a record to whoever may read that record
    (`references.readable`: its marking, and for a SpOC's records `ownership.of_visible_spocs`);
    a run about no record (periodic work, whose counts range over every record) only to those
    who read everything (`ownership.reads_everything`)."""
    runs = TaskRun.objects.all()
    if ownership.reads_everything(user):
        return runs
    if not getattr(user, "is_authenticated", False):
        return runs.none()
    rule = Q(pk__in=[])
    labels = runs.exclude(subject_model="").values_list("subject_model", flat=True).distinct().order_by()
    for label in labels:
        try:
            model = model_for(label)
        except LookupError:
            continue
        rule |= Q(subject_model=label, subject_id__in=readable(model, user).values("pk"))
    return runs.filter(rule)


class AlreadyDone(Exception):
    """Another delivery of the same run finished (or is running) first."""

    def __init__(self, run: TaskRun) -> None:
        super().__init__(f"run {run.idempotency_key} already {run.status}")
        self.run = run


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TASK_RUN_LEASE_S)


def lost_reason(run: TaskRun) -> str:
    lease_s = settings.TASK_RUN_LEASE_S
    return f"worker {run.worker or '?'} lost: no heartbeat for longer than the {lease_s} s lease"


def start_run(
    name: str,
    idempotency_key: str | None = None,
    *,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    subject: Subject | None = None,
) -> TaskRun:
    """Create the run's record; a second delivery with the same key raises AlreadyDone.

    The key is free again when the run failed, or when it is still RUNNING but its worker has
    been silent past the lease: the worker died, and this delivery takes the run over.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return TaskRun.objects.create(
                name=name,
                idempotency_key=idempotency_key,
                worker=socket.gethostname(),
                heartbeat=now,
                args=args or [],
                kwargs=kwargs or {},
                subject_model=subject[0] if subject else "",
                subject_id=subject[1] if subject else None,
            )
    except IntegrityError:
        existing = TaskRun.objects.get(idempotency_key=idempotency_key)
    if existing.status == TaskRunStatus.RUNNING and _silent(existing, now) and _mark_lost(existing, now):
        existing.refresh_from_db()
    if existing.status == TaskRunStatus.FAILED:
        updated = TaskRun.objects.filter(pk=existing.pk, status=TaskRunStatus.FAILED).update(
            status=TaskRunStatus.RUNNING,
            finished=None,
            started=now,
            heartbeat=now,
            worker=socket.gethostname(),
            attempts=existing.attempts + 1,
        )
        if updated == 1:
            existing.refresh_from_db()
            return existing
    raise AlreadyDone(existing)


def _silent(run: TaskRun, now: dt.datetime) -> bool:
    return run.heartbeat is None or run.heartbeat < now - lease()


def _mark_lost(run: TaskRun, now: dt.datetime) -> bool:
    """Fail a RUNNING run whose worker went silent; False if someone else already did."""
    reason = lost_reason(run)
    updated = TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.RUNNING, heartbeat=run.heartbeat).update(
        status=TaskRunStatus.FAILED, finished=now, error=reason
    )
    if updated != 1:
        return False
    run.status, run.error = TaskRunStatus.FAILED, reason
    run_lost.send(sender=TaskRun, run=run, reason=reason)
    return True


def beat(run: TaskRun) -> None:
    """Prove that the run's worker is alive (moves the lease on)."""
    TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.RUNNING).update(heartbeat=timezone.now())


def finish_run(run: TaskRun, counts: dict[str, Any] | None = None) -> None:
    TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.RUNNING).update(
        status=TaskRunStatus.SUCCEEDED, finished=timezone.now(), counts=counts or {}, error=""
    )


def fail_run(run: TaskRun, error: str, counts: dict[str, Any] | None = None) -> None:
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRunStatus.FAILED, finished=timezone.now(), error=error[:10000], counts=counts or {}
    )


class _Beater(threading.Thread):
    """Moves a run's heartbeat on from its own database connection while the work goes on."""

    def __init__(self, run: TaskRun) -> None:
        super().__init__(name=f"heartbeat-{run.pk}", daemon=True)
        self.task_run = run
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.TASK_RUN_HEARTBEAT_S):
                try:
                    beat(self.task_run)
                except Exception:  # a missed beat is retried at the next one
                    log.warning("heartbeat of run %s failed", self.task_run.pk, exc_info=True)
                    close_old_connections()
        finally:
            from django.db import connection

            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


@contextlib.contextmanager
def recorded_run(
    name: str,
    idempotency_key: str | None = None,
    *,
    args: list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    subject: Subject | None = None,
) -> Iterator[tuple[TaskRun, dict[str, Any]]]:
    """`with recorded_run("sync", key) as (run, counts): ...` — counts are saved at the end.

    With real workers a heartbeat thread keeps the run's lease while the block runs; in
    process (tasks eager) the run lives no longer than the request that started it.
    """
    run = start_run(name, idempotency_key, args=args, kwargs=kwargs, subject=subject)
    counts: dict[str, Any] = {}
    beater = None if current_app.conf.task_always_eager else _Beater(run)
    if beater is not None:
        beater.start()
    try:
        yield run, counts
    except BaseException:
        fail_run(run, traceback.format_exc(limit=5), counts)
        raise
    finally:
        if beater is not None:
            beater.stop()
    finish_run(run, counts)


Work = Callable[..., dict[str, Any] | None]


def recorded_task(
    name: str,
    *,
    key: Callable[..., str | None] | None = None,
    subject: Callable[..., Subject | None] | None = None,
    stored_args: Callable[..., list[Any]] | None = None,
    **options: Any,
) -> Callable[[Work], Any]:
    """Declare a Celery task whose every run is recorded, done once per key, and retried.

    The decorated function takes `(run, counts, *args)` and may return more fields for the
    result; `key(*args)` names the logical run (None: every delivery is a run of its own).
    A delivery that finds its run done answers `{"duplicate": True, ...}`. Database and broker
    hiccups are retried with exponential backoff and jitter. `stored_args(*args)` gives the
    arguments the run records (and the recovery sweep queues again), where they are not the
    task's own (results of a chord, too large to keep).
    """

    def decorate(work: Work) -> Any:
        @shared_task(
            name=name,
            autoretry_for=RETRY_ON,
            retry_backoff=5,
            retry_backoff_max=600,
            retry_jitter=True,
            max_retries=8,
            **options,
        )
        @functools.wraps(work)
        def task(*args: Any, **kwargs: Any) -> dict[str, Any]:
            # Background work is the portal's own, wherever it runs: in process (the embedded
            # default) it would otherwise be recorded as the user whose request queued it.
            with audit.acting_as(audit.Actor()):
                return perform(*args, **kwargs)

        def perform(*args: Any, **kwargs: Any) -> dict[str, Any]:
            run_key = key(*args, **kwargs) if key is not None else None
            about_ = subject(*args, **kwargs) if subject is not None else None
            try:
                kept = stored_args(*args, **kwargs) if stored_args is not None else list(args)
                with recorded_run(name, run_key, args=kept, kwargs=kwargs, subject=about_) as (
                    run,
                    counts,
                ):
                    extra = work(run, counts, *args, **kwargs) or {}
            except AlreadyDone as done:
                return {"run_id": str(done.run.run_id), "duplicate": True}
            return {"run_id": str(run.run_id), "duplicate": False, **counts, **extra}

        task.recorded = True
        return task

    return decorate


def per_minute(name: str) -> Callable[..., str]:
    """A key for periodic work: the caller's own, or one run per minute."""

    def key(given: str | None = None, **options: Any) -> str:
        return given or f"{name}:{timezone.now():%Y-%m-%dT%H:%M}"

    return key


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits, never failing the caller.

    In process (tasks eager) the task runs at once. With a broker that is down the work is not
    lost: it stays pending in the database and the periodic sweeps queue it again later.
    """
    if task.app.conf.task_always_eager:
        task(*args, **kwargs)
        return

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:
            log.warning("could not queue %s%r; a sweep queues it later", task.name, args, exc_info=True)

    transaction.on_commit(send)


def enqueue_named(name: str, *args: Any, **kwargs: Any) -> None:
    """`enqueue` for a task known by its registered name: the module that queues work then
    need not import the module that defines the task (which may import it back)."""
    from celery import current_app

    enqueue(current_app.tasks[name], *args, **kwargs)


def recover(now: dt.datetime | None = None) -> dict[str, int]:
    """Fail every RUNNING run silent past its lease and queue its work again.

    A re-queued delivery takes the failed run over (same key), so the work is done once; work
    whose task is unknown to this installation is only marked failed.
    """
    now = now or timezone.now()
    recovered = requeued = 0
    cutoff = now - lease()
    stale = TaskRun.objects.filter(status=TaskRunStatus.RUNNING).filter(
        Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, started__lt=cutoff)
    )
    for run in list(stale.order_by("heartbeat")[:500]):
        if not _mark_lost(run, now):
            continue
        recovered += 1
        task = current_app.tasks.get(run.name)
        if task is not None and getattr(task, "recorded", False):
            enqueue(task, *run.args, **run.kwargs)
            requeued += 1
    return {"recovered": recovered, "requeued": requeued}
