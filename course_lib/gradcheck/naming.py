"""Say numbers and shapes in terms of the problem's named dimensions.

A diagnosis reads better as "off by a factor of 1/N" than as "off by a factor
of 0.25", and as "shape (3, 5) = (M, D)" than as "shape (3, 5)". ``dims`` is a
dict such as ``{"N": 4, "D": 5, "M": 3}``; sizes of 1 are ignored because they
would name every number.
"""
import itertools
from fractions import Fraction

import numpy as np

_FACTOR_RTOL = 1e-4  # a fitted factor is known to about the match tolerance of diagnose


def _usable_dims(dims):
    if not dims:
        return {}
    return {str(k): int(v) for k, v in dims.items() if int(v) > 1}


def _power(name, exponent):
    return name if exponent == 1 else f"{name}^{exponent}"


def _ratio_text(numerator, denominator):
    """Join factor lists into 'N*D', '1/N', 'N/D' or '1/(N*D)'."""
    top = "*".join(numerator) if numerator else "1"
    if not denominator:
        return top
    bottom = "*".join(denominator)
    if len(denominator) > 1:
        bottom = f"({bottom})"
    return f"{top}/{bottom}"


def _candidate_expressions(dims):
    """Yield (complexity, value, numerator, denominator) for products of dims^e.

    Exponents run over -2..2 (a gradient averaged twice is off by 1/N^2) for
    up to five dimensions, over -1..1 beyond that to stay cheap; a constant 2
    or 1/2 may also appear (a forgotten 0.5 in a squared loss).
    """
    names = list(dims)
    exponents = range(-2, 3) if len(names) <= 5 else range(-1, 2)
    for powers in itertools.product(exponents, repeat=len(names)):
        for const in (1, 2, Fraction(1, 2)):
            value = float(const)
            numerator, denominator = [], []
            if const == 2:
                numerator.append("2")
            elif const != 1:
                denominator.append("2")
            for name, p in zip(names, powers):
                value *= float(dims[name]) ** p
                if p > 0:
                    numerator.append(_power(name, p))
                elif p < 0:
                    denominator.append(_power(name, -p))
            # A named dimension explains a factor better than a bare 2 does.
            complexity = sum(abs(p) for p in powers) + (1.5 if const != 1 else 0)
            yield complexity, value, numerator, denominator


def dims_ratio(c, dims=None):
    """The simplest ratio of named dimensions equal to ``c`` (e.g. "1/N"), or None."""
    c = float(c)
    size = abs(c)
    best = None
    for complexity, value, numerator, denominator in _candidate_expressions(_usable_dims(dims)):
        if not numerator and not denominator:
            continue  # c == 1 is not a factor worth naming
        if abs(value - size) <= _FACTOR_RTOL * size:
            if best is None or complexity < best[0]:
                best = (complexity, numerator, denominator)
    if best is None:
        return None
    _, numerator, denominator = best
    sign = "-" if c < 0 else ""
    return sign + _ratio_text(numerator, denominator), sign + _ratio_text(denominator, numerator)


def name_factor(c, dims=None):
    """Name the constant ``c`` as a ratio of named dimensions when one matches.

    Returns ``(text, inverse_text)``, e.g. ``("1/N", "N")`` for c = 1/N,
    ``("N*D", "1/(N*D)")``, ``("-1/N", "-N")``. When no ratio of dimensions
    matches, a simple fraction such as ``"1/3"`` is used, else the number
    itself with 4 significant digits.
    """
    named = dims_ratio(c, dims)
    if named is not None:
        return named
    c = float(c)
    sign = "-" if c < 0 else ""
    size = abs(c)
    fraction = Fraction(size).limit_denominator(16)
    if fraction.numerator and abs(float(fraction) - size) <= _FACTOR_RTOL * size:
        text = str(fraction)
        inverse = str(1 / fraction)
        return sign + text, sign + inverse
    return f"{c:.4g}", f"{1.0 / c:.4g}" if c != 0 else "inf"


def describe_shape(shape, dims=None):
    """'(3, 5) = (M, D)' when sizes can be named unambiguously, else '(3, 5)'."""
    shape = tuple(int(s) for s in shape)
    plain = str(shape) if len(shape) != 1 else f"({shape[0]},)"
    by_size = {}
    for name, size in _usable_dims(dims).items():
        by_size.setdefault(size, []).append(name)
    named = [by_size[s][0] if len(by_size.get(s, [])) == 1 else str(s) for s in shape]
    if not any(len(by_size.get(s, [])) == 1 for s in shape):
        return plain
    inner = ", ".join(named) + ("," if len(named) == 1 else "")
    return f"{plain} = ({inner})"


def describe_index(index):
    """An index tuple as '(1, 2)' with plain ints (numpy ints print as np.int64(1))."""
    return "(" + ", ".join(str(int(i)) for i in index) + ("," if len(index) == 1 else "") + ")"


def format_value(x):
    """A float with 6 significant digits, for messages."""
    return f"{float(x):.6g}" if np.isfinite(x) else str(float(x))
