"""Optimizer paths on toy surfaces against a plain Keras loop, step for step; the claim checks; the 1-D primer."""

import numpy as np
import pytest

from lib.engine.optimizers import OPTIMIZERS, build_optimizer
from lib.keras_views.optimizer_paths import (
    PRIMER_RATES,
    SURFACES,
    direction_changes,
    gradient_descent_1d,
    nearest_minimum,
    steps_to_arrive,
    steps_within,
    summarize,
    surface,
    trajectory,
)

tf = pytest.importorskip("tensorflow")


def keras_loop(optimizer, surface_name, start, steps, learning_rate=None):
    """The reference: an eager loop of GradientTape and apply_gradients, nothing else."""
    keras_optimizer = build_optimizer(optimizer, learning_rate)
    variable = tf.Variable(np.asarray(start, np.float32))
    points = [variable.numpy().copy()]
    function = SURFACES[surface_name].function
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = function(variable[0], variable[1])
        keras_optimizer.apply_gradients([(tape.gradient(loss, variable), variable)])
        points.append(variable.numpy().copy())
    return np.array(points, dtype=np.float64)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_paths_match_a_keras_loop_step_for_step(optimizer):
    rng = np.random.default_rng(list(OPTIMIZERS).index(optimizer))
    checked = []
    for surface_name in SURFACES:
        start = rng.uniform(-1.5, 1.5, 2)
        rate = [None, 0.003, 0.02, 1.0][int(rng.integers(4))] if optimizer == "adadelta" else \
            [None, 0.003, 0.02][int(rng.integers(3))]
        path = trajectory(optimizer, surface_name, start, 40, rate)
        expected = keras_loop(optimizer, surface_name, start, 40, rate)
        if len(path) < 41:  # diverged: the Keras loop leaves the finite numbers at the very next step
            with np.errstate(all="ignore"):
                following = expected[len(path)]
                assert not (np.isfinite(following).all() and np.isfinite(SURFACES[surface_name].function(*following)))
        np.testing.assert_allclose(path, expected[: len(path)], rtol=1e-5, atol=1e-6,
                                   err_msg=f"{optimizer} on {surface_name}")
        checked.append(len(path))
    assert max(checked) == 41


def test_path_starts_at_the_start_and_default_rate_is_keras_default():
    path = trajectory("sgd", "bowl", (1.0, 1.0), 1)
    # SGD at Keras's default 0.01: x - 0.01 * 2x, y - 0.01 * 20y.
    np.testing.assert_allclose(path, [[1.0, 1.0], [0.98, 0.8]], rtol=1e-6)


def test_momentum_reaches_the_bowls_minimum_sooner_than_sgd_at_the_same_rate():
    sgd = summarize("sgd", "bowl", trajectory("sgd", "bowl", (-4.5, 1.5), 200, 0.01), 200, 0.01)
    momentum = summarize("momentum", "bowl", trajectory("momentum", "bowl", (-4.5, 1.5), 200, 0.01), 200, 0.01)
    assert momentum.first_arrival is not None and (sgd.first_arrival is None or momentum.first_arrival < sgd.first_arrival)


def test_a_diverging_path_stops_at_its_last_finite_point():
    path = trajectory("sgd", "rosenbrock", (-1.5, 2.0), 200, 0.01)
    assert len(path) < 201 and np.isfinite(path).all()
    summary = summarize("sgd", "rosenbrock", path, 200, 0.01)
    assert summary.diverged_at == len(path)


def test_two_minima_have_different_depths_and_zero_gradient():
    chosen = surface("two minima")
    (x1, y1), (x2, y2) = chosen.minima
    assert chosen.function(x1, y1) < chosen.function(x2, y2)
    for x, y in chosen.minima:
        variable = tf.Variable([x, y], dtype=tf.float64)
        with tf.GradientTape() as tape:
            loss = chosen.function(variable[0], variable[1])
        np.testing.assert_allclose(tape.gradient(loss, variable).numpy(), 0, atol=1e-9)


