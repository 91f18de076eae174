"""Template tags of tasking."""
