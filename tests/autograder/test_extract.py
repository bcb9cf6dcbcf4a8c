"""autograder.extract on notebooks built here with nbformat: what is kept, what is never run."""
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.extract import extract_source


def solution_cell(source, grade_id):
    meta = {"nbgrader": {"grade": False, "solution": True, "locked": False,
                         "grade_id": grade_id, "schema_version": 3}}
    return new_code_cell(source, metadata=meta)


def notebook(*cells):
    return new_notebook(cells=list(cells))


def run(source):
    """Execute extracted source in a fresh namespace (trusted test code only)."""
    namespace = {}
    exec(compile(source, "<extracted>", "exec"), namespace)
    return namespace


RELU = "def relu_forward(x):\n    return np.maximum(x, 0.0), x\n"


def test_keeps_imports_defs_and_constants_and_drops_everything_else():
    nb = notebook(
        new_markdown_cell("# Backprop"),
        new_code_cell("import numpy as np\nimport math"),
        new_code_cell("SCALE = np.float64(2.0)\nSHAPE = (3, 4)\nTABLE = {'a': [1, 2], 'b': SHAPE}\n"
                      "N = len(SHAPE) + int(math.pi)\n"),
        new_code_cell("def scaled(x):\n    return SCALE * x + N + TABLE['a'][0]\n"),
        new_code_cell("print('training')\nfor i in range(10**9):\n    pass\n"),
        new_code_cell("raise RuntimeError('a top-level statement ran')"),
        new_code_cell("import time\ntime.sleep(60)\nresult = scaled(3.0)\n"),
    )
    ex = extract_source(nb, ["scaled"])
    assert ex.found == {"scaled"} and ex.missing == set()
    assert "sleep" not in ex.source and "print" not in ex.source and "raise" not in ex.source
    assert "import math" in ex.source
    start = time.perf_counter()
    ns = run(ex.source)
    assert time.perf_counter() - start < 1.0
    assert ns["scaled"](1.0) == 2.0 + 5 + 1


def test_only_what_the_wanted_names_reach_is_kept():
    nb = notebook(
        new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\nimport os"),
        new_code_cell("def plot_losses(losses):\n    plt.plot(losses)\n"),
        # a decorator is needed at definition time, a helper only when called
        new_code_cell("def traced(f):\n    return f\n"),
        new_code_cell("@traced\ndef grad(x):\n    return helper(x) * 2\n"),
        new_code_cell("def helper(x):\n    return np.asarray(x) + OFFSET\n"),
        new_code_cell("OFFSET = 1.0\nUNUSED = 7\n"),
    )
    ex = extract_source(nb, ["grad"])
    assert "plot_losses" not in ex.source and "matplotlib" not in ex.source
    assert "UNUSED" not in ex.source and "import os" not in ex.source
    ns = run(ex.source)
    assert ns["grad"](2.0) == 6.0


def test_assignments_that_run_student_code_are_dropped():
    nb = notebook(
        new_code_cell("import numpy as np\n"
                      "def train(n):\n    raise RuntimeError('training ran')\n"),
        new_code_cell("history = train(100)\n"
                      "weights = np.zeros(3) + train(1)\n"
                      "noisy = print('x')\n"
                      "acts = {'id': lambda z: z, 'sq': lambda z: np.square(z)}\n"
                      "shifted = [i + 1 for i in range(3)]\n"),
        new_code_cell("def use_all():\n    return history, weights, noisy, acts['sq'](3.0), shifted\n"),
    )
    ex = extract_source(nb, ["use_all"])
    assert "history =" not in ex.source and "weights =" not in ex.source
    assert "noisy =" not in ex.source
    assert "acts =" in ex.source and "shifted =" in ex.source
    ns = run(ex.source)   # would raise if train() were called
    with pytest.raises(NameError):
        ns["use_all"]()
    assert ns["acts"]["sq"](3.0) == 9.0 and ns["shifted"] == [1, 2, 3]


