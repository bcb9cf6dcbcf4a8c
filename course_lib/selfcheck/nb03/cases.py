"""Notebook 03's cases: what one check runs on, how its inputs are drawn, how it is stored.

A case holds the inputs of one call, the expected outputs, the outputs of the
known mistakes (``mistakes[output][key]``, keys of the catalogues in
mistakes.py) and its label ("case 2/3"). The self-check reads its cases back
from the values stored with the notebook (``stored_<kind>_cases()``); the
hidden check builds fresh ones (autograder/checks/nb03/fresh.py) with the
input builders below and expected values from course_lib's references.

Stored layout (``stored("nb03", key)``), per kind of case:
  <kind>_n                              the number of cases
  <kind>_<k>_<field>                    the case's inputs and expected outputs, the fields of its STORED
  <kind>_<k>_<output>__<mistake>        what a known mistake gives, e.g. conv2d_0_dx__no_stride
with kind in conv_delta, conv2d, maxpool, avgpool, im2col.

The input builders draw from an rng only; nothing here computes an answer.
"""
from dataclasses import dataclass, field, fields

import numpy as np

import course_lib.selfcheck.stored as stored_values
from course_lib.selfcheck.nb03.mistakes import OUTPUT_MISTAKES
from course_lib.selfcheck.stored import stored

NB = "nb03"


def conv_output_size(H, W, HH, WW, stride, pad):
    """(H', W') = (1 + (H + 2 pad - HH) // stride, 1 + (W + 2 pad - WW) // stride)."""
    return 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride


def case_label(k, n):
    """'case 2/3' for the case of index k = 1 of n."""
    return f"case {k + 1}/{n}"


# ----------------------------------------------------------------------------- the cases
@dataclass(frozen=True, eq=False)
class ConvDeltaCase:
    """Equation (7): delta^l (H, W) from delta^(l+1) (H - M + 1, W - M' + 1), w (M, M'), sigma'(z^l) (H, W)."""

    STORED = ("delta_next", "w", "sigma_prime_z", "delta")
    kind = "conv_delta"

    delta_next: np.ndarray
    w: np.ndarray
    sigma_prime_z: np.ndarray
    delta: np.ndarray             # the expected delta^l
    mistakes: dict                # {"delta": {key: array}}
    label: str


@dataclass(frozen=True, eq=False)
class Conv2dCase:
    """conv2d on x (N, C, H, W), w (F, C, HH, WW), b (F,): out and dout (N, F, H', W'), dx, dw, db.

    ``rng`` draws the directions of the finite-difference check of the backward.
    """

    STORED = ("x", "w", "b", "stride", "pad", "dout", "out", "dx", "dw", "db")
    kind = "conv2d"

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray
    stride: int
    pad: int
    dout: np.ndarray
    out: np.ndarray
    dx: np.ndarray
    dw: np.ndarray
    db: np.ndarray
    mistakes: dict                # {"out" | "dx" | "dw" | "db": {key: array}}
    label: str
    rng: np.random.Generator = field(default=None, repr=False)

    @property
    def text(self):
        """'(N=2, C=3, H=5, W=7, F=4, 3x3, stride 2, pad 1)', the case as the messages name it."""
        N, C, H, W = self.x.shape
        F, _, HH, WW = self.w.shape
        return f"(N={N}, C={C}, H={H}, W={W}, F={F}, {HH}x{WW}, stride {self.stride}, pad {self.pad})"


@dataclass(frozen=True, eq=False)
class PoolCase:
    """Max or average pooling (``kind``) of x (N, C, H, W) over size x size windows moved by stride."""

    STORED = ("x", "size", "stride", "dout", "out", "dx")

    kind: str                     # "maxpool" or "avgpool"
    x: np.ndarray
    size: int
    stride: int
    dout: np.ndarray
    out: np.ndarray
    dx: np.ndarray
    mistakes: dict                # {"out" | "dx": {key: array}}
    label: str
    rng: np.random.Generator = field(default=None, repr=False)

    @property
    def text(self):
        """'(N=2, C=3, H=4, W=6, 2x2 windows, stride 2)'."""
        N, C, H, W = self.x.shape
        return f"(N={N}, C={C}, H={H}, W={W}, {self.size}x{self.size} windows, stride {self.stride})"


@dataclass(frozen=True, eq=False)
class Im2colCase:
    """The columns (N, C*HH*WW, H'*W') of x (N, C, H, W) for HH x WW fields, stride and pad."""

    STORED = ("x", "HH", "WW", "stride", "pad", "cols")
    kind = "im2col"

    x: np.ndarray
    HH: int
    WW: int
    stride: int
    pad: int
    cols: np.ndarray
    mistakes: dict                # {"cols": {key: array}}
    label: str


