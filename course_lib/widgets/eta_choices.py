"""Which learning rates the learning-rate explorer runs each optimizer with, and how their lines look.

Every optimizer has its own learning rate eta (its own slider), and the
explorer can overlay a few learning rates per optimizer at once:

  "one eta each"          eta                   (the optimizer's own slider)
  "eta/3, eta, 3 eta"     eta / 3, eta, 3 eta   (a factor of 3 either way)
  "eta/10, eta, 10 eta"   eta / 10, eta, 10 eta
  "a list of etas"        the values typed in, e.g. "0.01, 0.03, 0.1", the same for every optimizer

The k-th learning rate of an optimizer is drawn in the optimizer's colour
with line style ``ETA_STYLES[k]``: k = 0 (solid, dots) is its own eta, or
the first value of a list, so one glance tells the runs of one optimizer
apart and the legend needs one entry per optimizer plus one per style.
"""
import math
import re

# label -> factors that multiply each optimizer's own eta, own eta first; None: the typed list.
COMPARE = {
    "one eta each": (1.0,),
    "eta/3, eta, 3 eta": (1.0, 3.0, 1.0 / 3.0),
    "eta/10, eta, 10 eta": (1.0, 10.0, 0.1),
    "a list of etas": None,
}
LIST_MODE = "a list of etas"
# At most this many typed learning rates: more lines per optimizer are no longer readable.
MAX_LISTED = 6
# (line style, marker) of the k-th learning rate of an optimizer.
ETA_STYLES = (
    ("-", "o"),
    ("--", "^"),
    (":", "v"),
    ("-.", "s"),
    ((0, (6, 2, 1, 2, 1, 2)), "D"),
    ((0, (1, 3)), "x"),
)


def factor_label(factor):
    """How a factor of the own eta reads in the legend and readout: "eta", "3 eta", "eta/3"."""
    if factor == 1:
        return "eta"
    if factor > 1:
        return f"{factor:g} eta"
    return f"eta/{1 / factor:.3g}"


def listed_label(eta):
    """How a typed learning rate reads in the legend and readout."""
    return f"eta = {eta:.3g}"


def parse_etas(text):
    """The learning rates typed in ``text`` ("0.01, 0.03, 0.1"; commas, semicolons or spaces) as floats.

    Raises ValueError with a message for the student when the text is empty,
    holds something that is not a number, a number that is not > 0 and
    finite, or more than MAX_LISTED values. Repeated values are kept once.
    """
    words = [w for w in re.split(r"[,;\s]+", text.strip()) if w]
    if not words:
        raise ValueError("type one or more learning rates separated by commas, e.g. 0.01, 0.03, 0.1")
    etas = []
    for word in words:
        try:
            eta = float(word)
        except ValueError:
            raise ValueError(f"{word!r} is not a number; type learning rates such as 0.01, 0.03, 0.1") from None
        if not (math.isfinite(eta) and eta > 0):
            raise ValueError(f"a learning rate must be a number > 0, got {word!r}")
        if eta not in etas:
            etas.append(eta)
    if len(etas) > MAX_LISTED:
        raise ValueError(f"at most {MAX_LISTED} learning rates at once, got {len(etas)}")
    return tuple(etas)


def format_etas(etas):
    """The text parse_etas reads back as ``etas``."""
    return ", ".join(f"{eta:g}" for eta in etas)


def eta_choices(compare, own_eta, listed):
    """[(k, label, eta), ...]: the learning rates to run one optimizer with; k indexes ETA_STYLES.

    compare : a key of COMPARE.
    own_eta : the optimizer's own learning rate (its slider), or None when
        its constructor takes no eta: then it runs once, as it is.
    listed : the typed learning rates (parse_etas), used in LIST_MODE.
    """
    if own_eta is None:
        return [(0, "no eta", None)]
    factors = COMPARE[compare]
    if factors is None:
        return [(k, listed_label(eta), eta) for k, eta in enumerate(listed)]
    return [(k, factor_label(f), own_eta * f) for k, f in enumerate(factors)]
