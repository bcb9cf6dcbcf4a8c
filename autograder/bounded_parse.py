"""Parsing text from a submission, with bounds on its size and on how deeply it nests.

    tree = parse_bounded(text)          # an ast.Module, or raises SyntaxError
    except SyntaxError as exc: exc.msg, exc.lineno

``ast.parse`` raises RecursionError or MemoryError on a cell such as
``1+1+...+1`` with 100 000 terms, and a tree that parses but nests a few
hundred levels deep makes every recursive pass over it (``ast.unparse``,
the constant check of notebook_scan.py, ``compile`` in the worker) run out
of stack. Here every such failure becomes a SyntaxError (``TooComplex``),
the one exception the callers already turn into a note, so a submission's
text can make its own cell be skipped but never stop the run.

Bounds: at most MAX_CHARS characters, and at most MAX_DEPTH levels of nodes
from the module down (measured without recursion, in one pass). Real
notebook code stays far below both: a deep ``if``/``elif`` chain of 40
branches is about 80 levels.
"""
import ast

MAX_CHARS = 1 << 20      # characters of one parsed text (a cell, or the extracted module)
MAX_DEPTH = 200          # levels of the syntax tree


class TooComplex(SyntaxError):
    """Text too long or nested too deeply to parse safely; ``msg`` says which, ``lineno`` where."""


def parse_bounded(text, max_chars=MAX_CHARS, max_depth=MAX_DEPTH):
    """``ast.parse(text)`` within the bounds; -> ast.Module. Raises SyntaxError (maybe TooComplex)."""
    if not isinstance(text, str):
        raise TooComplex("the code is not text")
    if len(text) > max_chars:
        raise TooComplex(f"it is {len(text)} characters long, more than the {max_chars} the grader reads",
                         ("<cell>", 1, 1, ""))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        raise
    except (RecursionError, MemoryError):
        raise TooComplex(f"it nests expressions too deeply to parse (more than {max_depth} levels)",
                         ("<cell>", 1, 1, "")) from None
    except ValueError as exc:      # Python 3.11: "source code string cannot contain null bytes"
        raise TooComplex(str(exc) or "it holds characters Python cannot parse", ("<cell>", 1, 1, "")) from None
    line = too_deep(tree, max_depth)
    if line is not None:
        raise TooComplex(f"it nests expressions more than {max_depth} levels deep",
                         ("<cell>", line, 1, ""))
    return tree


def too_deep(tree, max_depth=MAX_DEPTH):
    """The line of the first node deeper than ``max_depth`` levels (1 if it has none), or None."""
    stack = [(tree, 0, 1)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > max_depth:
            return line
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None
