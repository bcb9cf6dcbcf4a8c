"""The training loop of course_lib.optim.train on a small subset of the digits."""
import dataclasses
import functools
import io
import math
import sys

import numpy as np
import pytest

from course_lib.data import load_digits
from course_lib.gradient_norms import layer_gradient_norms
from course_lib.layers.losses import softmax_cross_entropy
from course_lib.modules import Linear, Module, ReLU, Sequential
from course_lib.optim import (
    SGD,
    AdaDelta,
    Adam,
    DivergenceError,
    Momentum,
    NesterovSimplified,
    RMSProp,
    RMSPropNesterov,
    inverse_decay,
    train,
)
from course_lib.params import get_flat_params

train_mod = sys.modules["course_lib.optim.train"]

N_TRAIN, N_VAL, BATCH = 400, 150, 32
STEPS_PER_EPOCH = math.ceil(N_TRAIN / BATCH)


@pytest.fixture(scope="module")
def digits():
    splits = load_digits(seed=0)
    return ((splits.x_train[:N_TRAIN], splits.y_train[:N_TRAIN]),
            (splits.x_val[:N_VAL], splits.y_val[:N_VAL]))


class ModeSpy(Module):
    """Identity module recording (training flag, batch size) at each forward."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def forward(self, x):
        self.calls.append((self.training, len(x)))
        return x

    def backward(self, dout):
        return dout


def make_model(seed=0, spy=None):
    rng = np.random.default_rng(seed)
    layers = [Linear(64, 32, rng=rng), ReLU()] + ([spy] if spy is not None else []) + [Linear(32, 10, rng=rng)]
    return Sequential(*layers)


def accuracy(model, x, y):
    model.eval()
    return float(np.mean(np.argmax(model.forward(x), axis=1) == y))


def test_training_reduces_loss_and_reaches_good_validation_accuracy(digits):
    (x, y), (xv, yv) = digits
    model = make_model()
    before = accuracy(model, xv, yv)
    model.train()
    epochs = 5
    h = train(model, softmax_cross_entropy, digits, Adam(0.01), epochs=epochs, batch_size=BATCH,
              seed=1, progress=False)
    assert h.steps_per_epoch == STEPS_PER_EPOCH
    assert len(h.step_loss) == len(h.step_eta) == epochs * STEPS_PER_EPOCH
    for field in ("epoch_train_loss", "epoch_train_accuracy", "epoch_val_loss",
                  "epoch_val_accuracy", "epoch_grad_norms"):
        assert len(getattr(h, field)) == epochs, field
    assert all(len(norms) == 2 for norms in h.epoch_grad_norms)
    assert np.all(np.isfinite(h.epoch_grad_norms)) and np.all(np.array(h.epoch_grad_norms) > 0)
    assert h.epoch_train_loss[-1] < 0.25 * h.step_loss[0]
    assert h.epoch_val_loss[-1] < h.epoch_val_loss[0]
    assert before < 0.4 and h.epoch_val_accuracy[-1] > 0.85
    assert h.step_eta == [0.01] * len(h.step_eta)

    # The recorded figures are what an independent measurement gives.
    assert h.epoch_val_accuracy[-1] == accuracy(model, xv, yv)
    assert h.epoch_train_accuracy[-1] == accuracy(model, x, y)
    val_loss, _ = softmax_cross_entropy(model.forward(xv), yv)
    assert h.epoch_val_loss[-1] == pytest.approx(val_loss, rel=1e-12)
    np.testing.assert_allclose(h.epoch_grad_norms[-1],
                               layer_gradient_norms(model.eval(), x, y, softmax_cross_entropy),
                               rtol=1e-12)
    sizes = [BATCH] * (STEPS_PER_EPOCH - 1) + [N_TRAIN - BATCH * (STEPS_PER_EPOCH - 1)]
    for e in range(epochs):
        losses = h.step_loss[e * STEPS_PER_EPOCH:(e + 1) * STEPS_PER_EPOCH]
        assert h.epoch_train_loss[e] == pytest.approx(np.average(losses, weights=sizes), rel=1e-12)


@pytest.mark.parametrize("make_optimizer", [
    lambda: SGD(0.1),
    lambda: Momentum(0.02, 0.9),
    lambda: NesterovSimplified(0.02, 0.9),
    lambda: RMSPropNesterov(0.002, 0.5),
    lambda: RMSProp(0.003),
    lambda: AdaDelta(),
], ids=["SGD", "Momentum", "NesterovSimplified", "RMSPropNesterov", "RMSProp", "AdaDelta"])
def test_every_optimizer_trains_the_network(digits, make_optimizer):
    h = train(make_model(), softmax_cross_entropy, digits, make_optimizer(), epochs=2,
              batch_size=BATCH, seed=2, progress=False, track_grad_norms=False)
    assert h.epoch_train_loss[-1] < 0.6 * h.step_loss[0]
    assert h.epoch_val_accuracy[-1] > 0.6
    assert h.epoch_grad_norms == []


def test_model_parameters_are_the_optimizers_last_iterate(digits):
    model = make_model()
    theta0 = get_flat_params(model)
    train(model, softmax_cross_entropy, digits, SGD(0.05), epochs=1, batch_size=N_TRAIN,
          seed=0, progress=False)
    # One full-batch SGD step, computed by hand from the gradient at theta0.
    (x, y), _ = digits
    reference = make_model()
    reference.train()
    out = reference.forward(x)
    _, dout = softmax_cross_entropy(out, y)
    reference.backward(dout)
    grads = np.concatenate([g.ravel() for g in reference.grads.values()])
    np.testing.assert_allclose(get_flat_params(model), theta0 - 0.05 * grads, rtol=1e-12, atol=1e-14)


def test_same_seed_same_history_and_different_seed_different_batches(digits):
    def run(seed):
        model = make_model(seed=3)
        h = train(model, softmax_cross_entropy, digits, Momentum(0.02, 0.9), epochs=2,
                  batch_size=BATCH, seed=seed, progress=False)
        return dataclasses.asdict(h), get_flat_params(model)

    h1, p1 = run(7)
    h2, p2 = run(7)
    h3, _ = run(8)
    assert h1 == h2
    np.testing.assert_array_equal(p1, p2)
    assert h1["step_loss"] != h3["step_loss"]
    # A Generator is accepted as the seed too.
    h4, _ = run(np.random.default_rng(7))
    assert h4 == h1


def test_schedule_is_recorded_per_step(digits):
    schedule = functools.partial(inverse_decay, 0.05, 0.1)
    h = train(make_model(), softmax_cross_entropy, digits, SGD(schedule=schedule), epochs=2,
              batch_size=BATCH, seed=0, progress=False, track_grad_norms=False)
    assert h.step_eta == [schedule(t) for t in range(2 * STEPS_PER_EPOCH)]


class NotebookSGD:
    """The notebook's optimizer interface (no current_eta): eta, schedule and an update count t."""

    def __init__(self, eta=0.001, *, schedule=None, counter="t"):
        self.eta, self.schedule, self.counter = eta, schedule, counter
        setattr(self, counter, 0)

    def step(self, theta, grad_fn):
        t = getattr(self, self.counter)
        eta = self.eta if self.schedule is None else self.schedule(t)
        setattr(self, self.counter, t + 1)
        return theta - eta * grad_fn(theta)


