"""autograder.judge and autograder.proxies: the notebooks' hidden tests, run on proxies into a sandbox."""
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.assignments import GradedTest, load_assignments
from autograder.grading.record import RECORD_FIELDS, failed_submission
from autograder.judge import grade_submission, run_test
from autograder.proxies import (
    ProxyError,
    Remote,
    RemoteClass,
    RemoteFunction,
    RemoteObject,
    StudentRaised,
    SubmissionAbort,
)
from autograder.sandbox import Limits, TrustedFunction, WorkerPool
from autograder.submissions import filled_notebook, with_answer
from course_lib.selfcheck.core import CheckFailure

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = load_assignments()
RELEASED = [n for n, a in ASSIGNMENTS.items() if (ROOT / "notebooks" / a.notebook).exists()]
NB01 = ASSIGNMENTS["01_backprop"]
LIMITS = Limits(wall_seconds=3.0, load_seconds=3.0, memory_mb=1024, cpu_seconds=120, output_chars=5000)
HIDDEN_MARKERS = ("BEGIN HIDDEN", "autograder.checks", "grade_sigmoid(", "import grade_")


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(LIMITS) as p:
        yield p


def filled(name):
    a = ASSIGNMENTS[name]
    return filled_notebook(ROOT / "solutions" / a.notebook, ROOT / "notebooks" / a.notebook)


def by_test(result):
    return {r.test: r for r in result.records}


# ---------------------------------------------------------------- whole notebooks

@pytest.mark.parametrize("name", RELEASED)
def test_the_solutions_get_full_marks(pool, name):
    result = grade_submission(pool, filled(name), ASSIGNMENTS[name], "alice")
    assert [r.status for r in result.records] == ["passed"] * len(ASSIGNMENTS[name].tests), result.records
    assert sum(r.score for r in result.records) == ASSIGNMENTS[name].max_score > 0
    assert all(tuple(r.to_json()) == RECORD_FIELDS and r.student == "alice" and r.assignment == name
               for r in result.records)
    assert result.notes == []


@pytest.mark.parametrize("name", RELEASED)
def test_the_untouched_release_gets_zero_not_implemented(pool, name):
    a = ASSIGNMENTS[name]
    result = grade_submission(pool, ROOT / "notebooks" / a.notebook, a, "bob")
    assert [r.test for r in result.records] == [t.grade_id for t in a.tests]
    for r, test in zip(result.records, a.tests):
        assert (r.status, r.score, r.max_score) == ("failed", 0.0, test.points)
        assert r.message.startswith("not implemented yet: ")
        assert r.message.split(": ")[1].split()[0] in test.student_names   # names the stub


def test_typical_mistakes_cost_exactly_their_tests(pool):
    nb = with_answer(filled("01_backprop"), "sigmoid", textwrap.dedent("""\
        def sigmoid_forward(x):
            out = 1.0 / (1.0 + np.exp(-x))
            return out, x


        def sigmoid_backward(dout, cache):
            x = cache
            return dout * x * (1.0 - x)
        """))
    # modifying an input in place: the worker gets copies, and what the submission does to them is
    # copied back into the judge's arrays, so the check sees it as it would in the kernel
    nb = with_answer(nb, "relu", textwrap.dedent("""\
        def relu_forward(x):
            x[x < 0] = 0.0
            return x.copy(), x > 0


        def relu_backward(dout, cache):
            return dout * cache
        """))
    records = by_test(grade_submission(pool, nb, NB01, "carol"))
    lost = NB01.test("test_sigmoid").points + NB01.test("test_relu").points
    assert sum(r.score for r in records.values()) == NB01.max_score - lost
    assert [t for t, r in records.items() if r.status != "passed"] == ["test_sigmoid", "test_relu"]
    message = records["test_sigmoid"].message
    assert records["test_sigmoid"].status == "failed"
    assert "sigmoid_backward" in message and "must use the OUTPUT" in message
    assert records["test_relu"].status == "failed"
    assert "modified its input x in place" in records["test_relu"].message


