"""Line searches: how far to go along a descent direction q from w.

Everything here looks at the one-dimensional function
phi(eta) = f(w + eta q), whose slope at 0 is phi'(0) = grad f(w) . q.
q must be a descent direction, phi'(0) < 0, or no small step can help.

- Armijo (sufficient decrease):  phi(eta) <= phi(0) + c1 eta phi'(0).
- strong Wolfe adds the curvature condition |phi'(eta)| <= c2 |phi'(0)|:
  the slope must have flattened, which rules out tiny steps and, for BFGS,
  guarantees y . s > 0 so the inverse-Hessian update stays positive definite.

``backtracking_line_search`` enforces Armijo by shrinking eta;
``wolfe_line_search`` enforces strong Wolfe by bracketing and zooming
(Nocedal & Wright, Numerical Optimization, algorithms 3.5 and 3.6).
"""
from dataclasses import dataclass

import numpy as np

from course_lib.second_order.checks import as_vector, call_gradient


class LineSearchError(RuntimeError):
    """No step satisfying the line-search conditions was found."""


class PrecisionLossError(LineSearchError):
    """The line search stopped because f is flat to rounding error along the direction.

    The bracket shrank below what a float can resolve, or f took the same
    value (to rounding) at both of its ends: no decrease of f is representable
    there, although the gradient may not be small yet (scipy calls this
    "precision loss"). ``best`` is the best step found that satisfies
    sufficient decrease but not the curvature condition, as a WolfeResult,
    or None if no step beat the starting point.
    """

    def __init__(self, message, best=None):
        super().__init__(message)
        self.best = best


def _descent_slope(g0, direction):
    slope = float(g0 @ direction)
    if not np.isfinite(slope):
        raise ValueError(f"grad_f(w) . direction = {slope}; the gradient or direction is not finite.")
    if slope >= 0:
        raise ValueError(
            f"direction is not a descent direction: grad_f(w) . direction = {slope:.6g} >= 0, so f "
            "does not decrease along it for small steps. Use e.g. direction = -grad_f(w)."
        )
    return slope


def _value(f, w):
    """f(w) as a float, with nan read as +inf so every comparison treats it as 'too far'."""
    value = float(f(w))
    return np.inf if np.isnan(value) else value


def _check_fraction(name, value):
    value = float(value)
    if not 0 < value < 1:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}.")
    return value


def backtracking_line_search(f, grad_f, w, direction, eta0=1.0, c=1e-4, shrink=0.5, max_iter=50,
                             f0=None, g0=None):
    """Largest eta in eta0, shrink*eta0, shrink^2*eta0, ... with Armijo's sufficient decrease.

    Accepts the first eta with f(w + eta q) <= f(w) + c eta grad_f(w) . q.
    Start with eta0 = 1 for Newton and quasi-Newton directions: near a
    minimum the full step is accepted and their fast convergence is kept.

    f: (d,) -> float; grad_f: (d,) -> (d,); w, direction q: shape (d,).
    ``f0``/``g0``: f(w) and grad_f(w) if already known (saves two calls).
    Returns eta (float). Raises ValueError if grad_f(w) . q >= 0 and
    LineSearchError if ``max_iter`` halvings find no such eta.
    """
    w = as_vector("w", w)
    q = as_vector("direction", direction, w.size)
    eta = float(eta0)
    if not eta > 0:
        raise ValueError(f"eta0 must be a positive initial step, got {eta0!r}.")
    c = _check_fraction("c", c)
    shrink = _check_fraction("shrink", shrink)
    f0 = _value(f, w) if f0 is None else float(f0)
    g0 = as_vector("grad_f(w)", grad_f(w) if g0 is None else g0, w.size)
    slope = _descent_slope(g0, q)
    for _ in range(int(max_iter)):
        if _value(f, w + eta * q) <= f0 + c * eta * slope:
            return eta
        eta *= shrink
    raise LineSearchError(
        f"backtracking found no step with sufficient decrease in {max_iter} tries (last step "
        f"{eta / shrink:.3g}); the direction may be badly scaled or f may be noisy."
    )


@dataclass
class WolfeResult:
    """A step eta satisfying the strong Wolfe conditions, f and grad_f there, and the calls spent."""

    step: float
    fun: float
    grad: np.ndarray
    n_fev: int
    n_gev: int


