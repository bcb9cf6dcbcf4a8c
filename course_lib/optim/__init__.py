"""First-order optimizers, learning-rate schedules and the training loop (notebook 05).

Every optimizer has ``step(theta, grad_fn) -> new theta`` and keeps its own
state; see base.py for what they share and each module for the lecture's
update formulas.
"""
from course_lib.optim.adadelta import AdaDelta
from course_lib.optim.adagrad import AdaGrad
from course_lib.optim.adam import Adam
from course_lib.optim.base import Optimizer
from course_lib.optim.momentum import Momentum
from course_lib.optim.nesterov import Nesterov
from course_lib.optim.nesterov_simplified import NesterovSimplified
from course_lib.optim.rmsprop import RMSProp
from course_lib.optim.rmsprop_nesterov import RMSPropNesterov
from course_lib.optim.schedules import exponential_decay, inverse_decay
from course_lib.optim.sgd import SGD
from course_lib.optim.train import DivergenceError, History, evaluate, train

__all__ = [
    "Optimizer", "SGD", "Momentum", "Nesterov", "NesterovSimplified", "AdaGrad", "RMSProp",
    "RMSPropNesterov", "AdaDelta", "Adam", "inverse_decay", "exponential_decay",
    "train", "evaluate", "History", "DivergenceError",
]
