"""Module objects: each wraps one functional kernel of ``course_lib.layers``.

Lecture 002 describes a network as a chain of modules, each knowing how to
compute its output (forward) and how to turn the gradient of the loss
w.r.t. its output into the gradients w.r.t. its input and its parameters
(backward). Here a module

  * keeps its parameters in ``params`` (name -> array) and, after a backward,
    the gradients of the loss in ``grads`` (same names, same shapes);
  * ``forward(x)`` calls the kernel and keeps the kernel's cache;
  * ``backward(dout)`` feeds the cache to the backward kernel, stores the
    parameter gradients (overwriting, not accumulating) and returns dx;
  * ``train()`` / ``eval()`` set ``training``, which dropout and batch norm read.

Shapes follow PyTorch's row convention: batches (N, D), images (N, C, H, W).
``Sequential`` chains modules and exposes their parameters under qualified
names such as "0.w", "0.b", "2.gamma", all pointing at the layers' own arrays
(so an in-place update of ``model.params["0.w"]`` changes layer 0).
"""
import numpy as np

from course_lib.init import init_conv_weights, init_std, init_weights
from course_lib.layers.activations import (
    leaky_relu_backward,
    leaky_relu_forward,
    prelu_backward,
    prelu_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softplus_backward,
    softplus_forward,
    tanh_backward,
    tanh_forward,
)
from course_lib.layers.batchnorm import batchnorm_backward, batchnorm_forward
from course_lib.layers.conv import conv2d_backward, conv2d_forward
from course_lib.layers.cos_module import cos_module_backward, cos_module_forward
from course_lib.layers.dropout import dropout_backward, dropout_forward
from course_lib.layers.flatten import flatten_backward, flatten_forward
from course_lib.layers.linear import linear_backward, linear_forward
from course_lib.layers.maxout import maxout_backward, maxout_forward
from course_lib.layers.pooling import (
    avgpool_backward,
    avgpool_forward,
    maxpool_backward,
    maxpool_forward,
)
from course_lib.layers.spatial_batchnorm import (
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
)
from course_lib.validation import check_nonnegative_int, check_positive_int, check_rng


class Module:
    """Base class: parameters, gradients, train/eval flag and the kernel cache."""

    def __init__(self):
        self.training = True
        self.params = {}
        self.grads = {}
        self._cache = None

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x).")

    def backward(self, dout):
        raise NotImplementedError(f"{type(self).__name__} must implement backward(dout).")

    def __call__(self, x):
        return self.forward(x)

    def _add_param(self, name, value):
        """Register a float64 parameter and a zero gradient of the same shape."""
        self.params[name] = np.asarray(value, dtype=np.float64)
        self.grads[name] = np.zeros_like(self.params[name])

    def _pop_cache(self):
        """The cache of the last forward; a clear error if there was none."""
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: run "
                "forward(x) first so the module has the values its backward needs."
            )
        return self._cache

    def train(self):
        self.training = True
        return self

    def eval(self):
        self.training = False
        return self

    def zero_grad(self):
        for name, value in self.params.items():
            self.grads[name] = np.zeros_like(value)

    def extra_repr(self):
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


class Linear(Module):
    """out = x @ w + b. x (N, in_features), w (in_features, out_features), b (out_features,).

    ``init`` picks the rule of ``course_lib.init`` for w ("he", "xavier",
    "gaussian" or "constant" with ``init_value``); b starts at zero.
    """

    def __init__(self, in_features, out_features, rng=None, init="he", init_value=0.0):
        super().__init__()
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        self.init = init
        self._add_param("w", init_weights(init, in_features, out_features, rng, init_value))
        self._add_param("b", np.zeros(out_features))

    def forward(self, x):
        out, self._cache = linear_forward(x, self.params["w"], self.params["b"])
        return out

    def backward(self, dout):
        dx, self.grads["w"], self.grads["b"] = linear_backward(dout, self._pop_cache())
        return dx

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, init={self.init!r}"


class _Parameterless(Module):
    """A module whose kernels take only x (and fixed hyperparameters)."""

    def __init__(self, forward_fn, backward_fn):
        super().__init__()
        self._forward_fn = forward_fn
        self._backward_fn = backward_fn

    def forward(self, x):
        out, self._cache = self._forward_fn(x)
        return out

    def backward(self, dout):
        return self._backward_fn(dout, self._pop_cache())


class Sigmoid(_Parameterless):
    """sigma(x) = 1 / (1 + exp(-x)) elementwise; any shape."""

    def __init__(self):
        super().__init__(sigmoid_forward, sigmoid_backward)


class Tanh(_Parameterless):
    """tanh(x) elementwise; any shape."""

    def __init__(self):
        super().__init__(tanh_forward, tanh_backward)


class ReLU(_Parameterless):
    """max(0, x) elementwise; any shape."""

    def __init__(self):
        super().__init__(relu_forward, relu_backward)


class Softplus(_Parameterless):
    """log(1 + exp(x)) elementwise; any shape."""

    def __init__(self):
        super().__init__(softplus_forward, softplus_backward)


