"""Batch computation over the synthetic France: the monthly job and the engines that run it (README.md)."""
