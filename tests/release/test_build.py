"""Each release, scanned: no body of anything graded in k or later, no nbgrader markers, nothing of the
grader; stubs keep signatures and docstrings; only the self-check of k."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from autograder.release.build import COURSE_LIB, build_release
from autograder.release.plan import stub_plan
from autograder.syllabus import SYLLABUS

NUMBERS = [nb.number for nb in SYLLABUS]
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def body_without_docstring(node):
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return [ast.dump(stmt) for stmt in body]


def definitions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


def reference_bodies(number):
    """{ast.dump of a body: "name of the reference"} for every def (methods too) of what release k stubs."""
    bodies = {}
    for module, names in stub_plan(number).stubs.items():
        path = COURSE_LIB.parent / (module.replace(".", "/") + ".py")
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if getattr(node, "name", None) in names:
                for sub in [node] + (definitions(node)[1:] if isinstance(node, ast.ClassDef) else []):
                    if not isinstance(sub, ast.ClassDef):
                        bodies[json.dumps(body_without_docstring(sub))] = f"{node.name}.{sub.name}"
    return bodies


@pytest.mark.parametrize("number", NUMBERS)
def test_no_body_of_a_reference_graded_from_k_on(release_dir, number):
    bodies = reference_bodies(number)
    assert bodies
    found = []
    for path in release_dir(number).rglob("*.py"):
        for node in definitions(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef) and json.dumps(body_without_docstring(node)) in bodies:
                body = json.dumps(body_without_docstring(node))
                found.append(f"{path.name}:{node.name} has the body of {bodies[body]}")
    assert not found, found


@pytest.mark.parametrize("number", NUMBERS)
def test_no_nbgrader_markers_nothing_of_the_grader_no_caches(release_dir, number):
    root = release_dir(number)
    files = [p for p in root.rglob("*") if p.is_file()]
    for path in files:
        if path.suffix in (".py", ".ipynb", ".txt", ".toml", ".md"):
            text = path.read_text()
            assert not [m for m in MARKERS if m in text], f"{path} holds nbgrader markers"
        if path.suffix == ".py":
            imported = {alias.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Import)
                        for alias in n.names}
            imported |= {n.module or "" for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom)}
            assert not [m for m in imported if m.split(".")[0] == "autograder"], f"{path} imports autograder"
    names = {p.relative_to(root).parts[0] for p in files}
    assert names == {SYLLABUS[number].notebook, "course_lib", "requirements.txt", "pyproject.toml", "README.md"}
    assert not [p for p in root.rglob("*") if p.name in ("__pycache__", "autograder", "solutions")
                or p.suffix == ".pyc"]


@pytest.mark.parametrize("number", NUMBERS)
def test_only_the_self_check_of_k(release_dir, number):
    selfcheck = release_dir(number) / "course_lib" / "selfcheck"
    homes = sorted(p.name for p in selfcheck.rglob("nb[0-9][0-9]*"))
    assert homes and all(name.startswith(f"nb{number}") for name in homes), homes
    stored = list(selfcheck.rglob("*.npz"))
    assert [p.stem for p in stored] in ([f"nb{number}"], ["stored"]), stored


SIGNATURES = """
import importlib, inspect, json, sys
import re
import course_lib
def sig(obj):  # a default that is a function prints with its address
    return re.sub(r" at 0x[0-9a-f]+", "", str(inspect.signature(obj)))
out = {"file": course_lib.__file__, "names": {}}
for module, name, number in json.loads(sys.argv[1]):
    obj = getattr(importlib.import_module(module), name)
    entry = {"signature": sig(obj), "doc": inspect.getdoc(obj), "raises": None}
    if inspect.isfunction(obj):
        try:
            obj(*[None] * len([p for p in inspect.signature(obj).parameters.values()
                               if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]))
        except NotImplementedError as err:
            entry["raises"] = str(err)
        except Exception as err:  # a reference given None arguments
            entry["raises"] = type(err).__name__
    else:
        entry["methods"] = {k: [sig(v), inspect.getdoc(v)] for k, v in vars(obj).items()
                            if inspect.isfunction(v)}
    out["names"][name] = entry
print(json.dumps(out))
"""


def described(names, cwd):
    """Signatures, docstrings and the stub's message, read in a Python whose course_lib is the one in cwd."""
    done = subprocess.run([sys.executable, "-c", SIGNATURES, json.dumps(names)], cwd=cwd, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("number", NUMBERS)
def test_stubs_keep_signatures_and_docstrings_and_say_where_you_write_them(release_dir, number):
    plan = stub_plan(number)
    names = [(module, name, nn) for module, found in plan.stubs.items() for name, nn in found.items()]
    released = described(names, release_dir(number))
    reference = described(names, COURSE_LIB.parent)
    assert Path(released["file"]).is_relative_to(release_dir(number))
    assert Path(reference["file"]).is_relative_to(COURSE_LIB.parent)
    for _, name, nn in names:
        mine, theirs = released["names"][name], reference["names"][name]
        assert (mine["signature"], mine["doc"]) == (theirs["signature"], theirs["doc"]), name
        if "methods" in theirs:
            assert mine["methods"] == theirs["methods"], name
        else:
            assert mine["raises"] == f"you write {name} in notebook {nn}", name


def test_references_through_keeps_them_whole(tmp_path):
    path = build_release("03", tmp_path, through="03")
    conv = (path / "course_lib" / "layers" / "conv.py").read_text()
    assert conv == (COURSE_LIB / "layers" / "conv.py").read_text()
    assert "NotImplementedError(\"you write Adam in notebook 05\")" in (path / "course_lib/optim/adam.py").read_text()


@pytest.mark.parametrize("number", ["01", "05"])
def test_requirements_and_pyproject_pin_what_it_imports(release_dir, number):
    root = release_dir(number)
    with open(root / "pyproject.toml", "rb") as handle:
        meta = tomllib.load(handle)
    deps = meta["project"]["dependencies"]
    assert "numpy>=2.1,<3" in deps and all(">=" in d for d in deps)
    assert not [d for d in deps if d.startswith(("nbgrader", "pytest"))]
    requirements = (root / "requirements.txt").read_text().split()
    assert set(deps) <= set(requirements)
    data = meta["tool"]["setuptools"]["package-data"]
    assert any(glob.endswith(".npz") for globs in data.values() for glob in globs)


def test_the_scan_finds_reference_bodies_when_they_are_kept(tmp_path):
    path = build_release("05", tmp_path, through="07")
    bodies = reference_bodies("05")
    hits = {bodies[json.dumps(body_without_docstring(node))] for p in path.rglob("*.py")
            for node in definitions(ast.parse(p.read_text()))
            if not isinstance(node, ast.ClassDef) and json.dumps(body_without_docstring(node)) in bodies}
    assert {"Adam._update", "inverse_decay.inverse_decay", "batchnorm_forward.batchnorm_forward"} <= hits
