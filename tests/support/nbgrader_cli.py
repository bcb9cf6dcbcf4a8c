"""nbgrader's and workbook's own commands, run as an instructor or a student would, inside tmp dirs.

    env = isolated_env(tmp_path / "home")           # HOME and every JUPYTER_* path under it
    out = nbgrader("collect", "01_backprop", cwd=course, env=env)   # stdout + stderr; fails the test on exit != 0

Each command runs the executable of this venv in a subprocess. Its HOME and
Jupyter config, data and runtime folders are the given folder, so no
nbgrader config or exchange cache of the machine is read or written.
"""
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def isolated_env(home):
    """The environment of a user whose HOME (and Jupyter folders) is ``home`` (made here)."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_PATH=str(home / "data"),
               JUPYTER_CONFIG_PATH=str(home / ".jupyter"), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return env


def run(program, *args, cwd, env):
    """Run BIN/program with ``args`` in ``cwd``; -> its stdout + stderr (the test fails if it exits non-zero)."""
    done = subprocess.run([str(BIN / program), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{program} {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def nbgrader(*args, cwd, env):
    return run("nbgrader", *args, cwd=cwd, env=env)


def workbook(*args, cwd, env):
    return run("workbook", *args, cwd=cwd, env=env)
