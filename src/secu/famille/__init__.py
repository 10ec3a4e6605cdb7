"""Famille (CAF): monthly family rights computed from household frames (see README.md in this folder)."""
