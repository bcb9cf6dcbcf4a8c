"""``workbook demo``: a simulated class, graded, with its gradebook.

    class_builder.py   the class: correct work, valid alternatives, typical mistakes, broken notebooks
    variants/          the hand-written answer cells those are made of
    gradebook.py       the gradebook table, the histogram of totals, where the files are
    command.py         the subcommand (HELP, add_arguments, run), re-exported here for autograder.cli
"""
from autograder.demo.command import HELP, add_arguments, run

__all__ = ["HELP", "add_arguments", "run"]
