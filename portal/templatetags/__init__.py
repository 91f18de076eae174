"""Template tags of the project package."""
