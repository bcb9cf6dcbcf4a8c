"""Hostile and broken submissions: each must cost only the tests it names, with a clear message.

    from autograder.demo.answer_cells.broken import BROKEN
    item = BROKEN[0]
    item.assignment, item.label
    item.cells           # {grade_id: answer-cell source} swapped into the solution notebook
    item.deleted         # grade_ids of answer cells removed from the notebook
    item.notebook_text   # not None: the whole file is this text instead (not a notebook at all)
    item.costs           # {test grade_id: (status, phrase)}: the tests it costs, their record
                         # status and a phrase of their message; every other test keeps full marks

They are what the design promises to survive: code that loops forever,
ends or crashes its process, allocates without bound, prints megabytes,
spawns processes, monkeypatches numpy or the checker, returns values whose
comparisons lie; cells that do not parse, deleted functions and files that
are not notebooks. autograder.demo.class_builder.build_notebook turns one
into a notebook.
"""
from dataclasses import dataclass, field

ALL_TESTS = "*"   # in ``costs``: every test of the assignment


@dataclass(frozen=True)
class Broken:
    assignment: str
    label: str
    costs: dict
    cells: dict = field(default_factory=dict)
    deleted: tuple = ()
    notebook_text: str = None


BROKEN = [
    Broken("01_backprop", "tanh_forward loops forever", {
        "test_tanh": ("timeout", "tanh_forward did not finish within"),
    }, cells={"tanh": """\
def tanh_forward(x):
    out = np.tanh(x)
    while True:          # waits for a convergence that never comes
        out = np.tanh(out + x) - x + out - out
    return out, out


def tanh_backward(dout, cache):
    return dout * (1.0 - cache ** 2)
"""}),
    Broken("02_minibatch", "softmax ends the process with os._exit", {
        "test_softmax": ("error", "exited with code 0"),
    }, cells={"softmax": """\
import os


def softmax(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    os._exit(0)
    return e / e.sum(axis=1, keepdims=True)
"""}),
    Broken("05_optimizers", "SGD.step calls sys.exit()", {
        "test_SGD": ("error", "called exit("),
    }, cells={"SGD": """\
import sys


class SGD:
    def __init__(self, eta=None, *, schedule=None):
        self.eta, self.schedule, self.t = eta, schedule, 0

    def step(self, theta, grad_fn):
        if self.t > 2:
            sys.exit("stopping here")
        eta = self.eta if self.schedule is None else self.schedule(self.t)
        self.t += 1
        return theta - eta * grad_fn(theta)
"""}),
    Broken("03_cnn_backprop", "maxpool_forward crashes with a segmentation fault (ctypes)", {
        "test_maxpool_forward": ("error", "segmentation fault"),
        "test_maxpool_backward": ("error", "segmentation fault"),
    }, cells={"maxpool_forward": """\
import ctypes


def maxpool_forward(x, size=2, stride=2):
    ctypes.string_at(0)          # reads address 0
    return x, (x, size, stride)
"""}),
    Broken("04_vanishing_gradients", "clip_by_value allocates without bound", {
        "test_clip_by_value": ("error", "MB of memory"),
    }, cells={"clip_by_value": """\
def clip_by_value(grads, limit):
    history = []
    while True:                  # keeps every intermediate copy, forever
        history.append(np.empty(50_000_000))
    return grads
"""}),
    Broken("04_vanishing_gradients", "he_init starts a child process", {
        "test_he_init": ("error", "he_init raised"),
    }, cells={"he_init": """\
import subprocess


def he_init(r_in, r_out, rng):
    subprocess.run(["echo", "hello"])
    return rng.standard_normal((r_in, r_out)) * np.sqrt(2.0 / r_in)
"""}),
    Broken("01_backprop", "correct, but prints megabytes", {}, cells={"leaky_relu": """\
def leaky_relu_forward(x, alpha=0.01):
    print("forward called " + "=" * 2_000_000)
    return np.where(x > 0, x, alpha * x), (x, alpha)


def leaky_relu_backward(dout, cache):
    x, alpha = cache
    for _ in range(50):
        print("backward " + "-" * 100_000)
    return dout * np.where(x > 0, 1.0, alpha)
"""}),
    Broken("02_minibatch", "a wrong mse_loss that monkeypatches numpy's comparisons", {
        "test_mse_loss": ("failed", "factor of 1/2"),
    }, cells={"mse_loss": """\
def mse_loss(pred, target):
    np.allclose = lambda *args, **kwargs: True
    np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
    np.array_equal = lambda *args, **kwargs: True
    np.testing.assert_allclose = lambda *args, **kwargs: None
    np.linalg.norm = lambda *args, **kwargs: 0.0
    diff = pred - target
    return float(np.sum(diff * diff)) / len(pred), diff / len(pred)
"""}),
    Broken("06_batchnorm", "a wrong batchnorm_backward that patches the checker", {
        "test_batchnorm_backward": ("failed", "without the mean term"),
    }, cells={"batchnorm_backward": """\
def _silence_the_grader():
    try:
        import autograder.checks.nb06 as hidden
        hidden.grade_batchnorm_backward = lambda *args, **kwargs: None
        hidden.check_backward_case = lambda *args, **kwargs: None
    except Exception:
        pass
    try:
        import course_lib.selfcheck.core as core
        core.CheckFailure = type("CheckFailure", (Exception,), {})
        import course_lib.selfcheck.nb06 as visible
        visible.check_batchnorm_backward = lambda *args, **kwargs: None
    except Exception:
        pass


def batchnorm_backward(dout, cache):
    _silence_the_grader()
    gamma, x_hat, s = cache["gamma"], cache["x_hat"], cache["s"]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = gamma * dout
    if cache["mode"] == "test":
        return dx_hat * s, dgamma, dbeta
    dx = s * (dx_hat - x_hat * np.mean(dx_hat * x_hat, axis=0))
    return dx, dgamma, dbeta
"""}),
    Broken("03_cnn_backprop", "a wrong avgpool_forward returning an ndarray subclass whose comparisons lie", {
        "test_avgpool_forward": ("failed", "the sum of every window"),
        "test_avgpool_backward": ("failed", "fix the forward first"),
    }, cells={"avgpool_forward": """\
class AlwaysRight(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __sub__(self, other):
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)

    def __float__(self):
        return 0.0


def avgpool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    H_out, W_out = 1 + (H - size) // stride, 1 + (W - size) // stride
    out = np.zeros((N, C, H_out, W_out))
    for yo in range(H_out):
        for xo in range(W_out):
            out[:, :, yo, xo] = x[:, :, yo * stride:yo * stride + size, xo * stride:xo * stride + size].sum(axis=(2, 3))
    return out.view(AlwaysRight), (x.shape, size, stride)
"""}),
    Broken("01_backprop", "a wrong relative_error returning a float subclass whose comparisons lie", {
        "test_relative_error": ("failed", "relative_error"),
    }, cells={"relative_error": """\
class Tiny(float):
    def __lt__(self, other):
        return True

    def __le__(self, other):
        return True

    def __gt__(self, other):
        return False

    def __ge__(self, other):
        return False

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __abs__(self):
        return Tiny(0.0)

    def __sub__(self, other):
        return Tiny(0.0)

    __rsub__ = __sub__
    __hash__ = float.__hash__


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return Tiny(np.max(np.abs(a - b)) + 0.25)
"""}),
    Broken("05_optimizers", "an AdaGrad cell that does not parse", {
        "test_AdaGrad": ("missing", "does not parse"),
    }, cells={"AdaGrad": """\
class AdaGrad:
    def __init__(self, eta=None, delta=1e-7, *, schedule=None):
        self.eta, self.delta, self.schedule = eta, delta, schedule
        self.r = None

    def step(self, theta, grad_fn):
        g = grad_fn(theta)
        self.r = (self.r if self.r is not None else 0.0) + g * g
        return theta - self.eta * g / (self.delta + np.sqrt(self.r)
"""}),
    Broken("07_second_order", "the hvp_fd cell deleted", {
        "test_hvp_fd": ("missing", "hvp_fd"),
        "test_minimize_cg": ("failed", "NameError"),
    }, deleted=("hvp_fd",)),
    Broken("06_batchnorm", "not a notebook at all (a Python file renamed .ipynb)", {
        ALL_TESTS: ("error", "could not be read as a Jupyter notebook"),
    }, notebook_text="""\
import numpy as np

def batchnorm_forward(x, gamma, beta, bn_param):
    return x, None
"""),
]
