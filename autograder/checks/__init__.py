"""Hidden grading checks, one module per notebook (``nbNN.py``).

Each ``grade_<function>(student_fn, ...)`` compares a submission with
``course_lib``'s reference on fresh inputs and raises ``CheckFailure`` with a
diagnosis; nbgrader's hidden test cells call them in the kernel.
"""
