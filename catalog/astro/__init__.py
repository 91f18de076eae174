"""Orbital math in plain numpy and sgp4, no Django: propagation, frames, time, visibility, estimators."""
