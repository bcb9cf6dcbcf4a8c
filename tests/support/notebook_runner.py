"""Execute notebooks for the tests with nbclient, in a kernel of this virtualenv."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
STUDENT = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute(path, allow_errors=False, timeout=180):
    """Run a notebook top to bottom in a scratch copy; returns the executed notebook."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    client.execute()
    return nb


def cell_text(cell):
    """All stream and text output of a code cell, joined."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def cell_error(cell):
    """The (ename, evalue) of a cell's error output, or None."""
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            return out.ename, out.evalue
    return None


def is_graded(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade", False)
