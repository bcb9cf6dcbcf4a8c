"""``workbook course init DIR --course-id ID``: an nbgrader course directory for the seven assignments.

    workbook course init DIR --course-id ID [--exchange DIR] [--late-penalty none|zero|per-hour]
                                            [--points-per-hour P] [--timeout S]
                                            [--with-references-through MM] [--force]
"""
from pathlib import Path

from autograder.release.course import EXECUTE_TIMEOUT, LATE_PENALTIES, CourseDirectoryError, init_course

HELP = "make an nbgrader course directory: nbgrader_config.py and source/<assignment>/ for every notebook"


def add_arguments(parser):
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="create the course directory DIR", description=__doc__.split("\n")[0])
    init.add_argument("dir", type=Path, help="the course directory (new or empty)")
    init.add_argument("--course-id", required=True, help="nbgrader's course id, e.g. dl2025")
    init.add_argument("--exchange", type=Path, default=None,
                      help="nbgrader exchange directory (default: nbgrader's, /srv/nbgrader/exchange)")
    init.add_argument("--late-penalty", choices=LATE_PENALTIES, default="none",
                      help="none (nbgrader's default), zero (a late notebook scores 0), or per-hour")
    init.add_argument("--points-per-hour", type=float, default=1.0, help="with --late-penalty per-hour (default 1)")
    init.add_argument("--timeout", type=int, default=EXECUTE_TIMEOUT,
                      help=f"seconds a cell may run under nbgrader (default {EXECUTE_TIMEOUT})")
    init.add_argument("--with-references-through", dest="through", metavar="MM", default=None,
                      help="keep references whole through notebook MM in every assignment "
                           "(default: each assignment keeps those of the notebooks before it)")
    init.add_argument("--force", action="store_true", help="write into a directory that is not empty")


def run(args):
    try:
        names = init_course(args.dir, args.course_id, args.exchange, args.late_penalty, args.points_per_hour,
                            args.timeout, args.through, args.force)
    except CourseDirectoryError as err:
        print(f"workbook course init: {err}")
        return 2
    print(f"nbgrader course {args.course_id} in {args.dir}: {args.dir / 'nbgrader_config.py'}")
    for name in names:
        print(f"  source/{name}/")
    print(f"next: cd {args.dir} && nbgrader generate_assignment {names[0]}")
    return 0