class Flatten(_Parameterless):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...), e.g. conv features into a Linear layer."""

    def __init__(self):
        super().__init__(flatten_forward, flatten_backward)


class LeakyReLU(Module):
    """x where x > 0, alpha * x elsewhere; alpha is a fixed hyperparameter."""

    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, x):
        out, self._cache = leaky_relu_forward(x, self.alpha)
        return out

    def backward(self, dout):
        return leaky_relu_backward(dout, self._pop_cache())

    def extra_repr(self):
        return f"alpha={self.alpha}"


class PReLU(Module):
    """Leaky ReLU whose slopes are learnt: params["alpha"] of shape (num_features,), start 0.25."""

    def __init__(self, num_features, init=0.25):
        super().__init__()
        self.num_features = check_positive_int("num_features", num_features)
        self._add_param("alpha", np.full(self.num_features, float(init)))

    def forward(self, x):
        out, self._cache = prelu_forward(x, self.params["alpha"])
        return out

    def backward(self, dout):
        dx, self.grads["alpha"] = prelu_backward(dout, self._pop_cache())
        return dx

    def extra_repr(self):
        return f"num_features={self.num_features}"


class Maxout(Module):
    """out[n, m] = max_k (x @ w[k] + b[k])[n, m]; w (pieces, in, out), b (pieces, out).

    Each piece is drawn with the lecture's basic rule, std sqrt(1 / in_features).
    """

    def __init__(self, in_features, out_features, pieces=2, rng=None):
        super().__init__()
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        self.pieces = check_positive_int("pieces", pieces)
        shape = (self.pieces, self.in_features, self.out_features)
        std = init_std("gaussian", self.in_features, self.out_features)
        self._add_param("w", check_rng(rng).standard_normal(shape) * std)
        self._add_param("b", np.zeros((self.pieces, self.out_features)))

    def forward(self, x):
        out, self._cache = maxout_forward(x, self.params["w"], self.params["b"])
        return out

    def backward(self, dout):
        dx, self.grads["w"], self.grads["b"] = maxout_backward(dout, self._pop_cache())
        return dx

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pieces={self.pieces}")


class Dropout(Module):
    """Inverted dropout: in training each entry is zeroed with probability p_drop
    and survivors are scaled by 1 / (1 - p_drop); in eval mode it is the identity."""

    def __init__(self, p_drop=0.5, rng=None):
        super().__init__()
        self.p_drop = float(p_drop)
        self.rng = check_rng(rng)

    def forward(self, x):
        mode = "train" if self.training else "test"
        out, self._cache = dropout_forward(x, self.p_drop, mode, self.rng)
        return out

    def backward(self, dout):
        return dropout_backward(dout, self._pop_cache())

    def extra_repr(self):
        return f"p_drop={self.p_drop}"


class Conv2d(Module):
    """Convolution: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (N, F, H', W').

    w is drawn by ``course_lib.init.init_conv_weights`` (fan-in C * HH * WW); b starts at zero.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad=0, rng=None, init="he"):
        super().__init__()
        self.stride = check_positive_int("stride", stride)
        self.pad = check_nonnegative_int("pad", pad)
        self.init = init
        self._add_param("w", init_conv_weights(out_channels, in_channels, kernel_size, rng, init))
        self._add_param("b", np.zeros(out_channels))

    def forward(self, x):
        out, self._cache = conv2d_forward(
            x, self.params["w"], self.params["b"], stride=self.stride, pad=self.pad
        )
        return out

    def backward(self, dout):
        dx, self.grads["w"], self.grads["b"] = conv2d_backward(dout, self._pop_cache())
        return dx

    def extra_repr(self):
        F, C, HH, WW = self.params["w"].shape
        return (f"in_channels={C}, out_channels={F}, kernel_size=({HH}, {WW}), "
                f"stride={self.stride}, pad={self.pad}")