def test_magics_and_shell_escapes_are_tolerated():
    nb = notebook(
        new_code_cell("%matplotlib inline\n!pip install nothing\nfiles = !ls\nimport numpy as np"),
        new_code_cell("%%time\ndef timed(x):\n    return x + 1\ntimed(1)\n"),
        new_code_cell("%%capture out\ndef captured(x):\n    return 2 * x\n"),
        new_code_cell("%%bash\necho hello\n"),
        new_code_cell("%%writefile helper.py\ndef written(x):\n    return x\n"),
        new_code_cell("%timeit timed(1)\nnp.zeros?\n"),
    )
    ex = extract_source(nb, ["timed", "captured", "written"])
    assert ex.found == {"timed", "captured"} and ex.missing == {"written"}
    assert any("cell 4" in m and "%%bash" in m for m in ex.messages)
    assert any("cell 5" in m and "%%writefile" in m for m in ex.messages)
    assert "get_ipython" not in ex.source and "%" not in ex.source
    ns = run(ex.source)
    assert ns["timed"](1) == 2 and ns["captured"](4) == 8


def test_a_cell_that_does_not_parse_is_skipped_with_its_line():
    nb = notebook(
        new_code_cell("import numpy as np"),
        new_code_cell("def good(x):\n    return x\n"),
        new_code_cell("x = 1\n\ndef bad(x):\n    return x +\n"),
        solution_cell(RELU, "relu"),
    )
    ex = extract_source(nb, ["good", "bad", "relu_forward"])
    assert ex.found == {"good", "relu_forward"} and ex.missing == {"bad"}
    syntax = [m for m in ex.messages if "was skipped" in m]
    assert len(syntax) == 1 and "cell 3" in syntax[0] and "line 4" in syntax[0]
    assert any(m.startswith("bad is missing") and "cell 3" in m for m in ex.messages)
    (note,) = ex.missing_notes({"bad"})      # the facts, as fields
    assert (note.kind, note.name, note.cell, note.line, note.reason) == ("missing", "bad", 2, 4, "unparsable")
    assert note.message == "bad is missing: it is written in cell 3, which does not parse: invalid syntax on line 4 " \
                           "of the cell"


@pytest.mark.parametrize("cell", ["\n" * 1_000_000 + "%", "x = 1\n" + " " * 1_000_000 + "?\n",
                                  "def  " * 200_000 + "\n" * 500_000])
def test_scanning_a_megabyte_cell_takes_linear_time(cell):
    nb = notebook(new_code_cell(cell), new_code_cell("def f(x)\n" + "\n" * 500_000))
    start = time.perf_counter()
    ex = extract_source(nb, ["f", "g"])
    assert time.perf_counter() - start < 10.0     # a quadratic scan took 36 s on 670 KB
    assert ex.missing == {"f", "g"} and ex.missing_notes({"f"})[0].reason == "unparsable"


def test_last_definition_wins_and_is_reported():
    nb = notebook(
        solution_cell("def f(x):\n    return 'first'\n", "f"),
        new_code_cell("print(f(1))"),
        new_code_cell("def f(x):\n    return 'second'\n"),
    )
    ex = extract_source(nb, ["f"])
    assert run(ex.source)["f"](0) == "second"
    assert ex.cells["f"] == 2
    assert any("defined 2 times" in m and "cell 3" in m for m in ex.messages)


@pytest.mark.parametrize("metadata", ["deleted", "copied", "reordered"])
def test_nbgrader_metadata_damage_does_not_lose_definitions(metadata):
    relu = solution_cell(RELU, "relu")
    helper = new_code_cell("import numpy as np")
    scratch = new_code_cell("y = relu_forward(3)")
    if metadata == "deleted":
        relu.metadata = {}
        cells = [helper, relu, scratch]
    elif metadata == "copied":
        copy = solution_cell("z = 1  # scratch copy of the answer cell", "relu")
        cells = [helper, relu, copy, scratch]
    else:
        cells = [scratch, relu, new_markdown_cell("extra"), helper]
    ex = extract_source(notebook(*cells), {"relu_forward": "relu"})
    assert ex.found == {"relu_forward"}
    out, _ = run(ex.source)["relu_forward"](-2.0)
    assert out == 0.0
    copied = [m for m in ex.messages if "copied cell" in m]
    assert bool(copied) == (metadata == "copied")


