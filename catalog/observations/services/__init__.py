"""What the observations app does: receive and ingest deliveries, check them against the sensor,
associate them with catalog objects, correct them with calibrated biases, and sweep what was
interrupted."""
