"""The catalog app config."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self) -> None:
        from agreements import evidence
        from catalog.calibration.evidence import CalibrationRuns
        from catalog.services.sync import release_lost_run
        from portal.task_runs import run_lost

        run_lost.connect(release_lost_run, dispatch_uid="catalog.release_lost_run")
        evidence.register(CalibrationRuns())
