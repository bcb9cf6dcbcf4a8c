"""Serve a notebook with Jupyter Notebook 7 on 127.0.0.1 and drive it in Debian's headless Chromium.

Used by tests/notebooks/test_browser_widgets.py, the one end-to-end test of the widgets
(their callbacks are tested without a browser in tests/course_lib/test_widgets.py).

  jupyter_server(root_dir)   context manager: a private `jupyter notebook` on a
                             free loopback port with a token; yields a JupyterServer
  chromium_page(profile_dir) context manager: Playwright driving /usr/bin/chromium
                             (never a browser download); yields a Page
  open_notebook, run_all_cells, find_lr_explorer, drag_slider, dropdown,
  readout_rows, wait_for_readout, wait_for_new_image, save_screenshot: the steps of the test

Notebook 7 rather than JupyterLab: one document per page, no side panels or
launcher, and the same widget manager (jupyterlab_widgets) renders the
outputs. Every wait on the page is for a condition (never a fixed sleep) and says, when it times out,
what was expected on the page.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that reaches for the network on its own: only 127.0.0.1 exists here.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-proxy-server", "--disable-dev-shm-usage",
]
INSTALL_HINT = (
    "`make test` installs both (scripts/install_browser.sh for Chromium, the `dev` extra for Playwright)."
)
# The first start of a kernel and of the page can be slow on a busy 2-core machine.
SERVER_START_SECONDS = 60
PAGE_SECONDS = 60
# Running all of notebook 05 takes about 15 s alone, longer beside other tests; wait well beyond.
RUN_ALL_RETRY_SECONDS = 20  # no cell started this long after Run All: click it again
RUN_ALL_SECONDS = 300
# No "Would you like to get Jupyter news?" notice over the page (other notices stay: they tell of errors).
DISABLED_PLUGINS = {"@jupyterlab/apputils-extension:announcements": True}
# Attach every cell to the page, so cells and widgets far down a long notebook are there to find.
USER_SETTINGS = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"}}


class BrowserToolsMissing(RuntimeError):
    """Chromium or Playwright is not installed."""


def missing_browser_tools():
    """None when Chromium and Playwright are installed, else a message naming what is missing and the fix."""
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Debian's chromium ({CHROMIUM} not found)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        missing.append(f"the Python package playwright ({err})")
    if missing:
        return "The browser test needs " + " and ".join(missing) + ". " + INSTALL_HINT
    return None


def check_browser_tools():
    """Raise BrowserToolsMissing when Chromium or Playwright is not installed."""
    problem = missing_browser_tools()
    if problem:
        raise BrowserToolsMissing(problem)


# -- the Jupyter server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class JupyterServer:
    base_url: str  # "http://127.0.0.1:PORT/"
    token: str
    process: subprocess.Popen
    log_path: Path

    def url(self, path):
        return f"{self.base_url}{path.lstrip('/')}?token={self.token}"

    def log_tail(self, chars=3000):
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-chars:]


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _local_get(url, timeout=5.0):
    """GET on 127.0.0.1, never through a proxy from the environment."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as response:
        return response.status, response.read()


def _local_post(url, timeout=5.0):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=b"", method="POST")
    with opener.open(request, timeout=timeout) as response:
        return response.status


