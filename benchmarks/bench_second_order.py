"""Iterations and evaluations of course_lib.second_order.minimize versus scipy.optimize.minimize.

Same problems, same start, same stopping test (||grad||_inf <= gtol), and
for each method its scipy counterpart:

    ours bfgs    vs scipy BFGS
    ours lbfgs   vs scipy L-BFGS-B  (maxcor = memory = 10, ftol = 0 so only gtol stops it)
    ours cg      vs scipy CG        (both Polak-Ribiere+)
    ours newton  vs scipy Newton-CG (both with the exact Hessian; for reference only)

Problems: Rosenbrock from (-1.2, 1), and L2-regularised logistic regression
on scikit-learn's digits (8 x 8 images scaled to [0, 1] plus a bias column,
"digit 8 versus the rest", lam = 1e-3), from w = 0. A second table sums
the counts over 20 random Rosenbrock starts and all ten "digit k versus
the rest" problems.

Columns: iterations, f calls, gradient calls, the final ||grad||_inf and f,
and the ratios ours / scipy of gradient calls and of f + gradient calls
(scipy's BFGS, CG and L-BFGS-B line searches evaluate f and grad_f together
at every trial point, ours asks for the gradient only where the sufficient
decrease test passed).

Run: .venv/bin/python benchmarks/bench_second_order.py [--gtol 1e-6]
"""
import argparse
import time

import numpy as np
import scipy.optimize
from sklearn.datasets import load_digits

from course_lib.second_order import (
    hessian_logistic_regression,
    logistic_regression_grad,
    logistic_regression_loss,
    minimize,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_hess,
)

SCIPY_PEER = {"bfgs": "BFGS", "lbfgs": "L-BFGS-B", "cg": "CG", "newton": "Newton-CG"}


def digits_problem(lam=1e-3, digit=8):
    """Logistic regression 'digit vs rest' on the 1797 digits; returns (f, grad, hess, w0)."""
    data = load_digits()
    X = np.hstack([data.data / 16.0, np.ones((data.data.shape[0], 1))])
    y = (data.target == digit).astype(np.float64)
    return (lambda w: logistic_regression_loss(X, y, w, lam),
            lambda w: logistic_regression_grad(X, y, w, lam),
            lambda w: hessian_logistic_regression(X, y, w, lam),
            np.zeros(X.shape[1]))


def problems():
    return {
        "rosenbrock": (rosenbrock, rosenbrock_grad, rosenbrock_hess, np.array([-1.2, 1.0])),
        "logistic digits": digits_problem(),
    }


class Counted:
    """Count calls of a function (scipy's nfev/njev count differently per method)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, w):
        self.calls += 1
        return self.fn(w)


def run_scipy(method, f, grad, hess, w0, gtol):
    cf, cg = Counted(f), Counted(grad)
    options = {"gtol": gtol, "maxiter": 200 * w0.size}
    kwargs = {}
    if method == "L-BFGS-B":
        options.update(ftol=0.0, maxcor=10)
    if method == "Newton-CG":
        options = {"xtol": 1e-14, "maxiter": 200 * w0.size}
        kwargs["hess"] = hess
    start = time.perf_counter()
    res = scipy.optimize.minimize(cf, w0, jac=cg, method=method, options=options, **kwargs)
    seconds = time.perf_counter() - start
    return dict(nit=res.nit, fev=cf.calls, gev=cg.calls, gnorm=np.max(np.abs(grad(res.x))),
                fun=res.fun, ok=bool(res.success), seconds=seconds)


def run_ours(method, f, grad, hess, w0, gtol):
    start = time.perf_counter()
    res = minimize(f, grad, w0, method, tol=gtol, hess_f=hess if method == "newton" else None)
    seconds = time.perf_counter() - start
    return dict(nit=res.nit, fev=res.n_fev, gev=res.n_gev, gnorm=res.grad_norm, fun=res.fun,
                ok=res.success, seconds=seconds)


def many_starts(gtol, n_starts=20, seed=0):
    """Totals over many runs, so one lucky or unlucky trajectory does not decide the comparison."""
    rng = np.random.default_rng(seed)
    runs = [(rosenbrock, rosenbrock_grad, rosenbrock_hess, rng.uniform(-2.0, 2.0, size=2))
            for _ in range(n_starts)]
    runs += [digits_problem(digit=digit) for digit in range(10)]
    print(f"Totals over {n_starts} Rosenbrock starts drawn from [-2, 2]^2 and the 10 'digit k vs rest'"
          " logistic regressions:\n")
    header = (f"{'method':7s} {'ours f':>8s} {'ours g':>8s} {'scipy f':>8s} {'scipy g':>8s} "
              f"{'g ratio':>8s} {'f+g ratio':>9s} {'failures ours/scipy':>20s}")
    print(header)
    print("-" * len(header))
    for method, peer in SCIPY_PEER.items():
        if method == "newton":
            continue
        tot = np.zeros(4, dtype=int)
        failures = [0, 0]
        for f, grad, hess, w0 in runs:
            ours = run_ours(method, f, grad, hess, w0, gtol)
            theirs = run_scipy(peer, f, grad, hess, w0, gtol)
            tot += [ours["fev"], ours["gev"], theirs["fev"], theirs["gev"]]
            failures[0] += not ours["ok"]
            failures[1] += not theirs["ok"]
        print(f"{method:7s} {tot[0]:8d} {tot[1]:8d} {tot[2]:8d} {tot[3]:8d} {tot[1] / tot[3]:8.2f} "
              f"{(tot[0] + tot[1]) / (tot[2] + tot[3]):9.2f} {failures[0]:>10d}/{failures[1]:<9d}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gtol", type=float, default=1e-6)
    args = parser.parse_args()
    header = (f"{'problem':16s} {'method':7s} {'who':14s} {'nit':>5s} {'f calls':>8s} {'g calls':>8s} "
              f"{'|grad|inf':>10s} {'f':>14s} {'ok':>3s} {'g ratio':>8s} {'f+g ratio':>9s}")
    print(f"gtol = {args.gtol:g} (||grad||_inf); ratios are ours / scipy, below 1 means fewer calls\n")
    print(header)
    print("-" * len(header))
    for pname, (f, grad, hess, w0) in problems().items():
        for method, peer in SCIPY_PEER.items():
            ours = run_ours(method, f, grad, hess, w0, args.gtol)
            theirs = run_scipy(peer, f, grad, hess, w0, args.gtol)
            for who, r in (("ours " + method, ours), ("scipy " + peer, theirs)):
                ratio = ""
                if r is ours:
                    ratio = (f"{ours['gev'] / theirs['gev']:8.2f} "
                             f"{(ours['fev'] + ours['gev']) / (theirs['fev'] + theirs['gev']):9.2f}")
                print(f"{pname:16s} {method:7s} {who:14s} {r['nit']:5d} {r['fev']:8d} {r['gev']:8d} "
                      f"{r['gnorm']:10.2e} {r['fun']:14.10f} {'yes' if r['ok'] else 'no':>3s} {ratio}")
        print()
    many_starts(args.gtol)


if __name__ == "__main__":
    main()
