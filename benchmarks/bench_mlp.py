"""One training epoch of a 64-100-10 ReLU network on digits: course_lib modules vs PyTorch.

Both sides start from the same weights (drawn by course_lib, copied into
torch), see the same mini-batches of 64 in the same order, use the batch-mean
softmax cross-entropy and plain SGD (theta <- theta - lr * grad), all in
float64 on the CPU, in this one process. Each epoch is timed several times
from the same starting point and the fastest run is reported (the machine is
shared, so the minimum is the least noisy figure). After one epoch both
networks must hold the same parameters up to rounding (checked to 1e-10).

Run: .venv/bin/python benchmarks/bench_mlp.py [--repeats 7]
"""
import argparse
import sys
import time

import numpy as np

from course_lib.data import load_digits
from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import Linear, ReLU, Sequential

BATCH = 64
LR = 0.1
SIZES = (64, 100, 10)


def make_batches(n, seed=0):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i:i + BATCH] for i in range(0, n, BATCH)]


def initial_weights(seed=0):
    model = Sequential(Linear(SIZES[0], SIZES[1], rng=seed), ReLU(), Linear(SIZES[1], SIZES[2], rng=seed + 1))
    rng = np.random.default_rng(seed + 2)
    for name, value in model.params.items():
        if name.endswith(".b"):
            value[...] = 0.1 * rng.standard_normal(value.shape)  # non-zero biases exercise db too
    return {name: value.copy() for name, value in model.params.items()}


def course_lib_epoch(weights, batches_x, batches_y):
    model = Sequential(Linear(SIZES[0], SIZES[1]), ReLU(), Linear(SIZES[1], SIZES[2]))
    for name, value in model.params.items():
        value[...] = weights[name]
    params, grads = model.params, model.grads
    start = time.perf_counter()
    for xb, yb in zip(batches_x, batches_y):
        _, dscores = softmax_cross_entropy(model.forward(xb), yb)
        model.backward(dscores)
        grads = model.grads
        for name, value in params.items():
            value -= LR * grads[name]
    elapsed = time.perf_counter() - start
    return elapsed, {name: value.copy() for name, value in model.params.items()}


def torch_epoch(torch, weights, batches_x, batches_y):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(), nn.Linear(SIZES[1], SIZES[2])).double()
    with torch.no_grad():
        for i in (0, 2):
            # torch stores the weight as (out, in); course_lib's w is (in, out).
            model[i].weight.copy_(torch.from_numpy(weights[f"{i}.w"].T))
            model[i].bias.copy_(torch.from_numpy(weights[f"{i}.b"]))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for xb, yb in zip(batches_x, batches_y):
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    elapsed = time.perf_counter() - start
    final = {}
    for i in (0, 2):
        final[f"{i}.w"] = model[i].weight.detach().numpy().T.copy()
        final[f"{i}.b"] = model[i].bias.detach().numpy().copy()
    return elapsed, final


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs per library (best is reported)")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: nothing to compare course_lib with. "
              "Install the 'bench' extra (pip install -e '.[bench]') to run this benchmark.")
        return 0

    data = load_digits(seed=0)
    batches = make_batches(len(data.y_train))
    xs = [data.x_train[b] for b in batches]
    ys = [data.y_train[b] for b in batches]
    # Tensors are built once outside the timed loop, as the numpy batches are.
    txs = [torch.from_numpy(x) for x in xs]
    tys = [torch.from_numpy(y) for y in ys]
    weights = initial_weights()

    ours, theirs = [], []
    for _ in range(args.repeats):  # interleaved so both sides see the same machine load
        t, final_ours = course_lib_epoch(weights, xs, ys)
        ours.append(t)
        t, final_theirs = torch_epoch(torch, weights, txs, tys)
        theirs.append(t)

    worst = max(float(np.max(np.abs(final_ours[k] - final_theirs[k]))) for k in final_ours)
    best_ours, best_theirs = min(ours), min(theirs)
    print(f"one epoch, {len(batches)} batches of {BATCH}, network {'-'.join(map(str, SIZES))} "
          f"ReLU, float64, best of {args.repeats}")
    print(f"  course_lib : {best_ours * 1e3:8.2f} ms")
    print(f"  PyTorch    : {best_theirs * 1e3:8.2f} ms   (torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads)")
    print(f"  ratio course_lib / PyTorch: {best_ours / best_theirs:.2f}")
    print(f"  max |parameter difference| after one epoch: {worst:.2e}")
    if worst > 1e-10:
        print("FAILED: the two libraries disagree on the trained parameters.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
