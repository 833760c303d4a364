"""Dropout and batch norm read from the cached regularization experiments' models."""

import numpy as np
import pytest

from lib.keras_views.regularizer_views import batch_norm_stages, dropout_draw
from tests.conftest import ROOT, open_app

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def dropout_model():
    return keras.saving.load_model(ROOT / "saved_models/regularizers/dropout/model.keras")


@pytest.fixture(scope="module")
def batch_norm_model():
    return keras.saving.load_model(ROOT / "saved_models/regularizers/batch-norm/model.keras")


@pytest.fixture(scope="module")
def digits():
    # Blurry strokes of random digits: enough to give every layer non-trivial activations.
    rng = np.random.default_rng(0)
    images = np.zeros((64, 28, 28), np.uint8)
    for image in images:
        rows, cols = rng.integers(4, 24, 2)
        image[rows: rows + 12, cols - 2: cols + 2] = 255
        image[rows: rows + 3, cols - 6: cols + 6] = 200
    return images


def test_each_training_press_draws_a_fresh_mask(dropout_model, digits):
    masks = [dropout_draw(dropout_model, digits[0], training=True).dropped for _ in range(5)]
    assert all(not np.array_equal(masks[0], other) for other in masks[1:])


def test_test_time_activations_never_change_and_nothing_is_dropped(dropout_model, digits):
    draws = [dropout_draw(dropout_model, digits[0], training=False) for _ in range(3)]
    for draw in draws:
        assert not draw.dropped.any()
        np.testing.assert_array_equal(draw.output, draws[0].output)
        np.testing.assert_allclose(draw.output, draw.activations)


def test_survivors_are_scaled_by_one_over_keep_probability(dropout_model, digits):
    draw = dropout_draw(dropout_model, digits[1], training=True)
    assert draw.rate == pytest.approx(0.25) and draw.scale == pytest.approx(4 / 3)
    kept = ~draw.dropped
    np.testing.assert_allclose(draw.output[kept], draw.activations[kept] * draw.scale, rtol=1e-5)
    assert not draw.output[draw.dropped].any()
    assert 0.1 < draw.dropped.mean() < 0.45  # about a quarter of the 120 units, zeros included


def test_batch_norm_normalizes_then_applies_gamma_and_beta(batch_norm_model, digits):
    stages = batch_norm_stages(batch_norm_model, digits, "dense1", 5)
    assert abs(stages.normalized.mean()) < 1e-3 and stages.normalized.std() == pytest.approx(1, abs=0.02)
    np.testing.assert_allclose(stages.after, stages.normalized * stages.gamma + stages.beta, rtol=1e-4, atol=1e-4)
    assert stages.before.size == 64


def test_batch_norm_on_a_conv_channel_pools_every_position(batch_norm_model, digits):
    stages = batch_norm_stages(batch_norm_model, digits, "conv1", 2)
    assert stages.before.size == 64 * 28 * 28


def test_showing_batch_norm_leaves_the_model_unchanged(batch_norm_model, digits):
    before = [weight.copy() for weight in batch_norm_model.get_layer("dense1_bn").get_weights()]
    batch_norm_stages(batch_norm_model, digits, "dense1", 0)
    for old, new in zip(before, batch_norm_model.get_layer("dense1_bn").get_weights()):
        np.testing.assert_array_equal(old, new)


def test_a_layer_that_is_not_dropout_is_refused(dropout_model, digits):
    with pytest.raises(ValueError, match="not a Dropout layer"):
        dropout_draw(dropout_model, digits[0], True, dropout="dense2")


def test_gamma_and_beta_are_the_layers_own_per_feature_weights(batch_norm_model, digits):
    from lib.keras_views.regularizer_views import batch_norm_parameters

    layer = batch_norm_model.get_layer("conv2_bn")
    gamma, beta = batch_norm_parameters(batch_norm_model, "conv2")
    np.testing.assert_array_equal(gamma, keras.ops.convert_to_numpy(layer.gamma))
    np.testing.assert_array_equal(beta, keras.ops.convert_to_numpy(layer.beta))
    stages = batch_norm_stages(batch_norm_model, digits, "conv2", 3)
    np.testing.assert_array_equal(stages.gammas, gamma)
    assert stages.gamma == gamma[3] and stages.beta == beta[3]


def test_the_feature_gamma_and_beta_moved_furthest_is_found():
    from lib.engine.models import build_model
    from lib.keras_views.regularizer_views import most_changed_feature

    model = build_model("lenet5", batch_norm=True)
    layer = model.get_layer("dense2_bn")
    gamma, beta, mean, variance = layer.get_weights()
    gamma[7], beta[30] = 1.2, -0.1  # unit 7 moved 0.2 from its start, unit 30 only 0.1
    layer.set_weights([gamma, beta, mean, variance])
    assert most_changed_feature(model, "dense2") == 7


