"""Sensor calibration against calibration satellites: truth, residuals, runs."""
