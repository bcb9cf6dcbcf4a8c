"""Stage "feedback": one HTML page per student and assignment, made from a stored result.

    write_feedback(out_dir, result)       # result: a SubmissionResult (autograder.grading.record)
    html_text = render_feedback(result)

The page lists each graded test: the functions it covers, the points, the
status in words and the check's message (what was wrong, the worst entries
as the check names them). What the submission printed during a hidden test
is not echoed, since a graded function that prints its arguments would
copy the hidden inputs into the page; the instructor may ask for it
(``workbook grade --show-output``), then it is cut at ECHO_CHARS. A late
submission's page says how late it was and the penalty. Everything shown comes from the result file: records, the
submission's own output and the extraction notes; the hidden test code and
the check's inputs are never stored there. Every piece of text is
html-escaped. The page is self-contained (inline CSS, no scripts).
"""
import html

from autograder.grading.store import feedback_path, write_text_atomic

ECHO_CHARS = 2000

STATUS_WORDS = {
    "passed": "correct",
    "failed": "not correct yet",
    "missing": "not found in the notebook",
    "timeout": "took too long",
    "error": "stopped with an error",
}

STATUS_HELP = {
    "passed": "Every check of this test passed.",
    "failed": "The function ran, but its results are wrong; the message says where and, when known, why.",
    "missing": "The grader could not find this function in your notebook.",
    "timeout": "The function did not finish in time (an endless loop, or far more work than needed); "
               "the other functions were still graded.",
    "error": "Your code raised an exception or stopped the grader's process; the message names it.",
}

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 58rem;
       padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
.sub { color: #59636e; margin-top: 0; }
.total { font-size: 1.2rem; margin: 1rem 0 1.5rem; }
.test { border: 1px solid #d1d9e0; border-left-width: 6px; border-radius: 6px; padding: .6rem 1rem;
        margin: .8rem 0; }
.test.passed { border-left-color: #1a7f37; } .test.failed { border-left-color: #bf8700; }
.test.error, .test.timeout { border-left-color: #cf222e; } .test.missing { border-left-color: #8c959f; }
.head { display: flex; justify-content: space-between; gap: 1rem; align-items: baseline; }
.fn { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-weight: 600; }
.points { white-space: nowrap; font-weight: 600; }
.badge { display: inline-block; font-size: .8rem; padding: .05rem .5rem; border-radius: 1rem; color: #fff; }
.badge.passed { background: #1a7f37; } .badge.failed { background: #9a6700; }
.badge.error, .badge.timeout { background: #cf222e; } .badge.missing { background: #6e7781; }
.late { color: #9a6700; }
.help { color: #59636e; font-size: .9rem; margin: .3rem 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border-radius: 4px;
      padding: .5rem .7rem; font-size: .85rem; margin: .4rem 0; }
details summary { cursor: pointer; color: #59636e; font-size: .9rem; }
ul.notes { font-size: .9rem; color: #59636e; }
footer { margin-top: 2rem; font-size: .8rem; color: #59636e; }
"""


def render_feedback(result, *, show_output=False):
    """The HTML text of the feedback page of one stored result (``show_output``: echo what it printed)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(result.assignment)}: feedback for {e(result.student)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(result.assignment)}</h1>",
        f'<p class="sub">Feedback for {e(result.student)}</p>',
        f'<p class="total">Score: <strong>{format_points(result.score)} / {format_points(result.max_score)}</strong> '
        f"({_summary(result)})</p>",
    ]
    if result.manual_points:
        parts.append(f'<p class="manual">Graded by hand by your TA (written answers, or a test your TA '
                     f"regraded): <strong>{result.manual_points:+g}</strong> point(s)</p>")
    if result.seconds_late > 0:
        parts.append(f'<p class="late">Submitted {e(duration(result.seconds_late))} after the due date'
                     f"{' (' + e(result.timestamp) + ' UTC)' if result.timestamp else ''}: late penalty "
                     f"<strong>{format_points(result.late_penalty)}</strong> point(s)</p>")
    if result.manual_points or result.seconds_late > 0:
        out_of = "" if result.manual_points else f" / {format_points(result.max_score)}"   # max: autograded only
        parts.append(f'<p class="total">Final score: <strong>{format_points(result.final_score)}{out_of}</strong></p>')
    for r in result.records:
        parts.append(_test_html(r, result.outputs.get(r.test, "") if show_output else ""))
    if result.notes:
        parts.append("<h2>Notes on your notebook</h2><ul class=\"notes\">")
        parts += [f"<li>{e(n)}</li>" for n in result.notes]
        parts.append("</ul>")
    parts.append("<footer>Each test is all or nothing. The tests run your functions on inputs you have "
                 "not seen; this page shows what went wrong, not the tests themselves.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_feedback(out_dir, result, *, show_output=False):
    """Write the page to OUT/feedback/<student>/<assignment>.html; -> its path."""
    path = feedback_path(out_dir, result.student, result.assignment)
    write_text_atomic(path, render_feedback(result, show_output=show_output))
    return path


def duration(seconds):
    """3725 -> "1 h 2 min"; under a minute -> "under a minute"."""
    minutes = int(seconds // 60)
    if minutes == 0:
        return "under a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return " ".join(f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if n)


def _test_html(r, output):
    e = html.escape
    title = r.function or r.test or "this notebook"
    lines = [
        f'<section class="test {r.status}">',
        f'<div class="head"><span><span class="fn">{e(title)}</span> '
        f'<span class="badge {r.status}">{e(STATUS_WORDS[r.status])}</span></span>',
        f'<span class="points">{format_points(r.score)} / {format_points(r.max_score)}</span></div>',
    ]
    if not r.passed:
        help_text = STATUS_HELP[r.status]
        if r.not_implemented:
            help_text = "This function still raises NotImplementedError: write it in its answer cell."
        lines.append(f'<p class="help">{e(help_text)}</p>')
    if r.message:
        lines.append(f"<pre>{e(r.message)}</pre>")
    if output:
        shown = output[:ECHO_CHARS]
        more = len(output) - len(shown)
        tail = f"\n[... {more} more characters not shown]" if more > 0 else ""
        lines.append(f"<details><summary>What your code printed during this test</summary>"
                     f"<pre>{e(shown + tail)}</pre></details>")
    lines.append("</section>")
    return "\n".join(lines)


def _summary(result):
    counts = result.status_counts()
    return ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in counts.items()) or "no tests"


def format_points(value):
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
