"""The ``workbook`` command (declared in pyproject.toml): one subcommand per module.

    workbook grade SUBMISSIONS [--assignment NAME] [--out DIR] [--jobs N] [--regrade]
    workbook demo [--out DIR] [--students N] [--jobs N] [--assignments 01,02,...]
    workbook gradescope SUBMISSION_DIR RESULTS_JSON [--assignment NAME]
    workbook gradescope-package NN [--out autograder.zip] [--wheel WHEEL]
    workbook export-nbgrader OUT_DIR --db URL
    workbook release NN|all [--out DIR] [--with-references-through MM]
    workbook course init DIR --course-id ID [--exchange DIR] [--force]

To add a subcommand, write a module with ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> exit code``, and list it in
SUBCOMMANDS. Modules are imported only when their subcommand runs (and to
show their help), so one broken subcommand does not break the others.
"""
import argparse
import importlib
import sys

SUBCOMMANDS = {
    "grade": "autograder.grade",
    "demo": "autograder.demo",
    "gradescope": "autograder.exports.gradescope",
    "gradescope-package": "autograder.exports.gradescope_package",
    "export-nbgrader": "autograder.exports.nbgrader_gradebook",
    "release": "autograder.release.command",
    "course": "autograder.release.course_command",
}


def build_parser():
    parser = argparse.ArgumentParser(prog="workbook", description="The deep-learning workbook's tools.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        module = importlib.import_module(SUBCOMMANDS[argv[0]])
        parser = argparse.ArgumentParser(prog=f"workbook {argv[0]}", description=module.HELP)
        module.add_arguments(parser)
        return module.run(parser.parse_args(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
