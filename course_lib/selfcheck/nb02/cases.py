"""Notebook 02's cases: what one check is run on, how its inputs are drawn, how they are stored.

A case holds the inputs of one call, the expected results and the results of
the known mistakes on the same inputs ({slug: array}, slugs of
``mistakes.py``). The self-check reads its cases from the values stored with
the notebook (``stored_<x>_cases()``); the hidden check
(autograder/checks/nb02/fresh.py) draws other inputs with the same
``draw_*`` builders and completes them with course_lib's references.

Index conventions of the lecture network (Python lists are 0-based):
``Omegas[j-1]`` is Omega^j, ``zetas[j-1]`` is zeta^j, ``Bs[j-1]`` is B^j, but
``alphas[j]`` is alpha^j because alphas starts with alpha^0.

Stored keys of ``course_lib/selfcheck/nb02/stored.npz`` (k numbers the cases):
  net_n, net_{k}_*                  see NetCase.to_store
  linear_n, linear_{k}_{x,w,b,dout,out,dx,dw,db}
  softmax_n, softmax_{k}_{scores,probs}
  sce_n, sce_{k}_{scores,y,loss,dscores}
  mse_n, mse_{k}_{pred,target,loss,dpred}
and the known mistakes of a case ``prefix`` (see ``mistake_entries``):
  net_{k}__{zeta,alpha,B,gradOmega,gradbeta}_{j}, net_{k}__alpha_0, linear_{k}__out,
  softmax_{k}, sce_{k}__{loss,dscores}, mse_{k}__loss.
"""
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

import course_lib.selfcheck.stored as stored_values
from course_lib.gradcheck.naming import describe_shape
from course_lib.selfcheck.stored import (
    mistake_entries,
    stored,
)

NB = "nb02"


# ----------------------------------------------------------------------------- activations and costs
def sigmoid(z):
    """1 / (1 + exp(-z)), written with tanh so that no exp overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_prime(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def identity(z):
    return np.array(z, dtype=np.float64, copy=True)


def identity_prime(z):
    return np.ones(np.shape(z))


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "identity": (identity, identity_prime),
}
"""Phi and Phi' fed to the student's forward_pass and backward_pass, by name."""
ACTIVATION_NAMES = tuple(ACTIVATIONS)


def squared_error_grad(alpha_L, rho):
    """Per-sample gradient of the cost 1/2 ||alpha^L - rho||^2, one column per sample: alpha^L - rho."""
    return np.asarray(alpha_L, dtype=np.float64) - np.asarray(rho, dtype=np.float64)


# ----------------------------------------------------------------------------- stored layout of mistakes
def stored_mistakes(prefix):
    """The known mistakes {slug: array} of the stored case ``prefix``, in their stored order."""
    return stored_values.stored_mistakes(NB, prefix)


def stored_count(kind):
    """How many stored cases of ``kind`` there are (the entry "<kind>_n")."""
    return stored_values.stored_count(NB, kind)


# ----------------------------------------------------------------------------- the lecture network
NET_GROUPS = ("zeta", "alpha", "B", "gradOmega", "gradbeta")
"""The per-layer groups of a network's known mistakes: mistakes["zeta_2"] are those of zeta^2."""


@dataclass
class NetInputs:
    """A network and mini-batch in the lecture's column convention, as drawn.

    sizes (n_0, ..., n_L); M samples; act a key of ACTIVATIONS; alpha0 (n_0, M);
    Omegas[j-1] (n_{j-1}, n_j); betas[j-1] (n_j,) or (n_j, 1); rho (n_L, M).
    """

    act: str
    alpha0: np.ndarray
    Omegas: list
    betas: list
    rho: np.ndarray