def wolfe_line_search(f, grad_f, w, direction, c1=1e-4, c2=0.9, step0=1.0, max_iter=30,
                      f0=None, g0=None):
    """A step eta with the strong Wolfe conditions, by bracketing and zooming (N&W algorithms 3.5, 3.6).

        phi(eta)     <= phi(0) + c1 eta phi'(0)      (sufficient decrease)
        |phi'(eta)|  <= c2 |phi'(0)|                  (curvature)

    with 0 < c1 < c2 < 1 (0.9 suits Newton and quasi-Newton directions, 0.1
    to 0.4 nonlinear CG). Bracketing tries step0 and then ever longer steps
    (see ``_extrapolate``) until an interval is known to contain acceptable
    steps; zoom then shrinks it, choosing each trial at the minimiser of a cubic fitted to phi and
    phi' at both ends (quadratic when phi' is unknown at one end), and
    bisecting when that minimiser falls within 10% of an end. phi' is only
    evaluated where sufficient decrease holds, so a rejected trial costs one
    f call only.

    f: (d,) -> float; grad_f: (d,) -> (d,); w, direction: shape (d,).
    ``f0``/``g0``: f(w), grad_f(w) if known (they are not counted then).
    Returns WolfeResult(step, fun, grad, n_fev, n_gev) where fun and grad
    are f and grad_f at w + step * direction. Raises ValueError for a
    non-descent direction, PrecisionLossError (a LineSearchError) when f
    is flat to rounding error along the direction, typically near a minimum
    with a tolerance below what float64 resolves, and LineSearchError when
    ``max_iter`` trials are spent otherwise.
    """
    w = as_vector("w", w)
    q = as_vector("direction", direction, w.size)
    c1 = _check_fraction("c1", c1)
    c2 = _check_fraction("c2", c2)
    if not c1 < c2:
        raise ValueError(f"need c1 < c2 for a strong Wolfe step to exist, got c1={c1}, c2={c2}.")
    step0 = float(step0)
    if not step0 > 0:
        raise ValueError(f"step0 must be a positive first trial step, got {step0!r}.")
    search = _Phi(f, grad_f, w, q)
    phi0 = search.phi(0.0) if f0 is None else float(f0)
    g0 = search.grad_at(0.0) if g0 is None else as_vector("g0", g0, w.size)
    dphi0 = _descent_slope(g0, q)

    def armijo(eta, phi_eta):
        return phi_eta <= phi0 + c1 * eta * dphi0

    def curvature(dphi_eta):
        return abs(dphi_eta) <= -c2 * dphi0

    # Algorithm 3.5: grow eta until [previous, eta] brackets acceptable steps.
    prev = _Point(0.0, phi0, dphi0, g0)
    eta = step0
    for trial in range(max_iter):
        phi_eta = search.phi(eta)
        if not armijo(eta, phi_eta) or (trial > 0 and phi_eta >= prev.phi):
            return search.zoom(prev, _Point(eta, phi_eta), armijo, curvature, max_iter - trial - 1)
        point = search.point(eta, phi_eta)
        if curvature(point.dphi):
            return search.result(point)
        if point.dphi >= 0:
            return search.zoom(point, prev, armijo, curvature, max_iter - trial - 1)
        prev, eta = point, _extrapolate(prev, point)
    raise LineSearchError(
        f"no strong Wolfe step in {max_iter} trials: f kept decreasing up to step {prev.eta:.3g} "
        "(is f bounded below along this direction?)."
    )


@dataclass
class _Point:
    eta: float
    phi: float
    dphi: float | None = None  # None where phi' was not evaluated
    grad: np.ndarray | None = None  # grad_f(w + eta q) where it was


