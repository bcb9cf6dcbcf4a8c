"""The one end-to-end test of the widgets: move notebook 05's learning-rate slider in a real browser.

Everything the widgets compute is tested from Python in tests/course_lib/test_widgets.py;
this test checks the part no Python test reaches: that a student who opens
notebook 05 in Jupyter (Notebook 7, served on 127.0.0.1), runs it and drags the
eta slider of its LearningRateExplorer sees the readout follow. It serves a copy
of solutions/05_optimizers.ipynb (the solution notebook: the student release
has stub optimizers) with its outputs cleared, runs all cells in Debian's
headless Chromium driven by Playwright (tests/support/browser_harness.py), drags the
slider's handle with the mouse, and waits for the slider's value, the readout
and the figure to change. The screenshot is kept in test-artifacts/widgets-e2e.png
(test-artifacts/widgets-e2e-failure.png, with the error, when it fails).
"""
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
    find_lr_explorer,
    jupyter_server,
    missing_browser_tools,
    open_notebook,
    run_all_cells,
    save_screenshot,
    wait_for_new_text,
)

NOTEBOOK_05 = ROOT / "solutions" / "05_optimizers.ipynb"
SCREENSHOT = "widgets-e2e.png"
FAILURE_SCREENSHOT = "widgets-e2e-failure.png"
# The drag moves the handle by this fraction of the slider's width: log10(eta) spans [-4, 0.5], so
# eta changes by a factor of about 10**(0.25 * 4.5), about 13.
DRAG = 0.25
KERNEL_SPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def copy_notebook_05(root_dir):
    """Copy notebook 05 into root_dir with its outputs cleared; returns the file name.

    Cleared, so every widget on the page comes from this run's kernel and none
    from a state saved in the file.
    """
    nb = nbformat.read(NOTEBOOK_05, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNEL_SPEC)
    nbformat.write(nb, root_dir / NOTEBOOK_05.name)
    return NOTEBOOK_05.name


def optimizer_names(readout_text):
    """The optimizer names of the readout's rows, "<name> <message>" each (a colour square before)."""
    return [row.split()[1] for row in readout_text.splitlines() if len(row.split()) > 1]


@pytest.mark.slow
@pytest.mark.browser
def test_moving_the_learning_rate_slider_changes_the_readout(tmp_path):
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
            explorer, eta = find_lr_explorer(page)
            readout = explorer.locator(".widget-html-content").first
            eta_readout = eta.locator(".widget-readout")
            image = explorer.locator(".widget-output img").first
            explorer.evaluate("element => element.scrollIntoView({block: 'center'})")

            old_text = readout.inner_text()
            old_eta_text = eta_readout.inner_text()
            old_eta = float(old_eta_text)
            old_png = image.get_attribute("src")
            assert "f = " in old_text or "diverged" in old_text, (
                f"Before moving the slider the readout should give the final f of each optimizer, it reads "
                f"{old_text!r}")
            # Drag towards the middle of the range, so the handle never sits at an end it cannot pass.
            handle = eta.locator(".noUi-handle")
            low, high = float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))
            exponent = float(handle.get_attribute("aria-valuetext"))
            fraction = DRAG if exponent < (low + high) / 2 else -DRAG
            before, after = drag_slider(page, eta, fraction)

            new_eta = float(wait_for_new_text(eta_readout, old_eta_text, timeout=10, what="The eta slider's value"))
            new_text = wait_for_new_text(readout, old_text, timeout=30, what="The explorer's readout")
            save_screenshot(page, SCREENSHOT, focus=explorer)
        except Exception as err:
            try:
                shot = f"screenshot of the page: {save_screenshot(page, FAILURE_SCREENSHOT)}"
            except Exception as shot_err:  # a crashed page must not hide the first error
                shot = f"no screenshot ({shot_err})"
            raise AssertionError(
                f"{err}\n\nServing {name}; {shot}\n"
                f"Jupyter server log ends:\n{server.log_tail(1500)}") from err

        # What a student sees after moving the slider: a new eta, a new readout, a new figure.
        # The handle follows the mouse to within a few pixels of the track (4.5 decades over ~115 px).
        assert after - before == pytest.approx(fraction * (high - low), abs=0.2), (
            f"Dragging the handle by {fraction:+.0%} of the track should move log10(eta) by about "
            f"{fraction * (high - low):+.2f}; it went from {before} to {after}")
        assert new_eta == pytest.approx(10 ** after, rel=0.01), (
            f"The slider's value readout {new_eta} should be 10**{after} after the drag")
        assert (new_eta > old_eta) == (fraction > 0)
        assert new_text != old_text
        assert optimizer_names(new_text) == optimizer_names(old_text), (
            f"The readout should still list the same optimizers: before {old_text!r}, after {new_text!r}")
        assert re.search(r"error|not implemented", new_text, re.IGNORECASE) is None, (
            f"The solution's optimizers should run at eta = {new_eta}, the readout says {new_text!r}")
        assert image.get_attribute("src") != old_png, "The figure should be redrawn for the new eta."


@pytest.mark.parametrize("missing", ["chromium", "playwright"])
def test_missing_browser_tools_are_named_with_the_fix(monkeypatch, tmp_path, missing):
    if missing == "chromium":
        monkeypatch.setattr(browser_harness, "CHROMIUM", tmp_path / "no-chromium")
    else:
        monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails as if not installed
    problem = missing_browser_tools()
    assert problem is not None and re.search(rf"{missing}.*`make test` installs", problem), problem
