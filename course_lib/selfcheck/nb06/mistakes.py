"""The catalogue of notebook 06's known mistakes: slug -> what the mistake computes, and the fix.

The arrays the mistakes give are computed by the trusted builders
(autograder/checks/nb06/mistaken.py) and, for the self-checks, stored with
the notebook (stored.npz) per case and group ("out", "running_mean",
"running_var", "dx", "dgamma"); this file holds only the words.
"""

MISTAKES = {
    # forward output
    "unbiased_var": "the variance divided by m - 1 (unbiased variance); the lecture's sigma_B^2 "
                    "divides by m, the number of samples in the mini-batch",
    "eps_outside_sqrt": "(x - mu_B) / (sqrt(sigma_B^2) + eps), with eps outside the square root; "
                        "divide by sqrt(sigma_B^2 + eps)",
    "eps_fixed": "the output for eps = 1e-5; use bn_param['eps']",
    "no_sqrt": "(x - mu_B) / (sigma_B^2 + eps), divided by the variance; divide by the standard "
               "deviation sqrt(sigma_B^2 + eps)",
    "no_scale_shift": "x_hat itself; scale and shift it: y = gamma * x_hat + beta",
    "scale_shift_swapped": "beta * x_hat + gamma; gamma scales and beta shifts: y = gamma * x_hat + beta",
    "no_axis": "the output normalised with the mean and variance of ALL entries of x (x.mean() and x.var() "
               "without axis=0); every feature has its own statistics over the m samples of the batch: "
               "mu_B = x.mean(axis=0), sigma_B^2 = x.var(axis=0)",
    "test_batch_stats": "the output normalised with the batch statistics mu_B and sigma_B^2 (test mode "
                        "using batch statistics); in test mode normalise with bn_param['running_mean'] "
                        "and bn_param['running_var']",
    # running averages
    "momentum_swapped": "the running average with the momentum weights swapped, momentum * (batch "
                        "statistic) + (1 - momentum) * (running value); the old running value keeps "
                        "the weight momentum: running = momentum * running + (1 - momentum) * batch",
    "not_updated": "the running average unchanged; store the updated arrays in "
                   "bn_param['running_mean'] and bn_param['running_var'] in train mode",
    "running_var_unbiased": "the running variance updated with the unbiased variance (m - 1); use the "
                            "same sigma_B^2 (divided by m) as the normalisation",
    "updated_in_test": "the running averages updated in test mode; test mode only reads them",
    # spatial batch norm over the wrong axes
    "axes_N": "the output normalised over the batch axis N only (one mean per channel AND pixel); spatial batch "
              "norm normalises each channel over N, H and W together",
    "axes_NH": "the output normalised over N and H only; spatial batch norm normalises each channel over N, H and W",
    "axes_NW": "the output normalised over N and W only; spatial batch norm normalises each channel over N, H and W",
    "axes_CHW": "the output normalised per sample over C, H and W (that is layer normalization); normalise per "
                "channel over N, H and W",
    "axes_HW": "the output normalised per sample and channel over H and W (that is instance normalization); "
               "normalise per channel over N, H and W",
    "reshape_no_transpose": "x.reshape(N * H * W, C) normalised as a batch, which mixes channels and "
                            "pixels; move the channel axis last first: x.transpose(0, 2, 3, 1).reshape(-1, C)",
    "no_transpose_back": "the normalised rows reshaped straight to (N, C, H, W); reshape them to "
                         "(N, H, W, C) and move the channel axis back with .transpose(0, 3, 1, 2)",
    # backward
    "dx_no_mean_term": "batch norm dx without the mean term: x reaches the cost through mu_B too, "
                       "which subtracts the batch mean of dL/dx_hat",
    "dx_no_var_term": "batch norm dx without the variance term: x reaches the cost through sigma_B^2 "
                      "too, which subtracts x_hat times the batch mean of dL/dx_hat * x_hat",
    "dx_no_mean_no_var": "batch norm dx without the mean and the variance terms, as if mu_B and "
                         "sigma_B^2 were constants (that is the test-mode gradient)",
    "dx_no_gamma": "dx without the factor gamma; dL/dx_hat = gamma * dL/dy",
    "dx_step3_exponent": "the graph's dx with the exponent -1/2 in step 3 (dgamma and dbeta pass: they stop at "
                         "step 1). Look at step 3: s = (sigma^2 + eps)^(-1/2) has the derivative "
                         "ds/dsigma^2 = -1/2 (sigma^2 + eps)^(-3/2), exponent -3/2",
    "dx_step4_no_m": "the graph's dx without the 1/m of step 4 (dgamma and dbeta pass: they stop at step 1). "
                     "Look at step 4: sigma^2 = (1/m) sum_i d_i^2, so dsigma^2/dd_i = 2 d_i / m and the "
                     "variance path adds dC/dsigma^2 * 2 d_i / m",
    "dx_closed_no_m": "the closed form without the factor m on dout (dgamma and dbeta pass, so x_hat, dgamma and "
                      "dbeta inside the bracket are right). Look at the bracket: dx = (gamma * s / m) * "
                      "(m * dout - dbeta - x_hat * dgamma)",
    "dx_train_formula_in_test": "the train-mode gradient; in test mode mu and sigma^2 are fixed "
                                "running averages, so dx = gamma * dout / sqrt(running_var + eps)",
    "dx_train_graph_in_test": "the train-mode gradient through the normalisation graph; in test mode mu "
                              "and sigma^2 are fixed running averages, so dx = gamma * dout / "
                              "sqrt(running_var + eps)",
    "dx_reshape_no_transpose": "batch norm dx of dout.reshape(N * H * W, C), which mixes channels and "
                               "pixels; move the channel axis last first, as in the forward",
    "dx_no_transpose_back": "the rows of dx reshaped straight to (N, C, H, W); reshape them to "
                            "(N, H, W, C) and move the channel axis back with .transpose(0, 3, 1, 2)",
    "dgamma_no_xhat": "dgamma not multiplied by x_hat, the sum of dout; dgamma = sum over the batch "
                      "of dout * x_hat",
    "dgamma_centred": "the sum of dout * (x - mu_B); dgamma multiplies by the normalised x_hat, "
                      "not by x - mu_B",
    "dgamma_x": "the sum of dout * x; dgamma multiplies by the normalised x_hat, not by x",
    "dgamma_mean": "the batch MEAN of dout * x_hat; gamma is shared by all samples, so its gradient "
                   "is the SUM",
}


def labelled(candidates):
    """{sentence: array} from {slug: array}, for the messages."""
    return {MISTAKES[slug]: value for slug, value in (candidates or {}).items()}
