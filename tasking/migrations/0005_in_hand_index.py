"""The inbox's requests in hand, by SpOC and deadline, with their marking (a partial index)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tasking", "0004_generic_taken_message")]

    operations = [
        migrations.AddIndex(
            model_name="taskingrequest",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("proposed", "accepted", "scheduled", "collected", "delivered"))
                ),
                fields=["spoc", "response_deadline", "id"],
                include=("classification_level", "noforn", "rel_mask"),
                name="tasking_req_in_hand_due",
            ),
        ),
    ]
