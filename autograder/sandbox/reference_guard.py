"""The reference-import guard: course_lib as a submission imports it, without the graded names.

While grading assignment k, ``from course_lib.layers import relu_forward``
in submission code raises ImportError (relu_forward is graded in k), but
the rest of course_lib is there: later notebooks build on earlier reference
code. course_lib's own imports see the real modules. This is a guard
against accidental or naive reuse, not a security boundary (see worker.py).
"""
import builtins
import types

_real_import = builtins.__import__


def install_reference_guard(graded):
    """Make course_lib, as imported by submission code, hide the graded names."""
    graded = frozenset(graded)

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        module = _real_import(name, globals, locals, fromlist, level)
        importer = (globals or {}).get("__name__") or ""
        if level or not _is_course_lib(name) or _is_course_lib(importer):
            return module  # course_lib's own imports see the real modules
        for item in fromlist or ():
            if item in graded:
                raise ImportError(blocked_message(item, name), name=name)
        return ReferenceView(module, graded)

    builtins.__import__ = guarded_import


def _is_course_lib(name):
    return name == "course_lib" or name.startswith("course_lib.")


def blocked_message(name, module):
    return (f"{name} is graded in this assignment, so it cannot come from {module}: "
            "reference imports are blocked while grading; the notebook must define it")


class ReferenceView(types.ModuleType):
    """A course_lib module as the submission sees it: everything but the graded names."""

    def __init__(self, module, graded):
        super().__init__(module.__name__, module.__doc__)
        self.__dict__["_module"], self.__dict__["_graded"] = module, graded
        public = getattr(module, "__all__", None)
        if public is None:
            public = [k for k in vars(module) if not k.startswith("_")]
        self.__all__ = [k for k in public if k not in graded]

    def __getattr__(self, name):
        if name in self._graded:
            raise ImportError(blocked_message(name, self.__name__), name=self.__name__)
        value = getattr(self._module, name)
        if isinstance(value, types.ModuleType) and _is_course_lib(value.__name__):
            return ReferenceView(value, self._graded)
        return value

