"""Builders of the stored expected values that the student self-checks use.

One module per notebook (``nb01.py`` ...), each with ``build() -> dict[str, ndarray]``
computed from ``course_lib``'s reference implementations on fixed seeds.
``python -m autograder.expected`` writes them to ``course_lib/selfcheck/expected/``;
a test checks that the committed files equal what ``build()`` gives now.
"""
import importlib
import pkgutil

NOTEBOOKS = sorted(
    info.name for info in pkgutil.iter_modules(__path__) if info.name.startswith("nb")
)


def build(notebook):
    """The expected values of one notebook, freshly computed from the references."""
    return importlib.import_module(f"{__name__}.{notebook}").build()
