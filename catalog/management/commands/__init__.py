"""Management commands of the catalog (`import_catalog`, `ingest_observations`)."""
