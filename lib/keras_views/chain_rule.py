"""How a gradient is computed: the chain rule by hand on a tiny network, checked against `tf.GradientTape`.

The network has one input and one hidden neuron, so every intermediate value is a single number:

    z = w1 * x + b1,   h = sigmoid(z),   y_hat = w2 * h + b2,   loss = (y_hat - y)^2

Backpropagation multiplies the local derivative of each step, from the loss back to a weight. This module
computes those numbers in plain Python floats and, separately, lets TensorFlow differentiate the same
forward pass, so the page can show that the product of the local derivatives is what the tape returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lib.i18n import _

# The tiny network's starting values: the page's sliders start here.
DEFAULTS = {"x": 1.5, "y": 0.5, "w1": 0.8, "b1": 0.1, "w2": -1.2, "b2": 0.3}
PARAMETERS = ("w1", "b1", "w2", "b2")


@dataclass(frozen=True)
class ChainRule:
    """The forward values, the local derivative of each step, and each parameter's gradient as their product."""

    forward: dict[str, float]  # x, y, z, h, y_hat, loss
    local: dict[str, float]  # dloss/dy_hat, dy_hat/dh, dy_hat/dw2, dh/dz, dz/dw1, dz/dx...
    factors: dict[str, tuple[str, ...]]  # each parameter's gradient: the names of the local derivatives multiplied
    gradients: dict[str, float]  # the products


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def _check(values: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ValueError(_("Unknown value(s): {names}.").format(names=", ".join(unknown)))
    merged = {**DEFAULTS, **values}
    for name, value in merged.items():
        if not math.isfinite(value) or abs(value) > 100:
            raise ValueError(_("{name} must be a number between -100 and 100; got {value!r}.").format(
                name=name, value=value))
    return {name: float(value) for name, value in merged.items()}


def chain_rule(**values: float) -> ChainRule:
    """The forward pass and the chain rule by hand, for the values given (the others from DEFAULTS)."""
    v = _check(values)
    z = v["w1"] * v["x"] + v["b1"]
    h = _sigmoid(z)
    y_hat = v["w2"] * h + v["b2"]
    loss = (y_hat - v["y"]) ** 2
    local = {
        "dloss/dy_hat": 2.0 * (y_hat - v["y"]),
        "dy_hat/dw2": h,
        "dy_hat/db2": 1.0,
        "dy_hat/dh": v["w2"],
        "dh/dz": h * (1.0 - h),
        "dz/dw1": v["x"],
        "dz/db1": 1.0,
    }
    factors = {
        "w2": ("dloss/dy_hat", "dy_hat/dw2"),
        "b2": ("dloss/dy_hat", "dy_hat/db2"),
        "w1": ("dloss/dy_hat", "dy_hat/dh", "dh/dz", "dz/dw1"),
        "b1": ("dloss/dy_hat", "dy_hat/dh", "dh/dz", "dz/db1"),
    }
    gradients = {name: math.prod(local[factor] for factor in chain) for name, chain in factors.items()}
    forward = {"x": v["x"], "y": v["y"], "z": z, "h": h, "y_hat": y_hat, "loss": loss}
    return ChainRule(forward, local, factors, gradients)


def tape_gradients(**values: float) -> dict[str, float]:
    """TensorFlow's gradients of the same loss with respect to w1, b1, w2 and b2 (float64, `tf.GradientTape`)."""
    import tensorflow as tf

    v = _check(values)
    variables = {name: tf.Variable(v[name], dtype=tf.float64) for name in PARAMETERS}
    x, y = tf.constant(v["x"], tf.float64), tf.constant(v["y"], tf.float64)
    with tf.GradientTape() as tape:
        h = tf.sigmoid(variables["w1"] * x + variables["b1"])
        loss = tf.square(variables["w2"] * h + variables["b2"] - y)
    found = tape.gradient(loss, list(variables.values()))
    return {name: float(gradient.numpy()) for name, gradient in zip(variables, found)}


def largest_difference(by_hand: dict[str, float], tape: dict[str, float]) -> float:
    """The largest absolute difference between the chain rule's gradients and the tape's."""
    return max(abs(by_hand[name] - tape[name]) for name in PARAMETERS)
