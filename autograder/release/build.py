"""Build the release folder of one assignment.

    release/03_cnn_backprop/
        03_cnn_backprop.ipynb     the student notebook (notebooks/)
        course_lib/               stubbed from notebook 03 on, self-check of 03 only
        requirements.txt          what it imports, pinned as in pyproject.toml
        pyproject.toml            so that `pip install release/03_cnn_backprop` installs course_lib
        README.md                 two lines on how to open it

    path = build_release("03", out="release")
"""
import ast
import shutil
import time
from pathlib import Path

from autograder.course_files import course_folder, default_output
from autograder.release.files import module_name, release_files
from autograder.release.packaging import (
    pyproject_toml,
    requirements_txt,
    third_party_requirements,
)
from autograder.release.plan import stub_plan
from autograder.release.stubs import stub_source
from autograder.syllabus import SYLLABUS

COURSE_LIB = Path(__file__).resolve().parents[2] / "course_lib"   # the checkout's, or site-packages'
NOTEBOOKS = course_folder("notebooks")
DEFAULT_OUT = default_output("release")


def privately_imported(course_lib=COURSE_LIB):
    """{module: {private names other modules import from it}}: these survive stubbing."""
    found = {}
    for path in Path(course_lib).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                private = {a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")}
                if private:
                    found.setdefault(node.module, set()).update(private)
    return found


def write_package(dest, plan, course_lib=COURSE_LIB):
    """Write the stubbed ``course_lib`` of ``plan`` into folder ``dest``; returns the files written (relative)."""
    dest = Path(dest)
    course_lib = Path(course_lib)
    keep = privately_imported(course_lib)
    files = release_files(course_lib, plan.number)
    modules = {module_name(f): f for f in files if f.suffix == ".py"}
    missing = sorted(set(plan.stubs) - set(modules))
    if missing:
        raise FileNotFoundError(f"the syllabus places references in {missing}, which course_lib does not have")
    for relative in files:
        source, target = course_lib.parent / relative, dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        module = module_name(relative) if relative.suffix == ".py" else None
        if module in plan.stubs:
            target.write_text(stub_source(source.read_text(), plan.stubs[module], keep.get(module, ())))
        else:
            shutil.copyfile(source, target)
    return files


def package_data(files):
    """{package: [globs]} for the non-Python files, each under the nearest folder with an __init__.py."""
    packages = {f.parent for f in files if f.name == "__init__.py"}
    data = {}
    for f in files:
        if f.suffix == ".py":
            continue
        owner = f.parent
        while owner not in packages:
            owner = owner.parent
        data.setdefault(".".join(owner.parts), set()).add(f.relative_to(owner).as_posix())
    return {package: sorted(globs) for package, globs in data.items()}


README = """# {assignment}

Open `{notebook}` in Jupyter from this folder (`jupyter lab {notebook}`): `import course_lib` then finds
the helper package next to it. To install the helper package into an environment instead:
`pip install .` here (it pulls the packages of `requirements.txt`).

Functions you write in this notebook or a later one are stubs in `course_lib`: calling one raises
`NotImplementedError("you write <name> in notebook NN")`.
"""


def build_release(number, out=DEFAULT_OUT, through=None, notebooks=NOTEBOOKS, course_lib=COURSE_LIB):
    """Build ``out/<assignment>/`` for notebook ``number`` (replacing an older build); returns its path."""
    plan = stub_plan(number, through)
    nb = SYLLABUS[plan.number]
    target = Path(out) / nb.name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = write_package(target, plan, course_lib)
    notebook = target / nb.notebook
    shutil.copyfile(Path(notebooks) / nb.notebook, notebook)
    requirements = third_party_requirements(target / "course_lib", notebook)
    (target / "requirements.txt").write_text(requirements_txt(requirements))
    (target / "pyproject.toml").write_text(pyproject_toml(nb.name, requirements, package_data(files)))
    (target / "README.md").write_text(README.format(assignment=nb.name, notebook=nb.notebook))
    return target


def build_all(out=DEFAULT_OUT, through=None):
    """Every assignment's release; returns {assignment: (path, seconds)}."""
    built = {}
    for nb in SYLLABUS:
        start = time.perf_counter()
        path = build_release(nb.number, out, through)
        built[nb.name] = (path, time.perf_counter() - start)
    return built