def _descendants(pid):
    """Pids of all live descendants of pid, read from /proc (kernels run in sessions of their own)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after it.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _kill(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


@contextmanager
def jupyter_server(root_dir, timeout=SERVER_START_SECONDS):
    """Run `jupyter notebook` serving root_dir on 127.0.0.1; stop it and its kernels on exit.

    Config, data and runtime directories are fresh ones under root_dir/.jupyter-e2e,
    so no user setting or saved workspace changes what the page shows.
    """
    root_dir = Path(root_dir)
    home = root_dir / ".jupyter-e2e"
    for sub in ("config/labconfig", "data", "runtime"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (home / "config/labconfig/page_config.json").write_text(json.dumps({"disabledExtensions": DISABLED_PLUGINS}))
    for plugin, settings in USER_SETTINGS.items():
        path = home / "config/lab/user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    token = os.urandom(16).hex()
    port = _free_port()
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        MPLBACKEND="Agg",
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable, "-m", "jupyter", "notebook",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.disable_check_xsrf=True",
    ]
    if os.geteuid() == 0:  # CI runs as root; the server refuses root without this flag
        command.append("--allow-root")
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = JupyterServer(f"http://127.0.0.1:{port}/", token, process, log_path)
    try:
        _wait_until_ready(server, timeout)
        yield server
    finally:
        _stop(server)


def _wait_until_ready(server, timeout):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"`jupyter notebook` exited with code {server.process.returncode} before serving; its log ends:\n"
                + server.log_tail())
        try:
            status, _ = _local_get(server.url("api/status"), timeout=2.0)
            if status == 200:
                return
        except (urllib.error.URLError, OSError) as err:
            last_error = err
        time.sleep(0.25)
    raise TimeoutError(
        f"`jupyter notebook` did not answer {server.base_url}api/status within {timeout} s "
        f"(last error: {last_error}); its log ends:\n" + server.log_tail())


def _stop(server):
    """Ask the server to shut down (it stops its kernels), then kill what is left of what we started."""
    process = server.process
    started = set(_descendants(process.pid))
    if process.poll() is None:
        try:
            _local_post(server.url("api/shutdown"), timeout=5.0)
            process.wait(timeout=10)
        except (urllib.error.URLError, OSError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)
    # Kernels run in their own process groups; end those this server started if still alive.
    leftovers = [pid for pid in started if Path(f"/proc/{pid}").exists()]
    _kill(leftovers, signal.SIGTERM)
    deadline = time.monotonic() + 3
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.1)
        leftovers = [pid for pid in leftovers if Path(f"/proc/{pid}").exists()]
    _kill(leftovers, signal.SIGKILL)


# -- the browser -----------------------------------------------------------------------------------


@contextmanager
def chromium_page(profile_dir, viewport=(1400, 1000)):
    """A Playwright Page in Debian's headless Chromium with a fresh profile in profile_dir."""
    check_browser_tools()
    from playwright.sync_api import sync_playwright

    profile_dir = Path(profile_dir)
    if profile_dir.exists():
        shutil.rmtree(profile_dir)
    profile_dir.mkdir(parents=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile_dir),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]},
            timeout=PAGE_SECONDS * 1000,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(PAGE_SECONDS * 1000)
            yield page
        finally:
            context.close()


# -- steps on the page -----------------------------------------------------------------------------
#
# Every wait below is a condition the page must reach (Playwright's wait_for / wait_for_function, which
# poll the page on each animation frame), never a fixed sleep: on a busy machine a sleep is either too
# short (the test flakes) or wasted. Each says, when it times out, what it waited for.

# The learning-rate explorer's layout, ipywidgets 8 as rendered by jupyterlab_widgets: an HBox with
# the CSS class "lr-explorer" holding a VBox of controls (sliders are .widget-hslider with a
# label.widget-label, a .noUi-handle and a .widget-readout; dropdowns .widget-dropdown with a <select>)
# and a VBox of the figure (an Output, .widget-output, holding an <img>), the readout (an HTML widget
# with the class "lr-explorer-readout": a table, one row per run, cells colour / name / eta / message)
# and the timing label.


def open_notebook(page, server, name, timeout=PAGE_SECONDS):
    """Open root_dir/name in Notebook 7 and wait until its kernel is idle."""
    page.goto(server.url(f"notebooks/{name}"))
    _expect(page.locator(".jp-Notebook .jp-Cell").first, timeout,
            f"the cells of {name} in Notebook 7 at {server.base_url}notebooks/{name}")
    wait_for_kernel_idle(page, timeout, "after opening the notebook")


def wait_for_kernel_idle(page, timeout, when):
    """Wait for the toolbar's execution indicator to say the kernel is idle."""
    # Notebook 7 keeps the indicator (data-status: idle, busy, ...) in the page without showing it.
    _expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first, timeout,
            f"the kernel status 'idle' {when} (.jp-Notebook-ExecutionIndicator[data-status=idle]), which a kernel "
            "that never starts or never finishes does not reach", state="attached")


