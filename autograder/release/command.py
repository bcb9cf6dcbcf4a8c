"""``workbook release NN [--out DIR] [--with-references-through MM]``: build one assignment's student release.

``NN`` is a notebook number (``03``) or ``all``. Each release lands in
``DIR/<assignment>/`` (default ``release/``), replacing an older build.
"""
import time
from pathlib import Path

from autograder.release.build import DEFAULT_OUT, build_release
from autograder.syllabus import SYLLABUS

HELP = "build the student release of an assignment: its notebook, a stubbed course_lib, requirements"


def add_arguments(parser):
    parser.add_argument("number", help="notebook number (01..07), or 'all'")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder that receives <assignment>/ "
                        "(default: release/ in the project)")
    parser.add_argument("--with-references-through", dest="through", metavar="MM", default=None,
                        help="keep the references of notebooks up to MM whole (default: the notebook before NN)")


def run(args):
    numbers = [nb.number for nb in SYLLABUS] if args.number == "all" else [args.number]
    for number in numbers:
        start = time.perf_counter()
        try:
            path = build_release(number, args.out, args.through)
        except KeyError as err:
            print(f"workbook release: {err.args[0]}")
            return 2
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    return 0
