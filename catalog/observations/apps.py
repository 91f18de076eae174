"""The observations app config: an app of its own inside the catalog package."""

from django.apps import AppConfig


class ObservationsConfig(AppConfig):
    name = "catalog.observations"
    label = "observations"
    verbose_name = "Observations"
    # Labels its models were stored under when observations were part of the catalog app: the
    # audit trail and task-run records written then still name them so (see portal.model_labels).
    former_model_labels = {"catalog.observation": "observation", "catalog.ingestbatch": "ingestbatch"}