def test_missing_name_with_a_grade_id_says_what_the_cell_defines():
    nb = notebook(solution_cell("def relu_fwd(x):\n    return x\n", "relu"))
    ex = extract_source(nb, {"relu_forward": "relu"})
    assert ex.missing == {"relu_forward"}
    assert any("grade_id 'relu'" in m and "relu_fwd" in m for m in ex.messages)


def test_reference_imports_of_graded_names_are_dropped():
    nb = notebook(
        new_code_cell("import numpy as np\n"
                      "from course_lib.layers import relu_forward, linear_forward as lin\n"
                      "from course_lib.validation import check_ndim\n"),
        new_code_cell("def relu_backward(dout, cache):\n    check_ndim('dout', dout, 1, '(N,)')\n"
                      "    return lin, dout\n"),
    )
    ex = extract_source(nb, ["relu_forward", "relu_backward"])
    assert ex.missing == {"relu_forward"}
    assert "import relu_forward" not in ex.source
    assert "from course_lib.layers import linear_forward as lin" in ex.source
    assert "from course_lib.validation import check_ndim" in ex.source
    assert any("only imported from course_lib" in m for m in ex.messages)


def test_statements_sharing_a_line_and_future_imports():
    nb = notebook(
        new_code_cell("import numpy as np; LOG = print('side effect')"),
        new_code_cell("from __future__ import annotations\n"
                      "def typed(x: Undefined) -> np.ndarray:\n    return np.asarray(x)\n"),
    )
    ex = extract_source(nb, ["typed"])
    assert ex.source.count("from __future__ import annotations") == 1
    first_code = [l for l in ex.source.splitlines() if l and not l.startswith("#")][0]
    assert first_code == "from __future__ import annotations"
    assert "side effect" not in ex.source
    assert run(ex.source)["typed"]([1]).shape == (1,)


def test_locate_maps_source_lines_back_to_cells():
    nb = notebook(
        new_markdown_cell("text"),
        new_code_cell("import numpy as np\n\n\ndef f(x):\n    y = x\n    return y / 0\n"),
    )
    ex = extract_source(nb, ["f"])
    line = ex.source.splitlines().index("    return y / 0") + 1
    assert ex.locate(line) == (1, 6)
    assert ex.locate(1) is None


def test_reads_a_file_and_reports_a_broken_one(tmp_path):
    path = tmp_path / "sub.ipynb"
    nbformat.write(notebook(new_code_cell(RELU)), str(path))
    assert extract_source(str(path), ["relu_forward"]).found == {"relu_forward"}
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{ not json")
    ex = extract_source(broken, ["relu_forward"])
    assert ex.missing == {"relu_forward"} and ex.source == "" and ex.messages
    with pytest.raises(FileNotFoundError):
        extract_source(tmp_path / "absent.ipynb", ["relu_forward"])


def test_classes_and_lambdas_count_as_definitions():
    nb = notebook(
        new_code_cell("import numpy as np\nclass SGD:\n    def __init__(self, lr):\n        self.lr = lr\n"
                      "    def step(self, theta, grad_fn):\n        return theta - self.lr * grad_fn(theta)\n"),
        new_code_cell("sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))\n"),
        new_code_cell("opt = SGD(0.1)\ntheta = opt.step(1.0, lambda t: 2 * t)\n"),
    )
    ex = extract_source(nb, ["SGD", "sigmoid"])
    assert ex.found == {"SGD", "sigmoid"}
    assert "opt = SGD" not in ex.source
    ns = run(ex.source)
    assert ns["SGD"](0.5).step(1.0, lambda t: 2 * t) == 0.0 and ns["sigmoid"](0.0) == 0.5
