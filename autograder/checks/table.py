"""The hidden half of a notebook's table: ``grade_<check>`` on fresh cases.

    grade_conv2d_backward = hidden_check(TABLE, "conv2d_backward", fresh_conv2d_cases)

``fresh_cases()`` builds the cases from fixed seeds and computes the
expected values (and the answers of the known mistakes) with course_lib's
references; the case check is the very one the student's self-check runs
(course_lib/selfcheck/table.py), so both say the same about the same
mistake.
"""
from course_lib.selfcheck.table import made_check


def hidden_check(table, check, fresh_cases):
    """``grade_<check>(*functions)``: the table's case check on ``fresh_cases()``."""
    row = table.row(check)
    return made_check("grade", row, fresh_cases,
                      f"Hidden check of {check} on fresh cases against the reference. {row.doc}".strip())
