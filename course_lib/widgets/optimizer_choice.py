"""Build an optimizer from a class (or factory) the student passes in, and read its hyperparameters.

The explorers accept the student's own optimizer classes, so they cannot
know in advance which arguments a class takes. They read the constructor's
signature instead: the learning rate goes in as ``eta=`` when there is a
parameter called eta, each slider hyperparameter (alpha, rho, rho1, rho2)
only to a constructor that names it, and ``schedule=`` only to one that
accepts a schedule.
"""
import inspect
import numbers

# Hyperparameters the explorers show a slider for; the stabiliser delta keeps its default.
SLIDER_HYPERPARAMETERS = ("alpha", "rho", "rho1", "rho2")


def constructor_parameters(factory):
    """name -> default (inspect.Parameter.empty when required) of the parameters ``factory`` takes.

    For a class these are the parameters of ``__init__`` without self.
    ``*args``/``**kwargs`` are left out: nothing can be read from them.
    """
    if not callable(factory):
        raise TypeError(
            f"an optimizer must be a class or a callable returning an optimizer, got {factory!r}.")
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # some builtins have no readable signature
        return {}
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name: p.default for p in signature.parameters.values() if p.kind in named}


def slider_hyperparameters(factory):
    """Slider hyperparameters the constructor takes: name -> its default (a float, or None if it has none)."""
    params = constructor_parameters(factory)
    found = {}
    for name in SLIDER_HYPERPARAMETERS:
        if name in params:
            default = params[name]
            is_number = isinstance(default, numbers.Real) and not isinstance(default, bool)
            found[name] = float(default) if is_number else None
    return found


def make_optimizer(factory, eta=None, schedule=None, **hyper):
    """factory(eta=eta, schedule=schedule, **the accepted part of hyper).

    eta is passed only when the constructor has a parameter ``eta`` (a
    student's AdaDelta(rho, delta) has none); hyper entries the
    constructor does not name are dropped, so one set of slider values can
    serve every optimizer. A schedule is required to be accepted: a
    TypeError says so when the constructor has no ``schedule`` parameter.
    """
    params = constructor_parameters(factory)
    kwargs = {name: value for name, value in hyper.items() if name in params}
    if eta is not None and "eta" in params:
        kwargs["eta"] = eta
    if schedule is not None:
        if "schedule" not in params:
            name = getattr(factory, "__name__", repr(factory))
            raise TypeError(
                f"{name} takes no schedule= argument, so its learning rate cannot follow a "
                "schedule; add `schedule=None` to its constructor (see course_lib.optim.base)."
            )
        kwargs["schedule"] = schedule
    return factory(**kwargs)