def test_a_model_changed_in_the_worker_is_seen_by_the_check(pool):
    a = ASSIGNMENTS["04_vanishing_gradients"]
    nb = with_answer(filled(a.name), "layer_gradient_norms", textwrap.dedent("""\
        def layer_gradient_norms(model, x, y):
            scores = model.forward(x)
            _, dscores = softmax_cross_entropy(scores, y)
            model.backward(dscores)
            for layer in model.layers:
                if isinstance(layer, Linear):
                    layer.params["w"] -= 0.1 * layer.grads["w"]   # a training step: not asked for
            return [float(np.linalg.norm(l.grads["b"])) for l in model.layers if isinstance(l, Linear)]
        """))
    records = by_test(grade_submission(pool, nb, a, "erin"))
    assert records["test_layer_gradient_norms"].status == "failed"
    assert "parameters" in records["test_layer_gradient_norms"].message
    assert "changed" in records["test_layer_gradient_norms"].message


HOSTILE = {
    # a cell that does not parse
    "numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n    return [x for x in\n",
    # defined twice: the last definition (a correct one) is graded
    "relative_error": textwrap.dedent("""\
        def relative_error(a, b):
            return 0.5


        def relative_error(a, b):
            d = np.linalg.norm(np.asarray(a, float) - np.asarray(b, float))
            t = np.linalg.norm(np.asarray(a, float) + np.asarray(b, float))
            return 0.0 if d == 0 else (float('inf') if t == 0 else float(d / t))
        """),
    # loops forever
    "tanh": "def tanh_forward(x):\n    while True:\n        pass\n\n\n"
            "def tanh_backward(dout, cache):\n    return dout\n",
    # ends the process
    "relu": textwrap.dedent("""\
        import os

        def relu_forward(x):
            return np.maximum(x, 0.0), x


        def relu_backward(dout, cache):
            os._exit(3)
        """),
    # correct, but prints megabytes to stdout and stderr, and warns
    "leaky_relu": textwrap.dedent("""\
        import sys
        import warnings

        def leaky_relu_forward(x, alpha=0.01):
            print('<b>chatty</b>' + 'x' * 1_000_000)
            warnings.warn('a warning')
            return np.where(x > 0, x, alpha * x), (x, alpha)


        def leaky_relu_backward(dout, cache):
            x, alpha = cache
            print('y' * 300_000, file=sys.stderr)
            return dout * np.where(x > 0, 1.0, alpha)
        """),
    # wrong, and monkeypatches numpy's comparisons in its worker
    "softplus": textwrap.dedent("""\
        def softplus_forward(x):
            np.allclose = lambda *a, **k: True
            np.array_equal = lambda *a, **k: True
            np.testing.assert_allclose = lambda *a, **k: None
            return np.log1p(np.exp(x)) * 1.01, x


        def softplus_backward(dout, cache):
            return dout
        """),
    # wrong values in an ndarray subclass whose comparisons lie
    "cos_module": textwrap.dedent("""\
        class Liar(np.ndarray):
            def __eq__(self, other):
                return np.ones(self.shape, dtype=bool)

            def __sub__(self, other):
                return np.zeros(self.shape)

            def __float__(self):
                return 0.0


        def cos_module_forward(x, theta):
            return (np.cos(theta * x) + 3.0).view(Liar), (x, theta)


        def cos_module_backward(dout, cache):
            x, theta = cache
            s = np.sin(theta * x)
            return (-theta * s * dout).view(Liar), float(np.sum(-x * s * dout))
        """),
    # the function is missing
    "path_derivative": "# not done\n",
    # enumerates paths: the counting graph, rebuilt in the worker, stops it
    "backprop_derivatives": textwrap.dedent("""\
        def backprop_derivatives(graph, o):
            return {n: paths_from(graph, n, o) for n in graph.nodes}


        def paths_from(graph, w, o):
            if w == o:
                return 1.0
            return sum(z * paths_from(graph, j, o) for j, z in graph.successors(w).items())
        """),
}


@pytest.fixture(scope="module")
def hostile(pool):
    nb = filled("01_backprop")
    for grade_id, source in HOSTILE.items():
        nb = with_answer(nb, grade_id, source)
    short = Limits(wall_seconds=2.0, memory_mb=1024, cpu_seconds=120, output_chars=5000)
    return grade_submission(pool, nb, NB01, "mallory", limits=short)


