"""``workbook gradescope-package NN --out autograder.zip``: the zip Gradescope's autograder runs.

    autograder.zip
        setup.sh                      run once, when Gradescope builds the image: a virtualenv with the wheel
        run_autograder                run once per submission: `workbook gradescope` into results.json
        wheels/dl_workbook-*.whl      this project (judge, checks, solutions, stored values), built from the checkout
        release/02_minibatch/         the student release of NN (`workbook release NN`): what the students were given

Gradescope's autograder specification: the zip's root holds ``setup.sh`` and
``run_autograder``; its contents are unpacked to ``/autograder/source``,
``run_autograder`` is copied to ``/autograder/run_autograder``; a submission
arrives in ``/autograder/submission`` and the results are read from
``/autograder/results/results.json``. Both scripts take that root from
``AUTOGRADER_ROOT`` (default ``/autograder``), so a test can lay the same
tree out in a temporary folder.

Grading is ``workbook gradescope`` (autograder/exports/gradescope.py): the
same stages and sandbox as ``workbook grade``; nothing is graded here.

    zip_path = build_package("02", "autograder.zip")                 # builds the wheel from the checkout
    zip_path = build_package("02", "autograder.zip", wheel=path)     # or ships a wheel built before
"""
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.course_files import CHECKOUT
from autograder.release.build import build_release
from autograder.syllabus import SYLLABUS

HELP = "build Gradescope's autograder.zip for one assignment (setup.sh, run_autograder, the wheel, the release)"
SOURCE_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
SOURCE_TREES = ("autograder", "course_lib", "solutions", "notebooks")
SKIPPED = ("__pycache__", "*.pyc", ".ipynb_checkpoints", "course_data")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
# A virtualenv of its own keeps the image's Python untouched; the project's
# wheel (in wheels/) brings its dependencies. No browser is installed.
# pip reads its usual PIP_* variables (a test sets PIP_NO_INDEX=1: no network).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"
if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get install -y python3-venv python3-pip
fi
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --find-links "$SOURCE/wheels" "{requirement}"
"$VENV/bin/workbook" gradescope --help >/dev/null
echo "setup.sh: {requirement} installed in $VENV for {assignment}"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this once per submission, in a fresh container.
# Grades $ROOT/submission into $ROOT/results/results.json.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$ROOT/results"
exec "$ROOT/venv/bin/workbook" gradescope "$ROOT/submission" "$ROOT/results/results.json" \\
    --assignment {assignment}
"""


class PackageError(RuntimeError):
    """The package cannot be built (no checkout to build a wheel from, a failed build)."""


def copy_source_tree(dest, checkout=CHECKOUT):
    """Copy what a wheel is built from into ``dest`` (no caches, no build leftovers); -> dest."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_FILES:
        shutil.copy2(Path(checkout) / name, dest / name)
    for name in SOURCE_TREES:
        shutil.copytree(Path(checkout) / name, dest / name, ignore=shutil.ignore_patterns(*SKIPPED))
    return dest


def build_wheel(out_dir, checkout=CHECKOUT):
    """Build this project's wheel into ``out_dir`` from a copy of the checkout; -> the wheel's path.

    Built from a copy so that the checkout gets no ``build/`` folder and two
    builds at once do not share one. ``--no-build-isolation``: setuptools and
    wheel come from this environment (the dev extra), so no network is needed.
    """
    if not (Path(checkout) / "pyproject.toml").is_file():
        raise PackageError("building the wheel needs the project's checkout (pyproject.toml, solutions/); "
                           "this autograder is an installed wheel: pass --wheel")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="workbook-wheel-") as tmp:
        source = copy_source_tree(Path(tmp) / "source", checkout)
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                               "--wheel-dir", str(out_dir), str(source)], capture_output=True, text=True)
    if done.returncode:
        raise PackageError(f"pip wheel failed:\n{done.stdout}\n{done.stderr}")
    wheels = sorted(out_dir.glob("dl_workbook-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise PackageError(f"pip wheel wrote no dl_workbook wheel into {out_dir}")
    return wheels[-1]


def _add(archive, arcname, data, executable=False):
    """Add ``data`` (bytes) as ``arcname``; executable files keep mode 755 when unzipped."""
    info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    archive.writestr(info, data)


def requirement_of(wheel):
    """``dl-workbook==0.1.0`` for ``dl_workbook-0.1.0-py3-none-any.whl``."""
    name, version = Path(wheel).name.split("-")[:2]
    return f"{name.replace('_', '-')}=={version}"


def build_package(number, out, wheel=None):
    """Write Gradescope's zip for notebook ``number`` to ``out``; -> its path.

    ``wheel``: a wheel of this project built before (default: built now from the checkout).
    """
    nb = SYLLABUS[number]      # KeyError for an unknown number
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="workbook-gradescope-") as tmp:
        tmp = Path(tmp)
        wheel = Path(wheel) if wheel is not None else build_wheel(tmp / "wheels")
        release = build_release(nb.number, tmp / "release")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w") as archive:
            requirement = requirement_of(wheel)
            _add(archive, "setup.sh", SETUP_SH.format(requirement=requirement, assignment=nb.name), executable=True)
            _add(archive, "run_autograder", RUN_AUTOGRADER.format(assignment=nb.name), executable=True)
            _add(archive, f"wheels/{wheel.name}", wheel.read_bytes())
            for path in sorted(release.rglob("*")):
                if path.is_file():
                    _add(archive, f"release/{nb.name}/{path.relative_to(release).as_posix()}", path.read_bytes())
    return out


# ---------------------------------------------------------------- the subcommand

def add_arguments(parser):
    parser.add_argument("number", metavar="NN", help="notebook number (01..07)")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"),
                        help="the zip to write (default: autograder.zip)")
    parser.add_argument("--wheel", type=Path, default=None,
                        help="ship this wheel of the project (default: build one from the checkout)")


def run(args):
    try:
        path = build_package(args.number, args.out, args.wheel)
    except KeyError:
        print(f"workbook gradescope-package: unknown notebook {args.number!r}; "
              f"known: {', '.join(nb.number for nb in SYLLABUS)}", file=sys.stderr)
        return 2
    except PackageError as err:
        print(f"workbook gradescope-package: {err}", file=sys.stderr)
        return 2
    print(f"{path}: upload it as the autograder of {SYLLABUS[args.number].name} on Gradescope")
    return 0