def test_step_eta_of_a_notebook_class_comes_from_its_schedule_not_its_default_eta(digits):
    # A student's Adam(schedule=...) keeps the default eta=0.001; the rate used is schedule(t).
    schedule = functools.partial(inverse_decay, 0.05, 0.1)
    optimizer = NotebookSGD(schedule=schedule)
    h = train(make_model(), softmax_cross_entropy, digits, optimizer, epochs=1, batch_size=BATCH, seed=0,
              progress=False, track_grad_norms=False)
    np.testing.assert_allclose(h.step_eta, [schedule(t) for t in range(STEPS_PER_EPOCH)], rtol=1e-15)
    # A second call goes on from the optimizer's own count t.
    h2 = train(make_model(), softmax_cross_entropy, digits, optimizer, epochs=1, batch_size=BATCH, seed=0,
               progress=False, track_grad_norms=False)
    np.testing.assert_allclose(h2.step_eta, [schedule(t) for t in range(STEPS_PER_EPOCH, 2 * STEPS_PER_EPOCH)],
                               rtol=1e-15)


def test_step_eta_counts_the_updates_of_the_call_when_the_class_keeps_no_t(digits):
    schedule = functools.partial(inverse_decay, 0.05, 0.1)
    h = train(make_model(), softmax_cross_entropy, digits, NotebookSGD(schedule=schedule, counter="updates"),
              epochs=1, batch_size=BATCH, seed=0, progress=False, track_grad_norms=False)
    np.testing.assert_allclose(h.step_eta, [schedule(t) for t in range(STEPS_PER_EPOCH)], rtol=1e-15)


