"""The catalog: space objects, element sets, sync, partner export, id mappings and observations."""
