"""The catalogue of notebook 05's mistakes, in words: what each known wrong update rule or schedule does.

Only texts live here. The paths and values these mistakes produce are computed
on the trusted side (autograder/checks/nb05/mistaken.py) and stored with the
cases, so a check can name a mistake without the release holding its code.

  MISTAKES[optimizer][key]          a wrong update rule (every optimizer also has "schedule_late")
  SCHEDULE_MISTAKES[schedule][key]  a wrong learning-rate schedule
  UPDATES[optimizer]                the lecture's update, quoted when the very first step is wrong
  CARRIED[optimizer]                what is carried between steps, when a later step is wrong
"""

SCHEDULE_LATE = (
    "the learning rate of each step is one step late in the schedule: the first update must use "
    "schedule(0), the second schedule(1), ..., i.e. schedule(t) with t = the number of updates made "
    "BEFORE this one (increase your step counter after reading the rate)"
)
UPHILL = "theta moves uphill: the update adds the gradient; a descent step subtracts it"

# What each known mistake is, in words; the trajectories they produce are stored per case.
MISTAKES = {
    "SGD": {
        "uphill": UPHILL + ": theta <- theta - eta * g",
    },
    "Momentum": {
        "uphill": "the velocity pushes theta uphill (one sign is wrong): v <- alpha * v - eta * g, "
                  "then theta <- theta + v",
        "alpha_sign": "the old velocity enters with the wrong sign: v <- alpha * v - eta * g keeps "
                      "+alpha * v, the part of the previous step that carries on",
        "lagged": "theta is moved with the OLD velocity: update v first, v <- alpha * v - eta * g, then "
                  "move theta <- theta + v with the new v",
        "dampened": "the gradient is weighted by (1 - alpha) (an exponential moving average); the lecture's "
                    "velocity is v <- alpha * v - eta * g, without the factor (1 - alpha)",
        "buffer_form": "the velocity is kept in PyTorch's buffer form, b <- alpha * b + g, theta <- theta - eta * b: "
                       "with a constant eta that is the lecture's momentum, but with a schedule every past "
                       "gradient in b is scaled by the CURRENT eta. Keep the lecture's v <- alpha * v - eta * g, "
                       "theta <- theta + v, where each gradient keeps the eta of its own step",
    },
    "Nesterov": {
        "no_lookahead": "the gradient is taken at theta itself, which is plain momentum; Nesterov takes it "
                        "at the look-ahead point theta~ = theta + alpha * v (with the velocity of the "
                        "previous step)",
        "lookahead_v": "the look-ahead point is theta + v (as printed on one slide of lecture 004); this "
                       "notebook follows lecture 000: theta~ = theta + alpha * v",
        "lookahead_minus": "the look-ahead point is theta - alpha * v; the velocity already points "
                           "downhill, so look ahead to theta~ = theta + alpha * v",
        "lookahead_alpha_squared": "the look-ahead point is theta + alpha^2 * v, alpha applied twice (for "
                                   "instance to a v that already holds alpha * v); look ahead to "
                                   "theta~ = theta + alpha * v with the velocity v of the previous step",
        "returns_lookahead": "step returns the look-ahead point theta + alpha * v of the NEXT step; return "
                             "theta + v, the new parameters themselves",
        "uphill": "the velocity pushes theta uphill (one sign is wrong): v <- alpha * v - eta * g, then "
                  "theta <- theta + v",
    },
    "NesterovSimplified": {
        "alpha_not_squared": "Theta moves by alpha * v - eta * (1 + alpha) * g; the old velocity enters with "
                             "alpha^2: Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g",
        "no_one_plus_alpha": "the gradient term is -eta * g; in the variable Theta = theta + alpha * v it is "
                             "-eta * (1 + alpha) * g",
        "velocity_first": "v is updated before Theta, so Theta uses the new velocity; Theta's update needs the "
                          "velocity of the previous step, then v <- alpha * v - eta * g",
        "momentum": "the update is plain momentum (Theta <- Theta + alpha * v - eta * g); the simplified "
                    "Nesterov update is Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g",
    },
    "AdaGrad": {
        "delta_inside": "the stabiliser is inside the square root, eta / sqrt(delta + r) (RMSProp's form); "
                        "AdaGrad divides by delta + sqrt(r)",
        "no_sqrt": "the step is divided by delta + r; AdaGrad divides by delta + sqrt(r), the square root "
                   "of the accumulated squares",
        "old_r": "the step uses r from BEFORE adding g * g; first accumulate r <- r + g * g, then divide "
                 "by delta + sqrt(r)",
        "no_accumulation": "r holds only the current g * g; AdaGrad adds up the squares of ALL past "
                           "gradients: r <- r + g * g",
        "norm_squared": "r accumulates g @ g, the squared NORM of the gradient, one number shared by every "
                        "parameter; AdaGrad accumulates componentwise squares, r <- r + g * g (entry by "
                        "entry), so that each parameter gets its own rate",
        "uphill": UPHILL + ": v = -(eta / (delta + sqrt(r))) * g",
    },
    "RMSProp": {
        "delta_outside": "the stabiliser is outside the square root, eta / (delta + sqrt(r)) (AdaGrad's "
                         "form); RMSProp divides by sqrt(delta + r)",
        "no_one_minus_rho": "r <- rho * r + g * g; the new square is weighted by (1 - rho): "
                            "r <- rho * r + (1 - rho) * g * g",
        "rho_swapped": "the weights are swapped, r <- (1 - rho) * r + rho * g * g; the old average keeps "
                       "the weight rho: r <- rho * r + (1 - rho) * g * g",
        "old_r": "the step uses r from BEFORE this step's update; update r first, then divide by "
                 "sqrt(delta + r)",
        "no_sqrt": "the step is divided by delta + r; RMSProp divides by sqrt(delta + r)",
        "norm_squared": "r averages g @ g, the squared NORM of the gradient, one number shared by every "
                        "parameter; RMSProp averages componentwise squares, r <- rho * r + (1 - rho) * g * g "
                        "(entry by entry), so that each parameter gets its own rate",
        "uphill": UPHILL + ": v = -(eta / sqrt(delta + r)) * g",
    },
    "RMSPropNesterov": {
        "no_lookahead": "the gradient is taken at theta itself; with Nesterov momentum it is taken at the "
                        "look-ahead point theta + alpha * v, and r is fed that same gradient",
        "lookahead_v": "the look-ahead point is theta + v; it is theta + alpha * v",
        "delta_outside": "the stabiliser is outside the square root, delta + sqrt(r); as in RMSProp "
                         "divide by sqrt(delta + r)",
        "old_r": "the step uses r from BEFORE this step's update; update r with the look-ahead gradient "
                 "first, then v <- alpha * v - (eta / sqrt(delta + r)) * g",
        "scaled_velocity": "the whole velocity is divided by sqrt(delta + r) (v <- alpha * v - eta * g, "
                           "theta <- theta + v / sqrt(delta + r)); only the new gradient term is scaled: "
                           "v <- alpha * v - (eta / sqrt(delta + r)) * g, theta <- theta + v",
        "uphill": UPHILL + ": v <- alpha * v - (eta / sqrt(delta + r)) * g",
    },
    "AdaDelta": {
        "no_delta_numerator": "theta never moves: with s = 0 at the start, sqrt(s) / sqrt(delta + r) is 0 "
                              "forever; the numerator needs the stabiliser too: sqrt(delta + s)",
        "s_of_gradients": "s accumulates the squared gradients; s is the moving average of the squared "
                          "UPDATES: s <- rho * s + (1 - rho) * v * v",
        "inverted": "the ratio is upside down, sqrt(delta + r) / sqrt(delta + s); the step is "
                    "v = -(sqrt(delta + s) / sqrt(delta + r)) * g",
        "old_r": "the step uses r from BEFORE this step's update; update r first, then compute v, then s",
        "eta_in_s": "s accumulates the squares of eta * v; eta only scales the move of theta "
                    "(theta <- theta + eta * v) while s accumulates the unscaled v",
        "eta_ignored": "eta is ignored; theta moves by eta * v (with eta = 1, the default, this is the "
                       "lecture's algorithm)",
        "uphill": UPHILL + ": v = -(sqrt(delta + s) / sqrt(delta + r)) * g",
    },
    "Adam": {
        "no_bias_correction": "the moments are used without bias correction; divide by 1 - rho^i before "
                              "the step: s' = s / (1 - rho1^i), r' = r / (1 - rho2^i)",
        "correction_without_power": "the bias correction divides by 1 - rho instead of 1 - rho^i (a "
                                    "misprint on one slide of lecture 004); i is the step number, "
                                    "1 on the first step",
        "power_late": "the bias correction uses rho^(i+1); on the first step i = 1: s' = s / (1 - rho1^1)",
        "power_early": "the bias correction uses rho^0 = 1 on the first step, a division by zero; the "
                       "step number i starts at 1: s' = s / (1 - rho1^i)",
        "delta_inside": "the stabiliser is inside the square root, sqrt(delta + r'); Adam divides by "
                        "delta + sqrt(r')",
        "paper_epsilon": "delta is added to the square root of the UNCORRECTED r (the rearranged form of "
                         "Kingma and Ba's paper, eta_i = eta sqrt(1 - rho2^i) / (1 - rho1^i)); the lecture "
                         "adds it after the correction: v = -eta * s' / (delta + sqrt(r'))",
        "only_s_corrected": "only s is bias-corrected; correct r too: r' = r / (1 - rho2^i)",
        "only_r_corrected": "only r is bias-corrected; correct s too: s' = s / (1 - rho1^i)",
        "rhos_swapped": "rho1 and rho2 are swapped; s (the gradients) decays with rho1, r (the squares) "
                        "with rho2",
        "corrected_kept": "s and r are overwritten by their bias-corrected values s', r', so the next step "
                          "corrects them again; keep the moving averages s and r on self as they are and "
                          "compute s' = s / (1 - rho1^i), r' = r / (1 - rho2^i) in new variables for the step",
        "uphill": UPHILL + ": v = -eta * s' / (delta + sqrt(r'))",
    },
}
for _mistakes in MISTAKES.values():
    _mistakes["schedule_late"] = SCHEDULE_LATE
