"""Observations become an app of their own: the models move from the catalog app's state to
this one's. The tables stay where the catalog created them (`catalog_observation`,
`catalog_ingestbatch`), so nothing is written to the database but the content types' new label."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("observation", "ingestbatch")


def relabel_content_types(apps, schema_editor):
    # Permissions and object permissions point at the content type: keep the rows, rename them.
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="observations", model=model).exists():
            content_type.objects.filter(app_label="catalog", model=model).update(app_label="observations")


def unrelabel_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="catalog", model=model).exists():
            content_type.objects.filter(app_label="observations", model=model).update(app_label="catalog")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("agreements", "0005_generic_taken_message"),
        ("catalog", "0009_batch_uct_count"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_task_run_subject_and_conflicts"),
        ("tasking", "0004_generic_taken_message"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="IngestBatch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "classification_level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "UNCLASSIFIED"),
                                    (1, "CUI"),
                                    (2, "CONFIDENTIAL"),
                                    (3, "SECRET"),
                                    (4, "TOP SECRET"),
                                ],
                                db_index=True,
                                verbose_name="classification",
                            ),
                        ),
                        ("noforn", models.BooleanField(verbose_name="NOFORN")),
                        ("rel_mask", models.BigIntegerField(verbose_name="releasable to (mask)")),
                        ("delivered_by_name", models.CharField(max_length=150)),
                        ("received", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("finished", models.DateTimeField(blank=True, null=True)),
                        (
                            "channel",
                            models.CharField(
                                default="api", help_text="api, upload or command", max_length=10
                            ),
                        ),
                        ("data_format", models.CharField(blank=True, max_length=10)),
                        ("filename", models.CharField(blank=True, max_length=255)),
                        ("payload", models.FileField(max_length=255, upload_to="observations/%Y/%m/%d/")),
                        ("payload_sha256", models.CharField(db_index=True, max_length=64)),
                        ("payload_bytes", models.BigIntegerField(default=0)),
                        (
                            "sensor_number",
                            models.PositiveIntegerField(
                                blank=True, help_text="Named by the caller", null=True
                            ),
                        ),
                        ("requested_marking", models.CharField(blank=True, max_length=200)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("received", "Received"),
                                    ("accepted", "Accepted"),
                                    ("partial", "Partly accepted"),
                                    ("rejected", "Rejected"),
                                    ("failed", "Unreadable"),
                                ],
                                default="received",
                                max_length=10,
                            ),
                        ),
                        ("accepted", models.PositiveIntegerField(default=0)),
                        ("rejected", models.PositiveIntegerField(default=0)),
                        ("duplicates", models.PositiveIntegerField(default=0)),
                        (
                            "uct",
                            models.PositiveIntegerField(
                                default=0, help_text="Observations association left uncorrelated"
                            ),
                        ),
                        (
                            "errors",
                            models.JSONField(
                                blank=True, default=list, help_text="Per-record problems (first 1000)"
                            ),
                        ),
                        ("error_count", models.PositiveIntegerField(default=0)),
                        (
                            "message",
                            models.TextField(blank=True, help_text="Why the whole batch failed, if it did"),
                        ),
                        ("retryable", models.BooleanField(default=False)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        (
                            "delivered_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "spoc",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="ingest_batches",
                                to="portal.spoc",
                            ),
                        ),
                        (
                            "tasking_request",
                            models.ForeignKey(
                                blank=True,
                                help_text="The request this delivery answers, when the caller names one",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="tasking.taskingrequest",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "ingest batches",
                        "db_table": "catalog_ingestbatch",
                        "ordering": ["-received", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Observation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "classification_level",
                            models.PositiveSmallIntegerField(
                                choices=[
                                    (0, "UNCLASSIFIED"),
                                    (1, "CUI"),
                                    (2, "CONFIDENTIAL"),
                                    (3, "SECRET"),
                                    (4, "TOP SECRET"),
                                ],
                                db_index=True,
                                verbose_name="classification",
                            ),
                        ),
                        ("noforn", models.BooleanField(verbose_name="NOFORN")),
                        ("rel_mask", models.BigIntegerField(verbose_name="releasable to (mask)")),
                        ("ob_time", models.DateTimeField(db_index=True)),
                        ("client_id", models.CharField(blank=True, max_length=100)),
                        ("content_hash", models.CharField(max_length=32, unique=True)),
                        (
                            "data_mode",
                            models.CharField(
                                choices=[
                                    ("REAL", "Real"),
                                    ("TEST", "Test"),
                                    ("EXERCISE", "Exercise"),
                                    ("SIMULATED", "Simulated"),
                                ],
                                default="REAL",
                                max_length=9,
                            ),
                        ),
                        ("track_id", models.CharField(blank=True, max_length=100)),
                        (
                            "reported_sat_no",
                            models.PositiveIntegerField(
                                blank=True, help_text="As the sensor named it", null=True
                            ),
                        ),
                        ("reported_object", models.CharField(blank=True, max_length=100)),
                        ("range_km", models.FloatField(blank=True, null=True)),
                        ("range_unc_km", models.FloatField(blank=True, null=True)),
                        ("azimuth_deg", models.FloatField(blank=True, null=True)),
                        ("azimuth_unc_deg", models.FloatField(blank=True, null=True)),
                        ("elevation_deg", models.FloatField(blank=True, null=True)),
                        ("elevation_unc_deg", models.FloatField(blank=True, null=True)),
                        ("range_rate_km_s", models.FloatField(blank=True, null=True)),
                        ("range_rate_unc_km_s", models.FloatField(blank=True, null=True)),
                        ("ra_deg", models.FloatField(blank=True, null=True)),
                        ("ra_unc_deg", models.FloatField(blank=True, null=True)),
                        ("declination_deg", models.FloatField(blank=True, null=True)),
                        ("declination_unc_deg", models.FloatField(blank=True, null=True)),
                        ("frame", models.CharField(blank=True, max_length=10)),
                        ("magnitude", models.FloatField(blank=True, null=True)),
                        ("rcs_m2", models.FloatField(blank=True, null=True)),
                        ("snr_db", models.FloatField(blank=True, null=True)),
                        ("range_km_corr", models.FloatField(blank=True, null=True)),
                        ("azimuth_deg_corr", models.FloatField(blank=True, null=True)),
                        ("elevation_deg_corr", models.FloatField(blank=True, null=True)),
                        ("range_rate_km_s_corr", models.FloatField(blank=True, null=True)),
                        ("ra_deg_corr", models.FloatField(blank=True, null=True)),
                        ("declination_deg_corr", models.FloatField(blank=True, null=True)),
                        (
                            "association",
                            models.CharField(
                                choices=[
                                    ("pending", "Not yet associated"),
                                    ("associated", "Associated"),
                                    ("uct", "Uncorrelated track (UCT)"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        (
                            "residual_angle_deg",
                            models.FloatField(blank=True, help_text="Observed minus predicted", null=True),
                        ),
                        ("residual_range_km", models.FloatField(blank=True, null=True)),
                        ("residual_azimuth_deg", models.FloatField(blank=True, null=True)),
                        ("residual_elevation_deg", models.FloatField(blank=True, null=True)),
                        ("residual_range_rate_km_s", models.FloatField(blank=True, null=True)),
                        ("residual_ra_deg", models.FloatField(blank=True, null=True)),
                        ("residual_declination_deg", models.FloatField(blank=True, null=True)),
                        (
                            "association_candidates",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="How many catalog objects passed the association gate",
                                null=True,
                            ),
                        ),
                        (
                            "association_score",
                            models.FloatField(
                                blank=True,
                                help_text="Chi-square of the residuals of the associated object",
                                null=True,
                            ),
                        ),
                        (
                            "runner_up_score",
                            models.FloatField(blank=True, help_text="Chi-square of the runner-up", null=True),
                        ),
                        (
                            "tier_at_ingest",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Integration level of the sensor when delivered; empty for US SSN",
                                null=True,
                            ),
                        ),
                        (
                            "missions_mask",
                            models.PositiveIntegerField(
                                default=0, help_text="Missions the record is fit for (bits)"
                            ),
                        ),
                        ("ingested", models.DateTimeField(auto_now_add=True)),
                        (
                            "batch",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="observations",
                                to="observations.ingestbatch",
                            ),
                        ),
                        (
                            "near_stale_set",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                help_text="For a UCT: the nearest object checked, whose element set was stale",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="catalog.spaceobject",
                            ),
                        ),
                        (
                            "residual_element_set",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                help_text="The element set the residuals were computed from",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="catalog.elementset",
                            ),
                        ),
                        (
                            "runner_up",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                help_text="The next best object that passed the gate",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="catalog.spaceobject",
                            ),
                        ),
                        (
                            "sensor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="observations",
                                to="agreements.sensor",
                            ),
                        ),
                        (
                            "space_object",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="observations",
                                to="catalog.spaceobject",
                            ),
                        ),
                        (
                            "tasking_request",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="observations",
                                to="tasking.taskingrequest",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "catalog_observation",
                        "ordering": ["-ob_time", "-id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="ingestbatch",
                    index=models.Index(fields=["-received", "-id"], name="catalog_batch_newest"),
                ),
                migrations.AddIndex(
                    model_name="observation",
                    index=models.Index(fields=["sensor", "ob_time"], name="catalog_obs_sensor_time"),
                ),
                migrations.AddIndex(
                    model_name="observation",
                    index=models.Index(fields=["space_object", "ob_time"], name="catalog_obs_object_time"),
                ),
                migrations.AddIndex(
                    model_name="observation",
                    index=models.Index(fields=["-ob_time", "-id"], name="catalog_obs_newest"),
                ),
                migrations.AddConstraint(
                    model_name="observation",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("client_id", ""), _negated=True),
                        fields=("sensor", "client_id"),
                        name="catalog_obs_unique_sensor_client_id",
                    ),
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, unrelabel_content_types),
    ]