class _Phi:
    """phi(eta) = f(w + eta q) and phi'(eta) = grad_f(w + eta q) . q, with call counts."""

    def __init__(self, f, grad_f, w, q):
        self.f, self.grad_f, self.w, self.q = f, grad_f, w, q
        self.n_fev = self.n_gev = 0

    def phi(self, eta):
        self.n_fev += 1
        return _value(self.f, self.w + eta * self.q)

    def grad_at(self, eta):
        self.n_gev += 1
        return call_gradient(self.grad_f, self.w + eta * self.q, self.w.size, "grad_f")

    def point(self, eta, phi_eta):
        """The trial point with phi' (and the gradient) evaluated there."""
        g = self.grad_at(eta)
        return _Point(eta, phi_eta, float(g @ self.q), g)

    def result(self, point):
        return WolfeResult(point.eta, point.phi, point.grad, self.n_fev, self.n_gev)

    def zoom(self, lo, hi, armijo, curvature, budget):
        """Algorithm 3.6. lo satisfies Armijo with the lowest phi so far; phi'(lo) (hi - lo) < 0."""
        eta, flat = lo.eta, False
        for _ in range(max(budget, 0)):
            eta = _interpolate(lo, hi)
            if eta is None:
                break
            phi_eta = self.phi(eta)
            if not armijo(eta, phi_eta) or phi_eta >= lo.phi:
                # A step short enough for sufficient decrease that still does not lower f:
                # the decrease it should bring is below the rounding error of f.
                flat = flat or (armijo(eta, phi_eta) and _same_to_rounding(phi_eta, lo.phi))
                hi = _Point(eta, phi_eta)
                continue
            point = self.point(eta, phi_eta)
            if curvature(point.dphi):
                return self.result(point)
            if point.dphi * (hi.eta - lo.eta) >= 0:
                hi = lo
            lo = point
        between = f"between {min(lo.eta, hi.eta):.6g} and {max(lo.eta, hi.eta):.6g}"
        best = self.result(lo) if lo.grad is not None and lo.eta != 0 else None
        if eta is None or flat or _same_to_rounding(lo.phi, hi.phi):
            raise PrecisionLossError(
                f"zoom could not find a strong Wolfe step {between}: f is flat to rounding error "
                f"there (f = {lo.phi:.17g} and trial steps leave it unchanged to rounding)", best)
        raise LineSearchError(f"zoom could not find a strong Wolfe step {between} in its budget.")


def _same_to_rounding(a, b):
    """True when a and b differ by no more than a few units in the last place of the larger one."""
    scale = max(abs(a), abs(b))
    return np.isfinite(scale) and abs(a - b) <= 8 * np.finfo(float).eps * scale


def _interpolate(lo, hi):
    """Trial step inside (lo, hi): minimiser of a cubic or quadratic model of phi, else the midpoint.

    Returns None when the interval is too short to hold a distinct float.
    """
    a, b = lo.eta, hi.eta
    width = b - a
    if abs(width) <= 1e-14 * max(abs(a), abs(b), 1e-300):
        return None
    if hi.dphi is not None:
        eta = _cubic_minimiser(a, lo.phi, lo.dphi, b, hi.phi, hi.dphi)
    else:
        eta = _quadratic_minimiser(a, lo.phi, lo.dphi, b, hi.phi)
    # Safeguard: a trial too close to an end shrinks the interval too slowly.
    inner_lo, inner_hi = sorted((a + 0.1 * width, b - 0.1 * width))
    if eta is None or not inner_lo <= eta <= inner_hi:
        eta = a + 0.5 * width
    return eta


def _extrapolate(prev, point):
    """Next bracketing trial beyond ``point``, where phi still slopes downwards.

    The minimiser of the cubic through phi and phi' at ``prev`` and ``point``,
    kept within [point + 1.1 gap, point + 4 gap] (gap = point - prev): at
    least a real step forward, at most five times as far, as in Moré and
    Thuente's line search. Without a cubic minimiser, the longest step.
    """
    gap = point.eta - prev.eta
    low, high = point.eta + 1.1 * gap, point.eta + 4.0 * gap
    eta = _cubic_minimiser(prev.eta, prev.phi, prev.dphi, point.eta, point.phi, point.dphi)
    if eta is None or not np.isfinite(eta):
        return high
    return min(max(eta, low), high)


def _quadratic_minimiser(a, fa, da, b, fb):
    """Minimiser of the parabola with value fa and slope da at a and value fb at b (None if concave)."""
    h = b - a
    curv = (fb - fa - da * h) / (h * h)
    if not np.isfinite(curv) or curv <= 0:
        return None
    return a - da / (2 * curv)


def _cubic_minimiser(a, fa, da, b, fb, db):
    """Minimiser of the cubic with values and slopes (fa, da) at a and (fb, db) at b (N&W eq. 3.59)."""
    d1 = da + db - 3 * (fa - fb) / (a - b)
    radicand = d1 * d1 - da * db
    if not np.isfinite(radicand) or radicand < 0:
        return None
    d2 = np.copysign(np.sqrt(radicand), b - a)
    denom = db - da + 2 * d2
    if denom == 0:
        return None
    return b - (b - a) * (db + d2 - d1) / denom
