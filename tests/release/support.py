"""A fresh virtualenv that sees only a release, and notebooks run in it.

The venv is made with ``python -m venv`` and borrows this project's third-party
packages through a ``.pth`` file holding the path of the project venv's
site-packages. A path line in a .pth file only extends sys.path: the .pth files
inside that folder (the editable install's finder among them) are not run, so
``course_lib`` and ``autograder`` of this repository stay out of reach. The
release is then installed with ``pip install --no-deps --no-build-isolation``
(no network needed).
"""
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)


class ReleaseVenv:
    """A virtualenv at ``path`` with the project's third-party packages and nothing of this repository."""

    def __init__(self, path):
        self.path = Path(path)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.path)], check=True, capture_output=True)
        self.python = self.path / "bin" / "python"
        site = Path(self.run_python("import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
        (site / "project_site_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        self.site_packages = site

    def env(self):
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        env["MPLBACKEND"] = "Agg"
        return env

    def run_python(self, code, cwd=None):
        done = subprocess.run([str(self.python), "-c", code], capture_output=True, text=True, cwd=cwd,
                              env=self.env() if hasattr(self, "python") else None)
        if done.returncode:
            raise RuntimeError(f"python -c failed ({done.returncode}):\n{done.stderr}")
        return done.stdout

    def install(self, release):
        done = subprocess.run([str(self.python), "-m", "pip", "install", "--quiet", "--no-deps",
                               "--no-build-isolation", "--no-index", str(release)],
                              capture_output=True, text=True, env=self.env(), cwd=self.path)
        if done.returncode:
            raise RuntimeError(f"pip install {release} failed:\n{done.stdout}\n{done.stderr}")

    def kernel_manager(self):
        """A kernel manager whose only kernel runs this venv's python."""
        kernels = self.path / "kernels"
        spec = kernels / "release"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [str(self.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "release", "language": "python", "env": {"MPLBACKEND": "Agg"}}))
        specs = KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)
        return KernelManager(kernel_name="release", kernel_spec_manager=specs)

    def execute(self, nb, cwd, allow_errors=False, timeout=600):
        """Run notebook ``nb`` (a NotebookNode, changed in place) in this venv's kernel, from folder ``cwd``."""
        km = self.kernel_manager()
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=allow_errors,
                                resources={"metadata": {"path": str(cwd)}})
        client.execute()
        return nb


def without_hidden_tests(path):
    """The notebook at ``path`` with nbgrader's hidden-test blocks cut out (they import autograder)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = HIDDEN.sub("", cell.source)
    return nb


def third_party_view(dest):
    """A folder of links to this venv's site-packages entries, minus this project's own install -> dest.

    A venv whose .pth line names it sees the third-party packages and not the
    editable dl-workbook, so that pip installs a wheel of the project there
    instead of finding it "already satisfied".
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        own = entry.name.startswith(("dl_workbook", "__editable__")) or entry.name in ("autograder", "course_lib")
        if not own and not (dest / entry.name).exists():
            (dest / entry.name).symlink_to(entry)
    return dest


def point_at_third_party(venv, view):
    """Make ReleaseVenv ``venv`` borrow only the packages of ``view`` (a third_party_view); -> venv."""
    (venv.site_packages / "project_site_packages.pth").write_text(f"{Path(view).resolve()}\n")
    return venv