def test_beta_moves_where_the_models_own_relu_cuts(batch_norm_model, digits):
    stages = batch_norm_stages(batch_norm_model, digits, "dense2", 0)
    relu = batch_norm_model.get_layer("dense2_relu")
    assert stages.passed_after == pytest.approx(float((np.asarray(relu(stages.after)) > 0).mean()))
    # A larger beta shifts every value right, so the ReLU passes more of them than of the normalized values.
    larger = batch_norm_stages(batch_norm_model, digits, "dense2", int(np.argmax(stages.betas)))
    assert larger.beta > 0.03 and larger.passed_after > larger.passed_normalized


def used_axes(trace) -> tuple[str, str]:
    # A trace names its axes "x", "x2"...; the layout keys them "xaxis", "xaxis2"...
    return tuple(f"{axis}axis{trace.get(axis + 'axis', axis)[1:]}" for axis in ("x", "y"))


def test_page_charts_have_axis_titles_and_heatmaps_colour_scales(real_mnist_path, tmp_path, monkeypatch):
    import json


    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = open_app("pages/training/regularizers.py", timeout=180)
    assert not app.exception
    charts = [json.loads(element.proto.spec) for element in app.get("plotly_chart")]
    # two dropout strips, dropout placement, the three stages, gamma and beta, normalized against after,
    # the L1/L2 weight histograms and the early stopping curve
    assert len(charts) == 8
    for chart in charts:
        for trace in chart["data"]:
            for axis in used_axes(trace):
                if chart["layout"].get(axis, {}).get("matches"):
                    continue  # a shared axis: the one it matches carries the title
                assert chart["layout"].get(axis, {}).get("title", {}).get("text"), (axis, chart["layout"].get("title"))
            if trace["type"] == "heatmap":
                assert trace.get("showscale", True) and trace["colorbar"]["title"]["text"]


def test_a_subclassed_model_is_read_through_its_stack_like_the_same_functional_one(digits):
    from lib.engine.models import build_model, find_layer, model_layers

    options = dict(dropout=0.25, batch_norm=True)
    subclassed, functional = build_model("lenet5", "subclassed", **options), build_model("lenet5", "functional", **options)
    rng = np.random.default_rng(3)
    for layer in model_layers(subclassed):
        layer.set_weights([rng.normal(0, 0.1, w.shape).astype(np.float32) for w in layer.get_weights()])
        find_layer(functional, layer.name).set_weights(layer.get_weights())
    ours = dropout_draw(subclassed, digits[0], training=False)
    theirs = dropout_draw(functional, digits[0], training=False)
    assert ours.activations.any()
    np.testing.assert_allclose(ours.activations, theirs.activations, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(batch_norm_stages(subclassed, digits, "dense1", 3).before,
                               batch_norm_stages(functional, digits, "dense1", 3).before, rtol=1e-5, atol=1e-6)


def test_a_chosen_rate_drops_about_that_share_and_scales_survivors_by_its_keep_probability(dropout_model, digits):
    from lib.keras_views.regularizer_views import trained_dropout_rate

    assert trained_dropout_rate(dropout_model) == pytest.approx(float(dropout_model.get_layer("dense1_dropout").rate))
    draws = [dropout_draw(dropout_model, digits[1], training=True, rate=0.8) for _ in range(20)]
    assert all(draw.rate == pytest.approx(0.8) and draw.scale == pytest.approx(5.0) for draw in draws)
    share = np.mean([draw.dropped.mean() for draw in draws])
    assert 0.7 < share < 0.9  # 2,400 coin flips at 0.8
    draw = draws[0]
    kept = ~draw.dropped
    np.testing.assert_allclose(draw.output[kept], draw.activations[kept] * 5.0, rtol=1e-5)


def test_rate_zero_drops_nothing(dropout_model, digits):
    draw = dropout_draw(dropout_model, digits[1], training=True, rate=0.0)
    assert not draw.dropped.any()
    np.testing.assert_allclose(draw.output, draw.activations, rtol=1e-6)


def test_a_rate_of_one_is_refused(dropout_model, digits):
    with pytest.raises(ValueError, match="at least 0 and below 1"):
        dropout_draw(dropout_model, digits[1], training=True, rate=1.0)


def test_the_pages_dropout_rate_control_sets_the_rate_it_describes(tmp_path, monkeypatch):


    monkeypatch.setenv("CNN_LAB_RUNS_DIR", str(tmp_path))
    app = open_app("pages/training/regularizers.py", timeout=180)
    assert app.slider(key="regularizers_dropout_rate").value == pytest.approx(0.25)  # the trained rate first
    app.slider(key="regularizers_dropout_rate").set_value(0.5).run()
    assert not app.exception
    text = "\n".join(element.value for element in app.markdown)
    assert "Dropout rate **0.5**" in text and "1 / (1 - 0.5) = **2.000**" in text
