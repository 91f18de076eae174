"""Deliveries become marked records. Batches received before carry TOP SECRET//NOFORN until
reviewed: nothing about their payload is known here, so they fail closed."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_observations")]

    operations = [
        migrations.AddField(
            model_name="ingestbatch",
            name="classification_level",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "UNCLASSIFIED"),
                    (1, "CUI"),
                    (2, "CONFIDENTIAL"),
                    (3, "SECRET"),
                    (4, "TOP SECRET"),
                ],
                db_index=True,
                default=4,
                verbose_name="classification",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="noforn",
            field=models.BooleanField(default=True, verbose_name="NOFORN"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ingestbatch",
            name="rel_mask",
            field=models.BigIntegerField(default=1, verbose_name="releasable to (mask)"),
            preserve_default=False,
        ),
    ]
