"""Each delivery stores how many of its observations association left uncorrelated, so the
home page counts the day's deliveries rather than their observations; existing batches are
counted once here."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def count_existing(apps: Any, schema_editor: Any) -> None:
    IngestBatch = apps.get_model("catalog", "IngestBatch")
    Observation = apps.get_model("catalog", "Observation")
    uncorrelated = (
        Observation.objects.filter(batch=OuterRef("pk"))
        .order_by()
        .values("batch")
        .annotate(n=Count("pk", filter=Q(association="uct")))
        .values("n")
    )
    IngestBatch.objects.update(uct=Coalesce(Subquery(uncorrelated), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_operators_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="ingestbatch",
            name="uct",
            field=models.PositiveIntegerField(
                default=0, help_text="Observations association left uncorrelated"
            ),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