def test_saddle_has_no_minimum_so_no_distance():
    summary = summarize("adam", "saddle", trajectory("adam", "saddle", (-2.0, 0.001), 50, 0.1), 50, 0.1)
    assert summary.distance_to_minimum is None and summary.first_arrival is None


@pytest.mark.parametrize(("arguments", "message"), [
    (("adamw", "bowl"), "optimizer: must be one of sgd, momentum"),
    (("sgd", "volcano"), "surface: must be one of bowl, rosenbrock, saddle, two minima"),
])
def test_unknown_names_list_the_known_ones(arguments, message):
    with pytest.raises(ValueError, match=message):
        trajectory(*arguments, (0.0, 0.0), 10)


@pytest.mark.parametrize("rate", [0.0, -0.1, 11.0, float("nan")])
def test_learning_rate_out_of_range_is_refused_naming_the_field(rate):
    with pytest.raises(ValueError, match="learning_rate"):
        trajectory("sgd", "bowl", (1.0, 1.0), 10, rate)


@pytest.mark.parametrize("steps", [0, 2.5, 100_000])
def test_bad_step_counts_are_refused(steps):
    with pytest.raises(ValueError, match="steps"):
        trajectory("sgd", "bowl", (1.0, 1.0), steps)



def test_direction_changes_counts_reversals_along_one_axis_and_skips_short_steps():
    # Along x: +1, -0.8, +0.8, then a jitter of +-1e-5; along y: always up.
    path = np.array([[0, 0], [1, 1], [0.2, 2], [1, 3], [1 + 1e-5, 4], [1, 5]], dtype=float)
    assert direction_changes(path, 0) == 2
    assert direction_changes(path, 1) == 0
    assert direction_changes(path, 0, tolerance=0.9) == 0  # only the first step, 1 long, is longer than 0.9


def test_arrival_lingering_and_nearest_minimum_measure_the_path():
    path = trajectory("sgd", "bowl", (-4.5, 1.5), 100, 0.09)
    arrival = steps_to_arrive("bowl", path)
    distances = np.linalg.norm(path, axis=1)
    assert distances[arrival] <= 0.01 < distances[:arrival].min()
    assert steps_within(path, (0.0, 0.0), 0.01) == int(np.sum(distances <= 0.01)) == 101 - arrival
    index, distance = nearest_minimum("two minima", (0.9, 0.1))
    assert SURFACES["two minima"].minima[index][0] > 0 and distance < 0.15
    assert nearest_minimum("saddle", (0.0, 0.0)) is None


def keras_sgd_1d(learning_rate, steps, start):
    """The reference for the primer: Keras's SGD on f(x) = x^2, one float64 variable."""
    optimizer = build_optimizer("sgd", learning_rate)
    variable = tf.Variable(float(start), dtype=tf.float64)
    points = [float(start)]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = variable * variable
        optimizer.apply_gradients([(tape.gradient(loss, variable), variable)])
        points.append(float(variable.numpy()))
    return np.array(points)


@pytest.mark.parametrize("rate", [0.02, 0.3, 0.8, 1.05])
def test_primer_gradient_descent_matches_keras_sgd(rate):
    np.testing.assert_allclose(gradient_descent_1d(rate, 10, 4.0), keras_sgd_1d(rate, 10, 4.0), rtol=1e-6)


def test_primer_rates_crawl_converge_and_diverge_in_the_same_steps():
    small, right, big = (gradient_descent_1d(PRIMER_RATES[name]) for name in ("too small", "about right", "too big"))
    assert len(small) == len(right) == len(big)
    assert abs(small[-1]) > 0.5 * abs(small[0])  # still more than halfway from the minimum
    assert abs(right[-1]) < 1e-3 * abs(right[0])
    assert np.all(np.diff(np.abs(big)) > 0) and abs(big[-1]) > 2 * abs(big[0])  # every step farther out


@pytest.mark.parametrize("rate", [0.0, -0.5, float("nan")])
def test_primer_refuses_a_rate_that_is_not_positive(rate):
    with pytest.raises(ValueError, match="learning_rate"):
        gradient_descent_1d(rate)