class _Pool2d(Module):
    def __init__(self, forward_fn, backward_fn, size, stride):
        super().__init__()
        self.size = check_positive_int("size", size)
        self.stride = check_positive_int("stride", stride)
        self._forward_fn = forward_fn
        self._backward_fn = backward_fn

    def forward(self, x):
        out, self._cache = self._forward_fn(x, size=self.size, stride=self.stride)
        return out

    def backward(self, dout):
        return self._backward_fn(dout, self._pop_cache())

    def extra_repr(self):
        return f"size={self.size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """Max over size x size windows moved by stride: (N, C, H, W) -> (N, C, H', W')."""

    def __init__(self, size=2, stride=2):
        super().__init__(maxpool_forward, maxpool_backward, size, stride)


class AvgPool2d(_Pool2d):
    """Mean over size x size windows moved by stride: (N, C, H, W) -> (N, C, H', W')."""

    def __init__(self, size=2, stride=2):
        super().__init__(avgpool_forward, avgpool_backward, size, stride)


class _BatchNorm(Module):
    """Shared state of batch norm: gamma, beta, the running statistics in ``bn_param``, and the kernels.

    ``forward`` and ``backward`` are the kernels the module runs (course_lib's by default). Pass
    your own to train a network with them; they take the same arguments as course_lib's:

        forward(x, gamma, beta, bn_param) -> (out, cache)
        backward(dout, cache) -> (dx, dgamma, dbeta)

        BatchNorm1d(64, forward=batchnorm_forward, backward=batchnorm_backward_alt)

    The module keeps them in ``forward_kernel`` and ``backward_kernel``.
    """

    default_kernels = None  # (forward, backward) of course_lib, set by each subclass

    def __init__(self, num_features, momentum=0.9, eps=1e-5, *, forward=None, backward=None):
        super().__init__()
        self.num_features = check_positive_int("num_features", num_features)
        default_forward, default_backward = self.default_kernels
        self.forward_kernel = _kernel("forward", forward, default_forward)
        self.backward_kernel = _kernel("backward", backward, default_backward)
        self._add_param("gamma", np.ones(self.num_features))
        self._add_param("beta", np.zeros(self.num_features))
        # Running mean and variance are state, not parameters: no gradient, not optimised.
        self.bn_param = {
            "mode": "train",
            "eps": float(eps),
            "momentum": float(momentum),
            "running_mean": np.zeros(self.num_features),
            "running_var": np.ones(self.num_features),
        }

    def forward(self, x):
        self.bn_param["mode"] = "train" if self.training else "test"
        out, self._cache = self.forward_kernel(x, self.params["gamma"], self.params["beta"], self.bn_param)
        return out

    def backward(self, dout):
        dx, self.grads["gamma"], self.grads["beta"] = self.backward_kernel(dout, self._pop_cache())
        return dx

    def extra_repr(self):
        text = (f"num_features={self.num_features}, momentum={self.bn_param['momentum']}, "
                f"eps={self.bn_param['eps']}")
        # Name the kernels only when they are not course_lib's, so a default module prints as before.
        for label, kernel, default in (("forward", self.forward_kernel, self.default_kernels[0]),
                                       ("backward", self.backward_kernel, self.default_kernels[1])):
            if kernel is not default:
                text += f", {label}={getattr(kernel, '__name__', type(kernel).__name__)}"
        return text


def _kernel(label, kernel, default):
    """``kernel``, or ``default`` when it is None; refuses what cannot be called."""
    if kernel is None:
        return default
    if not callable(kernel):
        raise TypeError(f"{label} must be a function such as {default.__name__} (a kernel, called with the "
                        f"same arguments), got {type(kernel).__name__} {kernel!r}"[:200])
    return kernel


class BatchNorm1d(_BatchNorm):
    """Batch norm over the batch axis of x (N, D); gamma, beta (D,).

    Kernels: ``batchnorm_forward`` and ``batchnorm_backward`` unless ``forward=`` / ``backward=``
    name others (see _BatchNorm).
    """

    default_kernels = (batchnorm_forward, batchnorm_backward)


class BatchNorm2d(_BatchNorm):
    """Spatial batch norm of x (N, C, H, W): statistics per channel over N, H, W; gamma, beta (C,).

    Kernels: ``spatial_batchnorm_forward`` and ``spatial_batchnorm_backward`` unless ``forward=`` /
    ``backward=`` name others (see _BatchNorm).
    """

    default_kernels = (spatial_batchnorm_forward, spatial_batchnorm_backward)


class CosModule(Module):
    """The lecture's example module out = cos(theta * x) + pi, with a learnable scalar theta."""

    def __init__(self, theta=1.0):
        super().__init__()
        self._add_param("theta", np.array(float(theta)))

    def forward(self, x):
        out, self._cache = cos_module_forward(x, self.params["theta"])
        return out

    def backward(self, dout):
        dx, dtheta = cos_module_backward(dout, self._pop_cache())
        self.grads["theta"] = np.asarray(dtheta, dtype=np.float64).reshape(())
        return dx

    def extra_repr(self):
        return f"theta={float(self.params['theta'])}"


class Sequential(Module):
    """Modules applied one after the other; backward runs them in reverse order.

    ``params`` and ``grads`` are rebuilt on each access from the layers'
    dicts, with names "<layer index>.<name>", so they always show the current
    arrays (a layer's backward replaces its gradient arrays). Use each module
    instance once: a module keeps only the cache of its latest forward.
    """

    def __init__(self, *modules):
        # Not Module.__init__: params and grads are read-only views here, not dicts of our own.
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential expects Module objects, got {type(module).__name__} at position {i}."
                )
        self.layers = list(modules)
        self.training = True
        self._cache = None

    @property
    def params(self):
        return {f"{i}.{name}": value
                for i, layer in enumerate(self.layers) for name, value in layer.params.items()}

    @property
    def grads(self):
        return {f"{i}.{name}": value
                for i, layer in enumerate(self.layers) for name, value in layer.grads.items()}

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def train(self):
        self.training = True
        for layer in self.layers:
            layer.train()
        return self

    def eval(self):
        self.training = False
        for layer in self.layers:
            layer.eval()
        return self

    def zero_grad(self):
        for layer in self.layers:
            layer.zero_grad()

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def __repr__(self):
        lines = [f"  ({i}): " + repr(layer).replace("\n", "\n  ") for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"
