"""The one end-to-end test of the widgets: move notebook 05's learning-rate explorer in a real browser.

Everything the widgets compute is tested from Python in tests/course_lib/test_widgets.py;
this test checks the part no Python test reaches: that a student who opens
notebook 05 in Jupyter (Notebook 7, served on 127.0.0.1), runs it and moves the
controls of its LearningRateExplorer sees the readout and the figure follow. It
serves the part of solutions/05_optimizers.ipynb the explorer needs (the solution
notebook: the student release has stub optimizers; its imports, optimizer classes and
explorer cell, see explorer_needs) with outputs cleared, runs all cells in Debian's
headless Chromium driven by Playwright (tests/support/browser_harness.py), then
  1. drags Adam's own learning-rate slider with the mouse: Adam's row of the readout
     must come to show the slider's new eta while the other optimizers' rows stay
     as they were, and the figure must change;
  2. picks "eta/3, eta, 3 eta" in the "compare" dropdown: every optimizer must get
     three rows, at a third of, at, and at three times its own eta.
Every wait is for a condition on the page (the readout showing the expected eta, a
new image), never a sleep, so a busy machine only makes it slower. The screenshot is
kept in test-artifacts/widgets-e2e.png (test-artifacts/widgets-e2e-failure.png, with
the error, when it fails).
"""
import math
import re
import sys

import nbformat
import pytest

from tests.support import browser_harness
from tests.support.browser_harness import (
    ARTIFACTS,
    ROOT,
    chromium_page,
    drag_slider,
    dropdown,
    find_lr_explorer,
    jupyter_server,
    missing_browser_tools,
    open_notebook,
    readout_rows,
    run_all_cells,
    save_screenshot,
    slider,
    wait_for_new_image,
    wait_for_readout,
)

NOTEBOOK_05 = ROOT / "solutions" / "05_optimizers.ipynb"
EXPLORER_CELL = "exp_explorer"
SCREENSHOT = "widgets-e2e.png"
FAILURE_SCREENSHOT = "widgets-e2e-failure.png"
# The optimizer whose own eta slider is dragged (the notebook selects SGD, Momentum and Adam).
DRAGGED = "Adam"
# The drag moves the handle by this fraction of the slider's width: log10(eta) spans [-4, 0.5], so
# eta changes by a factor of about 10**(0.25 * 4.5), about 13.
DRAG = 0.25
# Seconds to wait for the kernel's answer to a control; generous, as only a failure waits that long.
ANSWER_SECONDS = 120
KERNEL_SPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# The readout prints eta with 3 significant digits.
ETA_RTOL = 0.006

# JavaScript predicates on the readout rows (see browser_harness.readout_rows).
ROW_SHOWS_ETA = """(rows, [name, eta, rtol]) => rows.some(
    r => r.name === name && r.eta !== null && Math.abs(r.eta - eta) <= rtol * eta)"""
THREE_ROWS_EACH = """(rows, names) => names.every(n => rows.filter(r => r.name === n).length === 3)"""


def explorer_needs(cell):
    """Whether the explorer cell needs this cell: the imports, the optimizer classes, the explorer itself.

    The experiments and the self-checks in between are left out: they only make
    Run All slow (minutes on a loaded machine), and the whole notebook's run is
    tested in tests/notebooks/test_notebooks.py.
    """
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    return cell.cell_type == "markdown" or grade_id == EXPLORER_CELL or not grade_id.startswith(("exp_", "test_"))


def copy_notebook_05(root_dir):
    """Copy what the explorer needs of notebook 05 into root_dir, outputs cleared; returns the file name.

    Cleared, so every widget on the page comes from this run's kernel and none
    from a state saved in the file.
    """
    nb = nbformat.read(NOTEBOOK_05, as_version=4)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    explorer = ids.index(EXPLORER_CELL)
    nb.cells = [c for c in nb.cells[:explorer + 1] if explorer_needs(c)]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNEL_SPEC)
    nbformat.write(nb, root_dir / NOTEBOOK_05.name)
    return NOTEBOOK_05.name


def rows_of(rows, name):
    return [row for row in rows if row["name"] == name]