def test_step_eta_of_a_notebook_class_without_schedule_is_its_eta(digits):
    h = train(make_model(), softmax_cross_entropy, digits, NotebookSGD(eta=0.02), epochs=1, batch_size=BATCH,
              seed=0, progress=False, track_grad_norms=False)
    assert h.step_eta == [0.02] * STEPS_PER_EPOCH


def test_train_mode_for_steps_eval_mode_for_measurements(digits):
    spy = ModeSpy()
    model = make_model(spy=spy)
    train(model, softmax_cross_entropy, digits, SGD(0.05), epochs=2, batch_size=BATCH, seed=0,
          progress=False)
    step_calls = [mode for mode, n in spy.calls if n <= BATCH]
    measure_calls = [mode for mode, n in spy.calls if n > BATCH]
    assert len(step_calls) == 2 * STEPS_PER_EPOCH and all(step_calls)
    # Per epoch: train accuracy, validation, gradient norms.
    assert len(measure_calls) == 2 * 3 and not any(measure_calls)
    assert model.training  # back to the mode it came in with
    model.eval()
    train(model, softmax_cross_entropy, digits, SGD(0.05), epochs=1, batch_size=BATCH, seed=0,
          progress=False)
    assert not model.training


def test_huge_learning_rate_stops_with_divergence_error(digits):
    model = make_model()
    with pytest.raises(DivergenceError) as info:
        train(model, softmax_cross_entropy, digits, SGD(1e6), epochs=20, batch_size=BATCH,
              seed=0, progress=False)
    err = info.value
    assert isinstance(err, FloatingPointError)
    message = str(err)
    assert f"step {err.step}" in message and f"epoch {err.epoch}" in message
    assert "eta=1e+06" in message and err.eta == 1e6
    assert 1 <= err.step <= 20 * STEPS_PER_EPOCH
    assert np.all(np.isfinite(get_flat_params(model)))


def test_non_finite_loss_names_the_step_where_it_happened(digits):
    calls = []

    def flaky_loss(scores, y):
        calls.append(len(scores))
        value, dscores = softmax_cross_entropy(scores, y)
        # Training batches only: the 16th one (epoch 2, step 3) is NaN.
        if len(scores) <= BATCH and sum(1 for n in calls if n <= BATCH) == STEPS_PER_EPOCH + 3:
            return float("nan"), dscores
        return value, dscores

    with pytest.raises(DivergenceError) as info:
        train(make_model(), flaky_loss, digits, SGD(0.01), epochs=3, batch_size=BATCH, seed=0,
              progress=False, track_grad_norms=False)
    err = info.value
    assert (err.step, err.epoch) == (STEPS_PER_EPOCH + 3, 2)
    assert f"step {STEPS_PER_EPOCH + 3} (epoch 2)" in str(err) and "eta=0.01" in str(err)
    assert "loss is nan" in str(err)


def test_non_finite_gradient_from_optimizer_becomes_divergence_error(digits):
    def nan_gradient_loss(scores, y):
        value, dscores = softmax_cross_entropy(scores, y)
        return value, dscores * np.nan

    with pytest.raises(DivergenceError) as info:
        train(make_model(), nan_gradient_loss, digits, Adam(0.01), epochs=1, batch_size=BATCH,
              seed=0, progress=False)
    assert info.value.step == 1 and "gradient has NaN or infinite entries" in str(info.value)
    assert isinstance(info.value.__cause__, FloatingPointError)


def test_data_as_pairs_or_without_validation(digits):
    (x, y), (xv, yv) = digits
    splits = load_digits(seed=0)
    subset = dataclasses.replace(splits, x_train=x, y_train=y, x_val=xv, y_val=yv)
    kwargs = dict(epochs=1, batch_size=BATCH, seed=0, progress=False)
    h_pairs = train(make_model(), softmax_cross_entropy, digits, SGD(0.05), **kwargs)
    h_splits = train(make_model(), softmax_cross_entropy, subset, SGD(0.05), **kwargs)
    assert dataclasses.asdict(h_pairs) == dataclasses.asdict(h_splits)
    h_no_val = train(make_model(), softmax_cross_entropy, (x, y), SGD(0.05), **kwargs)
    assert h_no_val.epoch_val_loss == [] and h_no_val.epoch_val_accuracy == []
    assert h_no_val.step_loss == h_pairs.step_loss


