"""No route from a submission reaches a reference implementation or a hidden check.

The worker imports only the release package of the assignment it grades
(autograder/grading/releases.py), where relu_forward is a stub while
grading notebook 01, and Landlock lets it read nothing of the repository.
Each submission below is notebook 01, solved, except that relu_forward
tries one route to the reference (or to the hidden checks); each must earn
0 for test_relu with "not implemented yet" or a clear refusal, and no
hidden-check text may reach its record, its printed output or its feedback.
"""
import os
from pathlib import Path

import nbformat
import pytest

from autograder.assignments import load_assignments
from autograder.grade import grade_folder
from autograder.grading.record import NOT_IMPLEMENTED
from autograder.grading.releases import sandbox_package
from autograder.submissions import filled_notebook, with_answer

ROOT = Path(__file__).resolve().parents[2]
NB01 = load_assignments()["01_backprop"]
REFERENCE_FILE = ROOT / "course_lib" / "layers" / "activations.py"
HIDDEN_FILE = ROOT / "autograder" / "checks" / "nb01" / "__init__.py"
BACKWARD = "\n\ndef relu_backward(dout, cache):\n    return dout * (cache > 0)\n"

ROUTES = {
    "importlib": """
import importlib

def relu_forward(x):
    return importlib.import_module("course_lib.layers.activations").relu_forward(x)
""",
    "sys.modules": """
import sys

def relu_forward(x):
    import course_lib.modules  # noqa: F401  (its imports fill sys.modules)
    found = [m for name, m in list(sys.modules.items())
             if name.startswith("course_lib") and callable(getattr(m, "relu_forward", None))]
    return found[0].relu_forward(x)
""",
    "__import__ with forged globals": """
def relu_forward(x):
    inside = {"__name__": "course_lib.layers", "__package__": "course_lib.layers"}
    module = __import__("course_lib.layers.activations", inside, None, ["relu_forward"], 0)
    return module.relu_forward(x)
""",
    "exec of the reference source": f"""
def relu_forward(x):
    namespace = {{"__name__": "stolen"}}
    with open({str(REFERENCE_FILE)!r}) as f:
        exec(compile(f.read(), "stolen", "exec"), namespace)
    return namespace["relu_forward"](x)
""",
    "the repository on sys.path": f"""
import sys

def relu_forward(x):
    sys.path.insert(0, {str(ROOT)!r})
    for name in [n for n in sys.modules if n.startswith("course_lib")]:
        del sys.modules[name]
    from course_lib.layers.activations import relu_forward as reference
    return reference(x)
""",
    "reading the hidden checks": f"""
def relu_forward(x):
    with open({str(HIDDEN_FILE)!r}) as f:
        text = f.read()
    print(text)
    raise ValueError(text[:1500])
""",
    "importing the hidden checks": """
def relu_forward(x):
    import autograder.checks.nb01 as hidden
    import inspect
    text = inspect.getsource(hidden)
    print(text)
    raise ValueError(text[:1500])
""",
}


def hidden_fragments():
    """Lines of the hidden checks long enough to be unmistakable if they leaked."""
    lines = [line.strip() for line in HIDDEN_FILE.read_text().splitlines()]
    return [line for line in lines if len(line) > 30][:40]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("routes")
    folder = base / "flat"
    folder.mkdir()
    solved = filled_notebook(ROOT / "solutions" / NB01.notebook, ROOT / "notebooks" / NB01.notebook)
    students = {}
    for i, (route, source) in enumerate(ROUTES.items()):
        students[route] = f"r{i}"
        nbformat.write(with_answer(solved, "relu", source.lstrip() + BACKWARD), folder / f"r{i}_01.ipynb")
    out = base / "out"
    summary = grade_folder(folder, out, assignment=NB01.name, jobs=2, stream=open(os.devnull, "w"))
    results = {r.student: r for r in summary.results}
    return {route: results[student] for route, student in students.items()}, out


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_to_the_reference_earns_nothing(route, graded):
    results, out = graded
    result = results[route]
    records = {r.test: r for r in result.records}
    relu = records.pop("test_relu")
    assert relu.score == 0 and relu.status in ("failed", "error")
    refused = ("PermissionError", "ModuleNotFoundError", "No module named")
    assert NOT_IMPLEMENTED in relu.message or any(word in relu.message for word in refused), relu.message
    # the other functions are the solutions: they keep their points
    assert all(r.status == "passed" for r in records.values())
    seen = relu.message + "".join(result.outputs.values()) + (out / "feedback").joinpath(
        result.student, f"{NB01.name}.html").read_text()
    assert not any(fragment in seen for fragment in hidden_fragments())


def test_the_reference_routes_meet_the_stub_not_an_internal_error(graded):
    results, _ = graded
    for route in ("importlib", "sys.modules", "__import__ with forged globals"):
        relu = {r.test: r for r in results[route].records}["test_relu"]
        assert (relu.status, relu.message) == ("failed", f"{NOT_IMPLEMENTED}: relu_forward raises NotImplementedError")


def test_the_worker_folder_holds_the_release_and_the_sandbox_only():
    folder = sandbox_package(NB01.name)
    assert sorted(os.listdir(folder)) == ["autograder", "course_lib"]
    assert sorted(os.listdir(folder / "autograder")) == ["__init__.py", "sandbox"]
    stub = (folder / "course_lib" / "layers" / "activations.py").read_text()
    assert "you write" in stub and "np.maximum(x, 0" not in stub
    assert not (folder / "course_lib" / "selfcheck" / "nb02").exists()   # another notebook's home
    assert sandbox_package(NB01.name) == folder                       # cached by content
    assert sandbox_package("99_not_a_notebook") is None
