"""Show a matplotlib figure in an ipywidgets.Output, in JupyterLab and Notebook 7, without ipympl.

The explorers own their figures (made here with the object API and an Agg
canvas, never through pyplot, so Jupyter's inline backend does not also
print them under the cell). After every change they render the figure to
PNG and *replace* the Output's content with that one image, the same
display_data message that ``with out: clear_output(wait=True);
display(fig)`` produces under the inline backend, written in one
assignment of the synced ``Output.outputs`` trait:
  * the old image is swapped for the new one in a single update (no flicker);
  * it does not depend on which matplotlib backend the kernel has active,
    nor on the Output capturing messages of the cell that is running (a
    widget callback runs outside any cell);
  * it works without a kernel too, so tests can read the PNG back with
    ``displayed_png``.
Both JupyterLab 4 and Notebook 7 render the Output widget's ``outputs``
with the same jupyter-widgets manager.
"""
import base64
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Screen resolution of the widget images: sharp enough, and small PNGs keep redraws fast.
DPI = 72


def new_figure(figsize, dpi=DPI):
    """A Figure with an Agg canvas, outside pyplot's list of open figures."""
    figure = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def figure_png(figure):
    """The figure rendered by Agg, as PNG bytes."""
    buffer = io.BytesIO()
    figure.canvas.print_png(buffer)
    return buffer.getvalue()


def show_figure(output, figure):
    """Make the figure, as a PNG image, the only content of the ipywidgets.Output ``output``."""
    png = base64.b64encode(figure_png(figure)).decode("ascii")
    width, height = figure.get_size_inches() * figure.dpi
    output.outputs = ({
        "output_type": "display_data",
        "data": {"image/png": png, "text/plain": f"<Figure size {width:.0f}x{height:.0f}>"},
        "metadata": {},
    },)


def displayed_png(output):
    """PNG bytes of the image shown by show_figure in ``output`` (None when it shows none)."""
    for item in output.outputs:
        data = item.get("data", {})
        if "image/png" in data:
            return base64.b64decode(data["image/png"])
    return None
