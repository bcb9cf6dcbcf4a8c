"""The source transformation on small modules: what is cut, what stays as written."""
import ast

import pytest

from autograder.release.stubs import StubError, stub_source

MODULE = '''"""A module."""
import numpy as np

_SCALE = 2.0  # only the graded function uses it


def _helper(x):
    # the trick of the solution
    return _inner(x) * _SCALE


def _inner(x):
    return x + 1


def _shared(x):
    return x


def graded(x, y=3, *, z=None):
    """Docstring of graded."""
    # a comment in the body
    return _helper(x) + _shared(y)


def other(x):   # a comment that must survive
    """Not graded."""
    return _shared(x)  # so does this one


class Graded:
    """A graded class."""

    default = 0.1

    def __init__(self, eta=None):
        self.eta = eta

    def step(self, theta):
        """One step."""
        return theta - self.eta


def bare(x):
    return x * 2


def only_doc(x):
    """Nothing else."""
'''


def stubbed(names, keep=()):
    return stub_source(MODULE, {name: "04" for name in names}, keep)


def function(source, name):
    return next(n for n in ast.walk(ast.parse(source)) if getattr(n, "name", None) == name)


def test_a_stubbed_function_keeps_its_signature_and_docstring_and_raises():
    text = stubbed(["graded"])
    node = function(text, "graded")
    assert ast.dump(node.args) == ast.dump(function(MODULE, "graded").args)
    assert ast.get_docstring(node) == "Docstring of graded."
    assert len(node.body) == 2
    assert 'raise NotImplementedError("you write graded in notebook 04")' in text
    assert "a comment in the body" not in text
    namespace = {}
    exec(compile(text, "m", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="you write graded in notebook 04"):
        namespace["graded"](1)


def test_everything_else_stays_as_written():
    text = stubbed(["graded"])
    start = MODULE.index("def other")
    assert MODULE[start:MODULE.index("class Graded")] in text
    assert text.startswith('"""A module."""\nimport numpy as np\n')


def test_private_helpers_only_the_stub_used_go_repeatedly_and_shared_ones_stay():
    text = stubbed(["graded"])
    assert "_helper" not in text and "_inner" not in text and "_SCALE" not in text
    assert "the trick of the solution" not in text
    assert "def _shared(x):" in text
    assert "\n\n\n\n" not in text


def test_a_private_helper_other_modules_import_stays():
    assert "def _helper(x):" in stubbed(["graded"], keep={"_helper"})


def test_a_class_keeps_docstring_attributes_and_method_signatures_every_method_stubbed():
    text = stubbed(["Graded"])
    cls = function(text, "Graded")
    assert ast.get_docstring(cls) == "A graded class."
    assert "default = 0.1" in text
    init, step = (n for n in cls.body if isinstance(n, ast.FunctionDef))
    assert [ast.unparse(s) for s in init.body] == ["raise NotImplementedError('you write Graded in notebook 04')"]
    assert ast.get_docstring(step) == "One step."
    assert "self.eta = eta" not in text and "theta - self.eta" not in text


def test_a_function_without_docstring_and_one_with_only_a_docstring():
    text = stubbed(["bare", "only_doc"])
    assert [ast.unparse(s) for s in function(text, "bare").body] == [
        "raise NotImplementedError('you write bare in notebook 04')"]
    only = function(text, "only_doc")
    assert ast.get_docstring(only) == "Nothing else." and isinstance(only.body[1], ast.Raise)


def test_a_missing_name_or_a_non_definition_is_refused():
    with pytest.raises(StubError, match="no top-level function or class named missing"):
        stubbed(["missing"])
    with pytest.raises(StubError, match="not a function or a class"):
        stub_source("x = 1\n", {"x": "01"})
