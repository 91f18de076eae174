"""Catalog services: the element-set import and its parts, sync, export, id mappings."""
