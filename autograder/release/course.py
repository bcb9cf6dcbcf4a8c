"""An nbgrader course directory for the whole workbook, which nbgrader's own commands accept.

    COURSE/
        nbgrader_config.py            course id, root, exchange, timeouts, late penalty
        late.py                       only with --late-penalty per-hour: the plugin nbgrader's docs describe
        source/01_backprop/
            01_backprop.ipynb         the instructor notebook (solutions/), nbgrader metadata and all
            course_lib/               the stubbed package of that assignment's release
        source/02_minibatch/ ...

Then ``nbgrader generate_assignment 03_cnn_backprop`` (run in COURSE) makes
``release/03_cnn_backprop/`` with the student notebook and the same
``course_lib/``, and ``release_assignment``, ``fetch_assignment``, ``submit``,
``collect`` and the formgrader work as for any nbgrader course.

Late penalties. nbgrader's built-in ``nbgrader.plugins.LateSubmissionPlugin``
knows two ``penalty_method`` values, ``none`` (its default) and ``zero`` (a late
notebook scores 0). A penalty per hour late is, in nbgrader's documentation
("Late submission plugin"), a small plugin class in the course directory named
by ``c.AssignLatePenalties.plugin_class``; ``per-hour`` writes that class
(``late.py``) with the points per hour as a configurable trait.
"""
import json
import shutil
from pathlib import Path

from autograder.course_files import course_folder
from autograder.release.build import COURSE_LIB, write_package
from autograder.release.plan import stub_plan
from autograder.syllabus import SYLLABUS

SOLUTIONS = course_folder("solutions")
LATE_PENALTIES = ("none", "zero", "per-hour")
EXECUTE_TIMEOUT = 300
"""Seconds nbgrader lets one cell run (the training experiments of 04-07 take tens of seconds on a laptop)."""


class CourseDirectoryError(RuntimeError):
    """The course directory cannot be made (not empty without --force, bad option)."""


LATE_PLUGIN = '''"""Late penalty of this course: points_per_hour for every started hour late, at most the score.

nbgrader's documentation ("Late submission plugin") describes this kind of
plugin; nbgrader_config.py names it with c.AssignLatePenalties.plugin_class.
nbgrader imports it from the course directory, so run nbgrader commands there.
"""
import math

from nbgrader.plugins import BasePlugin
from traitlets import Float


class PenaltyPerHour(BasePlugin):
    points_per_hour = Float(1.0, help="Points taken off for every started hour late.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        hours = math.ceil(total_seconds_late / 3600)
        return min(score, self.points_per_hour * hours)
'''


def config_text(course_id, root, exchange=None, late_penalty="none", points_per_hour=1.0,
                timeout=EXECUTE_TIMEOUT):
    """The text of nbgrader_config.py."""
    if late_penalty not in LATE_PENALTIES:
        raise CourseDirectoryError(f"late penalty must be one of {', '.join(LATE_PENALTIES)}, got {late_penalty!r}")
    lines = [
        f'"""nbgrader configuration of course {course_id}, written by `workbook course init`."""',
        "c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)",
        "",
        f"c.CourseDirectory.course_id = {json.dumps(course_id)}",
        f"c.CourseDirectory.root = {json.dumps(str(Path(root).resolve()))}",
    ]
    if exchange is not None:
        lines += ["# Where release_assignment puts assignments and submit puts submissions (shared by the class).",
                  f"c.Exchange.root = {json.dumps(str(Path(exchange).resolve()))}"]
    lines += [
        "",
        "# Seconds one cell may run when nbgrader executes a notebook (autograde, validate).",
        f"c.ExecutePreprocessor.timeout = {int(timeout)}",
        "",
        "# Late submissions: nbgrader computes how late each one is from its timestamp and the due date.",
    ]
    if late_penalty == "per-hour":
        lines += ["# PenaltyPerHour (late.py, next to this file) takes points_per_hour off per started hour late.",
                  'c.AssignLatePenalties.plugin_class = "late.PenaltyPerHour"',
                  f"c.PenaltyPerHour.points_per_hour = {float(points_per_hour)!r}"]
    else:
        lines += ["# nbgrader's own plugin: 'none' (no penalty) or 'zero' (a late notebook scores 0).",
                  'c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"',
                  f"c.LateSubmissionPlugin.penalty_method = {json.dumps(late_penalty)}"]
    return "\n".join(lines) + "\n"


def _check_empty(root, force):
    if root.exists() and not root.is_dir():
        raise CourseDirectoryError(f"{root} exists and is not a directory")
    if root.exists() and any(root.iterdir()) and not force:
        raise CourseDirectoryError(
            f"{root} is not empty; choose an empty or new directory, or pass --force to write into it "
            "(nbgrader_config.py and source/ are replaced, everything else is left alone)")


def init_course(root, course_id, exchange=None, late_penalty="none", points_per_hour=1.0,
                timeout=EXECUTE_TIMEOUT, through=None, force=False, solutions=SOLUTIONS, course_lib=COURSE_LIB):
    """Write the course directory ``root``; returns the assignment names, in course order."""
    root = Path(root)
    _check_empty(root, force)
    text = config_text(course_id, root, exchange, late_penalty, points_per_hour, timeout)
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(text)
    if late_penalty == "per-hour":
        (root / "late.py").write_text(LATE_PLUGIN)
    names = []
    for nb in SYLLABUS:
        folder = root / "source" / nb.name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copyfile(Path(solutions) / nb.notebook, folder / nb.notebook)
        write_package(folder, stub_plan(nb.number, through), course_lib)
        names.append(nb.name)
    return names