def test_hostile_code_costs_only_its_own_tests(hostile):
    records = by_test(hostile)
    status = {t: r.status for t, r in records.items()}
    assert status == {
        "test_numerical_gradient": "missing", "test_relative_error": "passed", "test_sigmoid": "passed",
        "test_tanh": "timeout", "test_relu": "error", "test_leaky_relu": "passed", "test_softplus": "failed",
        "test_cos_module": "failed", "test_path_derivative": "missing", "test_backprop_derivatives": "failed",
    }
    assert all(r.score == (r.max_score if r.status == "passed" else 0) for r in records.values())
    assert records["test_numerical_gradient"].message == (
        "numerical_gradient is missing: it is written in cell 7 (grade_id 'numerical_gradient'), which does not "
        "parse: '[' was never closed on line 2 of the cell")
    assert "tanh_forward did not finish within 2 s" in records["test_tanh"].message
    message = records["test_relu"].message
    assert "relu_backward" in message and "exited with code 3" in message
    assert "out is wrong" in records["test_softplus"].message
    assert "out is wrong" in records["test_cos_module"].message
    assert "path_derivative is missing" in records["test_path_derivative"].message
    assert "enumerate paths" in records["test_backprop_derivatives"].message
    cell = 1 + next(i for i, c in enumerate(filled("01_backprop").cells)
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "backprop_derivatives")
    assert f"cell {cell}, line" in records["test_backprop_derivatives"].message     # the student's own line
    assert any("relative_error is defined 2 times" in n for n in hostile.notes)
    assert any("restarted 2 time(s)" in n for n in hostile.notes)


def test_output_is_kept_capped_and_never_costs_points(hostile):
    output = hostile.outputs["test_leaky_relu"]
    assert output.startswith("<b>chatty</b>xxx")
    assert len(output) < 4200 and "more characters of output not shown" in output


def test_messages_never_show_hidden_code(hostile):
    for r in hostile.records:
        assert not any(marker in r.message for marker in HIDDEN_MARKERS)


@pytest.mark.slow
def test_loading_that_hangs_falls_back_to_one_worker_per_test(pool):
    nb = with_answer(filled("01_backprop"), "numerical_gradient", textwrap.dedent("""\
        class Setup:
            while True:
                pass


        def numerical_gradient(f, x, h=1e-5):
            return Setup
        """))
    start = time.monotonic()
    short = Limits(wall_seconds=3.0, load_seconds=1.0, cpu_seconds=120, memory_mb=1024)
    result = grade_submission(pool, nb, NB01, "frank", limits=short)
    assert time.monotonic() - start < 15
    records = by_test(result)
    assert records["test_numerical_gradient"].status == "timeout"
    assert "loading the code of numerical_gradient failed" in records["test_numerical_gradient"].message
    assert all(r.status == "passed" for t, r in records.items() if t != "test_numerical_gradient")
    assert any("loading the notebook's code failed" in n for n in result.notes)


