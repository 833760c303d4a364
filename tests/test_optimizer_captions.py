"""Each caption of the Optimizers page against the Keras paths it describes: the claim holds, and the caption says it.

The paths are computed here with `trajectory`, at each surface's suited rates
and at Keras's defaults, 200 steps from the surface's start, as the page opens.
"""

import functools

import numpy as np
import pytest

from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZERS, family
from lib.keras_views.optimizer_captions import describe_paths
from lib.keras_views.optimizer_paths import (
    PRIMER_RATES,
    SURFACES,
    direction_changes,
    distance_travelled,
    gradient_descent_1d,
    nearest_minimum,
    steps_to_arrive,
    steps_within,
    trajectory,
)
from lib.keras_views.optimizer_wording import defaults_explanation, primer_caption

pytest.importorskip("tensorflow")
STEPS = 200
SCALE_FREE = family("scale_free")


@functools.cache
def paths_at(surface_name: str, rate_set: str) -> dict:
    rates = SURFACES[surface_name].suited_rates if rate_set == "suited" else KERAS_DEFAULT_LEARNING_RATES
    return {name: trajectory(name, surface_name, SURFACES[surface_name].start, STEPS, rates[name])
            for name in OPTIMIZERS}


def caption(surface_name: str, rate_set: str) -> str:
    rates = SURFACES[surface_name].suited_rates if rate_set == "suited" else KERAS_DEFAULT_LEARNING_RATES
    return " ".join(describe_paths(surface_name, paths_at(surface_name, rate_set), rates, STEPS))


def way_down(path):
    arrival = steps_to_arrive("bowl", path)
    return path[: (arrival if arrival is not None else len(path) - 1) + 1]


def test_bowl_at_suited_rates_sgd_zig_zags_and_the_scale_free_paths_do_not():
    paths, rate = paths_at("bowl", "suited"), SURFACES["bowl"].suited_rates["sgd"]
    visible = 0.01 * 4.0  # 1% of the window's height
    sgd = direction_changes(way_down(paths["sgd"]), 1, visible)
    others = [direction_changes(way_down(paths[name]), 1, visible) for name in SCALE_FREE]
    assert sgd >= 10 and max(others) <= 2
    # "each step multiplies y by 1 - 20 eta": Keras's SGD on 10 y^2.
    y = paths["sgd"][:12, 1]
    np.testing.assert_allclose(y[1:] / y[:-1], 1 - 20 * rate, rtol=1e-4)
    text = caption("bowl", "suited")
    assert f"SGD zig-zags across the valley: each step multiplies y by 1 − 20η = {1 - 20 * rate:.2g}" in text
    assert f"changes direction {sgd} times along y before it comes within 0.01 of the minimum at step " \
           f"{steps_to_arrive('bowl', paths['sgd'])}" in text
    assert f"{', '.join(map(str, others[:-1]))} and {others[-1]} times, against SGD's {sgd}" in text


def test_bowl_sgd_above_a_rate_of_0_1_swings_wider_every_step():
    y = trajectory("sgd", "bowl", SURFACES["bowl"].start, 30, 0.11)[:, 1]
    assert np.all(np.abs(y[1:]) > np.abs(y[:-1]))


def test_bowl_at_keras_defaults_sgd_crawls_and_the_scale_free_ones_stall():
    paths = paths_at("bowl", "keras")
    assert direction_changes(paths["sgd"], 1) == 0
    assert steps_to_arrive("bowl", paths["sgd"]) is None
    text = caption("bowl", "keras")
    assert "SGD at η = 0.01 does not zig-zag" in text
    assert f"so it crawls: after {STEPS} steps x is still {paths['sgd'][-1, 0]:.2g}" in text
    assert "zig-zags across the valley" not in text
    moved = [f"{distance_travelled(paths[name]):.2g}" for name in SCALE_FREE]
    assert (f"At Keras's default rate of 0.001, Adagrad, Adadelta, RMSprop and Adam moved only {moved[0]}, "
            f"{moved[1]}, {moved[2]} and {moved[3]} from the start in {STEPS} steps, with the minimum 4.74 away") in text
    longest = max(np.abs(np.diff(paths[name], axis=0)).max() / 0.001 for name in SCALE_FREE)
    assert f"none of theirs here is longer than {longest:.2g} η along either axis" in text


@pytest.mark.parametrize("surface_name", list(SURFACES))
def test_scale_free_steps_at_keras_defaults_are_a_few_times_the_rate_at_most(surface_name):
    # defaults_explanation: "at 0.001 a step is at most a few times η along either axis", on every surface.
    longest = {name: np.abs(np.diff(paths_at(surface_name, "keras")[name], axis=0)).max()
               / KERAS_DEFAULT_LEARNING_RATES[name] for name in SCALE_FREE}
    assert max(longest.values()) <= 4, longest
    text = defaults_explanation(surface_name, SURFACES[surface_name].start)
    assert "Adagrad, Adadelta, RMSprop and Adam divide the gradient by its own running size" in text
    assert "at 0.001 a step is at most a few times η along either axis" in text


