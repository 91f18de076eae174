"""Names of the observation tasks, for the modules that queue them without importing them."""

ASSOCIATE_TASK = "catalog.associate_batch"
RETRY_TASK = "catalog.retry_ingest"
SWEEP_TASK = "catalog.requeue_pending"
