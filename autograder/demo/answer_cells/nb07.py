"""Notebook 07 (second-order methods): valid alternatives and typical mistakes, as answer cells.

The solution's minimize calls the student's hessian_fd, newton_step, hvp_fd,
backtracking_line_search, bfgs_update and lbfgs_direction, so a mistake in
one of them can cost a minimize test too; ``tests`` lists those it does cost.
"""
from autograder.demo.answer_cells import Mistake, Variant

ALTERNATIVES = [
    Variant("hessian_fd", "all columns from one stacked set of steps, symmetrised with np.triu", """\
def hessian_fd(grad_fn, w, eps=1e-5):
    w = np.array(w, dtype=np.float64)
    steps = eps * np.eye(w.size)
    H = np.column_stack([grad_fn(w + e) - grad_fn(w - e) for e in steps]) / (2.0 * eps)
    mean = 0.5 * (H + H.T)
    # keep exactly symmetric: mirror the upper triangle of the average
    return np.triu(mean) + np.triu(mean, 1).T
"""),
    Variant("newton_step", "LU factorisation from scipy", """\
import scipy.linalg


def newton_step(w, grad, hess):
    lu, pivots = scipy.linalg.lu_factor(hess)
    return w - scipy.linalg.lu_solve((lu, pivots), grad)
"""),
    Variant("hvp_fd", "the step written along the unit vector v / ||v||", """\
def hvp_fd(grad_fn, w, v, delta=1e-6):
    length = np.linalg.norm(v)
    if length == 0:
        return np.zeros_like(np.asarray(w, dtype=np.float64))
    u = v / length
    step = delta * max(1.0, np.linalg.norm(w))          # = h * ||v||
    return length * (grad_fn(w + step * u) - grad_fn(w)) / step
"""),
    Variant("backtracking_line_search", "eta0 * shrink**k in a for loop over k", """\
def backtracking_line_search(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, max_iter=50):
    f0 = f(w)
    slope = float(np.dot(grad_f(w), direction))
    if slope >= 0:
        raise ValueError("not a descent direction")
    for k in range(max_iter):
        eta = eta0 * shrink ** k
        if f(w + eta * direction) <= f0 + c * eta * slope:
            return eta
    raise RuntimeError("no step satisfies Armijo's condition")
"""),
    Variant("bfgs_update", "the product form with explicit matrices", """\
def bfgs_update(H_inv, s, y):
    rho = 1.0 / float(y @ s)
    I = np.eye(len(s))
    left = I - rho * np.outer(s, y)
    right = I - rho * np.outer(y, s)
    return left @ H_inv @ right + rho * np.outer(s, s)
"""),
    Variant("lbfgs_direction", "the matrix formed by BFGS updates of gamma I (dense)", """\
def lbfgs_direction(grad, s_list, y_list):
    d = len(grad)
    if not s_list:
        return -np.array(grad, dtype=np.float64)
    s_new, y_new = s_list[-1], y_list[-1]
    H = (s_new @ y_new) / (y_new @ y_new) * np.eye(d)
    for s, y in zip(s_list, y_list):
        rho = 1.0 / (y @ s)
        V = np.eye(d) - rho * np.outer(y, s)
        H = V.T @ H @ V + rho * np.outer(s, s)
    return -H @ grad
"""),
    Variant("minimize", "the BFGS direction computed in float32", """\
def minimize(f, grad_f, w0, method, tol=1e-6, max_iter=1000, memory=10):
    if method not in ("newton", "cg", "bfgs", "lbfgs"):
        raise ValueError(f"unknown method {method!r}")
    w = np.array(w0, dtype=np.float64)
    d = w.size
    g = grad_f(w)
    path = [w.copy()]
    H_inv = np.eye(d)
    s_list, y_list = [], []
    q, Hq, curvature, fresh = -g, None, 0.0, 0
    for k in range(max_iter):
        if np.max(np.abs(g)) <= tol:
            break
        eta0 = 1.0
        if method == "newton":
            H = hessian_fd(grad_f, w)
            q = newton_step(w, g, H) - w if np.linalg.eigvalsh(H)[0] > 0 else saddle_free_direction(g, H)
        elif method == "cg":
            if k > 0 and curvature > 0 and fresh < d:
                q = -g + ((Hq @ g) / curvature) * q
            else:
                q, fresh = -g, 0
            if g @ q >= 0:
                q, fresh = -g, 0
            Hq = hvp_fd(grad_f, w, q)
            curvature = q @ Hq
            if curvature > 0:
                eta0 = -(g @ q) / curvature
            fresh += 1
        elif method == "bfgs":
            # single precision is enough for a search direction: the line search checks the decrease
            q = -(H_inv.astype(np.float32) @ g.astype(np.float32)).astype(np.float64)
        else:
            q = lbfgs_direction(g, s_list[-memory:], y_list[-memory:])
        eta = backtracking_line_search(f, grad_f, w, q, eta0=eta0)
        w_new = w + eta * q
        g_new = grad_f(w_new)
        s, y = w_new - w, g_new - g
        if method in ("bfgs", "lbfgs"):
            if y @ s > 1e-10 * np.linalg.norm(y) * np.linalg.norm(s):
                if method == "bfgs":
                    H_inv = bfgs_update(H_inv, s, y)
                else:
                    s_list.append(s)
                    y_list.append(y)
            else:
                H_inv, s_list, y_list = np.eye(d), [], []
        w, g = w_new, g_new
        path.append(w.copy())
    return OptResult(x=w, path=path, nit=len(path) - 1)
"""),
]