def test_rosenbrock_at_suited_rates_finds_the_floor_early_and_follows_it_slowly():
    paths = paths_at("rosenbrock", "suited")
    early = STEPS // 10
    walls = {name: 100 * (path[early, 1] - path[early, 0] ** 2) ** 2 for name, path in paths.items()}
    assert max(walls.values()) <= 0.01
    distances = {name: float(np.linalg.norm(path[-1] - (1.0, 1.0))) for name, path in paths.items()}
    assert all(np.linalg.norm(path - (1.0, 1.0), axis=1).min() > 0.1 for path in paths.values())
    closest = min(distances, key=distances.get)
    text = caption("rosenbrock", "suited")
    assert f"at step {early} every optimizer is on its floor" in text
    assert f"after {STEPS} steps none is within 0.1 of the minimum at (1, 1)" in text
    assert f"{distances[closest]:.2f} away" in text


def test_rosenbrock_at_keras_defaults_the_sgd_family_diverges_and_the_caption_says_where():
    paths = paths_at("rosenbrock", "keras")
    diverged = [name for name in OPTIMIZERS if len(paths[name]) < STEPS + 1]
    assert diverged == ["sgd", "momentum", "nag"]
    text = caption("rosenbrock", "keras")
    assert (f"SGD, Momentum and Nesterov diverged: SGD at step {len(paths['sgd'])}, Momentum at step "
            f"{len(paths['momentum'])} and Nesterov at step {len(paths['nag'])} left the finite numbers") in text
    assert "Finding the valley" not in text  # the four left moved too little to find it
    # The explanation's first SGD step, "η × gradient", against Keras's own first step.
    first_step = np.linalg.norm(trajectory("sgd", "rosenbrock", SURFACES["rosenbrock"].start, 1)[1] -
                                SURFACES["rosenbrock"].start)
    assert f"at 0.01 its first step is {first_step:.3g} long" in defaults_explanation("rosenbrock", SURFACES["rosenbrock"].start)


def test_saddle_at_suited_rates_sgd_lingers_and_the_scale_free_ones_turn_off_early():
    paths = paths_at("saddle", "suited")
    lingered = {name: steps_within(path, (0.0, 0.0), 0.5) for name, path in paths.items()}
    left = {name: int(np.flatnonzero(np.abs(path[:, 1]) > 1)[0]) for name, path in paths.items()}
    assert lingered["sgd"] >= 20 and all(lingered[name] == 0 for name in SCALE_FREE)
    assert max(left[name] for name in SCALE_FREE) < left["sgd"]
    text = caption("saddle", "suited")
    assert (f"SGD, Momentum and Nesterov roll down to the saddle point and linger there, {lingered['sgd']}, "
            f"{lingered['momentum']} and {lingered['nag']} steps within 0.5 of (0, 0)") in text
    assert f"SGD at step {left['sgd']}" in text
    assert "Adagrad, Adadelta, RMSprop and Adam never come within 0.5 of it" in text
    assert f"Adam at step {left['adam']}" in text


def test_saddle_at_keras_defaults_sgd_never_leaves_the_ridge():
    paths = paths_at("saddle", "keras")
    assert np.abs(paths["sgd"][:, 1]).max() <= 1
    assert f"SGD not in {STEPS} steps" in caption("saddle", "keras")


@pytest.mark.parametrize("rate_set", ["suited", "keras"])
def test_two_minima_momentum_crosses_the_hump_and_sgd_stops_in_the_shallow_minimum(rate_set):
    paths = paths_at("two minima", rate_set)
    ends = {name: nearest_minimum("two minima", path[-1]) for name, path in paths.items()}
    assert ends["momentum"][0] == ends["nag"][0] == 0 and ends["sgd"][0] == 1  # minima: deep first
    assert all(ends[name][1] <= 0.1 for name in ("sgd", "momentum", "nag"))
    text = caption("two minima", rate_set)
    assert "Momentum and Nesterov carry their speed over the hump at x = 0.08 and settle in the deeper minimum" in text
    shallow = "SGD, Adagrad, Adadelta, RMSprop and Adam stop" if rate_set == "suited" else "SGD stops"
    assert f"{shallow} in the shallow minimum (x = 0.96, f = 0.29)" in text


def test_two_minima_caption_follows_a_start_on_the_deep_side():
    rates = SURFACES["two minima"].suited_rates
    path = trajectory("sgd", "two minima", (-1.8, 1.2), STEPS, rates["sgd"])
    assert nearest_minimum("two minima", path[-1])[0] == 0  # SGD ends in the deep minimum, never crossing the hump
    assert describe_paths("two minima", {"sgd": path}, rates, STEPS) == [
        "SGD stops in the deeper minimum (x = -1.04, f = -0.31), on the start's side of the hump."]


def test_a_caption_describes_only_the_steps_drawn():
    paths = {name: path[:21] for name, path in paths_at("saddle", "suited").items()}
    text = " ".join(describe_paths("saddle", paths, SURFACES["saddle"].suited_rates, 20))
    assert "none of them has left the ridge (|y| > 1) in 20 steps" in text
    assert describe_paths("saddle", paths, SURFACES["saddle"].suited_rates, 0) == [
        "Step 0: every path is still at the start."]


def test_primer_captions_name_each_outcome():
    words = {"too small": "Too slow.", "about right": "It converges.", "too big": "It diverges."}
    for name, rate in PRIMER_RATES.items():
        assert primer_caption(rate, gradient_descent_1d(rate)).endswith(words[name])
    assert "bounces between ±4 for ever" in primer_caption(1.0, gradient_descent_1d(1.0))
