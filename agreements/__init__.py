"""Agreements, sensors and their integration tiers, tier criteria, evaluation periods, data plans."""