@pytest.mark.slow
@pytest.mark.browser
def test_moving_an_optimizers_own_eta_and_comparing_etas(tmp_path):
    problem = missing_browser_tools()
    if problem:
        pytest.fail(problem, pytrace=False)
    for stale in (SCREENSHOT, FAILURE_SCREENSHOT):
        (ARTIFACTS / stale).unlink(missing_ok=True)
    root_dir = tmp_path / "served"
    root_dir.mkdir()
    name = copy_notebook_05(root_dir)

    with jupyter_server(root_dir) as server, chromium_page(tmp_path / "chromium-profile") as page:
        try:
            open_notebook(page, server, name)
            run_all_cells(page)
            explorer, readout = find_lr_explorer(page)
            image = explorer.locator(".widget-output img").first
            eta = slider(explorer, DRAGGED)
            explorer.evaluate("element => element.scrollIntoView({block: 'center'})")

            old_rows = readout_rows(readout)
            old_png = image.get_attribute("src")
            assert rows_of(old_rows, DRAGGED) and all(
                "f = " in row["message"] or "diverged" in row["message"] for row in old_rows), (
                f"Before moving a slider the readout should give the final f of each optimizer: {old_rows}")
            names = list(dict.fromkeys(row["name"] for row in old_rows))

            # 1. Adam's own eta: drag towards the middle of the range, never against an end.
            handle = eta.locator(".noUi-handle")
            low, high = float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))
            exponent = float(handle.get_attribute("aria-valuetext"))
            fraction = DRAG if exponent < (low + high) / 2 else -DRAG
            before, after = drag_slider(page, eta, fraction)
            new_eta = 10 ** after
            wait_for_readout(page, readout, ROW_SHOWS_ETA, [DRAGGED, new_eta, ETA_RTOL], ANSWER_SECONDS,
                             f"{DRAGGED}'s readout row to show eta = {new_eta:.3g}, the slider's new value")
            wait_for_new_image(page, image, old_png, ANSWER_SECONDS, "the figure to be redrawn for the new eta")
            dragged_rows = readout_rows(readout)

            # 2. Compare eta/3, eta and 3 eta of every optimizer.
            dropdown(explorer, "compare").select_option("eta/3, eta, 3 eta")
            wait_for_readout(page, readout, THREE_ROWS_EACH, names, ANSWER_SECONDS,
                             f"three readout rows (eta/3, eta, 3 eta) for each of {names}")
            compared_rows = readout_rows(readout)
            save_screenshot(page, SCREENSHOT, focus=explorer)
        except Exception as err:
            try:
                shot = f"screenshot of the page: {save_screenshot(page, FAILURE_SCREENSHOT)}"
            except Exception as shot_err:  # a crashed page must not hide the first error
                shot = f"no screenshot ({shot_err})"
            raise AssertionError(
                f"{err}\n\nServing {name}; {shot}\n"
                f"Jupyter server log ends:\n{server.log_tail(1500)}") from err

    # 1. The handle followed the mouse (4.5 decades over ~290 px), and only Adam's row changed.
    assert math.copysign(1, after - before) == math.copysign(1, fraction) and (
        after - before == pytest.approx(fraction * (high - low), abs=0.3)), (
        f"Dragging the handle by {fraction:+.0%} of the track should move log10(eta) by about "
        f"{fraction * (high - low):+.2f}; it went from {before} to {after}")
    assert [row["name"] for row in dragged_rows] == [row["name"] for row in old_rows]
    for old, new in zip(old_rows, dragged_rows):
        if old["name"] == DRAGGED:
            assert new["eta"] == pytest.approx(new_eta, rel=ETA_RTOL) and new["message"] != old["message"], new
        else:
            assert new == old, f"Moving {DRAGGED}'s eta changed {old['name']}'s row: {old} -> {new}"
    assert re.search(r"error|not implemented", str(dragged_rows), re.IGNORECASE) is None, (
        f"The solution's optimizers should run at these learning rates, the readout says {dragged_rows}")

    # 2. Each optimizer's three rows are a third of, equal to and three times its own eta.
    own = {row["name"]: row["eta"] for row in dragged_rows}
    for optimizer in names:
        etas = sorted(row["eta"] for row in rows_of(compared_rows, optimizer))
        expected = [own[optimizer] / 3, own[optimizer], 3 * own[optimizer]]
        assert etas == pytest.approx(expected, rel=2 * ETA_RTOL), (optimizer, compared_rows)
        labels = [row["label"].split("=")[0].strip() for row in rows_of(compared_rows, optimizer)]
        assert labels == ["eta/3", "eta", "3 eta"], (optimizer, labels)


@pytest.mark.parametrize("missing", ["chromium", "playwright"])
def test_missing_browser_tools_are_named_with_the_fix(monkeypatch, tmp_path, missing):
    if missing == "chromium":
        monkeypatch.setattr(browser_harness, "CHROMIUM", tmp_path / "no-chromium")
    else:
        monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails as if not installed
    problem = missing_browser_tools()
    assert problem is not None and re.search(rf"{missing}.*`make test` installs", problem), problem
