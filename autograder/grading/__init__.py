"""Grading, as named stages: each a function with a typed input and output.

    found   = discover(root, assignments)            discover.py  -> Discovery (or discover_upload: one upload)
    todo    = plan(found, assignments, out_dir)      plan.py      -> Plan: Tasks left to grade, Submissions skipped
    for task, result in grade(todo.tasks, settings): grade.py     -> (Task, SubmissionResult) as each finishes
        write_result(out_dir, task, result)          store.py     -> the result file (atomic; resume reads it)
        write_feedback(out_dir, result)              feedback.py  -> the student's HTML page
    write_sheets(out_dir, collect(out_dir).results)  sheets.py    -> grades.json and grades.csv

record.py holds what the stages pass on: Record (one graded test) and
SubmissionResult (one submission), with their JSON, CSV and Gradescope forms.
Grading one submission is autograder/judge.py. The commands compose the
stages: ``workbook grade`` (autograder/grade.py: all of them), ``workbook
gradescope`` (discover_upload, plan, grade, then Gradescope's results.json),
the pytest plugin (plan and grade one notebook) and ``workbook demo``
(through ``workbook grade``).
"""
