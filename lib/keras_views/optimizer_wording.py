"""The Optimizers page's words shared by its captions: optimizer names listed, counts, ranges, what the paths head
for; and the two captions that are not about the surface's paths: why Keras's default rates do not suit a toy
surface (`defaults_explanation`) and what one path of the one-dimensional primer did (`primer_caption`).
"""

from __future__ import annotations

import numpy as np

from lib.engine.optimizers import KERAS_DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES, OPTIMIZERS, family
from lib.i18n import N_, _, ngettext
from lib.keras_views.optimizer_paths import gradient_at, nearest_minimum, primer_loss, surface

GOALS = {"saddle": N_("the saddle point"), "nearest": N_("the nearest minimum"), "only": N_("the minimum")}


def join(words: list[str]) -> str:
    """"a", "a and b", "a, b and c" (in the reader's language)."""
    words = [str(word) for word in words]
    if len(words) == 1:
        return words[0]
    return _("{first} and {last}").format(first=_(", ").join(words[:-1]), last=words[-1])


def names_of(optimizers) -> str:
    return join([OPTIMIZER_NAMES[name] for name in optimizers])


def counts(values) -> str:
    values = list(values)
    return ngettext("{counts} time", "{counts} times", 1 if values == [1] else 2).format(counts=join(values))


def value_range(values) -> str:
    low, high = min(values), max(values)
    if f"{low:.2g}" == f"{high:.2g}":
        return f"{low:.2g}"
    return _("between {low:.2g} and {high:.2g}").format(low=low, high=high)


def goal(surface_name: str, start) -> tuple[str, float]:
    """What the optimizers head for from `start` and how far away it is: the nearest minimum, or the saddle point."""
    chosen = surface(surface_name)
    nearest = nearest_minimum(surface_name, start)
    if nearest is None:
        return _(GOALS["saddle"]), float(np.linalg.norm(start))
    return _(GOALS["nearest"] if len(chosen.minima) > 1 else GOALS["only"]), nearest[1]


def at_step(name: str, step: int) -> str:
    return _("{name} at step {step}").format(name=OPTIMIZER_NAMES[name], step=step)


def notes_of(optimizers) -> list[str]:
    """What a learner should know about these optimizers at Keras's default rates (their registry notes)."""
    return [_(OPTIMIZERS[name].note) for name in optimizers if OPTIMIZERS[name].note]


def defaults_explanation(surface_name: str, start) -> str:
    """Why Keras's default rates do not suit this surface, with its own numbers at `start`."""
    gradient = float(np.linalg.norm(gradient_at(surface_name, start)))
    label, distance = goal(surface_name, start)
    defaults = KERAS_DEFAULT_LEARNING_RATES
    by_rate = {rate: [name for name in defaults if defaults[name] == rate] for rate in sorted(set(defaults.values()))}
    listed = "; ".join(_("{rate:g} for {names}").format(rate=rate, names=names_of(names))
                       for rate, names in reversed(by_rate.items()))
    sgd = defaults["sgd"]
    scale_free = family("scale_free")
    return " ".join([_(
        "Keras's default rates ({listed}) are starting points for training a network: thousands of steps, each "
        "nudging many weights a little. This surface has a scale of its own: at the start the gradient is "
        "{gradient:.3g} long and {goal} is {distance:.3g} away. SGD's step is η × gradient, so at {sgd:g} its first "
        "step is {first:.3g} long. {names} divide the gradient by its own running size, so the length of their "
        "steps is set by η, not by the slope: at {rates} a step is at most a few times η along either axis, however "
        "steep or gentle the surface."
    ).format(listed=listed, gradient=gradient, goal=label, distance=distance, sgd=sgd, first=sgd * gradient,
             names=names_of(scale_free), rates=join(sorted({f"{defaults[name]:g}" for name in scale_free}))),
        *notes_of(OPTIMIZERS)])


def primer_caption(rate: float, path: np.ndarray) -> str:
    """What one run of the primer's gradient descent did, from its iterates."""
    steps, start, end = len(path) - 1, abs(path[0]), abs(path[-1])
    crossings = int(np.count_nonzero(path[1:] * path[:-1] < 0))
    rule = _("Each step multiplies x by 1 − 2η = {factor:.3g}").format(factor=1.0 - 2.0 * rate)
    overshoot = (ngettext(", so x jumps across the minimum ({n} time)", ", so x jumps across the minimum ({n} times)",
                          crossings).format(n=crossings) if crossings else "")
    if np.isclose(end, start):
        return _("{rule}{overshoot}, landing as far out as it started: it bounces between ±{start:g} for ever.").format(
            rule=rule, overshoot=overshoot, start=start)
    if end > start:
        return _("{rule}{overshoot}, and each jump lands farther out: after {steps} steps x = {x:.3g} and f = {f:.3g}, "
                 "higher than at the start. It diverges.").format(rule=rule, overshoot=overshoot, steps=steps,
                                                                  x=path[-1], f=primer_loss(path[-1]))
    if end <= 0.01 * start:
        return _("{rule}{overshoot}: after {steps} steps x = {x:.2g}. It converges.").format(
            rule=rule, overshoot=overshoot, steps=steps, x=path[-1])
    return _("{rule}{overshoot}: after {steps} steps x = {x:.3g}, only {share:.0%} of the way to the minimum. Too slow."
             ).format(rule=rule, overshoot=overshoot, steps=steps, x=path[-1], share=1 - end / start)
