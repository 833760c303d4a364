"""The chain rule by hand on the tiny network agrees with tf.GradientTape."""

import numpy as np
import pytest

from lib.keras_views.chain_rule import DEFAULTS, PARAMETERS, chain_rule, largest_difference, tape_gradients

tf = pytest.importorskip("tensorflow")


def independent_tape(values: dict[str, float]) -> dict[str, float]:
    """The same loss differentiated by TensorFlow here, written apart from the module under test."""
    w1, b1, w2, b2 = (tf.Variable(values[name], dtype=tf.float64) for name in PARAMETERS)
    with tf.GradientTape() as tape:
        loss = (w2 * tf.sigmoid(w1 * values["x"] + b1) + b2 - values["y"]) ** 2
    return dict(zip(PARAMETERS, (float(g) for g in tape.gradient(loss, [w1, b1, w2, b2]))))


@pytest.mark.parametrize("seed", range(6))
def test_chain_rule_product_equals_the_tape_gradient(seed):
    rng = np.random.default_rng(seed)
    values = {name: float(rng.uniform(-3, 3)) for name in DEFAULTS}
    by_hand = chain_rule(**values).gradients
    reference = independent_tape(values)
    for name in PARAMETERS:
        assert by_hand[name] == pytest.approx(reference[name], abs=1e-6)


def test_module_tape_matches_an_independent_tape():
    assert tape_gradients() == pytest.approx(independent_tape(DEFAULTS), abs=1e-12)


def test_each_gradient_is_the_product_of_its_listed_local_derivatives():
    result = chain_rule(x=-0.7, w2=2.0)
    for name, chain in result.factors.items():
        assert result.gradients[name] == pytest.approx(np.prod([result.local[factor] for factor in chain]))
    assert result.factors["w1"][-1] == "dz/dw1" and result.local["dz/dw1"] == -0.7


def test_forward_values_follow_the_network():
    result = chain_rule()
    z = DEFAULTS["w1"] * DEFAULTS["x"] + DEFAULTS["b1"]
    assert result.forward["z"] == pytest.approx(z)
    assert result.forward["h"] == pytest.approx(1 / (1 + np.exp(-z)))
    assert result.forward["loss"] == pytest.approx((result.forward["y_hat"] - DEFAULTS["y"]) ** 2)


def test_largest_difference_is_tiny_at_defaults():
    assert largest_difference(chain_rule().gradients, tape_gradients()) < 1e-6


def test_out_of_range_or_unknown_values_are_refused_in_one_line():
    with pytest.raises(ValueError, match="w1"):
        chain_rule(w1=float("nan"))
    with pytest.raises(ValueError, match="Unknown"):
        chain_rule(w3=1.0)