del _mistakes

# What to look at when the first step is right and a later one is not.
CARRIED = {
    "SGD": "SGD carries nothing but the step count (for a schedule)",
    "Momentum": "the velocity v must be kept on self between steps and start at 0",
    "Nesterov": "the velocity v must be kept on self between steps and start at 0",
    "NesterovSimplified": "the velocity v must be kept on self between steps and start at 0",
    "AdaGrad": "r must keep the running SUM of g * g over all steps so far, starting at 0",
    "RMSProp": "r must keep the moving average rho * r + (1 - rho) * g * g, starting at 0",
    "RMSPropNesterov": "v and r must be kept on self between steps, both starting at 0",
    "AdaDelta": "r and s must be kept on self between steps, both starting at 0, and s accumulates v * v "
                "after v is computed",
    "Adam": "s and r must be kept on self between steps, starting at 0, and the step number i in the "
            "corrections 1 - rho^i must grow by one per step (1, 2, 3, ...)",
}
# The lecture's update, to quote when the very first step is wrong.
UPDATES = {
    "SGD": "theta <- theta - eta * g",
    "Momentum": "v <- alpha * v - eta * g;  theta <- theta + v",
    "Nesterov": "g at theta + alpha * v;  v <- alpha * v - eta * g;  theta <- theta + v",
    "NesterovSimplified": "g at Theta;  Theta <- Theta + alpha^2 * v - eta * (1 + alpha) * g;  "
                          "v <- alpha * v - eta * g",
    "AdaGrad": "r <- r + g * g;  theta <- theta - (eta / (delta + sqrt(r))) * g",
    "RMSProp": "r <- rho * r + (1 - rho) * g * g;  theta <- theta - (eta / sqrt(delta + r)) * g",
    "RMSPropNesterov": "g at theta + alpha * v;  r <- rho * r + (1 - rho) * g * g;  "
                       "v <- alpha * v - (eta / sqrt(delta + r)) * g;  theta <- theta + v",
    "AdaDelta": "r <- rho * r + (1 - rho) * g * g;  v = -(sqrt(delta + s) / sqrt(delta + r)) * g;  "
                "s <- rho * s + (1 - rho) * v * v;  theta <- theta + eta * v",
    "Adam": "s <- rho1 * s + (1 - rho1) * g;  r <- rho2 * r + (1 - rho2) * g * g;  "
            "s' = s / (1 - rho1^i);  r' = r / (1 - rho2^i);  theta <- theta - eta * s' / (delta + sqrt(r'))",
}

