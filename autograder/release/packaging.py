"""The third-party packages a release needs, and the two files that install it.

What a release imports (its ``course_lib`` and the notebook's code cells) is
read with ``ast``; each top-level module is mapped to the distribution that
provides it in this environment (``sklearn`` -> scikit-learn), and pinned with
the range the project's pyproject.toml gives that distribution.

    requirements = third_party_requirements(release_dir, notebook)   # ["numpy>=2.1,<3", ...]
"""
import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import nbformat

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: read the same list from the installed project's metadata
    tomllib = None

ROOT = Path(__file__).resolve().parents[2]
OWN = {"course_lib"}
TO_OPEN = ("jupyterlab", "ipykernel")
"""Not imported, but a student needs them to open and run the notebook: requirements.txt lists them too."""


def _normal(dist):
    return re.sub(r"[-_.]+", "-", dist).lower()


def project_pins(pyproject=ROOT / "pyproject.toml"):
    """{normalised distribution name: requirement string} of the project's dependencies."""
    # an installed wheel has no pyproject.toml: its metadata lists the same dependencies
    if tomllib is None or not Path(pyproject).is_file():
        dependencies = [r for r in importlib.metadata.requires("dl-workbook") if "extra ==" not in r]
    else:
        with open(pyproject, "rb") as handle:
            dependencies = tomllib.load(handle)["project"]["dependencies"]
    return {_normal(re.match(r"[A-Za-z0-9_.-]+", req).group(0)): req for req in dependencies}


def imported_top_level(source):
    """Top-level module names imported by Python ``source`` (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def notebook_code(notebook):
    """The code cells of a notebook, IPython magics and shell lines dropped, as one Python source."""
    nb = nbformat.read(notebook, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines += [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    return "\n".join(lines)


def third_party_modules(package_dir, notebook=None):
    """Top-level third-party modules imported by the .py files under ``package_dir`` and the notebook."""
    names = set()
    for path in Path(package_dir).rglob("*.py"):
        names |= imported_top_level(path.read_text())
    if notebook is not None:
        names |= imported_top_level(notebook_code(notebook))
    return sorted(n for n in names if n not in sys.stdlib_module_names and n not in OWN)


def _required_by(dist, pins):
    """The pinned distributions that declare ``dist`` as a requirement of their own (one level)."""
    found = []
    for pinned in pins:
        try:
            requires = importlib.metadata.requires(pinned) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        if any(_normal(re.match(r"[A-Za-z0-9_.-]+", req).group(0)) == dist and "extra ==" not in req
               for req in requires):
            found.append(pinned)
    return found


def third_party_requirements(package_dir, notebook=None, pins=None):
    """Pinned requirements for what the release imports, sorted by distribution; KeyError for an unpinned one."""
    pins = project_pins() if pins is None else pins
    providers = importlib.metadata.packages_distributions()
    requirements = {}
    for module in third_party_modules(package_dir, notebook):
        dists = providers.get(module)
        if not dists:
            raise KeyError(f"the release imports {module!r}, which no installed distribution provides")
        dist = _normal(dists[0])
        if dist not in pins and _required_by(dist, pins):
            continue  # IPython arrives with ipywidgets and ipykernel: their pins decide its version
        if dist not in pins:
            raise KeyError(f"the release imports {module!r} from {dist}, which pyproject.toml does not list "
                           "as a dependency; add it there with a version range")
        requirements[dist] = pins[dist]
    return [requirements[dist] for dist in sorted(requirements)]


def requirements_txt(requirements, pins=None):
    """requirements.txt: what the release imports, then what opens the notebook."""
    pins = project_pins() if pins is None else pins
    to_open = [pins[_normal(dist)] for dist in TO_OPEN if _normal(dist) in pins]
    return ("# What this release imports (ranges from the workbook's pyproject.toml)\n"
            + "".join(f"{req}\n" for req in requirements)
            + "# To open and run the notebook\n"
            + "".join(f"{req}\n" for req in to_open))


def pyproject_toml(assignment, requirements, package_data):
    """A pyproject.toml that installs the release's course_lib with ``pip install <folder>``.

    ``package_data`` maps a package ("course_lib.selfcheck.nb03") to the globs of its data files.
    """
    deps = "".join(f'    "{req}",\n' for req in requirements)
    data = "".join(f'"{package}" = [{", ".join(repr(g).replace(chr(39), chr(34)) for g in globs)}]\n'
                   for package, globs in sorted(package_data.items()))
    number = assignment.split("_")[0]
    return f"""[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "dl-workbook-{assignment.replace('_', '-')}"
version = "0.1.0"
description = "Deep-learning workbook {assignment}: course_lib with stubs from notebook {number} on."
requires-python = ">=3.10"
dependencies = [
{deps}]

[tool.setuptools.packages.find]
include = ["course_lib*"]

[tool.setuptools.package-data]
{data}"""
