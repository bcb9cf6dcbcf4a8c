"""Say in words when a training run went wrong: its loss diverged, exploded or rose.

A run whose loss stays finite raises no error, so without a check a student
may read "train loss 1362" as just a number. The verdict compares the last
epoch's mean training loss L_last with the loss at the start, L_0 (the
mini-batch loss at the initial parameters, ``History.step_loss[0]``; about
ln 10 = 2.3 for ten classes, a little more with random initial weights):

  diverged   L_last (or any epoch's loss) is NaN or infinite
  exploded   L_last > EXPLODED_RATIO * L_0 (10): the learning rate is far too large
  rose       ROSE_RATIO * L_0 < L_last <= EXPLODED_RATIO * L_0: training made the loss worse

and None otherwise. L_0 is measured on one mini-batch and L_last is a mean
over an epoch of changing parameters, so they differ by noise even when
nothing goes wrong: ROSE_RATIO = 1.5 leaves that noise unflagged. For
example, after 3 epochs with batches of 32, Adam at eta = 3 on the digits
ends at 1362 from 2.92 (exploded), at eta = 0.3 at 7.0 (rose), at eta =
0.01 at 0.08 (fine).
"""
import math
from dataclasses import dataclass

# The last loss this many times the first one counts as an explosion.
EXPLODED_RATIO = 10.0
# The last loss this many times the first one counts as a rise (below it: mini-batch noise).
ROSE_RATIO = 1.5


@dataclass(frozen=True)
class LossVerdict:
    """kind: "diverged", "exploded" or "rose"; text: the sentence a student reads."""

    kind: str
    text: str


def loss_verdict(history):
    """A LossVerdict for a course_lib.optim.History, or None when its loss is fine (or nothing ran yet)."""
    losses = list(history.epoch_train_loss)
    if not losses or not history.step_loss:
        return None
    for epoch, loss in enumerate(losses, start=1):
        if not math.isfinite(loss):
            return LossVerdict("diverged", f"diverged: the train loss is {loss} after epoch {epoch}; "
                                           "lower the learning rate.")
    start, last = float(history.step_loss[0]), float(losses[-1])
    if not math.isfinite(start):
        return LossVerdict("diverged", f"diverged: the loss at the start is already {start}.")
    if last > EXPLODED_RATIO * start:
        return LossVerdict("exploded", f"exploded: the train loss ended at {last:.4g}, {last / start:.0f} times "
                                       f"its start ({start:.3g}); the learning rate is far too large, lower it.")
    if last > ROSE_RATIO * start:
        return LossVerdict("rose", f"the train loss rose from {start:.3g} to {last:.4g}: training made it worse; "
                                   "lower the learning rate.")
    return None
