"""The book's optimizers walking down two-dimensional loss surfaces, step by step, as Keras steps them.

`trajectory` builds the optimizer from its entry in the registry the Training page uses too
(lib.engine.optimizers: "momentum" is SGD(momentum=0.9), "nag" adds nesterov=True, and no rate
means Keras's default), lets TensorFlow compute the surface's gradient and applies Keras's own
update to a float32 variable of two values. Nothing here writes a two-dimensional update rule by
hand; each entry's `update_rule` is for reading only.

The whole walk runs inside one `tf.function` with a `tf.range` loop, traced
once per path, never once per step.

The claim checks (`direction_changes`, `steps_to_reach`, `steps_within`, ...)
measure a path the way a caption describes it, so that the Optimizers page's
captions (lib.keras_views.optimizer_captions) are computed from the paths they sit under.
The one-dimensional primer, plain gradient descent on a parabola, is numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.engine.config import FIELDS, check_field
from lib.engine.optimizers import build_optimizer
from lib.engine.optimizers import optimizer as optimizer_entry
from lib.engine.optimizers import suited_rates as registry_suited_rates
from lib.i18n import N_, _

MAX_STEPS = 2000
# Close enough to a minimum to count as having arrived, in the surface's units.
ARRIVAL_DISTANCE = 0.01
# Steps shorter than this along an axis are not counted as a change of direction: a path that has
# arrived jitters by round-off, which is not a zig-zag anyone can see.
DIRECTION_TOLERANCE = 1e-3


class Expression:
    """f(x, y) as Python source, called as a function: the page computes with it and the generated program
    (lib.codegen.optimizers) prints the same text, so the surface is written once. Only operators that work on
    numpy arrays and TensorFlow tensors alike."""

    def __init__(self, source: str):
        self.source = source
        self._function = eval(compile(f"lambda x, y: {source}", "<surface>", "eval"))  # our own constant text

    def __call__(self, x, y):
        return self._function(x, y)


@dataclass(frozen=True)
class Surface:
    key: str  # its name in SURFACES, which each optimizer's suited_rates use too (lib.engine.optimizers)
    title: str
    formula: str  # LaTeX
    function: Expression  # f(x, y), callable, with its source text
    minima: tuple[tuple[float, float], ...]  # empty when the surface has none (the saddle falls forever)
    x_range: tuple[float, float]  # the window the page draws
    y_range: tuple[float, float]
    start: tuple[float, float]  # a start that shows what the surface teaches
    shape: str  # what the surface looks like; what the optimizers do on it is computed (lib.keras_views.optimizer_captions)

    @property
    def suited_rates(self) -> dict[str, float]:
        """The rate at which each optimizer shows, in 200 steps from `start`, what the caption computes, from its
        registry entry. Keras's defaults suit a network's weights, not these surfaces: see
        lib.keras_views.optimizer_captions.defaults_explanation."""
        return registry_suited_rates(self.key)

    # `title` and `shape` are English, marked for the catalog: these are what a reader reads, in their language.
    @property
    def shown_title(self) -> str:
        return _(self.title)

    @property
    def shown_shape(self) -> str:
        return _(self.shape).format(shallow=_SHALLOW, deep=_DEEP, hump=HUMP_X)


def _two_minima_x() -> tuple[float, float, float]:
    # f(x, 0) = (x^2 - 1)^2 + 0.3 x: df/dx = 4x^3 - 4x + 0.3 = 0 has three real roots; the outer two are
    # minima, the middle one the top of the hump between them.
    roots = np.sort(np.roots([4.0, 0.0, -4.0, 0.3]).real)
    return float(roots[0]), float(roots[1]), float(roots[2])


_DEEP, HUMP_X, _SHALLOW = _two_minima_x()

SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        "bowl", N_("A long narrow valley"), r"f(x, y) = x^2 + 10\,y^2", Expression("x * x + 10.0 * y * y"),
        ((0.0, 0.0),), (-5.0, 5.0), (-2.0, 2.0), (-4.5, 1.5),
        N_("Steep across the valley (y, curvature 20), gentle along it (x, curvature 2).")),
    "rosenbrock": Surface(
        "rosenbrock", N_("Rosenbrock's curved valley"), r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        Expression("(1.0 - x) * (1.0 - x) + 100.0 * (y - x * x) * (y - x * x)"),
        ((1.0, 1.0),), (-2.0, 2.0), (-1.0, 3.0), (-1.5, 2.0),
        N_("Steep walls around a curved valley floor, y = x², that falls gently to the minimum at (1, 1).")),
    "saddle": Surface(
        "saddle", N_("A saddle"), r"f(x, y) = x^2 - y^2", Expression("x * x - y * y"),
        (), (-2.5, 2.5), (-2.5, 2.5), (-2.0, 0.001),
        N_("A saddle point at (0, 0) and no minimum at all; the start sits on the ridge y = 0, just 0.001 off it.")),
    "two minima": Surface(
        "two minima", N_("Two minima of different depth"), r"f(x, y) = (x^2 - 1)^2 + 0.3\,x + y^2",
        Expression("(x * x - 1.0) * (x * x - 1.0) + 0.3 * x + y * y"),
        ((_DEEP, 0.0), (_SHALLOW, 0.0)), (-2.0, 2.0), (-1.5, 1.5), (1.8, 1.2),
        N_("A shallow minimum near x = {shallow:.2f} and a deeper one near x = {deep:.2f}, with a hump at "
           "x = {hump:.2f} between them.")),
}


def surface(name: str) -> Surface:
    if name not in SURFACES:
        raise ValueError(_("surface: must be one of {choices}; got {value!r}").format(choices=", ".join(SURFACES),
                                                                               value=name))
    return SURFACES[name]


def _check_arguments(optimizer, surface_name, start, steps, learning_rate) -> tuple[Surface, np.ndarray]:
    optimizer_entry(optimizer)  # a ValueError naming the choices for an unknown one
    chosen = surface(surface_name)
    point = np.asarray(start, dtype=np.float64)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(_("start: must be two finite numbers (x, y); got {value!r}").format(value=start))
    if isinstance(steps, bool) or int(steps) != steps or not 1 <= steps <= MAX_STEPS:
        raise ValueError(_("steps: must be a whole number between 1 and {most}; got {value!r}").format(
            most=MAX_STEPS, value=steps))
    check_field(FIELDS["learning_rate"], learning_rate)
    return chosen, point


def trajectory(optimizer: str, surface_name: str, start, steps: int, learning_rate: float | None = None) -> np.ndarray:
    """The points (steps + 1, 2) Keras's optimizer visits from `start`, the start first.

    A path that leaves the finite numbers (a rate too large for the surface)
    stops at its last finite point, so it is shorter: `len(path) - 1` steps.
    """
    import tensorflow as tf

    chosen, point = _check_arguments(optimizer, surface_name, start, steps, learning_rate)
    # Keras refuses an int rate (10 rather than 10.0).
    keras_optimizer = build_optimizer(optimizer, None if learning_rate is None else float(learning_rate))
    variable = tf.Variable(point.astype(np.float32))
    keras_optimizer.build([variable])
    # AutoGraph cannot read the source of an Expression's compiled lambda, and it has no control flow.
    function = tf.autograph.experimental.do_not_convert(chosen.function)

    @tf.function
    def walk(count):
        points = tf.TensorArray(tf.float32, size=count + 1)
        points = points.write(0, variable.read_value())
        for index in tf.range(count):
            with tf.GradientTape() as tape:
                loss = function(variable[0], variable[1])
            keras_optimizer.apply_gradients([(tape.gradient(loss, variable), variable)])
            points = points.write(index + 1, variable.read_value())
        return points.stack()

    path = walk(tf.constant(int(steps))).numpy().astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = chosen.function(path[:, 0], path[:, 1])
    finite = np.isfinite(path).all(axis=1) & np.isfinite(losses)
    if not finite.all():
        path = path[: int(np.argmin(finite))]
    return path


def gradient_at(surface_name: str, point) -> np.ndarray:
    """The surface's gradient (df/dx, df/dy) at a point, as TensorFlow computes it for the optimizers."""
    import tensorflow as tf

    variable = tf.Variable(np.asarray(point, dtype=np.float64))
    with tf.GradientTape() as tape:
        loss = surface(surface_name).function(variable[0], variable[1])
    return tape.gradient(loss, variable).numpy()


