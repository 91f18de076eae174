"""The REST API: shared bases, the core's viewsets and the one router of every app's routes."""