SCHEDULE_MISTAKES = {
    "inverse_decay": {
        "late": "eta0 / (1 + k (t + 1)), the rate one step later: at t = 0 the schedule must give eta0 itself",
        "early": "eta0 / (1 + k (t - 1)), the rate one step earlier: at t = 0 the schedule must give eta0",
        "exponential": "eta0 exp(-k t), exponential decay; inverse decay is eta0 / (1 + k t)",
        "power": "eta0 / (1 + k)^t, which decays exponentially; inverse decay is eta0 / (1 + k t)",
        "precedence": "eta0 + k t (eta0 / 1 + k * t: parentheses missing); write eta0 / (1 + k * t)",
        "times": "eta0 (1 + k t), which grows; divide: eta0 / (1 + k t)",
        "no_t": "eta0 / (1 + k), the same rate at every t; the decay grows with t: eta0 / (1 + k t)",
    },
    "exponential_decay": {
        "late": "eta0 exp(-k (t + 1)), the rate one step later: at t = 0 the schedule must give eta0 itself",
        "early": "eta0 exp(-k (t - 1)), the rate one step earlier: at t = 0 the schedule must give eta0",
        "growth": "eta0 exp(+k t), which grows; the exponent is -k t",
        "inverse": "eta0 / (1 + k t), inverse decay; exponential decay is eta0 exp(-k t)",
        "discrete": "eta0 (1 - k)^t, close for small k but not the lecture's eta0 exp(-k t)",
        "no_t": "eta0 exp(-k), the same rate at every t; the exponent is -k t",
    },
}

