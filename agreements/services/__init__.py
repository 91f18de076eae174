"""Agreement rules as plain functions over the models: who may act on agreements and sensors,
which agreement covers a sensor at a time, tier fitness and evaluation progress, and the
sensor map."""