@dataclass
class NetCase:
    """One network and mini-batch with its expected results and the known mistakes of each layer.

    Inputs as NetInputs; zetas[j-1], alphas[j], Bs[j-1] (n_j, M); grad_Omegas[j-1] (n_{j-1}, n_j);
    grad_betas[j-1] (n_j,); mistakes {"zeta_j" | "alpha_j" | "B_j" | "gradOmega_j" | "gradbeta_j" |
    "alpha_0": {slug: array}}. The cost is the per-sample 1/2 ||alpha^L - rho||^2
    (cost_grad = squared_error_grad).
    """

    act: str
    alpha0: np.ndarray
    Omegas: list
    betas: list
    rho: np.ndarray
    zetas: list
    alphas: list
    Bs: list
    grad_Omegas: list
    grad_betas: list
    mistakes: dict = field(default_factory=dict)

    @property
    def L(self):
        return len(self.Omegas)

    @property
    def M(self):
        return self.alpha0.shape[1]

    @property
    def sizes(self):
        return (self.alpha0.shape[0],) + tuple(O.shape[1] for O in self.Omegas)

    @property
    def phi(self):
        return ACTIVATIONS[self.act][0]

    @property
    def phi_prime(self):
        return ACTIVATIONS[self.act][1]

    def describe(self):
        column = ", betas as columns (n_j, 1)" if self.betas[0].ndim == 2 else ""
        return f"network n = {describe_shape(self.sizes)}, M = {self.M}, phi = {self.act}{column}"

    def dims(self):
        """Named sizes for messages: M and every n_j whose size is not shared with another."""
        named = {"M": self.M, **{f"n_{j}": n for j, n in enumerate(self.sizes)}}
        counts = {}
        for size in named.values():
            counts[size] = counts.get(size, 0) + 1
        return {k: v for k, v in named.items() if counts[v] == 1}

    def to_store(self, prefix):
        """Flat dict of arrays for an .npz file."""
        values = {f"{prefix}_L": np.array(self.L), f"{prefix}_act": np.array(ACTIVATION_NAMES.index(self.act)),
                  f"{prefix}_alpha0": self.alpha0, f"{prefix}_rho": self.rho}
        for j in range(1, self.L + 1):
            values[f"{prefix}_Omega_{j}"] = self.Omegas[j - 1]
            values[f"{prefix}_beta_{j}"] = self.betas[j - 1]
            values[f"{prefix}_zeta_{j}"] = self.zetas[j - 1]
            values[f"{prefix}_alpha_{j}"] = self.alphas[j]
            values[f"{prefix}_B_{j}"] = self.Bs[j - 1]
            values[f"{prefix}_gradOmega_{j}"] = self.grad_Omegas[j - 1]
            values[f"{prefix}_gradbeta_{j}"] = self.grad_betas[j - 1]
        for group, mistakes in self.mistakes.items():
            values.update(mistake_entries(f"{prefix}__{group}", mistakes))
        return values

    @classmethod
    def from_store(cls, prefix):
        L = int(stored(NB, f"{prefix}_L"))

        def layers(name):
            return [stored(NB, f"{prefix}_{name}_{j}") for j in range(1, L + 1)]

        groups = ["alpha_0"] + [f"{group}_{j}" for j in range(1, L + 1) for group in NET_GROUPS]
        alpha0 = stored(NB, f"{prefix}_alpha0")
        return cls(
            act=ACTIVATION_NAMES[int(stored(NB, f"{prefix}_act"))],
            alpha0=alpha0, Omegas=layers("Omega"), betas=layers("beta"), rho=stored(NB, f"{prefix}_rho"),
            zetas=layers("zeta"), alphas=[alpha0] + layers("alpha"), Bs=layers("B"),
            grad_Omegas=layers("gradOmega"), grad_betas=layers("gradbeta"),
            mistakes={group: stored_mistakes(f"{prefix}__{group}") for group in groups},
        )


@dataclass
class SampleMeanCase:
    """minibatch_gradients on one network: the batch's gradients must be the mean of the samples' ones."""

    net: NetCase


NET_SPECS = (
    # (n_0, ..., n_L), M, activation, betas stored as columns (n_j, 1)
    ((5, 5, 5, 5), 3, "sigmoid", False),  # square layers: a missing transpose or a wrong Omega gives numbers
    ((4, 6, 3, 7), 5, "sigmoid", False),  # every size distinct: a transpose shows in the shape
    ((3, 5, 4), 1, "tanh", True),         # a batch of one
)


