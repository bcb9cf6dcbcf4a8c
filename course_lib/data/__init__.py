"""Data sets: scikit-learn digits, synthetic 2-D sets and test functions, MNIST IDX files."""
from course_lib.data.digits import DataSplits, load_digits, standardization_stats
from course_lib.data.idx import IdxFormatError, load_mnist, parse_idx, read_idx
from course_lib.data.synthetic import (
    make_blobs,
    make_spirals,
    quadratic_bowl,
    quadratic_bowl_hessian,
    rosenbrock,
    rosenbrock_gradient,
    rosenbrock_hessian,
    rosenbrock_hessian_at,
    rosenbrock_value,
)

__all__ = [
    "DataSplits", "load_digits", "standardization_stats",
    "IdxFormatError", "load_mnist", "parse_idx", "read_idx",
    "make_blobs", "make_spirals", "quadratic_bowl", "quadratic_bowl_hessian",
    "rosenbrock", "rosenbrock_hessian", "rosenbrock_value", "rosenbrock_gradient", "rosenbrock_hessian_at",
]
