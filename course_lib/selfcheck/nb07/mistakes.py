"""The catalogue of notebook 07's known mistakes: slug -> what the mistake computes, and the fix.

A check names a mistake with "it equals <text>" when the student's answer
equals what that mistake gives on the same inputs. The arrays of the
mistakes are computed by the trusted builders (autograder/checks/nb07/mistaken.py)
and, for the self-checks, stored with the notebook (stored.npz); this file
holds only the words.
"""

MISTAKES = {
    # hessian_fd
    "hess_not_symmetrised": "the finite-difference matrix itself, not symmetrised: H[i, j] and H[j, i] differ "
                            "(the differences are not exactly symmetric, the true Hessian is); return (H + H.T) / 2",
    "hess_transposed": "the TRANSPOSE of the finite-difference matrix, not symmetrised: row j holds the "
                       "difference of gradients along e_j where column j should; returning (H + H.T) / 2 fixes "
                       "both",
    "hess_one_sided": "the one-sided difference (grad(w + eps e_j) - grad(w)) / eps, symmetrised; use the "
                      "centered difference (grad(w + eps e_j) - grad(w - eps e_j)) / (2 eps), accurate to O(eps^2)",
    "hess_one_sided_unsym": "the one-sided difference (grad(w + eps e_j) - grad(w)) / eps, not symmetrised; use "
                            "the centered difference divided by 2 eps, then return (H + H.T) / 2",
    "hess_no_half": "twice the right matrix: the centered difference is divided by 2 eps, the distance "
                    "between w + eps e_j and w - eps e_j",
    "hess_precedence": "eps^2 times the right matrix: (grad(w + eps e_j) - grad(w - eps e_j)) / 2 * eps "
                       "multiplies by eps, since Python reads a / 2 * eps as (a / 2) * eps; divide by "
                       "(2 * eps), with the parentheses",
    # newton_step
    "newton_sign": "w + H^-1 grad, the Newton step with the wrong sign: the update is w - H^-1 grad, against "
                   "the gradient like gradient descent",
    "newton_step_only": "the step -H^-1 grad alone; return the new point w - H^-1 grad",
    "newton_hess_times_grad": "w - H grad, with H multiplied instead of inverted; solve H dw = grad with "
                              "np.linalg.solve(hess, grad)",
    "newton_gradient_step": "w - grad, a gradient-descent step with eta = 1; Newton premultiplies the gradient by "
                            "the inverse Hessian",
    "newton_diagonal": "w - grad / diag(H), a step with the diagonal of the Hessian only; the off-diagonal "
                       "entries couple the variables: solve H dw = grad with np.linalg.solve(hess, grad)",
    # hvp_fd
    "hvp_divide_by_delta": "(grad(w + h v) - grad(w)) / delta: divided by delta instead of by the step h actually "
                           "taken along v, so it is off by the factor h / delta = max(1, ||w||) / ||v||",
    "hvp_unscaled_step": "(grad(w + delta v) - grad(w)) / delta, the lecture's formula for a unit v; here the step "
                         "along v is h = delta max(1, ||w||) / ||v||, whatever the length of v",
    "hvp_no_max_w": "the product with the step h = delta / ||v||; the step is h = delta max(1, ||w||) / ||v||, "
                    "growing with w so that w + h v differs from w in more than its last digits",
    "hvp_centered": "the centered difference (grad(w + h v) - grad(w - h v)) / (2 h); write the one-sided formula "
                    "of lecture 003, eq. (23): (grad(w + h v) - grad(w)) / h",
    "hvp_no_division": "grad(w + h v) - grad(w), not divided by the step h",
    "hvp_step_times_norm": "the product with the step h = delta max(1, ||w||) * ||v||, multiplied by ||v||; the "
                           "step along v is h = delta max(1, ||w||) / ||v||, so that h v has the length "
                           "delta max(1, ||w||) whatever the length of v",
    "hvp_unit_v": "H v / ||v||, the product with the unit vector v / ||v||; H v is linear in v, so divide by the "
                  "step h you took along v itself",
    # conjugate_gradient
    "cg_beta_sign": "the iterates with the new direction q_(t+1) = r_(t+1) + beta q_t, beta = q_t^T H r_(t+1) / "
                    "q_t^T H q_t: the sign of eq. (21) flipped; with r = -grad L it reads "
                    "q_(t+1) = r_(t+1) - (q_t^T H r_(t+1) / q_t^T H q_t) q_t",
    "cg_steepest": "the iterates of steepest descent with exact steps (every direction q_t = r_t, beta = 0); the "
                   "directions must be conjugate, q_(t+1) = r_(t+1) + beta_t q_t",
    "cg_fr_inverted": "the iterates with beta = r_t . r_t / r_(t+1) . r_(t+1), the textbook ratio upside down; it is "
                      "r_(t+1) . r_(t+1) / r_t . r_t",
    "cg_beta_old_r": "the iterates with beta computed from the OLD residual r_t; update r to r_(t+1) first, then "
                     "build the new direction from it",
    "cg_ignores_x0": "the iterates of a run whose residual starts at r_0 = b, as if x0 were 0; start from "
                     "r_0 = b - H x0",
    "cg_alpha_sign": "the iterates with steps of the wrong sign, x_(t+1) = x_t - alpha_t q_t; the residual "
                     "r = b - H x points downhill, so x_(t+1) = x_t + alpha_t q_t",
    "cg_q_before_r": "the iterates with the new direction built before r is updated, q_(t+1) = r_t + beta q_t "
                     "from the OLD residual; first update r_(t+1) = r_t - alpha_t H q_t, then build "
                     "q_(t+1) = r_(t+1) - (q_t^T H r_(t+1) / q_t^T H q_t) q_t from it",
    # backtracking_line_search
    "ls_armijo_sign": "the first step with f(w + eta q) <= f(w) - c eta grad.q, the sufficient-decrease condition "
                      "with the wrong sign: grad.q < 0 along a descent direction, so the Armijo line "
                      "f(w) + c eta grad.q lies BELOW f(w)",
    "ls_no_c": "the first step with any decrease at all, f(w + eta q) < f(w); Armijo asks for a decrease of at "
               "least c eta |grad.q|",
    "ls_grad_norm_slope": "the step for the slope -||grad||^2; the slope along the direction q is grad . q, "
                          "equal to -||grad||^2 only when q = -grad",
    "ls_ignores_eta0": "the step found when starting from eta = 1; start from eta0",
    "ls_ignores_shrink": "the step found by halving; multiply eta by shrink after each rejected step",
    "ls_shrinks_once_more": "the accepted step multiplied by shrink once more; return the first eta that "
                            "satisfies the condition",
    "ls_no_eta": "the first step with f(w + eta q) <= f(w) + c grad.q, without eta in the Armijo term; the "
                 "required decrease c eta |grad.q| shrinks with the step",
    # bfgs_update
    "bfgs_swapped": "the update with s and y swapped; it satisfies H_new s = y (the secant equation of the "
                    "Hessian) instead of H_new y = s",
    "bfgs_no_ss": "the update without the last term rho s s^T",
    "bfgs_rho_ss": "the update with rho = 1 / (s . s); rho = 1 / (y . s)",
    "bfgs_factors_swapped": "(I - rho y s^T) H_inv (I - rho s y^T) + rho s s^T, the outer factors in the wrong "
                            "order; it is (I - rho s y^T) H_inv (I - rho y s^T) + rho s s^T",
    "bfgs_hessian_form": "the BFGS update of the Hessian approximation, B + y y^T / (y.s) - B s s^T B / (s^T B s), "
                         "applied to H_inv; the inverse needs the inverse form",
    "bfgs_ss_minus": "the update with - rho s s^T; the last term is + rho s s^T",
    # lbfgs_direction
    "lbfgs_loops_reversed": "the two loops running over the pairs in the wrong order: the first loop goes from the "
                            "NEWEST pair to the oldest, the second from the oldest to the newest",
    "lbfgs_alphas_misaligned": "the second loop using alpha_i of the wrong pair: the alphas were stored newest "
                               "first, so the second loop (oldest first) must read them backwards",
    "lbfgs_sign": "+H_inv grad; return the descent direction -H_inv grad",
    "lbfgs_gamma_one": "the direction with gamma = 1 (H_0 = I); scale by gamma = s.y / y.y of the newest pair",
    "lbfgs_gamma_oldest": "the direction with gamma from the OLDEST pair; use the newest, s_list[-1] and y_list[-1]",
    "lbfgs_gamma_inverted": "the direction with gamma = y.y / s.y, upside down; gamma = s.y / y.y",
}