def draw_net(sizes, M, act, columns, rng):
    """A random network and mini-batch: Omegas scaled by 1.5 / sqrt(n_in), rho inside phi's range."""
    Omegas = [rng.standard_normal((n_in, n_out)) * (1.5 / np.sqrt(n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    betas = [0.5 * rng.standard_normal((n, 1) if columns else n) for n in sizes[1:]]
    alpha0 = rng.standard_normal((sizes[0], M))
    if act == "sigmoid":
        rho = rng.uniform(0.05, 0.95, size=(sizes[-1], M))
    elif act == "tanh":
        rho = rng.uniform(-0.9, 0.9, size=(sizes[-1], M))
    else:
        rho = rng.standard_normal((sizes[-1], M))
    return NetInputs(act, alpha0, Omegas, betas, rho)


def stored_nets():
    return [NetCase.from_store(f"net_{k}") for k in range(stored_count("net"))]


def stored_gradient_cases():
    """Every stored network, then the mean-of-samples property on the first one with M > 1."""
    nets = stored_nets()
    return nets + [SampleMeanCase(next(c for c in nets if c.M > 1))]


# ----------------------------------------------------------------------------- linear (row convention)
@dataclass
class LinearCase:
    """x (N, D), w (D, M), b (M,), dout (N, M) with the expected out, dx, dw, db.

    fd: compare with finite differences of the student's forward, entry by entry; with an
    ``rng``, also along one random direction drawn from it (the hidden cases).
    """

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray
    dout: np.ndarray
    out: np.ndarray
    dx: np.ndarray
    dw: np.ndarray
    db: np.ndarray
    out_mistakes: dict = field(default_factory=dict)
    fd: bool = True
    rng: Optional[Any] = None


LINEAR_SPECS = ((4, 5, 3), (1, 6, 4))  # (N, D, M)
LINEAR_KEYS = ("x", "w", "b", "dout", "out", "dx", "dw", "db")


def draw_linear(N, D, M, rng):
    """(x, w, b, dout), all Gaussian."""
    x, w, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
    return x, w, b, rng.standard_normal((N, M))


def stored_linear_cases():
    return [LinearCase(*(stored(NB, f"linear_{k}_{key}") for key in LINEAR_KEYS),
                       out_mistakes=stored_mistakes(f"linear_{k}__out"))
            for k in range(stored_count("linear"))]


# ----------------------------------------------------------------------------- softmax and the losses
@dataclass
class SoftmaxCase:
    """scores (N, K) and the expected probabilities."""

    scores: np.ndarray
    probs: np.ndarray
    mistakes: dict = field(default_factory=dict)


@dataclass
class SoftmaxPropertiesCase:
    """Reference-free: rows of softmax(scores) are distributions, and a shift per row changes nothing."""

    scores: np.ndarray


@dataclass
class SceCase:
    """scores (N, K), labels y (N,), the expected mean loss and dscores; fd: finite differences of the loss."""

    scores: np.ndarray
    y: np.ndarray
    loss: float
    dscores: np.ndarray
    fd: bool = True
    loss_mistakes: dict = field(default_factory=dict)
    dscores_mistakes: dict = field(default_factory=dict)


@dataclass
class MseCase:
    """pred, target (N, K), the expected loss (1/(2N)) sum ||pred_i - target_i||^2 and dpred."""

    pred: np.ndarray
    target: np.ndarray
    loss: float
    dpred: np.ndarray
    fd: bool = True
    loss_mistakes: dict = field(default_factory=dict)


LARGE_SCORES = np.array([
    [1000.0, 1001.0, 999.0, 1002.0, 998.0],
    [-1000.0, -999.0, -1003.0, -1001.0, -1002.0],
    [0.5, -0.2, 3.0, 1.0, -2.0],
])
"""Rows at wildly different scales: exp overflows without the shift, and one global shift underflows."""

LARGE_CE_SCORES = np.array([
    [1000.0, 0.0, -1000.0, 500.0],
    [-800.0, -810.0, -805.0, -790.0],
    [2.0, 1.0, 0.5, -1.0],
])
LARGE_CE_LABELS = np.array([2, 1, 0])  # row 0's true class has probability exp(-2000): log of it needs log-sum-exp

MSE_SPECS = ((4, 3), (1, 5))           # (N, K)


def draw_sce(N, K, rng):
    """(scores, y) with every class label used when N >= K."""
    scores = 2.0 * rng.standard_normal((N, K))
    return scores, rng.permutation(np.arange(N) % K).astype(np.int64)


def draw_mse(N, K, rng):
    """(pred, target), both Gaussian."""
    return rng.standard_normal((N, K)), rng.standard_normal((N, K))


def stored_softmax_cases():
    """Stored cases (ordinary, a single row, very large and very negative scores), then the properties."""
    cases = [SoftmaxCase(stored(NB, f"softmax_{k}_scores"), stored(NB, f"softmax_{k}_probs"),
                         stored_mistakes(f"softmax_{k}")) for k in range(stored_count("softmax"))]
    return cases + [SoftmaxPropertiesCase(stored(NB, "softmax_0_scores"))]


def stored_sce_cases():
    cases = []
    for k in range(stored_count("sce")):
        scores = stored(NB, f"sce_{k}_scores")
        cases.append(SceCase(scores, stored(NB, f"sce_{k}_y"), float(stored(NB, f"sce_{k}_loss")),
                             stored(NB, f"sce_{k}_dscores"), bool(np.abs(scores).max() < 50),
                             stored_mistakes(f"sce_{k}__loss"), stored_mistakes(f"sce_{k}__dscores")))
    return cases


def stored_mse_cases():
    return [MseCase(stored(NB, f"mse_{k}_pred"), stored(NB, f"mse_{k}_target"), float(stored(NB, f"mse_{k}_loss")),
                    stored(NB, f"mse_{k}_dpred"), loss_mistakes=stored_mistakes(f"mse_{k}__loss"))
            for k in range(stored_count("mse"))]
