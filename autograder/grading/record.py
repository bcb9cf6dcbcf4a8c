"""What grading produces: a Record per graded test, a SubmissionResult per submission.

    r = Record("alice", "01_backprop", "test_relu", "relu_forward, relu_backward", 2, 2, "passed", "")
    r.to_json()            # {student, assignment, test, function, score, max_score, status, message}
    r.gradescope_test()    # one entry of Gradescope's "tests"
    result = SubmissionResult.from_json(json.load(f))   # a stored result file, checked
    result.to_json(); result.csv_row(columns); result.score, result.max_score

Statuses of a record (STATUSES, in the order pages and sheets list them):
  passed   the hidden code ran to the end
  failed   a check failed (its diagnosis), or the function is not implemented yet
  missing  a name the test needs is not defined in the notebook
  timeout  over the per-call wall clock, the CPU limit or the test's time budget
  error    the submission's code raised, crashed its worker, used too much memory,
           or returned something the check cannot read
Points are all or nothing per test, as in nbgrader.

The JSON forms are the stored ones (autograder/grading/store.py writes them,
``workbook grade`` resumes from them): a record is exactly RECORD_FIELDS; a
result file adds "format", the notebook and its hashes, "seconds",
"outputs" ({grade_id: printed text}) and "notes" (sentences for the student),
and, from a course's gradebook, "timestamp", "seconds_late",
"late_penalty" and "manual_points", and "round_trips", the requests grading
sent to the sandbox (optional: older result files without them still load).
Reading one checks every field and raises ResultFileError naming what is wrong.
"""
import os
from dataclasses import dataclass, field

RECORD_FIELDS = ("student", "assignment", "test", "function", "score", "max_score", "status", "message")
STATUSES = {
    "passed": "the hidden code ran to the end",
    "failed": "a check failed, or the function is not implemented yet",
    "missing": "a name the test needs is not defined in the notebook",
    "timeout": "over the per-call wall clock, the CPU limit or the test's time budget",
    "error": "the submission raised, crashed its worker, used too much memory or returned something unreadable",
}
RECORD_STATUSES = tuple(STATUSES)
FORMAT = 1                        # of a stored result file
NOT_IMPLEMENTED = "not implemented yet"
GRADESCOPE_VISIBILITY = "visible"


class ResultFileError(ValueError):
    """A stored result that cannot be read back: ``str()`` says which field and what to do."""


@dataclass(frozen=True)
class Record:
    """The outcome of one graded test of one submission."""

    student: str
    assignment: str
    test: str           # the grade_id ("" when the submission could not be graded at all)
    function: str       # the student names the test covers, comma-separated
    score: float
    max_score: float
    status: str         # a key of STATUSES
    message: str        # for the student: the diagnosis, never the hidden code or its inputs

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {RECORD_STATUSES}, got {self.status!r}")
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "max_score", float(self.max_score))

    @property
    def passed(self):
        return self.status == "passed"

    @property
    def not_implemented(self):
        """True when the function still raises NotImplementedError (a "failed" record)."""
        return self.status == "failed" and self.message.startswith(NOT_IMPLEMENTED)

    def to_json(self):
        return {k: getattr(self, k) for k in RECORD_FIELDS}

    @classmethod
    def from_json(cls, data, where="a record"):
        """A record from its JSON dict; ResultFileError if a field is missing or of the wrong type."""
        if not isinstance(data, dict):
            raise ResultFileError(f"{where} is not a JSON object")
        missing = [k for k in RECORD_FIELDS if k not in data]
        if missing:
            raise ResultFileError(f"{where} lacks {', '.join(missing)}")
        for key in ("student", "assignment", "test", "function", "status", "message"):
            if not isinstance(data[key], str):
                raise ResultFileError(f"{where}: {key} is not a string")
        for key in ("score", "max_score"):
            if type(data[key]) not in (int, float):
                raise ResultFileError(f"{where}: {key} is not a number")
        if data["status"] not in STATUSES:
            raise ResultFileError(f"{where}: status {data['status']!r} is not one of {', '.join(STATUSES)}")
        return cls(**{k: data[k] for k in RECORD_FIELDS})

    def gradescope_test(self, *, with_assignment=False, printed=""):
        """This record as one of Gradescope's tests: passed or failed, the message then what was printed.

        Gradescope knows only "passed" and "failed"; the finer statuses show in the message.
        """
        text = self.message or ""
        if printed:
            text += ("\n\n" if text else "") + "Your code printed:\n" + printed
        name = self.test or "notebook"
        if self.function:
            name += f" ({self.function})"
        return {
            "name": f"{self.assignment}: {name}" if with_assignment else name,
            "score": self.score,
            "max_score": self.max_score,
            "status": "passed" if self.passed else "failed",
            "output": text,
            "output_format": "text",
            "visibility": GRADESCOPE_VISIBILITY,
        }


