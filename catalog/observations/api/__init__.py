"""The observations API."""
