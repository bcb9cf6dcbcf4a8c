"""The checks of one submission as a pytest suite: one item per graded test.

    pytest --pyargs autograder.checks --submission alice.ipynb
    pytest --pyargs autograder.checks --submission alice.ipynb -k softmax -x
    pytest --pyargs autograder.checks --submission hw.ipynb --submission-assignment 02_minibatch

The plugin is registered through the ``pytest11`` entry point of the
package; without it installed, add ``-p autograder.checks.pytest_plugin``.

The notebook's assignment is recognised from the notebook
(autograder.assignments.recognise) unless --submission-assignment names it.
Collecting the ``autograder.checks`` folder then yields, instead of Python
modules, one item per graded test of that assignment, named by its grade_id
(``autograder.checks::02_minibatch::test_softmax``). Before the first item
runs, the selected tests are graded in one go by the same stages as
``workbook grade`` (autograder/grading/: plan, grade); each item then
passes or fails with the judge's status, points and message, and shows what
the submission printed. The points obtained are summed at the end of the run
(they are also in each report's user_properties, hence in --junitxml).

The plugin is inert in every other pytest run: it only adds its options.
Aiming pytest at ``autograder.checks`` without --submission is a usage error
(exit code 4) that says how to call it. Only pytest and the standard library
are imported until --submission is given.
"""
import dataclasses
from pathlib import Path

import pytest

PACKAGE = "autograder.checks"
CHECKS_DIR = Path(__file__).resolve().parent
USAGE = ("pytest --pyargs autograder.checks --submission NOTEBOOK.ipynb [--submission-assignment NAME]: "
         "grades NOTEBOOK with the workbook's checks, one test per graded cell")
TARGET = pytest.StashKey()     # the Target of this run, when --submission is given
RESULT = pytest.StashKey()     # the judge's SubmissionResult, once graded


@dataclasses.dataclass(frozen=True)
class Target:
    notebook: Path
    assignment: object         # autograder.assignments.Assignment


class GradedTestFailure(Exception):
    """A graded test that did not pass; carries the judge's record."""

    def __init__(self, record):
        super().__init__(record.message)
        self.record = record


# ---------------------------------------------------------------- hooks

def pytest_addoption(parser):
    group = parser.getgroup("workbook", "grading one notebook with the workbook's checks (autograder.checks)")
    group.addoption("--submission", metavar="NOTEBOOK", default=None,
                    help="the notebook to grade; use with: --pyargs autograder.checks")
    group.addoption("--submission-assignment", metavar="NAME", default=None,
                    help="the assignment of --submission (default: recognised from the notebook)")


def pytest_configure(config):
    notebook = config.getoption("submission")
    if notebook is None:
        if _targets_checks(config):
            raise pytest.UsageError(f"--submission is required to run the checks.\nusage: {USAGE}")
        return
    config.stash[TARGET] = _target(config, notebook)


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    if TARGET in parent.config.stash and path.resolve() == CHECKS_DIR:
        # named after the package, not the folder: node ids then read the same wherever pytest's rootdir is
        return GradedChecks.from_parent(parent, path=path, nodeid=PACKAGE)
    return None


def pytest_report_header(config):
    if TARGET not in config.stash:
        return None
    target = config.stash[TARGET]
    a = target.assignment
    return f"submission: {target.notebook} ({a.name}: {len(a.tests)} graded tests, {a.max_score:g} points)"


def pytest_terminal_summary(terminalreporter, config):
    # the points travel in the reports' user_properties, so that they add up under pytest-xdist too
    points = [dict(report.user_properties) for reports in terminalreporter.stats.values() for report in reports
              if getattr(report, "when", None) == "call" and "workbook_points" in dict(report.user_properties)]
    if not points:
        return
    target = config.stash[TARGET]
    score = sum(p["workbook_points"] for p in points)
    out_of = sum(p["workbook_max_points"] for p in points)
    terminalreporter.write_sep("-", "workbook score")
    terminalreporter.write_line(f"{target.assignment.name}: {score:g} / {out_of:g} points "
                                f"({len(points)} graded tests run)")
    for note in config.stash[RESULT].notes if RESULT in config.stash else ():
        terminalreporter.write_line(f"note: {note}")


