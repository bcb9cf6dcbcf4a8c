"""What release k stubs, read from the syllabus manifest (the only list of graded names).

A name is stubbed in release k when the student writes it (graded or optional)
in notebook k or later, unless the instructor keeps references whole through
a later notebook (``through``). The default ``through`` is the notebook before k.

    plan = stub_plan("03")
    plan.stubs                  # {"course_lib.layers.conv": {"conv2d_forward": "03", ...}, ...}
    plan.number_of("im2col")    # "03"
"""
from dataclasses import dataclass

from autograder.syllabus import SYLLABUS


@dataclass(frozen=True)
class StubPlan:
    """Release ``number`` with references kept whole through notebook ``through``."""

    number: str                 # "03": the assignment released
    through: str                # "02": the last notebook whose references stay whole
    stubs: dict                 # module -> {name: number of the notebook where it is written}

    @property
    def names(self):
        """{name: notebook number} of every stubbed name."""
        return {name: nn for names in self.stubs.values() for name, nn in names.items()}

    def number_of(self, name):
        return self.names[name]


def notebook_number(key):
    """"3", "03", "03_cnn_backprop" -> "03" (the syllabus's spelling), or KeyError."""
    key = str(key)
    if key.isdigit():
        key = f"{int(key):02d}"
    return SYLLABUS[key].number


def stub_plan(number, through=None):
    """The stubs of release ``number``; ``through`` (default: the notebook before) keeps earlier references."""
    number = notebook_number(number)
    through = f"{int(number) - 1:02d}" if through is None else notebook_number(through)
    stubs = {}
    for nb in SYLLABUS:
        if nb.number <= through:
            continue
        for name in nb.written:
            stubs.setdefault(SYLLABUS.reference(name), {})[name] = nb.number
    return StubPlan(number, through, stubs)