@pytest.mark.parametrize("kwargs, error, fragment", [
    (dict(epochs=0), ValueError, "epochs must be a positive integer"),
    (dict(batch_size=2.5), ValueError, "batch_size must be a positive integer"),
    (dict(optimizer=object()), TypeError, "optimizer must have a step"),
    (dict(data=((np.zeros((3, 64)), np.zeros(4, dtype=int)), (np.zeros((2, 64)), np.zeros(2, dtype=int)))),
     ValueError, "x_train has 3 samples but y_train has 4"),
    (dict(data="digits"), TypeError, "data must be a DataSplits"),
])
def test_bad_arguments_raise_clear_errors(digits, kwargs, error, fragment):
    args = dict(model=make_model(), loss=softmax_cross_entropy, data=digits, optimizer=SGD(0.1),
                epochs=1, batch_size=BATCH, seed=0, progress=False)
    args.update(kwargs)
    with pytest.raises(error, match=fragment):
        train(**args)


def test_text_progress_on_stderr_and_silence(digits, capsys):
    train(make_model(), softmax_cross_entropy, digits, SGD(0.05), epochs=2, batch_size=BATCH,
          seed=0, progress=True)
    err = capsys.readouterr().err
    assert "\r" in err and "epoch 1/2" in err and "epoch 2/2" in err and "val acc" in err
    assert err.count("\n") == 2  # one finished line per epoch
    train(make_model(), softmax_cross_entropy, digits, SGD(0.05), epochs=1, batch_size=BATCH,
          seed=0, progress=False)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_text_progress_pads_shorter_lines_and_throttles():
    stream = io.StringIO()
    bar = train_mod.TextProgress(10, stream=stream, min_interval=3600)
    bar.update(1, "a long first line")
    bar.update(2, "skipped")  # within min_interval
    bar.end_epoch(5, "short")
    bar.close()
    text = stream.getvalue()
    assert "skipped" not in text
    assert text == "\r[1/10] a long first line" + "\r" + "[5/10] short".ljust(len("[1/10] a long first line")) + "\n"


def test_widget_progress_in_a_notebook_kernel_and_text_fallback(monkeypatch):
    monkeypatch.setattr(train_mod, "_in_notebook_kernel", lambda: True)
    bar = train_mod.make_progress(40)
    assert isinstance(bar, train_mod.WidgetProgress)
    bar.update(7, "epoch 1/2")
    assert bar.bar.value == 7 and bar.bar.max == 40 and bar.label.value == "epoch 1/2"
    bar.end_epoch(20, "done")
    assert bar.bar.value == 20 and bar.label.value == "done"
    # Without ipywidgets the text line is used, silently.
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    assert isinstance(train_mod.make_progress(40), train_mod.TextProgress)
    monkeypatch.setattr(train_mod, "_in_notebook_kernel", lambda: False)
    assert isinstance(train_mod.make_progress(40), train_mod.TextProgress)


def test_not_in_a_notebook_kernel_under_pytest():
    assert train_mod._in_notebook_kernel() is False


def test_evaluate_in_chunks_and_without_class_labels(digits):
    from course_lib.layers.losses import mse_loss
    from course_lib.optim import evaluate

    _, (xv, yv) = digits
    model = make_model().eval()
    whole = evaluate(model, softmax_cross_entropy, xv, yv, batch_size=len(xv))
    chunked = evaluate(model, softmax_cross_entropy, xv, yv, batch_size=7)
    assert chunked[0] == pytest.approx(whole[0], rel=1e-12) and chunked[1] == whole[1]
    assert whole[1] == accuracy(model, xv, yv)
    targets = np.random.default_rng(0).standard_normal((len(xv), 10))
    loss_value, acc = evaluate(model, mse_loss, xv, targets)
    assert loss_value == pytest.approx(mse_loss(model.forward(xv), targets)[0], rel=1e-12)
    assert math.isnan(acc)
