"""The layout's rules, checked on the source with the ``ast`` module.

Import directions (module docstrings of course_lib/selfcheck/table.py and
autograder/checks/table.py state them):
  * course_lib never imports autograder (it ships to students; the grader is trusted code);
  * the sandbox (autograder/sandbox/) imports nothing of autograder outside itself, so the
    untrusted side never loads the judge, the proxies or the hidden checks;
  * a notebook's home, the modules of course_lib/selfcheck/nbNN/, never imports its own
    self-check (the package's __init__) or any hidden check: self-check -> home and
    hidden check -> home, never back.
And the syllabus manifest agrees with the solution notebooks' nbgrader metadata.
"""
import ast
from pathlib import Path

import pytest

from autograder.syllabus import SYLLABUS
from tests.support.manifest import disagreements

ROOT = Path(__file__).resolve().parents[1]


def package_of(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])


def imported_modules(path, package=None):
    """Every module name a file imports, absolute (relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = package_of(path) if package is None else package
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def python_files(folder):
    return sorted((ROOT / folder).rglob("*.py"))


def violations(files, forbidden):
    found = []
    for path in files:
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_imported_modules_sees_every_form_of_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import autograder.judge\nfrom autograder import checks\nfrom . import core\n"
                     "def f():\n    from ..layers import conv\n")
    names = imported_modules(probe, package="course_lib.selfcheck")
    assert {"autograder.judge", "autograder.checks", "course_lib.selfcheck.core",
            "course_lib.layers.conv"} <= names


def test_course_lib_never_imports_autograder():
    assert violations(python_files("course_lib"), ["autograder"]) == []


def test_the_sandbox_imports_nothing_of_the_grader_outside_itself():
    files = python_files("autograder/sandbox")
    assert files
    outside = [f"autograder.{p.stem}" for p in (ROOT / "autograder").iterdir()
               if p.name != "sandbox" and (p.suffix == ".py" or p.is_dir()) and not p.name.startswith("_")]
    assert "autograder.judge" in outside and "autograder.checks" in outside
    assert violations(files, outside) == []


def homes():
    return sorted(p for p in (ROOT / "course_lib" / "selfcheck").glob("nb[0-9][0-9]") if p.is_dir())


def test_a_notebook_home_never_imports_its_self_check_or_a_hidden_check():
    found = []
    for home in homes():
        found += _back_imports(home)
    assert found == []


def _back_imports(home):
    files = [p for p in home.rglob("*.py") if p.name != "__init__.py"]
    package = f"course_lib.selfcheck.{home.name}"
    found = []
    for path in files:
        for name in imported_modules(path):
            if name == package or name.startswith("autograder"):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
            elif name.startswith(package + ".") and name.count(".") == package.count(".") + 1:
                # "from course_lib.selfcheck.nb03 import check_x" shows up as package.check_x
                module = ROOT / Path(*name.split(".")).with_suffix(".py")
                if not module.exists() and not module.with_suffix("").is_dir():
                    found.append(f"{path.relative_to(ROOT)} imports {name} from the self-check")
    return found


def test_the_manifest_agrees_with_the_solution_notebooks():
    assert disagreements(SYLLABUS, ROOT / "solutions") == []
    assert [nb.number for nb in SYLLABUS if nb.written_answers] == ["01", "02", "03"]


def test_every_written_name_has_a_reference_where_the_manifest_says():
    import importlib

    for nb in SYLLABUS:
        for name in nb.written:
            module = importlib.import_module(SYLLABUS.reference(name))
            assert getattr(getattr(module, name), "__module__", None) == module.__name__, name
    assert set(SYLLABUS.references) == {n for nb in SYLLABUS for n in nb.written}


def test_the_manifest_answers_the_questions_its_users_ask():
    nb = SYLLABUS["03"]
    assert SYLLABUS["03_cnn_backprop"] is nb and nb.points == 14.0
    assert nb.test("test_conv2d_backward").names == ("conv2d_forward", "conv2d_backward")
    assert "im2col" in nb.written and "im2col" not in nb.graded
    assert SYLLABUS.earlier("03") == ("01_backprop", "02_minibatch")
    assert SYLLABUS.written_in("SGD").number == "05"
    with pytest.raises(KeyError, match="no notebook '08'"):
        SYLLABUS["08"]
    with pytest.raises(KeyError, match="has no graded test"):
        nb.test("test_nothing")


def test_every_notebook_has_its_two_halves_and_one_table_for_both():
    import importlib

    assert [p.name for p in homes()] == [f"nb{nb.number}" for nb in SYLLABUS]
    for nb in SYLLABUS:
        home = importlib.import_module(f"course_lib.selfcheck.nb{nb.number}")
        hidden = importlib.import_module(f"autograder.checks.nb{nb.number}")
        stems = [t.check for t in nb.tests if t.check]
        assert set(home.TABLE.rows) == set(stems) | set(nb.optional), nb.name
        for stem in home.TABLE.rows:
            assert callable(getattr(home, f"check_{stem}")), (nb.name, stem)
        for stem in stems:
            assert callable(getattr(hidden, f"grade_{stem}")), (nb.name, stem)
        assert not [n for n in dir(hidden) if n.startswith("grade_") and n[6:] not in stems], nb.name
# ---------------------------------------------------------------- the grader's own code

# Every regular expression in autograder/, and what it reads. None reads a message: facts travel as
# fields (SubmissionFault, Note, Record). Each is linear-time: no nested or adjacent unbounded repeats.
ALLOWED_REGEXES = {
    ("autograder/assignments.py", r"(?:^|_|-)(\d\d)(?=_|-|$)"),   # a notebook's file name: its NN_ prefix
    ("autograder/assignments.py", r"\s*[%!]"),                    # one line of solution source: a magic
    ("autograder/grading/store.py", r"[^A-Za-z0-9._-]"),          # a student's name -> a file name
    # the release reads only the project's own trusted files: course_lib's source, pyproject.toml
    ("autograder/release/files.py", r"nb(\d\d)(\.py|\.npz)?$"),     # a path part of course_lib/selfcheck
    ("autograder/release/packaging.py", r"[-_.]+"),               # a distribution name, normalised
    ("autograder/release/packaging.py", r"[A-Za-z0-9_.-]+"),      # a requirement's name
    ("autograder/release/stubs.py", r"\n{4,}"),                   # blank lines left by a removed helper
}
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer"}


def regex_calls(path, root=ROOT):
    """(file, pattern) for every call into ``re``, the pattern as written ("<computed>" when it is not a literal)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
               for a in n.names if a.name == "re"}
    direct = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "re"
              for a in n.names if a.name in RE_FUNCTIONS}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        into_re = (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                   and func.value.id in aliases and func.attr in RE_FUNCTIONS) or \
            (isinstance(func, ast.Name) and func.id in direct)
        if into_re:
            first = node.args[0] if node.args else None
            pattern = first.value if isinstance(first, ast.Constant) else "<computed>"
            found.append((str(path.relative_to(root)), pattern))
    return found


def test_regex_calls_sees_every_way_of_calling_re(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import re\nimport re as regex\nfrom re import search\n"
                     "re.match(r'line (\\d+): ', m)\nregex.sub(p, '', m)\nsearch('x', m)\n")
    assert [p for _, p in regex_calls(probe, tmp_path)] == [r"line (\d+): ", "<computed>", "x"]


def test_no_regex_reads_a_message_in_the_grader():
    found = {call for path in python_files("autograder") for call in regex_calls(path)}
    assert found <= ALLOWED_REGEXES, sorted(found - ALLOWED_REGEXES)


# Private attributes read across modules: none, but these. os._exit is the standard library's public way
# to end a forked child.
ALLOWED_PRIVATE = {("autograder/sandbox/limits.py", "os._exit"), ("autograder/sandbox/worker.py", "os._exit")}


def test_no_module_of_the_grader_reaches_into_anothers_private_attributes():
    found = set()
    for path in python_files("autograder"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.add((str(path.relative_to(ROOT)), ast.unparse(node)))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("autograder"):
                found |= {(str(path.relative_to(ROOT)), f"import {a.name}") for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")}
    assert found <= ALLOWED_PRIVATE, sorted(found - ALLOWED_PRIVATE)