@dataclass(frozen=True)
class PathSummary:
    optimizer: str
    learning_rate: float
    steps_taken: int
    diverged_at: int | None  # the step that left the finite numbers, or None
    final_loss: float
    distance_to_minimum: float | None  # to the nearest minimum; None on a surface without one
    first_arrival: int | None  # the first step within ARRIVAL_DISTANCE of a minimum, or None


def summarize(optimizer: str, surface_name: str, path: np.ndarray, steps: int, learning_rate: float) -> PathSummary:
    """Final loss, distance to the nearest minimum and first step within ARRIVAL_DISTANCE of one."""
    chosen = surface(surface_name)
    diverged = len(path) - 1 < steps
    final = path[-1]
    nearest = nearest_minimum(surface_name, final)
    return PathSummary(optimizer, learning_rate, len(path) - 1, len(path) if diverged else None,
                       float(chosen.function(final[0], final[1])), None if nearest is None else nearest[1],
                       steps_to_arrive(surface_name, path))


# The claim checks: each measures one thing a caption says about a path.

def first_step(condition: np.ndarray) -> int | None:
    """The first step (index into the path) at which a per-point condition holds, or None if it never does."""
    hits = np.flatnonzero(condition)
    return int(hits[0]) if hits.size else None


def direction_changes(path: np.ndarray, axis: int, tolerance: float = DIRECTION_TOLERANCE) -> int:
    """How many times the path reverses along one axis (0 is x, 1 is y): the zig-zags a reader can count.

    Steps shorter than `tolerance` along the axis are skipped, so the round-off
    jitter of a path that has arrived does not count.
    """
    moves = np.diff(np.asarray(path)[:, axis])
    moves = moves[np.abs(moves) > tolerance]
    return int(np.count_nonzero(np.sign(moves[1:]) != np.sign(moves[:-1])))


