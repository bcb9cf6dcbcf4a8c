"""How notebook 04's checks compare a result: when two results are the same, when a mistake counts."""

CONTAINERS = (list, tuple, dict)
"""The containers that messages describe by their type and length ("a dict of 3 items")."""
SAME = 1e-9
"""Relative misfit below which two results count as equal; a correct answer lands near 1e-15."""
DIFFERENT = 1e-6
"""A wrong variant is only named when it differs from the right answer by more than this."""
