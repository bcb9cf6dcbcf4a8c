"""Interactive widgets of the workbook (ipywidgets 8; JupyterLab 4 and Notebook 7, no ipympl).

Each explorer takes the student's own code as arguments, so the student
sees *their* optimizer or initialiser at work:

  lr_explorer        LearningRateExplorer: optimizer paths on 2-D test functions (notebook 05)
  training_explorer  TrainingExplorer: loss and accuracy curves on the digits (notebook 05)
  lr_range_test      lr_range_test: loss against a growing learning rate
  depth_explorer     DepthInitExplorer: per-layer gradient norms by depth and init (notebook 04)

Helpers: optimizer_choice (building an optimizer from its constructor's
signature), eta_choices (the learning rates the learning-rate explorer
compares), loss_verdict (a diverged, exploded or rising loss in words),
figure_view (a figure shown as an image in an Output), layered_figure (a
background drawn once, moving artists drawn over it), models (the default
digits network).

Every explorer has ``controls`` (a dict of widgets with stable keys, listed
in its module docstring), ``widget`` (the layout to display; the explorer
object itself also displays as it) and updates through ordinary Python
callbacks, so tests drive it by setting ``controls[key].value``.
"""
from course_lib.widgets.depth_explorer import DepthInitExplorer
from course_lib.widgets.lr_explorer import LearningRateExplorer
from course_lib.widgets.lr_range_test import lr_range_test
from course_lib.widgets.training_explorer import TrainingExplorer

__all__ = ["LearningRateExplorer", "TrainingExplorer", "DepthInitExplorer", "lr_range_test"]