MISTAKES = [
    Mistake("hessian_fd", "columns of differences, not symmetrised", """\
def hessian_fd(grad_fn, w, eps=1e-5):
    w = np.asarray(w, dtype=np.float64)
    H = np.zeros((w.size, w.size))
    for j in range(w.size):
        e = np.zeros(w.size)
        e[j] = eps
        H[:, j] = (grad_fn(w + e) - grad_fn(w - e)) / (2 * eps)
    return H
""", "not symmetrised"),
    Mistake("newton_step", "w + H^-1 grad (wrong sign)", """\
def newton_step(w, grad, hess):
    return w + np.linalg.solve(hess, grad)
""", "wrong sign", tests=("test_newton_step", "test_minimize_newton")),
    Mistake("bfgs_update", "the rho s s^T term forgotten", """\
def bfgs_update(H_inv, s, y):
    rho = 1.0 / (y @ s)
    I = np.eye(len(s))
    return (I - rho * np.outer(s, y)) @ H_inv @ (I - rho * np.outer(y, s))
""", "without the last term", tests=("test_bfgs_update", "test_minimize_bfgs")),
    Mistake("lbfgs_direction", "gamma = 1 instead of s.y / y.y", """\
def lbfgs_direction(grad, s_list, y_list):
    a = np.array(grad, dtype=np.float64)
    alphas = []
    for s, y in zip(reversed(s_list), reversed(y_list)):
        alpha = (s @ a) / (y @ s)
        a = a - alpha * y
        alphas.append(alpha)
    for s, y, alpha in zip(s_list, y_list, reversed(alphas)):
        a = a + (alpha - (y @ a) / (y @ s)) * s
    return -a
""", "gamma = 1"),
    Mistake("conjugate_gradient", "beta = 0: steepest descent with exact steps", """\
def conjugate_gradient(hvp, b, x0=None, tol=1e-10, max_iter=None):
    b = np.asarray(b, dtype=np.float64)
    x = np.zeros_like(b) if x0 is None else np.array(x0, dtype=np.float64)
    max_iter = 10 * b.size if max_iter is None else max_iter
    r = b - hvp(x)
    for _ in range(max_iter):
        if np.linalg.norm(r) <= tol * np.linalg.norm(b):
            break
        Hr = hvp(r)
        alpha = (r @ r) / (r @ Hr)
        x = x + alpha * r
        r = r - alpha * Hr
    return x
""", "steepest descent"),
    Mistake("backtracking_line_search", "Armijo without c: any decrease accepted", """\
def backtracking_line_search(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, max_iter=50):
    f0 = f(w)
    if grad_f(w) @ direction >= 0:
        raise ValueError("not a descent direction")
    eta = eta0
    for _ in range(max_iter):
        if f(w + eta * direction) < f0:
            return eta
        eta *= shrink
    raise RuntimeError("no decrease found")
""", "any decrease at all"),
]