# Prompt and source text of every code cell (textContent: cells out of view may skip layout).
_CODE_CELLS_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map(cell => ({
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    source: (cell.querySelector('.jp-InputArea-editor') || {}).textContent || '',
}))"""
# A prompt that shows an execution count, "[12]:".
_RAN_JS = "p => /^\\s*\\[\\s*\\d+\\s*\\]\\s*:?\\s*$/.test(p)"
# Some cell is running ("[*]") or has run: the Run All click was taken.
_ANY_STARTED_JS = f"""() => {{
    const ran = {_RAN_JS};
    return ({_CODE_CELLS_JS})().some(c => ran(c.prompt) || c.prompt.includes('*'));
}}"""
# Every non-empty code cell has run, or a cell shows a traceback (Run All stops there).
_ALL_RAN_OR_TRACEBACK_JS = f"""() => {{
    const ran = {_RAN_JS};
    const cells = ({_CODE_CELLS_JS})();
    const errors = Array.from(document.querySelectorAll(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"));
    if (errors.some(e => e.textContent.includes('Traceback'))) return true;
    return cells.length > 0 && cells.every(c => !c.source.trim() || ran(c.prompt));
}}"""


def run_all_cells(page, timeout=RUN_ALL_SECONDS):
    """Run > Run All Cells, then wait until every non-empty code cell shows an execution count.

    The kernel must be ready first: a Run All clicked while it is still starting (a busy machine) is
    dropped, so the click is repeated when no cell has started RUN_ALL_RETRY_SECONDS after it.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wait_for_kernel_idle(page, timeout, "before Run All Cells")
    deadline = time.monotonic() + timeout
    while True:
        _accept_dialogs(page)
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]').click()
        try:
            page.wait_for_function(_ANY_STARTED_JS, timeout=RUN_ALL_RETRY_SECONDS * 1000)
            break
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise AssertionError(f"No cell started within {timeout} s of clicking Run > Run All Cells "
                                     "(every prompt still reads '[ ]').") from None
    try:
        page.wait_for_function(_ALL_RAN_OR_TRACEBACK_JS, timeout=max(deadline - time.monotonic(), 1) * 1000)
    except PlaywrightTimeout:
        pending = [c["prompt"] for c in page.evaluate(_CODE_CELLS_JS) if c["source"].strip() and not _ran(c["prompt"])]
        raise AssertionError(
            f"Run All Cells did not finish within {timeout} s: every code cell's prompt should show "
            f"an execution count like '[3]:'; {len(pending)} still read {sorted(set(pending))} "
            "('[*]' is running, '[ ]' never ran)") from None
    _fail_on_traceback(page)
    wait_for_kernel_idle(page, timeout, "after Run All Cells")


def _accept_dialogs(page):
    """Accept a modal dialog (e.g. the kernel choice a slow kernel start brings up): it blocks every click."""
    for button in page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").all():
        if button.is_visible():
            button.click()


def _ran(prompt):
    inside = prompt.strip().removesuffix(":").strip().removeprefix("[").removesuffix("]").strip()
    return inside.isdigit()


def _fail_on_traceback(page):
    """Raise with the first traceback shown in a cell's output (Run All stops at a failing cell)."""
    outputs = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    for text in outputs.all_text_contents():
        if "Traceback" in text:
            raise AssertionError("A cell raised while running all cells:\n" + text[-2000:])


def _label(scope, label):
    """A locator of the widget label reading exactly `label`, to filter widgets with (has=...).

    Built on the page: an inner locator of a filter is queried inside each outer match, so it
    must not start from scope's own selector.
    """
    page = getattr(scope, "page", scope)  # a Locator knows its page; a Page is one
    return page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))


def slider(scope, label):
    """The ipywidgets slider(s) labelled `label` within scope (a Page or Locator)."""
    return scope.locator(".widget-hslider").filter(has=_label(scope, label))


def dropdown(scope, label):
    """The <select> of the ipywidgets Dropdown labelled `label` within scope."""
    return scope.locator(".widget-dropdown").filter(has=_label(scope, label)).locator("select")


def find_lr_explorer(page, timeout=PAGE_SECONDS):
    """The LearningRateExplorer on the page (CSS class lr-explorer) and its readout, as Locators."""
    explorer = page.locator(".lr-explorer").first
    _expect(explorer, timeout, "the LearningRateExplorer (an ipywidgets box with the CSS class lr-explorer)")
    readout = explorer.locator(".lr-explorer-readout").first
    _expect(readout.locator("table"), timeout, "the explorer's readout table (.lr-explorer-readout table)")
    return explorer, readout


