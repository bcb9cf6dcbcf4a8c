"""Self-checks of notebook 02 (mini-batch matrices), shipped with the student release.

The checks cover the lecture network on a mini-batch (forward_pass,
backward_pass and minibatch_gradients, layer by layer, with square layers
where a missing transpose gives numbers, every size distinct, a batch of
one), and the row-convention layers: linear (values, gradients, finite
differences of the student's own forward), softmax (stability and the
properties of a distribution), softmax cross-entropy and mean squared error.

Import direction: self-check (this file) -> home modules (cases.py,
mistakes.py, require.py, network.py, layers.py); the hidden checks in
autograder/checks/nb02 import the home too; the home never imports back. No
reference implementation of a graded function is shipped: the expected values
and the known mistakes' arrays are read from stored.npz, which the
instructor's build (autograder/checks/nb02/stored.py) computes.
"""
from course_lib.selfcheck.nb02.cases import (
    ACTIVATION_NAMES,
    ACTIVATIONS,
    squared_error_grad,
    stored_gradient_cases,
    stored_linear_cases,
    stored_mse_cases,
    stored_nets,
    stored_sce_cases,
    stored_softmax_cases,
)
from course_lib.selfcheck.nb02.layers import (
    check_linear_case,
    check_mse_loss_case,
    check_softmax_case,
    check_softmax_cross_entropy_case,
)
from course_lib.selfcheck.nb02.network import check_backward_case, check_forward_case, check_gradients_case
from course_lib.selfcheck.table import Row, Table

TABLE = Table("nb02", [
    Row("forward_pass", check_forward_case, stored_nets,
        "Every stored network: a square one (a missing transpose gives numbers), distinct sizes, M = 1."),
    Row("backward_pass", check_backward_case, stored_nets,
        "Every stored network, with the cost 1/2 ||alpha^L - rho||^2 per sample (cost_grad = alpha^L - rho)."),
    Row("minibatch_gradients", check_gradients_case, stored_gradient_cases,
        "Every stored network, then the mean-of-samples property on the first one with M > 1."),
    Row("linear", check_linear_case, stored_linear_cases,
        "Every stored case: (N, D, M) all distinct, and a batch of one."),
    Row("mse_loss", check_mse_loss_case, stored_mse_cases,
        "Stored cases: (N, K) with N != K, and a batch of one."),
    Row("softmax", check_softmax_case, stored_softmax_cases,
        "Stored cases (ordinary, a single row, very large and very negative scores) and the properties."),
    Row("softmax_cross_entropy", check_softmax_cross_entropy_case, stored_sce_cases,
        "Stored cases: ordinary scores, a batch of one, scores so large that a naive exp overflows."),
])

check_forward_pass = TABLE.self_check("forward_pass")
check_backward_pass = TABLE.self_check("backward_pass")
check_minibatch_gradients = TABLE.self_check("minibatch_gradients")
check_linear = TABLE.self_check("linear")
check_mse_loss = TABLE.self_check("mse_loss")
check_softmax = TABLE.self_check("softmax")
check_softmax_cross_entropy = TABLE.self_check("softmax_cross_entropy")