def steps_to_arrive(surface_name: str, path: np.ndarray, distance: float = ARRIVAL_DISTANCE) -> int | None:
    """The first step at which the path is within `distance` of one of the surface's minima, or None."""
    minima = np.asarray(surface(surface_name).minima)
    if not minima.size:
        return None
    gaps = np.linalg.norm(path[:, np.newaxis, :] - minima[np.newaxis], axis=2).min(axis=1)
    return first_step(gaps <= distance)


def steps_within(path: np.ndarray, point, radius: float) -> int:
    """How many of the path's points lie within `radius` of `point`: how long it lingers there."""
    return int(np.count_nonzero(np.linalg.norm(path - np.asarray(point, dtype=np.float64), axis=1) <= radius))


def distance_travelled(path: np.ndarray) -> float:
    """How far the path's last point is from its start, in a straight line."""
    return float(np.linalg.norm(path[-1] - path[0]))


def nearest_minimum(surface_name: str, point) -> tuple[int, float] | None:
    """The index of the surface's minimum nearest to `point` and the distance to it; None without minima."""
    minima = np.asarray(surface(surface_name).minima)
    if not minima.size:
        return None
    distances = np.linalg.norm(minima - np.asarray(point, dtype=np.float64), axis=1)
    return int(np.argmin(distances)), float(distances.min())


def loss_grid(surface_name: str, resolution: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x values, y values and f over the surface's window, for a contour plot."""
    chosen = surface(surface_name)
    xs = np.linspace(*chosen.x_range, resolution)
    ys = np.linspace(*chosen.y_range, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return xs, ys, chosen.function(grid_x, grid_y)


# The primer: plain gradient descent on f(x) = x^2, whose gradient is 2x, so one step takes x to (1 - 2 lr) x.
PRIMER_FORMULA = r"f(x) = x^2,\quad f'(x) = 2x,\quad x \leftarrow x - \eta\, f'(x)"
PRIMER_START = 4.0
PRIMER_STEPS = 10
# The three rates the primer shows side by side: |1 - 2 lr| is 0.96, 0.4 and 1.1.
PRIMER_RATES = {"too small": 0.02, "about right": 0.3, "too big": 1.05}
PRIMER_LABELS = {"too small": N_("Too small"), "about right": N_("About right"), "too big": N_("Too big")}


def primer_loss(x):
    return x * x


def gradient_descent_1d(learning_rate: float, steps: int = PRIMER_STEPS, start: float = PRIMER_START) -> np.ndarray:
    """The iterates x_0 = start, x_1, ..., x_steps of x <- x - lr * f'(x) on f(x) = x^2."""
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(_("learning_rate: must be a positive number; got {value!r}").format(value=learning_rate))
    if isinstance(steps, bool) or int(steps) != steps or not 1 <= steps <= MAX_STEPS:
        raise ValueError(_("steps: must be a whole number between 1 and {most}; got {value!r}").format(
            most=MAX_STEPS, value=steps))
    points = np.empty(int(steps) + 1)
    points[0] = start
    for index in range(int(steps)):
        points[index + 1] = points[index] - learning_rate * 2.0 * points[index]
    return points
