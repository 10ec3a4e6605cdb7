"""A small deterministic demo population (the calibrated synthetic France comes later)."""
