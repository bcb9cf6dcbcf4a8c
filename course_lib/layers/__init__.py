"""Functional kernels: <op>_forward(...) -> (out, cache) and <op>_backward(dout, cache).

One file per operation, so the file name tells where a kernel lives
(conv backward -> layers/conv.py, the RBF module -> layers/rbf.py).
"""
from .activations import (
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
from .batchnorm import batchnorm_backward, batchnorm_backward_alt, batchnorm_forward

# convolution, pooling, batch norm
from .conv import conv2d_backward, conv2d_forward
from .conv_delta import conv_delta
from .conv_loops import conv2d_backward_loops, conv2d_forward_loops
from .cos_module import cos_module_backward, cos_module_forward
from .dropout import dropout_backward, dropout_forward
from .flatten import flatten_backward, flatten_forward
from .linear import linear_backward, linear_forward
from .losses import (
    cross_entropy_loss,
    euclidean_loss,
    hinge_loss,
    l2_penalty,
    mse_loss,
    softmax_cross_entropy,
)
from .maxout import maxout_backward, maxout_forward
from .pooling import avgpool_backward, avgpool_forward, maxpool_backward, maxpool_forward
from .rbf import (
    rbf_backward,
    rbf_forward,
    rbf_gaussian_backward,
    rbf_gaussian_forward,
    rbf_plus_backward,
    rbf_plus_forward,
    rbf_scale_backward,
    rbf_scale_forward,
    rbf_sqdist_backward,
    rbf_sqdist_forward,
)
from .softmax import softmax, softmax_backward, softmax_forward
from .spatial_batchnorm import spatial_batchnorm_backward, spatial_batchnorm_forward
