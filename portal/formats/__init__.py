"""Locale formats (FORMAT_MODULE_PATH)."""