# ----------------------------------------------------------------------------- drawing inputs
def conv_delta_inputs(shape, rng, sigma_prime):
    """delta^(l+1), w^(l+1) and sigma'(z^l) for z^l of H x W and a filter of M x M', shape = (H, W, M, M').

    z^l is drawn as 2 * N(0, 1), so sigma'(z^l) is not constant; ``sigma_prime``
    (the activation's derivative, given by the caller) maps it.
    """
    H, W, M, M2 = shape
    return (rng.standard_normal((H - M + 1, W - M2 + 1)), rng.standard_normal((M, M2)),
            sigma_prime(2.0 * rng.standard_normal((H, W))))


def conv_inputs(case, rng):
    """x, w, b, dout of one conv2d case (N, C, H, W, F, HH, WW, stride, pad); Gaussian, so nothing is symmetric."""
    N, C, H, W, F, HH, WW, stride, pad = case
    Ho, Wo = conv_output_size(H, W, HH, WW, stride, pad)
    return (rng.standard_normal((N, C, H, W)), rng.standard_normal((F, C, HH, WW)), rng.standard_normal(F),
            rng.standard_normal((N, F, Ho, Wo)))


def pool_inputs(case, rng):
    """x of one pooling case (N, C, H, W, size, stride) without ties (entries at least 0.08 apart), and dout."""
    N, C, H, W, size, stride = case
    n = N * C * H * W
    x = (rng.permutation(n) - n / 2) * 0.1 + rng.uniform(0.0, 0.02, n)
    Ho, Wo = 1 + (H - size) // stride, 1 + (W - size) // stride
    return x.reshape(N, C, H, W), rng.standard_normal((N, C, Ho, Wo))


def im2col_inputs(case, rng):
    """x of one im2col case (N, C, H, W, HH, WW, stride, pad)."""
    N, C, H, W = case[:4]
    return rng.standard_normal((N, C, H, W))


# ----------------------------------------------------------------------------- the stored layout
def stored_entries(kind, cases):
    """{key: array} of a list of cases of one kind, in the stored layout (the instructor's build writes it)."""
    values = {f"{kind}_n": np.array(len(cases))}
    for k, case in enumerate(cases):
        prefix = f"{kind}_{k}"
        values.update({f"{prefix}_{name}": np.asarray(getattr(case, name)) for name in case.STORED})
        for output, mistakes in case.mistakes.items():
            values.update({f"{prefix}_{output}__{key}": value for key, value in mistakes.items()})
    return values


def _read(cls, group, k, n, **extra):
    """Case k of n of the kind ``group`` from the stored values; ``extra`` fills the fields that are not stored."""
    prefix = f"{group}_{k}"
    types = {f.name: f.type for f in fields(cls)}
    values = {name: stored(NB, f"{prefix}_{name}") for name in cls.STORED}
    values = {name: int(value) if types[name] is int else value for name, value in values.items()}
    mistakes = {output: {key: stored(NB, f"{prefix}_{output}__{key}") for key in catalogue}
                for output, catalogue in OUTPUT_MISTAKES[group].items()}
    return cls(**values, mistakes=mistakes, label=case_label(k, n), **extra)


def _count(kind):
    return stored_values.stored_count(NB, kind)


def stored_conv_delta_cases():
    """The self-check's cases of equation (7)."""
    n = _count("conv_delta")
    for k in range(n):
        yield _read(ConvDeltaCase, "conv_delta", k, n)


def stored_conv2d_cases():
    """The self-check's conv2d cases; one generator (seed 303) draws the finite-difference directions of all."""
    n = _count("conv2d")
    rng = np.random.default_rng(303)
    for k in range(n):
        yield _read(Conv2dCase, "conv2d", k, n, rng=rng)


POOL_SEED = 3033
"""Seed of the finite-difference directions of the stored pooling cases."""


def stored_pool_cases(kind):
    """The self-check's cases of ``kind``, "maxpool" or "avgpool"."""
    n = _count(kind)
    rng = np.random.default_rng(POOL_SEED)
    for k in range(n):
        yield _read(PoolCase, kind, k, n, kind=kind, rng=rng)


def stored_maxpool_cases():
    return stored_pool_cases("maxpool")


def stored_avgpool_cases():
    return stored_pool_cases("avgpool")


def stored_im2col_cases():
    """The self-check's im2col cases (not graded)."""
    n = _count("im2col")
    for k in range(n):
        yield _read(Im2colCase, "im2col", k, n)
