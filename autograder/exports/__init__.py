"""Grades in other systems' formats.

    gradescope.py          results.json of Gradescope's autograder; ``workbook gradescope`` (inside its container)
    nbgrader_gradebook.py  scores into an nbgrader gradebook database; ``workbook export-nbgrader``

Both read Records (autograder/grading/record.py), one per graded test.
"""
