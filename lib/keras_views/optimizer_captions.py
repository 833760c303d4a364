"""What the Optimizers page says under its surface picture, every sentence computed from the paths it describes.

A caption here is never a fixed lesson: `describe_paths` measures the paths the page draws with the claim checks
of lib.keras_views.optimizer_paths (direction changes, steps to arrive, steps near a point, the minimum a path
ends in) and words what they show, so a learner who changes a rate reads what that rate did. Which optimizers a
sentence groups comes from their families in the registry (lib.engine.optimizers); the words shared with the
page's other captions are lib.keras_views.optimizer_wording's.
"""

from __future__ import annotations

import numpy as np

from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES, family
from lib.i18n import _, ngettext
from lib.keras_views.optimizer_paths import (
    ARRIVAL_DISTANCE,
    HUMP_X,
    direction_changes,
    distance_travelled,
    first_step,
    nearest_minimum,
    steps_to_arrive,
    steps_within,
    surface,
)
from lib.keras_views.optimizer_wording import at_step, counts, goal, join, names_of, notes_of, value_range

# A step counts as a visible change of direction when it is at least this share of the window's span.
VISIBLE = 0.01
NEAR = 0.1  # within this of a point and a path is near it
SADDLE_NEAR = 0.5
RIDGE_LEFT = 1.0  # |y| beyond this and a path has left the saddle's ridge
FLOOR_LOSS = 0.01  # 100 (y - x^2)^2 below this and a path is on Rosenbrock's valley floor


def _at_keras_default(paths: dict, rates: dict) -> list[str]:
    """The scale-free optimizers among `paths` that run at Keras's default rate, whose steps are tiny here."""
    scale_free = family("scale_free")
    return [name for name in paths if name in scale_free and rates[name] == KERAS_DEFAULT_LEARNING_RATES[name]]


def describe_paths(surface_name: str, paths: dict[str, np.ndarray], rates: dict[str, float], steps: int) -> list[str]:
    """The caption under the surface's picture: sentences, each true of the paths drawn up to `steps`.

    A path shorter than steps + 1 points diverged (the page warns about it) and
    is left out; so are the scale-free optimizers at Keras's default rate,
    which get a sentence of their own saying how far they got.
    """
    if steps < 1:
        return [_("Step 0: every path is still at the start.")]
    finished = {name: path for name, path in paths.items() if len(path) - 1 == steps}
    slow = _at_keras_default(finished, rates)
    moving = {name: path for name, path in finished.items() if name not in slow}
    describe = {"bowl": _bowl, "rosenbrock": _rosenbrock, "saddle": _saddle, "two minima": _two_minima}
    sentences = describe[surface_name](moving, rates, steps)
    diverged = [name for name in paths if name not in finished]
    if diverged:
        where = join([at_step(name, len(paths[name])) for name in diverged])
        sentences.append(_("{names} diverged: {where} left the finite numbers (see the warnings under the table).")
                         .format(names=names_of(diverged), where=where))
    if slow:
        sentences.append(_stalled(surface_name, {name: finished[name] for name in slow}, rates, steps))
    return sentences


