"""Grades in other systems' formats.

    gradescope.py          results.json of Gradescope's autograder; ``workbook gradescope`` (inside its container)
    gradescope_package.py  the autograder.zip Gradescope runs (setup.sh, run_autograder, the wheel);
                           ``workbook gradescope-package``
    nbgrader_gradebook.py  scores into an nbgrader gradebook database; ``workbook export-nbgrader``

The exports read Records (autograder/grading/record.py), one per graded test.
"""
