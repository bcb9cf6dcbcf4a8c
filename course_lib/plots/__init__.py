"""Plotting helpers of the workbook, one idea per file.

  contours      contour lines of a 2-D test function (log-spaced levels)
  trajectories  run an optimizer from a start point and draw its path
  curves        training curves of a History, per-layer gradient-norm bars,
                the learning-rate range test's loss against eta

Every function draws on an Axes it is given (the object API), so it works
with any backend, including Agg in the tests; only plot_history, called
without axes, makes its own figure with pyplot. Nothing here calls plt.show.
"""
from course_lib.plots.contours import log_levels, plot_surface_contours, surface_grid
from course_lib.plots.curves import plot_grad_norm_bars, plot_history, plot_lr_range, update_history_lines
from course_lib.plots.trajectories import plot_trajectory, run_trajectory

__all__ = [
    "surface_grid", "log_levels", "plot_surface_contours",
    "run_trajectory", "plot_trajectory",
    "plot_history", "update_history_lines", "plot_grad_norm_bars", "plot_lr_range",
]
