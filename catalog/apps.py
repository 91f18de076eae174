"""The catalog app config."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
