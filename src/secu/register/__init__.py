"""The national register: persons, households, employers, professionals, and their rights."""