# The readout's rows: [{name, eta, message}] with eta the number after "=" in the eta cell (null if none).
_READOUT_ROWS_JS = """el => Array.from(el.querySelectorAll('tr')).map(row => {
    const cells = Array.from(row.querySelectorAll('td')).map(c => c.textContent.trim());
    const match = (cells[2] || '').match(/=\\s*([-+0-9.eE]+)/);
    return {name: cells[1] || '', label: cells[2] || '', eta: match ? parseFloat(match[1]) : null,
            message: cells[3] || ''};
})"""


def readout_rows(readout):
    """The rows of the explorer's readout as dicts: name, label (e.g. "eta/3 = 0.0167"), eta, message."""
    return readout.evaluate(_READOUT_ROWS_JS)


def wait_for_readout(page, readout, predicate_js, arg, timeout, what):
    """Wait until ``predicate_js(rows, arg)`` is true of the readout's rows; raise saying `what` if not.

    predicate_js is a JavaScript arrow function (rows, arg) => boolean, rows as readout_rows returns them.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    js = f"([el, arg]) => ({predicate_js})(({_READOUT_ROWS_JS})(el), arg)"
    try:
        page.wait_for_function(js, arg=[readout.element_handle(), arg], timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise AssertionError(f"Waited {timeout} s for {what}; the readout rows are {readout_rows(readout)}") from None


def wait_for_new_image(page, image, old_src, timeout, what):
    """Wait until the <img> located by `image` shows a source other than old_src."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("([el, old]) => el.isConnected ? el.src !== old : true",
                               arg=[image.element_handle(), old_src], timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise AssertionError(f"Waited {timeout} s for {what}; the image stayed the same.") from None


def wait_until_still(page, locator, timeout, frames=10):
    """Wait until the element's box has not moved for `frames` animation frames in a row.

    Outputs still rendering above it (images, widgets) shift the page; a mouse aimed at where a handle
    was a moment ago would press the slider's track somewhere else.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    js = """([el, frames]) => {
        const r = el.getBoundingClientRect();
        const key = [r.x, r.y, r.width, r.height].join(',');
        const seen = el.__stillness || (el.__stillness = {key: null, count: 0});
        seen.count = seen.key === key ? seen.count + 1 : 0;
        seen.key = key;
        return seen.count >= frames;
    }"""
    try:
        page.wait_for_function(js, arg=[locator.element_handle(), frames], polling="raf", timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise AssertionError(f"The page kept moving for {timeout} s: the slider never held still.") from None


def drag_slider(page, slider_locator, fraction, steps=10, timeout=PAGE_SECONDS):
    """Drag the slider's handle with the mouse by `fraction` of its track width (negative: to the left).

    A drag, as a student moves it: JupyterLab takes ArrowLeft/ArrowRight on a focused handle in
    command mode (collapse/expand headings), so arrow keys do not reach the slider there. The handle
    is first scrolled into view and waited for until the page around it holds still.
    Returns the slider position, aria-valuetext (log10 of the value for a FloatLogSlider), before and after.
    """
    handle = slider_locator.locator(".noUi-handle")
    track = slider_locator.locator(".noUi-base")
    handle.scroll_into_view_if_needed()
    wait_until_still(page, handle, timeout)
    before = float(handle.get_attribute("aria-valuetext"))
    box, track_box = handle.bounding_box(), track.bounding_box()
    if box is None or track_box is None:
        raise AssertionError("The slider's handle (.noUi-handle) or track (.noUi-base) is not on screen.")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + fraction * track_box["width"], y, steps=steps)
    page.mouse.up()
    return before, float(handle.get_attribute("aria-valuetext"))


def save_screenshot(page, name, focus=None):
    """Screenshot of the page (focus, a Locator, scrolled to the middle first) into test-artifacts/name."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    if focus is not None:
        focus.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(path))
    return path


def _expect(locator, timeout, what, state="visible"):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(state=state, timeout=timeout * 1000)
    except PlaywrightTimeout:
        raise AssertionError(f"Waited {timeout} s for {what}; it did not appear on the page.") from None
