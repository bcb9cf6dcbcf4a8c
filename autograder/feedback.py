"""One HTML feedback page per student and assignment, made from a stored result.

    write_feedback(out_dir, result)       # result: a dict as autograder.results stores it
    html_text = render_feedback(result)

The page lists each graded test: the functions it covers, the points, the
status in words and the check's message (what was wrong, the worst entries
as the check names them). What the submission printed is echoed, cut at
ECHO_CHARS. Everything shown comes from the result file: records, the
submission's own output and the extraction notes; the hidden test code and
the check's inputs are never stored there. Every piece of text is
html-escaped. The page is self-contained (inline CSS, no scripts).
"""
import html

from autograder.results import feedback_path, write_text_atomic

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
.help { color: #59636e; font-size: .9rem; margin: .3rem 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border-radius: 4px;
      padding: .5rem .7rem; font-size: .85rem; margin: .4rem 0; }
details summary { cursor: pointer; color: #59636e; font-size: .9rem; }
ul.notes { font-size: .9rem; color: #59636e; }
footer { margin-top: 2rem; font-size: .8rem; color: #59636e; }
"""


def render_feedback(result):
    """The HTML text of the feedback page of one stored result."""
    e = html.escape
    records = result.get("records", [])
    score = sum(r["score"] for r in records)
    max_score = sum(r["max_score"] for r in records)
    outputs = result.get("outputs", {})
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(str(result.get('assignment')))}: feedback for {e(str(result.get('student')))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(str(result.get('assignment')))}</h1>",
        f'<p class="sub">Feedback for {e(str(result.get("student")))}</p>',
        f'<p class="total">Score: <strong>{format_points(score)} / {format_points(max_score)}</strong> '
        f"({_summary(records)})</p>",
    ]
    for r in records:
        parts.append(_test_html(r, outputs.get(r.get("test"), "")))
    notes = result.get("notes") or []
    if notes:
        parts.append("<h2>Notes on your notebook</h2><ul class=\"notes\">")
        parts += [f"<li>{e(str(n))}</li>" for n in notes]
        parts.append("</ul>")
    parts.append("<footer>Each test is all or nothing. The tests run your functions on inputs you have "
                 "not seen; this page shows what went wrong, not the tests themselves.</footer>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_feedback(out_dir, result):
    """Write the page to OUT/feedback/<student>/<assignment>.html; -> its path."""
    path = feedback_path(out_dir, result["student"], result["assignment"])
    write_text_atomic(path, render_feedback(result))
    return path


def _test_html(r, output):
    e = html.escape
    status = r.get("status", "error")
    status_class = status if status in STATUS_WORDS else "error"
    title = r.get("function") or r.get("test") or "this notebook"
    lines = [
        f'<section class="test {status_class}">',
        f'<div class="head"><span><span class="fn">{e(str(title))}</span> '
        f'<span class="badge {status_class}">{e(STATUS_WORDS.get(status, status))}</span></span>',
        f'<span class="points">{format_points(r["score"])} / {format_points(r["max_score"])}</span></div>',
    ]
    if status != "passed":
        help_text = STATUS_HELP.get(status, "")
        if str(r.get("message", "")).startswith("not implemented yet"):
            help_text = "This function still raises NotImplementedError: write it in its answer cell."
        lines.append(f'<p class="help">{e(help_text)}</p>')
    if r.get("message"):
        lines.append(f"<pre>{e(str(r['message']))}</pre>")
    if output:
        shown = output[:ECHO_CHARS]
        more = len(output) - len(shown)
        tail = f"\n[... {more} more characters not shown]" if more > 0 else ""
        lines.append(f"<details><summary>What your code printed during this test</summary>"
                     f"<pre>{e(shown + tail)}</pre></details>")
    lines.append("</section>")
    return "\n".join(lines)


def _summary(records):
    counts = {}
    for r in records:
        counts[r.get("status")] = counts.get(r.get("status"), 0) + 1
    order = ["passed", "failed", "missing", "timeout", "error"]
    return ", ".join(f"{counts[s]} {STATUS_WORDS[s]}" for s in order if counts.get(s)) or "no tests"


def format_points(value):
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"