def _stalled(surface_name: str, paths: dict, rates: dict, steps: int) -> str:
    label, distance = goal(surface_name, next(iter(paths.values()))[0])
    moved = [f"{distance_travelled(path):.2g}" for path in paths.values()]
    rate = join(sorted({f"{rates[name]:g}" for name in paths}))
    longest = max(float(np.abs(np.diff(path, axis=0)).max()) / rates[name] for name, path in paths.items())
    sentence = _("At Keras's default rate of {rate}, {names} moved only {moved} from the start in {steps} steps, with "
                 "{goal} {distance:.3g} away: they divide each gradient by its own running size, so a step's length is "
                 "set by η, not by the slope; none of theirs here is longer than {longest:.2g} η along either axis."
                 ).format(rate=rate, names=names_of(paths), moved=join(moved), steps=steps, goal=label,
                          distance=distance, longest=longest)
    return " ".join([sentence, *notes_of(paths)])


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
    near = ARRIVAL_DISTANCE

    def arrivals(names):
        return join([at_step(name, arrived[name]) if arrived[name] is not None else
                     _("{name} not in {steps} steps").format(name=OPTIMIZER_NAMES[name], steps=steps) for name in names])

    sgd_changes = None
    if "sgd" in paths:
        rate, reached = rates["sgd"], arrived["sgd"]
        # SGD on the 10 y^2 of the bowl: y <- y - eta * 20 y.
        sgd_changes, factor = _turns("bowl", way_down["sgd"], 1), 1.0 - 20.0 * rate
        if sgd_changes >= 3:
            arrival = (_("before it comes within {distance:g} of the minimum at step {step}").format(distance=near,
                                                                                                    step=reached)
                       if reached is not None else _("in {steps} steps").format(steps=steps))
            sentence = _("SGD zig-zags across the valley: each step multiplies y by 1 − 20η = {factor:.2g}, so y flips "
                         "sign and the path visibly changes direction {changes} times along y {arrival}.").format(
                factor=factor, changes=sgd_changes, arrival=arrival)
            sentence += " " + (_("It cannot simply take bigger steps: above η = 0.1, |1 − 20η| > 1 and each swing is "
                                 "wider than the last.") if abs(factor) < 1 else
                               _("As |1 − 20η| > 1, each swing is wider than the last."))
        elif factor >= 0:
            sentence = _("SGD at η = {rate:g} does not zig-zag: each step multiplies y by 1 − 20η = {factor:.2g}, "
                         "which is not negative, so y never changes sign.").format(rate=rate, factor=factor)
            if reached is not None and reached <= steps // 4:
                sentence += " " + _("It comes within {distance:g} of the minimum at step {step}.").format(
                    distance=near, step=reached)
            else:
                crawl = (_("it comes within {distance:g} of the minimum only at step {step}").format(
                    distance=near, step=reached) if reached is not None else
                    _("after {steps} steps x is still {x:.2g}").format(steps=steps, x=paths["sgd"][-1, 0]))
                sentence += " " + _("Along the gentle x axis each step keeps 1 − 2η = {keep:.2g} of x, so it crawls: "
                                    "{crawl}.").format(keep=1 - 2 * rate, crawl=crawl)
        else:
            sentence = ngettext("SGD's path visibly changes direction {changes} time along y on its way down.",
                                "SGD's path visibly changes direction {changes} times along y on its way down.",
                                sgd_changes).format(changes=sgd_changes)
        sentences.append(sentence)
    scale_free = [name for name in family("scale_free") if name in paths]
    if scale_free:
        changes = [_turns("bowl", way_down[name], 1) for name in scale_free]
        straighter = sgd_changes is not None and sgd_changes >= 3 and max(changes) < sgd_changes
        against = _(", against SGD's {changes}").format(changes=sgd_changes) if straighter else ""
        sentences.append(_("{names} divide each axis's gradient by its own running size, so the steep axis gets no "
                           "bigger steps than the gentle one: on the way down their paths visibly change direction "
                           "along y {counts}{against} (within {distance:g} of the minimum: {arrivals}).").format(
            names=names_of(scale_free), counts=counts(changes), against=against, distance=near,
            arrivals=arrivals(scale_free)))
    carried = [name for name in family("momentum") if name in paths]
    if carried:
        across = [_turns("bowl", way_down[name], 1) for name in carried]
        along = [_turns("bowl", way_down[name], 0) for name in carried]
        template = (_("{names} keep their speed, so they overshoot and swing back: on the way down their paths "
                      "visibly change direction along y {across} and along x {along} (within {distance:g} of the "
                      "minimum: {arrivals}).") if max(across + along) else
                    _("{names} keep their speed: on the way down their paths visibly change direction along y "
                      "{across} and along x {along} (within {distance:g} of the minimum: {arrivals})."))
        sentences.append(template.format(names=names_of(carried), across=counts(across), along=counts(along),
                                         distance=near, arrivals=arrivals(carried)))
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
        who = (_("every optimizer is") if not off_floor else
               ngettext("{names} is", "{names} are", len(on_floor)).format(names=names_of(on_floor)))
        rest = (ngettext("; {names} is not.", "; {names} are not.", len(off_floor)).format(names=names_of(off_floor))
                if off_floor else ".")
        sentences.append(_("Finding the valley is quick: at step {step} {who} on its floor, the steep part of f, "
                           "100 (y − x²)², below {floor:g}{climbed}, and what is left of the loss is (1 − x)², "
                           "{left}{rest}").format(
            step=early, who=who, floor=FLOOR_LOSS, left=value_range(left), rest=rest,
            climbed=_(" ({names} after swinging up the walls first)").format(names=names_of(climbed)) if climbed else ""))
    else:
        sentences.append(_("At step {step} none of them is on the valley floor (100 (y − x²)² ≤ {floor:g}).").format(
            step=early, floor=FLOOR_LOSS))
    distances = {name: np.linalg.norm(path - (1.0, 1.0), axis=1) for name, path in paths.items()}
    near = {name: first_step(distance <= NEAR) for name, distance in distances.items()}
    arrived = [name for name in paths if near[name] is not None]
    if arrived:
        first = min(arrived, key=near.get)
        sentences.append(ngettext("{names} gets within {near:g} of the minimum at (1, 1), {first} first, at step {step}.",
                                  "{names} get within {near:g} of the minimum at (1, 1), {first} first, at step {step}.",
                                  len(arrived)).format(names=names_of(arrived), near=NEAR, first=OPTIMIZER_NAMES[first],
                                                       step=near[first]))
    else:
        closest = min(paths, key=lambda name: distances[name][-1])
        carried = _(" (momentum carries its speed along the floor)") if closest in family("momentum") else ""
        sentences.append(_("Following its bend is slow: after {steps} steps none is within {near:g} of the minimum at "
                           "(1, 1); the closest, {closest}{carried}, is still {distance:.2f} away.").format(
            steps=steps, near=NEAR, closest=OPTIMIZER_NAMES[closest], carried=carried,
            distance=distances[closest][-1]))
    return sentences


