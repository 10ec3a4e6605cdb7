"""The simulated year: synthetic France through every branch, beside the published accounts."""
