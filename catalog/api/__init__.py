"""The catalog's API: element sets, objects, mappings, sync runs and observations."""