def _saddle(paths: dict, rates: dict, steps: int) -> list[str]:
    sentences = []
    lingered = {name: steps_within(path, (0.0, 0.0), SADDLE_NEAR) for name, path in paths.items()}
    left = {name: first_step(np.abs(path[:, 1]) > RIDGE_LEFT) for name, path in paths.items()}

    def leaving(names):
        gone = [at_step(name, left[name]) for name in names if left[name] is not None]
        staying = [name for name in names if left[name] is None]
        if not gone:
            return _("none of them has left the ridge (|y| > {ridge:g}) in {steps} steps").format(ridge=RIDGE_LEFT,
                                                                                                 steps=steps)
        return (_("they leave the ridge (|y| > {ridge:g}): {gone}").format(ridge=RIDGE_LEFT, gone=join(gone))
                + (_("; {names} not in {steps} steps").format(names=names_of(staying), steps=steps) if staying else ""))

    lingerers = sorted((name for name in paths if lingered[name]), key=lingered.get, reverse=True)
    if lingerers:
        sentences.append(ngettext(
            "{names} rolls down to the saddle point and lingers there, {counts} steps within {near:g} of (0, 0); "
            "{leaving}.",
            "{names} roll down to the saddle point and linger there, {counts} steps within {near:g} of (0, 0); "
            "{leaving}.", len(lingerers)).format(
            names=names_of(lingerers), counts=join([lingered[name] for name in lingerers]), near=SADDLE_NEAR,
            leaving=leaving(lingerers)))
    escapers = [name for name in paths if not lingered[name] and left[name] is not None]
    if escapers:
        why = (_(", because dividing the tiny sideways slope by its own size makes it a full-sized step")
               if all(name in family("scale_free") for name in escapers) else "")
        sentences.append(ngettext("{names} never comes within {near:g} of it{why}; {leaving}.",
                                  "{names} never come within {near:g} of it{why}; {leaving}.", len(escapers)).format(
            names=names_of(escapers), near=SADDLE_NEAR, why=why, leaving=leaving(escapers)))
    stuck = [name for name in paths if not lingered[name] and left[name] is None]
    if stuck:
        sentences.append(ngettext("{names} neither reaches the saddle point nor leaves the ridge in {steps} steps.",
                                  "{names} neither reach the saddle point nor leave the ridge in {steps} steps.",
                                  len(stuck)).format(names=names_of(stuck), steps=steps))
    return sentences


def _two_minima(paths: dict, rates: dict, steps: int) -> list[str]:
    chosen = surface("two minima")
    ends = {name: nearest_minimum("two minima", path[-1]) for name, path in paths.items()}
    sentences = []
    for index, (x, y) in enumerate(chosen.minima):
        settled = [name for name, (which, distance) in ends.items() if which == index and distance <= NEAR]
        if not settled:
            continue
        which = (_("the deeper minimum (x = {x:.2f}, f = {f:.2f})") if index == 0 else
                 _("the shallow minimum (x = {x:.2f}, f = {f:.2f})")).format(x=x, f=chosen.function(x, y))
        # Every path on the page starts at the same point; the hump at HUMP_X separates the two minima.
        crossed = (paths[settled[0]][0, 0] > HUMP_X) != (x > HUMP_X)
        count = len(settled)
        if crossed and all(name in family("momentum") for name in settled):
            template = ngettext("{names} carries its speed over the hump at x = {hump:.2f} and settles in {which}.",
                                "{names} carry their speed over the hump at x = {hump:.2f} and settle in {which}.",
                                count)
        elif crossed:
            template = ngettext("{names} crosses the hump at x = {hump:.2f} and settles in {which}.",
                                "{names} cross the hump at x = {hump:.2f} and settle in {which}.", count)
        else:
            template = ngettext("{names} stops in {which}, on the start's side of the hump.",
                                "{names} stop in {which}, on the start's side of the hump.", count)
        sentences.append(template.format(names=names_of(settled), hump=HUMP_X, which=which))
    travelling = [name for name, (_w, distance) in ends.items() if distance > NEAR]
    if travelling:
        sentences.append(ngettext("After {steps} steps {names} is still more than {near:g} from either minimum.",
                                  "After {steps} steps {names} are still more than {near:g} from either minimum.",
                                  len(travelling)).format(steps=steps, names=names_of(travelling), near=NEAR))
    return sentences
