"""The syllabus manifest: per notebook, what it grades, for how many points, and where each reference lives.

This is the one place that lists graded names. Generation, grading, the
tests and the README's table read it; nothing else keeps its own list.

    from autograder.syllabus import SYLLABUS
    nb = SYLLABUS["03"]                       # or SYLLABUS["03_cnn_backprop"]
    nb.name, nb.points                        # "03_cnn_backprop", 14.0 (autograded)
    nb.written_answers, nb.total_points       # (("derive_conv_input_delta", 2.0),), 16.0
    nb.test("test_conv2d_backward").names     # ("conv2d_forward", "conv2d_backward")
    nb.written                                # every name a student writes here, graded or not
    SYLLABUS.reference("conv2d_backward")     # "course_lib.layers.conv"
    SYLLABUS.earlier("03")                    # the notebooks before it: ("01_backprop", "02_minibatch")

A graded test is one nbgrader grade cell (all or nothing). Its ``names``
are the student's functions or classes the hidden test calls, in the order
the check takes them, and its ``check`` is the stem of the check pair made
from the notebook's table: ``check_<check>`` (the visible self-check, in
``course_lib.selfcheck.nbNN``) and ``grade_<check>`` (the hidden check, in
``autograder.checks.nbNN``). The solution notebooks' nbgrader metadata must
agree with this file; a test makes sure it does.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GradedTest:
    """One nbgrader grade cell: ``points`` for the hidden test calling ``names``."""

    grade_id: str          # "test_conv2d_backward"
    points: float
    names: tuple           # ("conv2d_forward", "conv2d_backward"): the student names it grades
    check: str = None      # "conv2d_backward": check_<check> and grade_<check>; None for a test
                           # written in nbgrader's plain style (asserts in the cell), with no table row


@dataclass(frozen=True)
class Notebook:
    """One lecture-aligned notebook (an nbgrader assignment of the same name)."""

    number: str            # "03"
    slug: str              # "cnn_backprop"
    title: str
    lectures: tuple        # file stems of ../shared/lectures it follows, e.g. ("001",)
    tests: tuple           # GradedTest, in notebook order
    optional: tuple = ()   # names a student writes here without points (e.g. im2col)
    written_answers: tuple = ()   # (grade_id, points) of manually graded written questions (a TA grades them)

    @property
    def name(self):
        """The assignment and notebook stem, "03_cnn_backprop"."""
        return f"{self.number}_{self.slug}"

    @property
    def notebook(self):
        return f"{self.name}.ipynb"

    @property
    def points(self):
        """The autograded points."""
        return float(sum(t.points for t in self.tests))

    @property
    def total_points(self):
        """Autograded and written points together."""
        return self.points + float(sum(points for _, points in self.written_answers))

    @property
    def graded(self):
        """Every name a hidden test calls, in test order, each once."""
        names = []
        for test in self.tests:
            names += [n for n in test.names if n not in names]
        return tuple(names)

    @property
    def written(self):
        """Every name the student writes in this notebook: the graded ones, then the optional ones."""
        return self.graded + tuple(n for n in self.optional if n not in self.graded)

    def test(self, grade_id):
        for test in self.tests:
            if test.grade_id == grade_id:
                return test
        raise KeyError(f"notebook {self.name} has no graded test {grade_id!r}; "
                       f"it has {[t.grade_id for t in self.tests]}")


@dataclass(frozen=True)
class Syllabus:
    """The notebooks in course order, and the module of course_lib that holds each reference."""

    notebooks: tuple
    references: dict = field(default_factory=dict)   # student name -> module of its reference

    def __iter__(self):
        return iter(self.notebooks)

    def __len__(self):
        return len(self.notebooks)

    def __getitem__(self, key):
        """A notebook by number ("03") or name ("03_cnn_backprop")."""
        for nb in self.notebooks:
            if key in (nb.number, nb.name):
                return nb
        raise KeyError(f"no notebook {key!r} in the syllabus; known: {[nb.name for nb in self.notebooks]}")

    def reference(self, name):
        """The course_lib module that holds the reference of student name ``name``."""
        try:
            return self.references[name]
        except KeyError:
            raise KeyError(f"{name!r} is not written in any notebook of the syllabus") from None

    def written_in(self, name):
        """The notebook in which a student writes ``name``."""
        for nb in self.notebooks:
            if name in nb.written:
                return nb
        raise KeyError(f"{name!r} is not written in any notebook of the syllabus")

    def earlier(self, key):
        """Names of the notebooks that come before notebook ``key``, in order."""
        number = self[key].number
        return tuple(nb.name for nb in self.notebooks if nb.number < number)


def _tests(*rows):
    """(check, points, names...) rows -> GradedTests with grade_id "test_<check>"."""
    return tuple(GradedTest(f"test_{check}", float(points), tuple(names), check) for check, points, *names in rows)


def _pair(op):
    return (f"{op}_forward", f"{op}_backward")


SYLLABUS = Syllabus(
    notebooks=(
        Notebook("01", "backprop", "Backpropagation derivation", ("002", "003", "004"), _tests(
            ("numerical_gradient", 2, "numerical_gradient"),
            ("relative_error", 1, "relative_error"),
            ("sigmoid", 1, *_pair("sigmoid")),
            ("tanh", 1, *_pair("tanh")),
            ("relu", 1, *_pair("relu")),
            ("leaky_relu", 1, *_pair("leaky_relu")),
            ("softplus", 1, *_pair("softplus")),
            ("cos_module", 2, *_pair("cos_module")),
            ("path_derivative", 2, "path_derivative"),
            ("backprop_derivatives", 3, "backprop_derivatives"),
        ), written_answers=(("derive_sigmoid_backward", 2.0),)),
        Notebook("02", "minibatch", "Mini-batch matrices", ("000",), _tests(
            ("forward_pass", 2, "forward_pass"),
            ("backward_pass", 3, "backward_pass"),
            ("minibatch_gradients", 2, "minibatch_gradients"),
            ("linear", 3, *_pair("linear")),
            ("mse_loss", 1, "mse_loss"),
            ("softmax", 1, "softmax"),
            ("softmax_cross_entropy", 2, "softmax_cross_entropy"),
        ), written_answers=(("derive_softmax_cross_entropy", 2.0),)),
        Notebook("03", "cnn_backprop", "CNN backpropagation", ("001",), _tests(
            ("conv_delta", 3, "conv_delta"),
            ("conv2d_forward", 2, "conv2d_forward"),
            ("conv2d_backward", 4, *_pair("conv2d")),
            ("maxpool_forward", 1, "maxpool_forward"),
            ("maxpool_backward", 2, *_pair("maxpool")),
            ("avgpool_forward", 1, "avgpool_forward"),
            ("avgpool_backward", 1, *_pair("avgpool")),
        ), optional=("im2col",), written_answers=(("derive_conv_input_delta", 2.0),)),
        Notebook("04", "vanishing_gradients", "Vanishing and exploding gradients", ("001", "003"), _tests(
            ("layer_gradient_norms", 3, "layer_gradient_norms"),
            ("xavier_init", 2, "xavier_init"),
            ("he_init", 2, "he_init"),
            ("clip_by_value", 2, "clip_by_value"),
            ("clip_by_norm", 3, "clip_by_norm"),
        )),
        Notebook("05", "optimizers", "Optimizers", ("000", "001", "003", "004"), _tests(
            ("SGD", 1, "SGD"),
            ("inverse_decay", 1, "inverse_decay"),
            ("exponential_decay", 1, "exponential_decay"),
            ("Momentum", 2, "Momentum"),
            ("Nesterov", 2, "Nesterov"),
            ("NesterovSimplified", 2, "NesterovSimplified"),
            ("AdaGrad", 2, "AdaGrad"),
            ("RMSProp", 2, "RMSProp"),
            ("RMSPropNesterov", 2, "RMSPropNesterov"),
            ("AdaDelta", 2, "AdaDelta"),
            ("Adam", 3, "Adam"),
        )),
        Notebook("06", "batchnorm", "Batch normalization", ("001", "003"), _tests(
            ("batchnorm_forward", 3, "batchnorm_forward"),
            ("batchnorm_backward", 3, "batchnorm_forward", "batchnorm_backward"),
            ("batchnorm_backward_alt", 2, "batchnorm_forward", "batchnorm_backward_alt"),
            ("spatial_batchnorm_forward", 1, "spatial_batchnorm_forward"),
            ("spatial_batchnorm_backward", 1, *_pair("spatial_batchnorm")),
        )),
        Notebook("07", "second_order", "Second-order methods", ("001", "003", "004"), _tests(
            ("hessian_fd", 2, "hessian_fd"),
            ("newton_step", 1, "newton_step"),
            ("hvp_fd", 2, "hvp_fd"),
            ("conjugate_gradient", 3, "conjugate_gradient"),
            ("backtracking_line_search", 2, "backtracking_line_search"),
            ("bfgs_update", 2, "bfgs_update"),
            ("lbfgs_direction", 3, "lbfgs_direction"),
            ("minimize_newton", 2, "minimize"),
            ("minimize_cg", 2, "minimize"),
            ("minimize_bfgs", 2, "minimize"),
            ("minimize_lbfgs", 2, "minimize"),
        )),
    ),
    references={
        # 01
        "numerical_gradient": "course_lib.gradcheck.numerical",
        "relative_error": "course_lib.gradcheck.relative_error",
        **{name: "course_lib.layers.activations"
           for op in ("sigmoid", "tanh", "relu", "leaky_relu", "softplus") for name in _pair(op)},
        **{name: "course_lib.layers.cos_module" for name in _pair("cos_module")},
        "path_derivative": "course_lib.graph",
        "backprop_derivatives": "course_lib.graph",
        # 02
        "forward_pass": "course_lib.lecture_net",
        "backward_pass": "course_lib.lecture_net",
        "minibatch_gradients": "course_lib.lecture_net",
        **{name: "course_lib.layers.linear" for name in _pair("linear")},
        "mse_loss": "course_lib.layers.losses",
        "softmax": "course_lib.layers.softmax",
        "softmax_cross_entropy": "course_lib.layers.losses",
        # 03
        "conv_delta": "course_lib.layers.conv_delta",
        **{name: "course_lib.layers.conv" for name in _pair("conv2d")},
        **{name: "course_lib.layers.pooling" for name in _pair("maxpool") + _pair("avgpool")},
        "im2col": "course_lib.layers.im2col",
        # 04
        "layer_gradient_norms": "course_lib.gradient_norms",
        "xavier_init": "course_lib.init",
        "he_init": "course_lib.init",
        "clip_by_value": "course_lib.clipping",
        "clip_by_norm": "course_lib.clipping",
        # 05
        **{name: f"course_lib.optim.{module}" for name, module in (
            ("SGD", "sgd"), ("Momentum", "momentum"), ("Nesterov", "nesterov"),
            ("NesterovSimplified", "nesterov_simplified"), ("AdaGrad", "adagrad"), ("RMSProp", "rmsprop"),
            ("RMSPropNesterov", "rmsprop_nesterov"), ("AdaDelta", "adadelta"), ("Adam", "adam"))},
        "inverse_decay": "course_lib.optim.schedules",
        "exponential_decay": "course_lib.optim.schedules",
        # 06
        "batchnorm_forward": "course_lib.layers.batchnorm",
        "batchnorm_backward": "course_lib.layers.batchnorm",
        "batchnorm_backward_alt": "course_lib.layers.batchnorm",
        **{name: "course_lib.layers.spatial_batchnorm" for name in _pair("spatial_batchnorm")},
        # 07
        "hessian_fd": "course_lib.second_order.hessian",
        "newton_step": "course_lib.second_order.newton",
        "hvp_fd": "course_lib.second_order.hvp",
        "conjugate_gradient": "course_lib.second_order.cg",
        "backtracking_line_search": "course_lib.second_order.line_search",
        "bfgs_update": "course_lib.second_order.bfgs",
        "lbfgs_direction": "course_lib.second_order.bfgs",
        "minimize": "course_lib.second_order.minimize",
    },
)