def test_an_unreadable_notebook_is_an_error_for_every_test(pool, tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ this is not json")
    result = grade_submission(pool, path, NB01, "gina")
    assert {r.status for r in result.records} == {"error"}
    assert "could not be read" in result.records[0].message
    unknown = failed_submission("hal", "unrecognised: x.ipynb", "could not tell")
    assert [r.to_json() for r in unknown.records] == [{"student": "hal", "assignment": "unrecognised: x.ipynb",
                                                       "test": "", "function": "",
                                                       "score": 0.0, "max_score": 0.0, "status": "error",
                                                       "message": "could not tell"}]


# ---------------------------------------------------------------- proxies, on a small submission

SOURCE = textwrap.dedent("""\
    import numpy as np

    def apply(f, x):
        return f(x)

    kept = []

    def keep(f):
        kept.append(f)

    def call_kept(x):
        return kept[-1](x)

    def apply_and_swallow(f, x):
        try:
            return f(x)
        except AssertionError as exc:
            return "swallowed: " + str(exc)

    def positive(x):
        if x < 0:
            raise ValueError(f"expected a positive number, got {x}")
        return np.sqrt(x)

    class Broken(Exception):
        pass

    def raise_own():
        raise Broken("<script>alert(1)</script>")

    class StepError(RuntimeError):
        pass

    def no_step():
        raise StepError("no step satisfies Armijo's condition")

    def update(d, arr, rng):
        d["count"] += 1
        d["mean"] *= 0.5
        d["new"] = np.ones(2)
        del d["old"]
        arr += 1.0
        return rng.standard_normal(3)

    def make_cache(x):
        return x * 2, {"x": x, "seen": {1, 2}}

    def use_cache(cache):
        return float(np.sum(cache["x"])) + len(cache["seen"])

    def read_graph(graph):
        return [graph.nodes, sorted(graph.edges), graph.value("b")]

    def model_step(model, x):
        out = model.forward(x)
        model.backward(np.ones_like(out))
        for name in model.params:
            model.params[name] -= 1.0
        return out

    def sleepy(seconds):
        import time
        time.sleep(seconds)
        return seconds

    def hog():
        return np.ones(2**31)

    class Counter:
        def __init__(self, start=0):
            self.value = start

        def step(self, grad_fn, x):
            if not isinstance(x, np.ndarray):
                raise ValueError("x must be an array")
            self.value += 1
            return x - 0.5 * grad_fn(x)

        def __len__(self):
            return self.value
    """)


@pytest.fixture(scope="module")
def worker(pool):
    w = pool.spawn(SOURCE, graded_names=["apply"])
    yield w
    w.close()


@pytest.fixture()
def remote(worker):
    return Remote(worker)


def test_judge_functions_are_called_back_and_their_errors_reach_the_check(remote):
    apply = RemoteFunction(remote, "apply")
    seen = []

    def f(z):
        seen.append(z.copy())
        return float(np.sum(z ** 2))

    x = np.arange(3.0)
    assert apply(f, x) == 5.0 and np.array_equal(seen[0], x)

    def strict(z):
        raise CheckFailure("f was called with the wrong shape")

    with pytest.raises(CheckFailure, match="wrong shape"):
        apply(strict, x)
    # the submission may catch it, exactly as it could in the notebook's kernel
    assert RemoteFunction(remote, "apply_and_swallow")(strict, x) == "swallowed: f was called with the wrong shape"
    # a judge function may itself call the submission (nested)
    assert apply(lambda z: apply(lambda q: q + 1.0, z) * 2.0, 1.0) == 4.0
    # a judge function cannot be kept and called after the call that received it
    keep = RemoteFunction(remote, "keep")
    keep(f)
    with pytest.raises(RuntimeError, match="can no longer be used"):
        RemoteFunction(remote, "call_kept")(x)
    # a TrustedFunction is built in the worker, and is callable here too (for nbgrader's in-kernel runs)
    A, b = np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([1.0, -1.0])
    grad = TrustedFunction("quadratic", "grad", A=A, b=b)
    assert np.allclose(apply(grad, np.ones(2)), A @ np.ones(2) - b)
    assert np.allclose(grad(np.ones(2)), A @ np.ones(2) - b)


def test_the_submissions_exceptions_keep_their_class(remote):
    positive = RemoteFunction(remote, "positive")
    assert positive(4.0) == 2.0
    with pytest.raises(ValueError, match="expected a positive number, got -1") as info:
        positive(-1.0)
    assert isinstance(info.value, StudentRaised) and info.value.label == "positive"
    with pytest.raises(StudentRaised) as info:
        RemoteFunction(remote, "raise_own")()
    assert info.value.type_name == "Broken" and not isinstance(info.value, ValueError)
    with pytest.raises(RuntimeError, match="Armijo") as info:       # a subclass keeps its builtin base
        RemoteFunction(remote, "no_step")()
    assert type(info.value).__name__ == "StepError"
    with pytest.raises(SubmissionAbort) as info:
        RemoteFunction(remote, "not_there")(1)
    assert info.value.status == "missing"
    with pytest.raises(SubmissionAbort) as info:
        RemoteFunction(remote, "hog")()
    assert info.value.status == "error" and "1024 MB" in info.value.message
    with pytest.raises(ProxyError, match="cannot send"):
        RemoteFunction(remote, "apply")(object(), 1)


def test_in_place_changes_come_back_to_the_judges_objects(remote):
    d = {"count": 1, "mean": np.array([2.0, 4.0]), "old": 0, "label": "keep"}
    mean = d["mean"]
    arr = np.zeros(3)
    rng = np.random.default_rng(5)
    twin = np.random.default_rng(5)
    drawn = RemoteFunction(remote, "update")(d, arr, rng)
    assert d["count"] == 2 and "old" not in d and np.array_equal(d["new"], np.ones(2))
    assert d["mean"] is mean and np.array_equal(mean, [1.0, 2.0])      # changed in place: same array
    assert np.array_equal(arr, np.ones(3))
    assert np.array_equal(drawn, twin.standard_normal(3))
    assert np.array_equal(rng.standard_normal(2), twin.standard_normal(2))   # the generator advanced


def test_objects_stay_in_the_worker(remote):
    out, cache = RemoteFunction(remote, "make_cache")(np.arange(3.0))
    assert np.array_equal(out, [0.0, 2.0, 4.0])
    assert isinstance(cache, dict) and isinstance(cache["seen"], RemoteObject)   # a set is not plain data
    assert RemoteFunction(remote, "use_cache")(cache) == 5.0
    Counter = RemoteClass(remote, "Counter")
    counter = Counter(start=2)
    assert isinstance(counter, Counter) and not isinstance(out, Counter)
    assert type(counter).__name__ == "Counter" and "Counter" in repr(counter)
    x = counter.step(TrustedFunction("quadratic", "grad", A=np.eye(2), b=np.zeros(2)), np.array([2.0, -2.0]))
    assert np.array_equal(x, [1.0, -1.0]) and counter.value == 3 and len(counter) == 3
    counter.value = 10
    assert counter.value == 10
    with pytest.raises(AttributeError, match="'Counter' object has no attribute 'missing'") as info:
        _ = counter.missing
    assert isinstance(info.value, StudentRaised) and info.value.label == "Counter"
    with pytest.raises(ValueError, match="x must be an array") as info:
        counter.step(TrustedFunction("quadratic", "grad", A=np.eye(2), b=np.zeros(2)), "not an array")
    assert info.value.label == "Counter.step"         # the method, by its class's name
    with pytest.raises(AttributeError):
        _ = counter.__array_interface__    # numpy's probing does not reach the worker


def test_trusted_course_lib_objects_are_rebuilt_in_the_worker(remote):
    from course_lib.graph import Graph
    from course_lib.modules import Linear, Sequential, Tanh
    from course_lib.params import get_flat_params

    g = Graph()
    for name, value in [("c", 0.5), ("a", 1.0), ("b", -2.0)]:
        g.add_node(name, value)
    g.add_edge("a", "b", 0.3)
    g.add_edge("b", "c", -1.5)
    read_graph = RemoteFunction(remote, "read_graph")
    assert read_graph(g) == [["c", "a", "b"], [("a", "b", 0.3), ("b", "c", -1.5)], -2.0]
    g.add_node("d", 4.0)    # changed here: the copy in the worker is made again
    assert read_graph(g)[0] == ["c", "a", "b", "d"]

    model = Sequential(Linear(3, 4, rng=1), Tanh(), Linear(4, 2, rng=2))
    before = get_flat_params(model)
    x = np.random.default_rng(0).standard_normal((5, 3))
    out = RemoteFunction(remote, "model_step")(model, x)
    reference = Sequential(Linear(3, 4, rng=1), Tanh(), Linear(4, 2, rng=2))
    assert np.allclose(out, reference.forward(x))
    reference.backward(np.ones((5, 2)))
    assert np.allclose(get_flat_params(model), before - 1.0)       # the worker's step came back
    assert np.allclose(model.layers[0].grads["w"], reference.layers[0].grads["w"])


def test_a_test_has_a_time_budget(worker):
    remote = Remote(worker, deadline=time.monotonic() + 1.0, call_seconds=0)
    sleepy = RemoteFunction(remote, "sleepy")
    assert sleepy(0.6) == 0.6
    with pytest.raises(SubmissionAbort) as info:
        sleepy(0.6)
    assert info.value.status == "timeout" and "time for this test ran out" in info.value.message


def test_run_test_outcomes_and_what_messages_may_show(pool):
    source = SOURCE + textwrap.dedent("""\
        def stub(x):
            raise NotImplementedError()
        """)
    w = pool.spawn(source, graded_names=["positive", "stub"])

    def outcome(hidden, names=("positive",)):
        return run_test(w, GradedTest("test_x", 1.0, textwrap.dedent(hidden), tuple(names), "grade_x"))[:2]

    assert outcome("positive(4.0)\n") == ("passed", "")
    assert outcome("try:\n    positive(-1.0)\nexcept ValueError:\n    pass\n") == ("passed", "")
    status, message = outcome("positive(-1.0)\n")
    assert status == "error" and message.startswith("positive raised ValueError: expected a positive number")
    assert outcome("stub(1)\n", ("stub",)) == ("failed", "not implemented yet: stub raises NotImplementedError")
    from_check = "from course_lib.selfcheck.core import CheckFailure\nraise CheckFailure('dx is wrong at (0, 1)')\n"
    assert outcome(from_check) == ("failed", "dx is wrong at (0, 1)")
    status, message = outcome("secret = {'hidden-input-31337': 1}\nsecret['other']\n")
    assert status == "error" and "KeyError" in message and "31337" not in message and "secret" not in message
    w.close()


def test_student_keywords_named_like_the_sandbox_options_reach_the_function(pool):
    source = textwrap.dedent("""\
        def schedule(t, *, timeout=1.0, keep=False, return_args=None):
            return [t, timeout, keep, return_args]

        def picky(x, keep=None):
            raise KeyError(f"keep={keep}")
        """)
    w = pool.spawn(source, graded_names=["schedule", "picky"])
    try:
        hidden = textwrap.dedent("""\
            from course_lib.selfcheck.core import CheckFailure
            if schedule(3, timeout=9.5, keep=True, return_args="x") != [3, 9.5, True, "x"]:
                raise CheckFailure("the keywords did not arrive")
            """)
        assert run_test(w, GradedTest("test_kw", 1.0, hidden, ("schedule",), "grade_kw"))[:2] == ("passed", "")
        assert w.call("schedule", (2,), {"timeout": 4.0, "keep": True}, timeout=5.0) == [2, 4.0, True, None]
        # the failure's class, cell and line travel as fields, located in the notebook
        remote = Remote(w, locate=lambda line: (6, line + 10))
        with pytest.raises(KeyError) as info:
            RemoteFunction(remote, "picky")(1, keep=2)
        fault = info.value.fault
        assert (fault.exc_type, fault.label, fault.cell, fault.cell_line) == ("KeyError", "picky", 6, 15)
        assert fault.line == 5 and fault.code == 'raise KeyError(f"keep={keep}")'
        assert info.value.text == "'keep=2' (cell 7, line 15: raise KeyError(f\"keep={keep}\"))"
    finally:
        w.close()


def test_callable_heavy_checks_run_unchanged_on_proxies(pool):
    """Notebook 07's self-checks hand f, grad_f, hvp closures to the functions: they are called back."""
    import course_lib.selfcheck.nb07 as nb07

    names = ["hessian_fd", "hvp_fd", "conjugate_gradient", "backtracking_line_search", "minimize"]
    source = "from course_lib import second_order\n" + "".join(
        f"{n} = second_order.{n}\n" for n in names)
    w = pool.spawn(source, graded_names=[])     # the reference stands in for a correct submission
    try:
        for check, name in [(nb07.check_hessian_fd, "hessian_fd"), (nb07.check_hvp_fd, "hvp_fd"),
                            (nb07.check_conjugate_gradient, "conjugate_gradient"),
                            (nb07.check_backtracking_line_search, "backtracking_line_search"),
                            (nb07.check_minimize_bfgs, "minimize")]:
            check(RemoteFunction(Remote(w), name))
    finally:
        w.close()
