"""Grading, as named stages (each a function with a typed input and output)."""
