"""The gradebook of a graded folder as text: a table, a histogram of the totals, where the files are.

    results = autograder.grading.store.collect("demo-out").results    # [SubmissionResult]
    print(gradebook_table(results))
    print(score_histogram(results))
    print(file_locations("demo-out"))

The table has one row per student and one column per assignment (the
assignment's points, "-" when the student handed nothing in), then the
total and the percentage of every assignment's points. The histogram counts
students per 10% band of that percentage.
"""
from pathlib import Path

from autograder.grading.feedback import format_points  # how feedback pages write points: 14, 13.5
from autograder.grading.store import FEEDBACK_DIR

BANDS = 10          # histogram bands of 10 percentage points
BAR_WIDTH = 40      # characters of the longest histogram bar


def gradebook_rows(results):
    """-> (assignment names, rows); a row is (student, {assignment: (score, max)}, total, max_total, percent).

    max_total counts every assignment of the gradebook, handed in or not.
    """
    assignments = sorted({r.assignment for r in results})
    maxima = {}
    by_student = {}
    for result in results:
        score, top = result.score, result.max_score
        maxima[result.assignment] = max(maxima.get(result.assignment, 0.0), top)
        by_student.setdefault(result.student, {})[result.assignment] = (score, top)
    max_total = sum(maxima.values())
    rows = []
    for student in sorted(by_student):
        cells = by_student[student]
        total = sum(score for score, _ in cells.values())
        percent = 100.0 * total / max_total if max_total else 0.0
        rows.append((student, cells, total, max_total, percent))
    return assignments, rows


def gradebook_table(results):
    """The gradebook as a fixed-width text table, with a header naming each assignment and its points."""
    assignments, rows = gradebook_rows(results)
    maxima = {a: max((cells[a][1] for _, cells, *_ in rows if a in cells), default=0.0) for a in assignments}
    header = ["student"] + [f"{a[:2]} /{format_points(maxima[a])}" for a in assignments] + ["total", "%"]
    body = []
    for student, cells, total, max_total, percent in rows:
        body.append([student] + [format_points(cells[a][0]) if a in cells else "-" for a in assignments]
                    + [f"{format_points(total)} /{format_points(max_total)}", f"{percent:.1f}"])
    widths = [max(len(row[k]) for row in [header] + body) for k in range(len(header))]
    lines = [_line(header, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(row, widths) for row in body]
    if body:
        lines.append(_line(["-" * w for w in widths], widths))
        averages = ["average"]
        for a in assignments:
            scores = [cells[a][0] for _, cells, *_ in rows if a in cells]
            averages.append(f"{sum(scores) / len(scores):.1f}" if scores else "-")
        averages += [f"{sum(r[2] for r in rows) / len(rows):.1f}", f"{sum(r[4] for r in rows) / len(rows):.1f}"]
        lines.append(_line(averages, widths))
    legend = "  ".join(f"{a[:2]} = {a}" for a in assignments)
    return "\n".join(lines + ["", legend])


def score_histogram(results, bands=BANDS):
    """A text histogram of the students' total percentages, one line per band, highest band first."""
    _, rows = gradebook_rows(results)
    counts = [0] * bands
    for *_, percent in rows:
        counts[min(int(percent * bands // 100), bands - 1)] += 1
    top = max(counts, default=0)
    width = 100 // bands
    lines = [f"total scores of {len(rows)} student(s), in bands of {width}%:"]
    for k in reversed(range(bands)):
        low, high = k * width, (k + 1) * width
        label = f"{low:3d}-{high:3d}%" if k < bands - 1 else f"{low:3d}-100%"
        bar = "#" * (round(BAR_WIDTH * counts[k] / top) if top else 0)
        if counts[k] and not bar:
            bar = "#"
        lines.append(f"  {label} | {bar}{' ' if bar else ''}{counts[k] if counts[k] else ''}".rstrip())
    return "\n".join(lines)


def file_locations(out_dir):
    """Where the grades and the feedback pages are."""
    out = Path(out_dir)
    return "\n".join([
        f"grades (one record per test):        {out / 'grades.json'}",
        f"grades (one row per student):        {out / 'grades.csv'}",
        f"grades (one row per submission):     {out / 'grades_by_test.csv'}",
        f"feedback pages (one per submission): {out / FEEDBACK_DIR}/<student>/<assignment>.html",
    ])


def _line(cells, widths):
    first = cells[0].ljust(widths[0])
    return "  ".join([first] + [c.rjust(w) for c, w in zip(cells[1:], widths[1:])])
