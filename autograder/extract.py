"""Pull the graded functions, and only what they need, out of a student notebook.

    ex = extract_source("submitted/01_backprop.ipynb", ["relu_forward", "relu_backward"])
    ex.source      # a Python module: imports, defs, classes, constants
    ex.found, ex.missing
    ex.notes       # [Note(kind, text, name, cell, line, grade_id, reason)], e.g. kind "missing"

Nothing in the notebook is executed here; the module text is run later in a
worker (autograder.sandbox). What is kept, in notebook order:
  - import statements (except ``from course_lib... import <graded name>``:
    a reference implementation does not count as the student's answer),
  - function and class definitions, and ``name = lambda ...``,
  - module-level constants: assignments to plain names whose value is built
    from literals, names already kept, and calls into imported modules
    (``EPS = np.float64(1e-8)``, ``SIZES = (3, 4)``), but never a call that
    could reach the student's own functions (``history = train(...)``).
Training loops, plots, prints, asserts and every other top-level statement
are dropped, and so is anything the wanted names do not reach: a definition
is kept only if a wanted name refers to it, directly or through others.

Tolerated: deleted or copied nbgrader metadata (definitions are found by
name; a ``{name: grade_id}`` mapping only sharpens the messages), reordered
and extra cells, IPython line magics and shell escapes (``%matplotlib``,
``!pip``), ``%%time``/``%%capture`` cells (the magic line is dropped, the
Python kept; other cell magics drop the cell), cells that do not parse
(skipped with a message naming the cell and line), and definitions written
twice (the last one in notebook order wins, as when the notebook runs).

Cell numbers in messages count from 1 in notebook order, markdown cells
included; ``Extraction.cells``, ``Extraction.locate`` and ``Note.cell`` use
0-based indices into ``nb.cells``. Reading cells and scanning statements is
autograder/notebook_scan.py.

Why a name is missing (``Note.reason`` of a "missing" note): "unparsable"
(it is written in a cell that does not parse; ``Note.message`` adds the
parser's reason), "reference_import", "runs_code" (assigned by a statement
that runs code), "answer_cell" (its answer cell defines something else),
"undefined".
"""
import ast
from dataclasses import dataclass, field

from autograder.bounded_parse import parse_bounded
from autograder.notebook_scan import (
    Note,
    Scan,
    cell_label,
    grade_id_of,
    python_of,
    read_notebook,
    source_of,
    starts_definition,
)

UNREADABLE = "the notebook could not be read as a Jupyter notebook"
HEADER = "# Extracted by autograder.extract: imports, definitions and constants only.\n"


@dataclass
class Extraction:
    """The result of extract_source; ``source`` is ready for a sandbox worker."""

    source: str
    found: set
    missing: set
    notes: list                                   # [Note], in the order a reader meets them
    cells: dict = field(default_factory=dict)     # graded name -> 0-based cell index
    spans: list = field(default_factory=list)     # (first line, last line, cell index, line in cell)

    @property
    def messages(self):
        """The notes' sentences."""
        return [n.text for n in self.notes]

    @property
    def unreadable(self):
        """True if the file is not a notebook at all."""
        return any(n.kind == "unreadable" for n in self.notes)

    def missing_notes(self, names):
        """The "missing" notes about any of ``names``, in order."""
        return [n for n in self.notes if n.kind == "missing" and n.name in names]

    def locate(self, lineno):
        """Line of ``source`` -> (0-based cell index, 1-based line in that cell), or None."""
        for first, last, cell, cell_line in self.spans:
            if first <= lineno <= last:
                return cell, cell_line + lineno - first
        return None


def extract_source(notebook, wanted_names):
    """Collect what ``wanted_names`` need from ``notebook`` (a path or a NotebookNode).

    ``wanted_names`` is an iterable of names, or a mapping name -> nbgrader
    grade_id of the cell meant to hold it.
    """
    grade_ids = dict(wanted_names) if isinstance(wanted_names, dict) else {}
    wanted = set(wanted_names)
    nb = read_notebook(notebook)
    if nb is None:
        return Extraction("", set(), wanted, [Note("unreadable", UNREADABLE)])
    scan = Scan(wanted)
    for index, cell in enumerate(nb.cells):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            scan.add_cell(index, source_of(cell), grade_id_of(cell))
    notes = list(scan.notes)
    found = {n for n in wanted if n in scan.current}
    keep = scan.closure(found)
    source, spans = _render(scan.units, keep)
    notes.extend(_duplicate_notes(scan, found))
    notes.extend(_missing_notes(scan, nb, wanted - found, grade_ids))
    notes.extend(_copied_grade_id_notes(nb, grade_ids))
    cells = {n: scan.units[scan.current[n]].cell for n in found}
    return Extraction(source, found, wanted - found, notes, cells, spans)


