"""Observations become an app of their own (`catalog.observations`, label `observations`): the
models leave the catalog app's state; their tables stay (see observations 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_batch_uct_count"),
        ("observations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name="observation",
                    name="batch",
                ),
                migrations.RemoveField(
                    model_name="observation",
                    name="near_stale_set",
                ),
                migrations.RemoveField(
                    model_name="observation",
                    name="residual_element_set",
                ),
                migrations.RemoveField(
                    model_name="observation",
                    name="runner_up",
                ),
                migrations.RemoveField(
                    model_name="observation",
                    name="sensor",
                ),
                migrations.RemoveField(
                    model_name="observation",
                    name="space_object",
                ),
                migrations.RemoveField(
                    model_name="observation",
                    name="tasking_request",
                ),
                migrations.DeleteModel(
                    name="IngestBatch",
                ),
                migrations.DeleteModel(
                    name="Observation",
                ),
            ],
        ),
    ]
