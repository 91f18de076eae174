"""The explorer's residual sparklines read a partial index: a sensor's newest residuals, newest first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0005_generic_taken_message"),
        ("catalog", "0010_observations_own_app"),
        ("observations", "0001_initial"),
        ("tasking", "0004_generic_taken_message"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="observation",
            index=models.Index(
                condition=models.Q(("association", "associated"), ("residual_angle_deg__isnull", False)),
                fields=["sensor", "-ob_time", "-id"],
                name="catalog_obs_sensor_residuals",
            ),
        ),
    ]