# ---------------------------------------------------------------- output

def _render(units, keep):
    """Module text of the kept units (__future__ imports first) and their line spans."""
    chosen = sorted(keep, key=lambda o: (not units[o].text.startswith("from __future__"), o))
    parts, spans = [HEADER], []
    line = HEADER.count("\n") + 1
    for order in chosen:
        unit = units[order]
        parts.append(f"# cell {unit.cell + 1}\n")
        line += 1
        n = unit.text.count("\n") + 1
        parts.append(unit.text + "\n")
        spans.append((line, line + n - 1, unit.cell, unit.line))
        line += n
    return "".join(parts), spans


def _duplicate_notes(scan, found):
    out = []
    for name in sorted(found):
        cells = scan.defined_at.get(name, [])
        if len(cells) > 1:
            where = ", ".join(str(c + 1) for c in cells)
            out.append(Note("duplicate", f"{name} is defined {len(cells)} times (cells {where}); the last "
                                         f"definition, in cell {cells[-1] + 1}, is graded",
                            name=name, cell=cells[-1]))
    return out


def _missing_notes(scan, nb, missing, grade_ids):
    out = []
    for name in sorted(missing):
        broken = [note for note, text in scan.broken_cells if starts_definition(text, name)]
        if broken:
            cell = broken[-1]
            label = cell_label(cell.cell, cell.grade_id)
            out.append(Note("missing", f"{name} is missing: it is written in {label}, which does not parse "
                                       "(see the message above)",
                            name=name, cell=cell.cell, line=cell.line, grade_id=cell.grade_id,
                            reason="unparsable",
                            message=f"{name} is missing: it is written in {label}, which does not parse: "
                                    f"{cell.reason} on line {cell.line} of the cell"))
        elif name in scan.reference_imports:
            cell = scan.reference_imports[name]
            out.append(Note("missing", f"{name} is missing: it is only imported from course_lib "
                                       f"({cell_label(cell)}); write your own",
                            name=name, cell=cell, reason="reference_import"))
        elif name in scan.dropped_assignments:
            cell = scan.dropped_assignments[name]
            out.append(Note("missing", f"{name} is missing: {cell_label(cell)} assigns it with a statement "
                                       "that runs code; define it with def instead",
                            name=name, cell=cell, reason="runs_code"))
        elif name in grade_ids and _cells_with_grade_id(nb, grade_ids[name]):
            index = _cells_with_grade_id(nb, grade_ids[name])[-1]
            defines = _defined_names(source_of(nb.cells[index]))
            instead = f"defines {', '.join(defines)} instead" if defines else "defines nothing"
            out.append(Note("missing", f"{name} is missing: its answer cell, "
                                       f"{cell_label(index, grade_ids[name])}, {instead}",
                            name=name, cell=index, grade_id=grade_ids[name], reason="answer_cell"))
        else:
            out.append(Note("missing", f"{name} is missing: no code cell defines it", name=name,
                            reason="undefined"))
    return out


def _copied_grade_id_notes(nb, grade_ids):
    out = []
    for grade_id in sorted(set(grade_ids.values())):
        cells = _cells_with_grade_id(nb, grade_id)
        if len(cells) > 1:
            out.append(Note("copied_grade_id", f"grade_id {grade_id!r} is on cells "
                                               f"{', '.join(str(c + 1) for c in cells)} (a copied cell?); "
                                               "definitions are taken by name, the last one wins",
                            cell=cells[-1], grade_id=grade_id))
    return out


def _cells_with_grade_id(nb, grade_id):
    return [i for i, c in enumerate(nb.cells) if grade_id_of(c) == grade_id]


def _defined_names(text):
    python, _ = python_of(text)
    try:
        tree = parse_bounded(python or "")
    except SyntaxError:
        return []
    return [s.name for s in tree.body
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
