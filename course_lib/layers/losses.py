"""Loss modules (lecture 002) and the L2 weight penalty.

Every function returns (loss, grad): the loss as a Python float and the
gradient of that loss with respect to the first argument, shaped like it.
Batch losses average over the N rows, so their gradients carry the 1/N
that lecture 000 puts in front of mini-batch gradients (1/M there).
"""
import numpy as np

from course_lib.layers.softmax import softmax
from course_lib.validation import as_float_array, check_labels, check_ndim, check_real_scalar, check_same_shape


def _check_pred_target(pred, target):
    pred = as_float_array("pred", pred)
    target = as_float_array("target", target)
    check_same_shape("pred", pred, "target", target)
    return pred, target


def _check_scores(name, scores):
    scores = as_float_array(name, scores)
    check_ndim(name, scores, 2, "(N, K)")
    return scores


def euclidean_loss(pred, target):
    """Lecture 002's Euclidean loss module: loss = 0.5 * ||pred - target||^2, summed over every entry.

    Shapes: pred and target the same, any shape; dpred = pred - target.
    No batch mean: this is the per-sample module; see mse_loss for the batch version.
    """
    pred, target = _check_pred_target(pred, target)
    diff = pred - target
    return 0.5 * float(np.sum(diff * diff)), diff


def mse_loss(pred, target):
    """Batch mean of the Euclidean loss: loss = (1/(2N)) * sum_i ||pred_i - target_i||^2.

    Shapes: pred and target (N, K), or (N,) for one output per sample;
    dpred = (pred - target) / N.
    This is the mean over the N samples of euclidean_loss (lecture 002, gradient
    x - y per sample), so the 1/N is the 1/M of lecture 000's mini-batch gradients.
    Lecture 004's least-squares f = (1/n) sum (yhat - y)^2 has no factor 1/2,
    so its gradient is twice this one.
    """
    pred, target = _check_pred_target(pred, target)
    if pred.ndim not in (1, 2):
        raise ValueError(f"pred must have shape (N, K) or (N,), got {pred.shape}.")
    n = pred.shape[0]
    diff = pred - target
    return 0.5 * float(np.sum(diff * diff)) / n, diff / n


def cross_entropy_loss(probs, y):
    """Cross-entropy of predicted probabilities: loss = -(1/N) sum_n log probs[n, y_n].

    Shapes: probs (N, K) (rows of a softmax), y (N,) integer labels in [0, K).
    dprobs (N, K) is -1 / (N probs[n, y_n]) at the label entries and 0 elsewhere
    (lecture 002: d/dx^(k) of -sum_k y^(k) log x^(k) is -1/x^(k) on the true class).
    """
    probs = _check_scores("probs", probs)
    n, k = probs.shape
    y = check_labels("y", y, n, k)
    if np.any(probs < 0):
        raise ValueError("probs holds negative entries; it must hold probabilities (pass softmax(scores)).")
    picked = probs[np.arange(n), y]
    if np.any(picked <= 0):
        bad = int(np.flatnonzero(picked <= 0)[0])
        raise ValueError(
            f"probs[{bad}, y[{bad}]] = {picked[bad]} but log needs a positive probability at "
            "each true label; use softmax_cross_entropy(scores, y) on the scores instead."
        )
    dprobs = np.zeros_like(probs)
    dprobs[np.arange(n), y] = -1.0 / (n * picked)
    return float(-np.mean(np.log(picked))), dprobs


def softmax_cross_entropy(scores, y):
    """Softmax followed by cross-entropy, fused: loss = -(1/N) sum_n log softmax(scores)[n, y_n].

    Shapes: scores (N, K), y (N,) integer labels -> dscores (N, K) = (softmax(scores) - onehot(y)) / N.
    The log-probabilities are computed as shifted - log sum exp(shifted), so
    no exp overflows and no log of 0 appears even for very confident scores.
    """
    scores = _check_scores("scores", scores)
    n, k = scores.shape
    y = check_labels("y", y, n, k)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(np.mean(log_probs[np.arange(n), y]))
    dscores = softmax(scores)
    dscores[np.arange(n), y] -= 1.0
    return loss, dscores / n


def hinge_loss(scores, y, margin=1.0):
    """Multiclass SVM hinge loss: loss = (1/N) sum_n sum_{j != y_n} max(0, s[n, j] - s[n, y_n] + margin).

    Shapes: scores (N, K), y (N,) integer labels -> dscores (N, K):
    +1/N on every class j != y_n whose term is positive, and minus the count
    of such classes, divided by N, on the true class.
    """
    scores = _check_scores("scores", scores)
    n, k = scores.shape
    y = check_labels("y", y, n, k)
    margin = check_real_scalar("margin", margin)
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}.")
    rows = np.arange(n)
    terms = scores - scores[rows, y][:, None] + margin
    terms[rows, y] = 0.0  # the true class is not compared with itself
    active = (terms > 0).astype(np.float64)
    dscores = active.copy()
    dscores[rows, y] = -active.sum(axis=1)
    return float(np.sum(np.maximum(terms, 0.0))) / n, dscores / n


def l2_penalty(weights, lam):
    """Weight decay term: loss = 0.5 * lam * sum_W ||W||^2 over a list of arrays.

    Returns (loss, [lam * W for each W]), the gradients in the order and shapes of weights.
    """
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError(
            f"weights must be a list of arrays, got {type(weights).__name__}; "
            "for a single matrix W pass [W]."
        )
    lam = check_real_scalar("lam", lam)
    if lam < 0:
        raise ValueError(f"lam must be >= 0 (a penalty strength), got {lam}.")
    arrays = [as_float_array(f"weights[{i}]", w) for i, w in enumerate(weights)]
    loss = 0.5 * lam * sum(float(np.sum(w * w)) for w in arrays)
    return loss, [lam * w for w in arrays]
