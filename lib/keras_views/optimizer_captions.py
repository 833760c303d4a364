"""What the Optimizers page says under its pictures, every sentence computed from the paths it describes.

A caption here is never a fixed lesson: `describe_paths` measures the paths the page draws with the claim checks
of lib.keras_views.optimizer_paths (direction changes, steps to arrive, steps near a point, the minimum a path
ends in) and words what they show, so a learner who changes a rate reads what that rate did.
`defaults_explanation` says, with this surface's numbers, why Keras's default rates suit a network and not a toy
surface; `primer_caption` words one path of the one-dimensional primer.
"""

from __future__ import annotations

import numpy as np

from lib.engine.config import KERAS_DEFAULT_LEARNING_RATES
from lib.engine.training import ADADELTA_NOTE
from lib.keras_views.optimizer_paths import (
    ARRIVAL_DISTANCE,
    HUMP_X,
    direction_changes,
    distance_travelled,
    first_step,
    gradient_at,
    nearest_minimum,
    primer_loss,
    steps_to_arrive,
    steps_within,
    surface,
)

OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "Momentum", "nag": "Nesterov", "adagrad": "Adagrad",
                   "adadelta": "Adadelta", "rmsprop": "RMSprop", "adam": "Adam"}
# The optimizers that divide each gradient by its own running size, so their steps do not grow with the slope.
SCALE_FREE = ("adagrad", "adadelta", "rmsprop", "adam")
MOMENTUM = ("momentum", "nag")
# A step counts as a visible change of direction when it is at least this share of the window's span.
VISIBLE = 0.01
NEAR = 0.1  # within this of a point and a path is near it
SADDLE_NEAR = 0.5
RIDGE_LEFT = 1.0  # |y| beyond this and a path has left the saddle's ridge
FLOOR_LOSS = 0.01  # 100 (y - x^2)^2 below this and a path is on Rosenbrock's valley floor


