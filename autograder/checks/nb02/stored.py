"""Build the values notebook 02's self-checks replay: ``build() -> dict[str, ndarray]``.

Inputs are drawn with the home's case builders (course_lib/selfcheck/nb02/cases.py)
on a fixed seed, completed by fresh.py's builders (course_lib's references and
mistaken.py), and flattened to the keys that cases.py documents and reads.
Written by ``python -m autograder.checks.stored_values 02``.
"""
import numpy as np

from autograder.checks.nb02.fresh import linear_case, mse_case, net_case, sce_case, softmax_case
from course_lib.selfcheck.nb02.cases import (
    LARGE_CE_LABELS,
    LARGE_CE_SCORES,
    LARGE_SCORES,
    LINEAR_KEYS,
    LINEAR_SPECS,
    MSE_SPECS,
    NET_SPECS,
    draw_linear,
    draw_mse,
    draw_net,
    draw_sce,
)
from course_lib.selfcheck.stored import mistake_entries

SEED = 20240202


def build():
    values = {}
    rng = np.random.default_rng(SEED)

    values["net_n"] = np.array(len(NET_SPECS))
    for k, spec in enumerate(NET_SPECS):
        values.update(net_case(draw_net(*spec, rng)).to_store(f"net_{k}"))

    values["linear_n"] = np.array(len(LINEAR_SPECS))
    for k, spec in enumerate(LINEAR_SPECS):
        case = linear_case(*draw_linear(*spec, rng))
        for key in LINEAR_KEYS:
            values[f"linear_{k}_{key}"] = getattr(case, key)
        values.update(mistake_entries(f"linear_{k}__out", case.out_mistakes))

    softmax_scores = [3.0 * rng.standard_normal((4, 5)), 3.0 * rng.standard_normal((1, 6)), LARGE_SCORES]
    values["softmax_n"] = np.array(len(softmax_scores))
    for k, scores in enumerate(softmax_scores):
        case = softmax_case(scores)
        values[f"softmax_{k}_scores"] = scores
        values[f"softmax_{k}_probs"] = case.probs
        values.update(mistake_entries(f"softmax_{k}", case.mistakes))

    sce_cases = [sce_case(*draw_sce(5, 4, rng)), sce_case(*draw_sce(1, 3, rng)),
                 sce_case(LARGE_CE_SCORES, LARGE_CE_LABELS)]
    values["sce_n"] = np.array(len(sce_cases))
    for k, case in enumerate(sce_cases):
        values.update({f"sce_{k}_scores": case.scores, f"sce_{k}_y": case.y, f"sce_{k}_loss": np.array(case.loss),
                       f"sce_{k}_dscores": case.dscores})
        values.update(mistake_entries(f"sce_{k}__loss", case.loss_mistakes))
        values.update(mistake_entries(f"sce_{k}__dscores", case.dscores_mistakes))

    values["mse_n"] = np.array(len(MSE_SPECS))
    for k, spec in enumerate(MSE_SPECS):
        case = mse_case(*draw_mse(*spec, rng))
        values.update({f"mse_{k}_pred": case.pred, f"mse_{k}_target": case.target, f"mse_{k}_loss": np.array(case.loss),
                       f"mse_{k}_dpred": case.dpred})
        values.update(mistake_entries(f"mse_{k}__loss", case.loss_mistakes))
    return values