# ---------------------------------------------------------------- collectors and items

class GradedChecks(pytest.Directory):
    """The autograder/checks folder, collected as the graded tests of the submission."""

    def collect(self):
        target = self.config.stash[TARGET]
        yield SubmissionNotebook.from_parent(self, name=target.assignment.name, path=target.notebook)


class SubmissionNotebook(pytest.Collector):
    """The submitted notebook; graded once, in its setup, for the items that will run."""

    def collect(self):
        return [GradedTestItem.from_parent(self, name=test.grade_id, test=test)
                for test in self.config.stash[TARGET].assignment.tests]

    def setup(self):
        # session.items is final here (after -k, -m and --deselect): grade only what runs
        chosen = [item.test for item in self.session.items
                  if isinstance(item, GradedTestItem) and item.parent is self]
        assignment = dataclasses.replace(self.config.stash[TARGET].assignment, tests=chosen)
        self.config.stash[RESULT] = _grade(self.path, assignment)
        self.records = {r.test: r for r in self.config.stash[RESULT].records}


class GradedTestItem(pytest.Item):
    """One graded test (nbgrader grade cell) of the submission."""

    def __init__(self, *, test, **kwargs):
        super().__init__(**kwargs)
        self.test = test

    def runtest(self):
        record = self.parent.records[self.name]
        self.user_properties += [("workbook_points", record.score), ("workbook_max_points", record.max_score)]
        printed = self.config.stash[RESULT].outputs.get(self.name)
        if printed:
            self.add_report_section("call", "submission output", printed)
        if not record.passed:
            raise GradedTestFailure(record)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GradedTestFailure):
            r = excinfo.value.record
            head = f"{r.test} ({r.function}): {r.status}, {r.score:g} / {r.max_score:g} points"
            return f"{head}\n{r.message}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.name} ({self.test.function})"


# ---------------------------------------------------------------- helpers

def _targets_checks(config):
    """True if the command line aims pytest at autograder.checks (by --pyargs or by path)."""
    for arg in config.args:
        name = str(arg).split("::")[0]
        if config.option.pyargs and (name == PACKAGE or name.startswith(PACKAGE + ".")):
            return True
        try:
            path = Path(config.invocation_params.dir, name).resolve()
        except (OSError, RuntimeError):
            continue
        if path == CHECKS_DIR or CHECKS_DIR in path.parents:
            return True
    return False


def _target(config, notebook):
    """--submission and --submission-assignment -> Target, or a UsageError saying what is wrong."""
    from autograder.assignments import load_assignments, recognise

    path = Path(config.invocation_params.dir, notebook)
    if not path.is_file():
        raise pytest.UsageError(f"--submission {notebook}: no such file.\nusage: {USAGE}")
    try:
        assignments = load_assignments()
    except (FileNotFoundError, ValueError) as exc:
        raise pytest.UsageError(f"the assignments could not be loaded: {exc}") from None
    name = config.getoption("submission_assignment")
    if name is None:
        name = recognise(path, assignments)
        if name is None:
            raise pytest.UsageError(f"could not tell which assignment {path.name} is; name it with "
                                    f"--submission-assignment, one of: {', '.join(sorted(assignments))}")
    elif name not in assignments:
        raise pytest.UsageError(f"--submission-assignment {name}: unknown; known: {', '.join(sorted(assignments))}")
    return Target(path, assignments[name])


def _grade(notebook, assignment):
    """The judge's SubmissionResult for ``assignment``'s tests: stages plan and grade of autograder/grading/."""
    from autograder.grading.discover import Discovery, Submission
    from autograder.grading.grade import grade
    from autograder.grading.plan import plan

    found = Discovery("upload", [Submission(notebook.stem, assignment.name, notebook)])
    try:
        ((_, result),) = grade(plan(found, {assignment.name: assignment}).tasks)
    except OSError as exc:   # the notebook vanished before it could be read
        from autograder.grading.record import failed_submission
        return failed_submission(notebook.stem, assignment, f"the notebook could not be graded: "
                                                            f"{type(exc).__name__}: {str(exc)[:300]}")
    return result