def join(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    words = [str(word) for word in words]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _names(optimizers) -> str:
    return join([OPTIMIZER_NAMES[name] for name in optimizers])


def _counts(values) -> str:
    values = list(values)
    return join(values) + (" time" if values == [1] else " times")


def _range(values) -> str:
    low, high = min(values), max(values)
    return f"{low:.2g}" if f"{low:.2g}" == f"{high:.2g}" else f"between {low:.2g} and {high:.2g}"


def _goal(surface_name: str, start) -> tuple[str, float]:
    """What the optimizers head for from `start` and how far away it is: the nearest minimum, or the saddle point."""
    chosen = surface(surface_name)
    nearest = nearest_minimum(surface_name, start)
    if nearest is None:
        return "the saddle point", float(np.linalg.norm(start))
    return ("the nearest minimum" if len(chosen.minima) > 1 else "the minimum"), nearest[1]


def _at_keras_default(paths: dict, rates: dict) -> list[str]:
    """The scale-free optimizers among `paths` that run at Keras's default rate, whose steps are tiny here."""
    return [name for name in paths if name in SCALE_FREE and rates[name] == KERAS_DEFAULT_LEARNING_RATES[name]]


def describe_paths(surface_name: str, paths: dict[str, np.ndarray], rates: dict[str, float], steps: int) -> list[str]:
    """The caption under the surface's picture: sentences, each true of the paths drawn up to `steps`.

    A path shorter than steps + 1 points diverged (the page warns about it) and
    is left out; so are the scale-free optimizers at Keras's default rate,
    which get a sentence of their own saying how far they got.
    """
    if steps < 1:
        return ["Step 0: every path is still at the start."]
    finished = {name: path for name, path in paths.items() if len(path) - 1 == steps}
    slow = _at_keras_default(finished, rates)
    moving = {name: path for name, path in finished.items() if name not in slow}
    describe = {"bowl": _bowl, "rosenbrock": _rosenbrock, "saddle": _saddle, "two minima": _two_minima}
    sentences = describe[surface_name](moving, rates, steps)
    diverged = [name for name in paths if name not in finished]
    if diverged:
        where = join([f"{OPTIMIZER_NAMES[name]} at step {len(paths[name])}" for name in diverged])
        sentences.append(f"{_names(diverged)} diverged: {where} left the finite numbers (see the warnings under the table).")
    if slow:
        sentences.append(_stalled(surface_name, {name: finished[name] for name in slow}, rates, steps))
    return sentences


def _stalled(surface_name: str, paths: dict, rates: dict, steps: int) -> str:
    label, distance = _goal(surface_name, next(iter(paths.values()))[0])
    moved = [f"{distance_travelled(path):.2g}" for path in paths.values()]
    rate = join(sorted({f"{rates[name]:g}" for name in paths}))
    longest = max(float(np.abs(np.diff(path, axis=0)).max()) / rates[name] for name, path in paths.items())
    sentence = (f"At Keras's default rate of {rate}, {_names(paths)} moved only {join(moved)} from the start in {steps} "
                f"steps, with {label} {distance:.3g} away: they divide each gradient by its own running size, so a step's "
                f"length is set by η, not by the slope; none of theirs here is longer than {longest:.2g} η along either axis.")
    return sentence + (f" {ADADELTA_NOTE}" if "adadelta" in paths else "")


def _turns(surface_name: str, path: np.ndarray, axis: int) -> int:
    """Direction changes along an axis that a reader can see: steps of at least VISIBLE of the window's span."""
    chosen = surface(surface_name)
    low, high = chosen.x_range if axis == 0 else chosen.y_range
    return direction_changes(path, axis, tolerance=VISIBLE * (high - low))


def _bowl(paths: dict, rates: dict, steps: int) -> list[str]:
    sentences = []
    arrived = {name: steps_to_arrive("bowl", path) for name, path in paths.items()}
    # The way down: each path until it comes within ARRIVAL_DISTANCE of the minimum (all of it if it never does).
    way_down = {name: path[: (arrived[name] if arrived[name] is not None else len(path) - 1) + 1]
                for name, path in paths.items()}
    near = f"within {ARRIVAL_DISTANCE:g} of the minimum"

    def arrivals(names):
        return join([f"{OPTIMIZER_NAMES[name]} at step {arrived[name]}" if arrived[name] is not None else
                     f"{OPTIMIZER_NAMES[name]} not in {steps} steps" for name in names])

    sgd_changes = None
    if "sgd" in paths:
        rate, reached = rates["sgd"], arrived["sgd"]
        # SGD on the 10 y^2 of the bowl: y <- y - eta * 20 y.
        sgd_changes, factor = _turns("bowl", way_down["sgd"], 1), 1.0 - 20.0 * rate
        if sgd_changes >= 3:
            arrival = f"before it comes {near} at step {reached}" if reached is not None else f"in {steps} steps"
            sentence = (f"SGD zig-zags across the valley: each step multiplies y by 1 − 20η = {factor:.2g}, so y flips "
                        f"sign and the path visibly changes direction {sgd_changes} times along y {arrival}.")
            sentence += (" It cannot simply take bigger steps: above η = 0.1, |1 − 20η| > 1 and each swing is wider "
                         "than the last." if abs(factor) < 1 else " As |1 − 20η| > 1, each swing is wider than the last.")
        elif factor >= 0:
            sentence = (f"SGD at η = {rate:g} does not zig-zag: each step multiplies y by 1 − 20η = {factor:.2g}, "
                        "which is not negative, so y never changes sign.")
            if reached is not None and reached <= steps // 4:
                sentence += f" It comes {near} at step {reached}."
            else:
                crawl = (f"it comes {near} only at step {reached}" if reached is not None
                         else f"after {steps} steps x is still {paths['sgd'][-1, 0]:.2g}")
                sentence += f" Along the gentle x axis each step keeps 1 − 2η = {1 - 2 * rate:.2g} of x, so it crawls: {crawl}."
        else:
            sentence = f"SGD's path visibly changes direction {sgd_changes} times along y on its way down."
        sentences.append(sentence)
    scale_free = [name for name in SCALE_FREE if name in paths]
    if scale_free:
        changes = [_turns("bowl", way_down[name], 1) for name in scale_free]
        straighter = sgd_changes is not None and sgd_changes >= 3 and max(changes) < sgd_changes
        against = f", against SGD's {sgd_changes}" if straighter else ""
        sentences.append(f"{_names(scale_free)} divide each axis's gradient by its own running size, so the steep axis gets "
                         "no bigger steps than the gentle one: on the way down their paths visibly change direction along "
                         f"y {_counts(changes)}{against} ({near}: {arrivals(scale_free)}).")
    carried = [name for name in MOMENTUM if name in paths]
    if carried:
        across = [_turns("bowl", way_down[name], 1) for name in carried]
        along = [_turns("bowl", way_down[name], 0) for name in carried]
        sentences.append(f"{_names(carried)} keep their speed{', so they overshoot and swing back' if max(across + along) else ''}"
                         f": on the way down their paths visibly change direction along y {_counts(across)} and along x "
                         f"{_counts(along)} ({near}: {arrivals(carried)}).")
    return sentences


def _rosenbrock(paths: dict, rates: dict, steps: int) -> list[str]:
    if not paths:
        return []
    sentences = []
    # A tenth of the way in, who is on the valley floor: the steep term of f nearly gone, (1 - x)^2 all that is left.
    early = max(1, steps // 10)
    walls = {name: 100.0 * (path[:, 1] - path[:, 0] ** 2) ** 2 for name, path in paths.items()}
    on_floor = [name for name in paths if walls[name][early] <= FLOOR_LOSS]
    off_floor = [name for name in paths if name not in on_floor]
    climbed = [name for name in on_floor if walls[name][: early + 1].max() > walls[name][0]]
    if on_floor:
        left = [(1.0 - paths[name][early, 0]) ** 2 for name in on_floor]
        who = "every optimizer is" if not off_floor else f"{_names(on_floor)} {'is' if len(on_floor) == 1 else 'are'}"
        sentence = (f"Finding the valley is quick: at step {early} {who} on its floor, the steep part of f, "
                    f"100 (y − x²)², below {FLOOR_LOSS:g}"
                    + (f" ({_names(climbed)} after swinging up the walls first)" if climbed else "")
                    + f", and what is left of the loss is (1 − x)², {_range(left)}")
        sentences.append(sentence + (f"; {_names(off_floor)} {'is' if len(off_floor) == 1 else 'are'} not." if off_floor
                                     else "."))
    else:
        sentences.append(f"At step {early} none of them is on the valley floor (100 (y − x²)² ≤ {FLOOR_LOSS:g}).")
    distances = {name: np.linalg.norm(path - (1.0, 1.0), axis=1) for name, path in paths.items()}
    near = {name: first_step(distance <= NEAR) for name, distance in distances.items()}
    arrived = [name for name in paths if near[name] is not None]
    if arrived:
        first = min(arrived, key=near.get)
        sentences.append(f"{_names(arrived)} get within {NEAR:g} of the minimum at (1, 1), {OPTIMIZER_NAMES[first]} "
                         f"first, at step {near[first]}.")
    else:
        closest = min(paths, key=lambda name: distances[name][-1])
        carried = " (momentum carries its speed along the floor)" if closest in MOMENTUM else ""
        sentences.append(f"Following its bend is slow: after {steps} steps none is within {NEAR:g} of the minimum at (1, 1); "
                         f"the closest, {OPTIMIZER_NAMES[closest]}{carried}, is still {distances[closest][-1]:.2f} away.")
    return sentences


def _saddle(paths: dict, rates: dict, steps: int) -> list[str]:
    sentences = []
    lingered = {name: steps_within(path, (0.0, 0.0), SADDLE_NEAR) for name, path in paths.items()}
    left = {name: first_step(np.abs(path[:, 1]) > RIDGE_LEFT) for name, path in paths.items()}

    def leaving(names):
        gone = [f"{OPTIMIZER_NAMES[name]} at step {left[name]}" for name in names if left[name] is not None]
        staying = [name for name in names if left[name] is None]
        ridge = f"the ridge (|y| > {RIDGE_LEFT:g})"
        if not gone:
            return f"none of them has left {ridge} in {steps} steps"
        return f"they leave {ridge}: {join(gone)}" + (f"; {_names(staying)} not in {steps} steps" if staying else "")

    lingerers = sorted((name for name in paths if lingered[name]), key=lingered.get, reverse=True)
    if lingerers:
        one = len(lingerers) == 1
        sentences.append(f"{_names(lingerers)} roll{'s' if one else ''} down to the saddle point and linger"
                         f"{'s' if one else ''} there, {join([lingered[name] for name in lingerers])} steps within "
                         f"{SADDLE_NEAR:g} of (0, 0); {leaving(lingerers)}.")
    escapers = [name for name in paths if not lingered[name] and left[name] is not None]
    if escapers:
        why = (", because dividing the tiny sideways slope by its own size makes it a full-sized step"
               if all(name in SCALE_FREE for name in escapers) else "")
        sentences.append(f"{_names(escapers)} never come{'s' if len(escapers) == 1 else ''} within {SADDLE_NEAR:g} "
                         f"of it{why}; {leaving(escapers)}.")
    stuck = [name for name in paths if not lingered[name] and left[name] is None]
    if stuck:
        one = len(stuck) == 1
        sentences.append(f"{_names(stuck)} neither reach{'es' if one else ''} the saddle point nor leave"
                         f"{'s' if one else ''} the ridge in {steps} steps.")
    return sentences


def _two_minima(paths: dict, rates: dict, steps: int) -> list[str]:
    chosen = surface("two minima")
    ends = {name: nearest_minimum("two minima", path[-1]) for name, path in paths.items()}
    sentences = []
    for index, (x, y) in enumerate(chosen.minima):
        settled = [name for name, (which, distance) in ends.items() if which == index and distance <= NEAR]
        if not settled:
            continue
        which = f"the {'deeper' if index == 0 else 'shallow'} minimum (x = {x:.2f}, f = {chosen.function(x, y):.2f})"
        # Every path on the page starts at the same point; the hump at HUMP_X separates the two minima.
        crossed = (paths[settled[0]][0, 0] > HUMP_X) != (x > HUMP_X)
        one = len(settled) == 1
        if crossed:
            if all(name in MOMENTUM for name in settled):
                how = "carries its speed over" if one else "carry their speed over"
            else:
                how = "crosses" if one else "cross"
            sentences.append(f"{_names(settled)} {how} the hump at x = {HUMP_X:.2f} and settle{'s' if one else ''} in {which}.")
        else:
            sentences.append(f"{_names(settled)} stop{'s' if one else ''} in {which}, on the start's side of the hump.")
    travelling = [name for name, (_, distance) in ends.items() if distance > NEAR]
    if travelling:
        sentences.append(f"After {steps} steps {_names(travelling)} {'is' if len(travelling) == 1 else 'are'} still more than "
                         f"{NEAR:g} from either minimum.")
    return sentences


def defaults_explanation(surface_name: str, start) -> str:
    """Why Keras's default rates do not suit this surface, with its own numbers at `start`."""
    gradient = float(np.linalg.norm(gradient_at(surface_name, start)))
    label, distance = _goal(surface_name, start)
    defaults = KERAS_DEFAULT_LEARNING_RATES
    by_rate = {rate: [name for name in defaults if defaults[name] == rate] for rate in sorted(set(defaults.values()))}
    listed = "; ".join(f"{rate:g} for {_names(names)}" for rate, names in reversed(by_rate.items()))
    sgd, adam = defaults["sgd"], defaults["adam"]
    return (
        f"Keras's default rates ({listed}) are starting points for training a network: thousands of steps, each "
        "nudging many weights a little. This surface has a scale of its own: at the start the gradient is "
        f"{gradient:.3g} long and {label} is {distance:.3g} away. SGD's step "
        f"is η × gradient, so at {sgd:g} its first step is {sgd * gradient:.3g} long. Adagrad, RMSprop and Adam "
        "divide the gradient by its own running size, so the length of their steps is set by η, not by the slope: "
        f"at {adam:g} a step is a few thousandths at most along either axis, however steep or gentle the surface. "
        f"{ADADELTA_NOTE}"
    )


def primer_caption(rate: float, path: np.ndarray) -> str:
    """What one run of the primer's gradient descent did, from its iterates."""
    steps, start, end = len(path) - 1, abs(path[0]), abs(path[-1])
    crossings = int(np.count_nonzero(path[1:] * path[:-1] < 0))
    rule = f"Each step multiplies x by 1 − 2η = {1.0 - 2.0 * rate:.3g}"
    overshoot = f", so x jumps across the minimum ({crossings} times)" if crossings else ""
    if np.isclose(end, start):
        return f"{rule}{overshoot}, landing as far out as it started: it bounces between ±{start:g} for ever."
    if end > start:
        return (f"{rule}{overshoot}, and each jump lands farther out: after {steps} steps x = {path[-1]:.3g} and "
                f"f = {primer_loss(path[-1]):.3g}, higher than at the start. It diverges.")
    if end <= 0.01 * start:
        return f"{rule}{overshoot}: after {steps} steps x = {path[-1]:.2g}. It converges."
    return (f"{rule}{overshoot}: after {steps} steps x = {path[-1]:.3g}, only {1 - end / start:.0%} of the way to "
            "the minimum. Too slow.")
