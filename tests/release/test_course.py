"""`workbook course init` makes a course directory nbgrader accepts: the whole exchange round trip
(generate, release, fetch, submit, collect) through a local exchange, everything inside tmp dirs."""
import ast
import getpass
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.release.course import config_text
from autograder.syllabus import SYLLABUS
from tests.support.nbgrader_cli import isolated_env, nbgrader


def test_course_init_writes_the_config_and_one_source_folder_per_assignment(tmp_path, capsys):
    course = tmp_path / "course"
    assert main(["course", "init", str(course), "--course-id", "dl25", "--exchange", str(tmp_path / "ex")]) == 0
    config = (course / "nbgrader_config.py").read_text()
    ast.parse(config)
    for line in ('c.CourseDirectory.course_id = "dl25"', f'c.CourseDirectory.root = "{course.resolve()}"',
                 f'c.Exchange.root = "{(tmp_path / "ex").resolve()}"', "c.ExecutePreprocessor.timeout = 300",
                 'c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"',
                 'c.LateSubmissionPlugin.penalty_method = "none"'):
        assert line in config
    assert sorted(p.name for p in (course / "source").iterdir()) == [nb.name for nb in SYLLABUS]
    for nb in SYLLABUS:
        folder = course / "source" / nb.name
        assert "### BEGIN SOLUTION" in (folder / nb.notebook).read_text()   # the instructor's notebook
        assert (folder / "course_lib" / "__init__.py").exists()
    assert 'raise NotImplementedError("you write conv2d_forward in notebook 03")' in (
        course / "source/03_cnn_backprop/course_lib/layers/conv.py").read_text()
    assert "raise NotImplementedError" not in (course / "source/04_vanishing_gradients/course_lib/layers/conv.py"
                                               ).read_text()


def test_course_init_refuses_a_non_empty_directory_unless_forced(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["course", "init", str(tmp_path), "--course-id", "dl"]) == 2
    assert "is not empty" in capsys.readouterr().out and not (tmp_path / "source").exists()
    assert main(["course", "init", str(tmp_path), "--course-id", "dl", "--force"]) == 0
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "source").is_dir()


def test_late_penalties_nbgrader_knows(tmp_path):
    assert 'penalty_method = "zero"' in config_text("dl", tmp_path, late_penalty="zero")
    per_hour = config_text("dl", tmp_path, late_penalty="per-hour", points_per_hour=0.5)
    assert 'c.AssignLatePenalties.plugin_class = "late.PenaltyPerHour"' in per_hour
    assert "c.PenaltyPerHour.points_per_hour = 0.5" in per_hour
    assert main(["course", "init", str(tmp_path / "c"), "--course-id", "dl", "--late-penalty", "per-hour"]) == 0
    namespace = {}
    exec((tmp_path / "c" / "late.py").read_text(), namespace)
    plugin = namespace["PenaltyPerHour"](points_per_hour=2.0)
    assert plugin.late_submission_penalty("s", 10.0, 90 * 60) == 4.0      # two started hours
    assert plugin.late_submission_penalty("s", 3.0, 10 * 3600) == 3.0     # never more than the score


@pytest.mark.slow
def test_nbgrader_round_trip_through_a_local_exchange(tmp_path):
    env = isolated_env(tmp_path / "home")
    course, exchange, student = tmp_path / "course", tmp_path / "exchange", tmp_path / "student"
    assert main(["course", "init", str(course), "--course-id", "dl", "--exchange", str(exchange)]) == 0
    name = SYLLABUS["01"].name
    nbgrader("generate_assignment", name, cwd=course, env=env)
    assert (course / "release" / name / "course_lib").is_dir()
    nbgrader("release_assignment", name, cwd=course, env=env)
    assert (exchange / "dl" / "outbound" / name / SYLLABUS["01"].notebook).exists()
    student.mkdir()
    flags = ["--course", "dl", f"--Exchange.root={exchange}"]
    nbgrader("fetch_assignment", name, *flags, cwd=student, env=env)
    fetched = student / name
    assert (fetched / "course_lib" / "gradcheck" / "relative_error.py").exists()
    assert "### BEGIN SOLUTION" not in (fetched / SYLLABUS["01"].notebook).read_text()
    nbgrader("submit", name, *flags, cwd=student, env=env)
    nbgrader("collect", name, cwd=course, env=env)
    collected = course / "submitted" / getpass.getuser() / name
    assert (collected / SYLLABUS["01"].notebook).exists()
    assert (collected / "timestamp.txt").read_text().strip()
    assert not [p for p in Path.home().glob(".jupyter/nbgrader*") if p.stat().st_mtime > tmp_path.stat().st_mtime]