@dataclass
class SubmissionResult:
    """Everything known about one graded submission, and where it came from."""

    student: str
    assignment: str
    records: list = field(default_factory=list)   # [Record], one per graded test
    outputs: dict = field(default_factory=dict)   # grade_id -> what the submission printed (capped)
    notes: list = field(default_factory=list)     # sentences: extraction and loading notes
    seconds: float = 0.0
    notebook: str = ""                            # the graded file, once stored
    notebook_sha256: str = None
    tests_sha256: str = None
    timestamp: str = ""                           # when it was submitted (timestamp.txt, UTC), "" if unknown
    seconds_late: float = 0.0                     # past the due date and any extension (nbgrader's gradebook)
    late_penalty: float = 0.0                     # points taken off by the course's late-submission plugin
    manual_points: float = 0.0                    # what a TA's grades in the formgrader add (written answers,
                                                  # a test's score changed by hand): gradebook score - score
    round_trips: int = 0                          # requests to the sandbox and callbacks served (Worker.round_trips)

    @property
    def score(self):
        return sum(r.score for r in self.records)

    @property
    def final_score(self):
        """The score nbgrader's export gives: autograded, plus the TA's manual grades, minus the late penalty."""
        return self.score + self.manual_points - self.late_penalty

    @property
    def max_score(self):
        return sum(r.max_score for r in self.records)

    def record(self, test):
        """The record of grade_id ``test``, or None."""
        return next((r for r in self.records if r.test == test), None)

    def status_counts(self):
        """{status: how many records have it}, in STATUSES order, without zeros."""
        counts = {s: sum(r.status == s for r in self.records) for s in STATUSES}
        return {s: n for s, n in counts.items() if n}

    def to_json(self):
        """The stored form (a result file)."""
        return {
            "format": FORMAT,
            "student": self.student,
            "assignment": self.assignment,
            "notebook": str(self.notebook),
            "notebook_sha256": self.notebook_sha256,
            "tests_sha256": self.tests_sha256,
            "seconds": round(self.seconds, 3),
            "records": [r.to_json() for r in self.records],
            "outputs": dict(self.outputs),
            "notes": list(self.notes),
            "timestamp": self.timestamp,
            "seconds_late": self.seconds_late,
            "late_penalty": self.late_penalty,
            "manual_points": self.manual_points,
            "round_trips": self.round_trips,
        }

    @classmethod
    def from_json(cls, data):
        """A result from its stored form; ResultFileError says what is wrong (format, a field, a record)."""
        if not isinstance(data, dict):
            raise ResultFileError("it is not a JSON object")
        if data.get("format") != FORMAT:
            raise ResultFileError(f"its format is {data.get('format')!r}, this grader writes format {FORMAT}")
        for key in ("student", "assignment"):
            if not isinstance(data.get(key), str):
                raise ResultFileError(f"{key} is missing or not a string")
        if not isinstance(data.get("records"), list):
            raise ResultFileError("records is missing or not a list")
        records = [Record.from_json(r, f"record {i + 1}") for i, r in enumerate(data["records"])]
        outputs = data.get("outputs", {})
        if not isinstance(outputs, dict) or not all(isinstance(v, str) for v in outputs.values()):
            raise ResultFileError("outputs is not a mapping of grade ids to text")
        notes = data.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            raise ResultFileError("notes is not a list of text")
        seconds = data.get("seconds", 0.0)
        hashes = [data.get(k) for k in ("notebook_sha256", "tests_sha256")]
        if type(seconds) not in (int, float) or not all(h is None or isinstance(h, str) for h in hashes):
            raise ResultFileError("seconds or a hash has the wrong type")
        late = [data.get(k, 0.0) for k in ("seconds_late", "late_penalty", "manual_points")]
        if not isinstance(data.get("timestamp", ""), str) or not all(type(v) in (int, float) for v in late):
            raise ResultFileError("timestamp, seconds_late, late_penalty or manual_points has the wrong type")
        round_trips = data.get("round_trips", 0)
        if type(round_trips) is not int or round_trips < 0:
            raise ResultFileError("round_trips is not a count")
        return cls(data["student"], data["assignment"], records, dict(outputs), list(notes), float(seconds),
                   str(data.get("notebook", "")), *hashes, data.get("timestamp", ""), *map(float, late),
                   round_trips)

    def csv_row(self, columns):
        """[student, assignment, score, max_score, then the points of each (assignment, grade_id) in columns].

        Text cells go through ``csv_cell``: shown names, never formulas.
        """
        by_test = {(self.assignment, r.test): r for r in self.records}
        row = [csv_cell(self.student), csv_cell(self.assignment), number(self.score), number(self.max_score)]
        return row + [number(by_test[k].score) if k in by_test else "" for k in columns]

    def gradescope_tests(self, *, with_assignment=False):
        """Gradescope's tests for this result's records, each with what the submission printed."""
        return [r.gradescope_test(with_assignment=with_assignment, printed=self.outputs.get(r.test, ""))
                for r in self.records]


def failed_submission(student, assignment, message, status="error"):
    """A result for a submission that could not be graded at all (every test gets ``message``).

    ``assignment`` is an Assignment, or a name (e.g. "unrecognised: x.ipynb")
    when it is not known: then a single record with max_score 0.
    """
    if isinstance(assignment, str):
        return SubmissionResult(student, assignment, [Record(student, assignment, "", "", 0, 0, status, message)])
    records = [Record(student, assignment.name, t.grade_id, t.function, 0, t.points, status, message)
               for t in assignment.tests]
    return SubmissionResult(student, assignment.name, records)


def number(value):
    """A score as a sheet shows it: 2 rather than 2.0, at most 6 decimals."""
    value = float(value)
    return int(value) if value.is_integer() else round(value, 6)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text):
    """A text cell of a CSV sheet that a spreadsheet shows as text, never runs as a formula.

    Following OWASP's CSV-injection guidance, a cell that starts with = + - @,
    a tab or a carriage return gets a leading single quote; bytes of a name
    that are not UTF-8 show as \\xNN, and a carriage return as \\r (the csv module quotes
    a field holding the line terminator, "\\n", but not a lone "\\r", which breaks the row).
    """
    text = os.fsencode(str(text)).decode("utf-8", "backslashreplace")
    shown = text.replace("\r", "\\r")
    return "'" + shown if text.startswith(FORMULA_STARTS) else shown
