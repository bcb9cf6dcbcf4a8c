"""Render a figure in two layers: a background drawn once, moving artists drawn over it on every change.

An explorer's figure is mostly still (axes, ticks, contour lines, legend,
title) while a few artists move (the optimizer paths). Drawing the whole
figure with Agg takes about 45 ms for the learning-rate explorer's
Rosenbrock contours and a 12-entry legend; drawing only the paths over a
saved copy of the rest takes about 1 ms. So:

    layers = LayeredFigure(figure)
    png = layers.render(background_key, moving_artists)

``background_key`` is any hashable value that changes whenever something in
the background changes (surface, title, legend entries). When it equals the
key of the last render, the saved background pixels are restored and only
``moving_artists`` (those that are visible) are drawn on top; otherwise the
whole figure is drawn once with the moving artists hidden, saved, and the
moving artists drawn over it. Either way the pixels are then encoded once as
PNG (course_lib.widgets.figure_view.encode_png).

The moving artists are drawn after everything else, so they sit on top of
the background; an explorer keeps its legend outside the axes so that a path
never hides it. ``full_draws`` counts the whole-figure draws so far (tests
use it as a count of work instead of timing a redraw).
"""
from course_lib.widgets.figure_view import encode_png


class LayeredFigure:
    """A figure with a cached background layer; see the module docstring."""

    def __init__(self, figure):
        self.figure = figure
        self.canvas = figure.canvas
        self.full_draws = 0
        self._key = None
        self._background = None

    def invalidate(self):
        """Forget the saved background: the next render draws the whole figure."""
        self._key, self._background = None, None

    def render(self, background_key, moving_artists):
        """Draw background (cached under background_key) and then the visible moving artists; PNG bytes."""
        moving = [artist for artist in moving_artists if artist.get_visible()]
        size = self.canvas.get_width_height()
        if self._background is None or (background_key, size) != self._key:
            for artist in moving:
                artist.set_visible(False)
            try:
                self.canvas.draw()
            finally:
                for artist in moving:
                    artist.set_visible(True)
            self.full_draws += 1
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._key = (background_key, size)
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in moving:
            artist.draw(renderer)
        return encode_png(self.canvas)
