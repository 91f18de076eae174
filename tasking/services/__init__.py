"""Tasking workflow services: plain functions over the models, raising portal.errors exceptions."""
