"""Observations: delivery, ingest, checks against the sensor, association, pages and tasks."""
