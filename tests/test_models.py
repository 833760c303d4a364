"""The book's networks: layer order, parameter counts, options and round trips."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lib.engine.batch_norm import start_share
from lib.engine.config import KERAS_BATCH_NORM_MOMENTUM
from lib.engine.models import STYLES, SubclassedNet, build_model


def batch_norm_layers(model) -> list:
    stack = model.stack if isinstance(model, SubclassedNet) else model.layers
    return [layer for layer in stack if isinstance(layer, keras.layers.BatchNormalization)]


@pytest.mark.parametrize("style", STYLES)
def test_lenet5_has_61706_parameters_in_every_style(style):
    assert build_model("lenet5", style).count_params() == 61_706


@pytest.mark.parametrize("style", STYLES)
def test_dense_baseline_has_101770_parameters_in_every_style(style):
    assert build_model("dense", style).count_params() == 101_770


def test_lenet5_layers_follow_the_book():
    model = build_model("lenet5", "sequential")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Rescaling", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                     "Flatten", "Dense", "Dense", "Dense"]
    conv1, conv2 = model.get_layer("conv1"), model.get_layer("conv2")
    assert (conv1.filters, conv1.kernel_size, conv1.padding) == (6, (5, 5), "same")
    assert (conv2.filters, conv2.kernel_size, conv2.padding) == (16, (5, 5), "valid")
    assert model.output_shape == (None, 10)


def test_models_scale_raw_pixels_themselves():
    model = build_model("lenet5", "functional")
    assert model.get_layer("scale").scale == pytest.approx(1 / 255)


def test_batch_norm_sits_between_the_linear_layer_and_its_relu():
    names = [layer.name for layer in build_model("lenet5", "sequential", batch_norm=True).layers]
    index = names.index("conv1")
    assert names[index:index + 3] == ["conv1", "conv1_bn", "conv1_relu"]
    assert build_model("lenet5", "sequential", batch_norm=True).get_layer("conv1").activation.__name__ == "linear"


def test_dropout_follows_each_conv_block_and_the_first_dense_layer():
    names = [layer.name for layer in build_model("lenet5", "sequential", dropout=0.25).layers]
    assert names.index("conv1_dropout") == names.index("pool1") + 1
    assert names.index("conv2_dropout") == names.index("pool2") + 1
    assert names.index("dense1_dropout") == names.index("dense1") + 1


def test_l1_and_l2_regularize_every_kernel():
    model = build_model("lenet5", "sequential", l1=0.01, l2=0.02)
    regularized = [layer for layer in model.layers if getattr(layer, "kernel_regularizer", None)]
    assert len(regularized) == 5
    config = regularized[0].kernel_regularizer.get_config()
    assert config["l1"] == pytest.approx(0.01) and config["l2"] == pytest.approx(0.02)


@pytest.mark.parametrize("bad, message", [
    (dict(dropout=1.0), "dropout must be in"),
    (dict(l1=-0.1), "l1 must be >= 0"),
    (dict(style="graph"), "style must be one of"),
    (dict(architecture="vgg"), "architecture must be one of"),
])
def test_bad_options_raise_a_value_error_naming_the_option(bad, message):
    arguments = {"architecture": "lenet5", "style": "sequential", **bad}
    with pytest.raises(ValueError, match=message):
        build_model(**arguments)


@pytest.mark.parametrize("style", STYLES)
def test_saved_model_loads_in_safe_mode_and_predicts_the_same(style, tmp_path):
    model = build_model("lenet5", style, dropout=0.25, batch_norm=True, l2=0.01)
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28, 1)).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode stays on
    np.testing.assert_allclose(loaded(images), model(images), rtol=1e-5, atol=1e-6)
    assert loaded.count_params() == model.count_params()


@pytest.mark.parametrize("architecture, count", [("lenet5", 4), ("dense", 1)])
@pytest.mark.parametrize("style", STYLES)
def test_every_batch_norm_layer_gets_the_momentum_asked_for(architecture, count, style):
    model = build_model(architecture, style, batch_norm=True, batch_norm_momentum=0.9)
    momenta = [layer.momentum for layer in batch_norm_layers(model)]
    assert momenta == pytest.approx([0.9] * count)


def test_the_default_momentum_is_keras_own():
    assert keras.layers.BatchNormalization().momentum == pytest.approx(KERAS_BATCH_NORM_MOMENTUM)
    (layer,) = batch_norm_layers(build_model("dense", "sequential", batch_norm=True))
    assert layer.momentum == pytest.approx(KERAS_BATCH_NORM_MOMENTUM)


def test_a_momentum_of_one_is_refused():
    with pytest.raises(ValueError, match="batch_norm_momentum must be in"):
        build_model("lenet5", batch_norm=True, batch_norm_momentum=1.0)


def test_a_subclassed_model_saved_before_the_momentum_option_loads_with_keras_default():
    old_config = {"name": "lenet5_subclassed", "trainable": True, "architecture": "lenet5", "l1": 0.0, "l2": 0.0,
                  "dropout": 0.0, "batch_norm": True}
    model = SubclassedNet.from_config(old_config)
    assert [layer.momentum for layer in batch_norm_layers(model)] == pytest.approx([0.99] * 4)


def test_a_saved_subclassed_model_keeps_its_momentum(tmp_path):
    build_model("lenet5", "subclassed", batch_norm=True, batch_norm_momentum=0.9).save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    assert [layer.momentum for layer in batch_norm_layers(loaded)] == pytest.approx([0.9] * 4)


@pytest.mark.parametrize("momentum, steps", [(0.99, 141), (0.9, 47), (0.5, 3)])
def test_start_share_is_what_keras_moving_mean_keeps_of_its_start(momentum, steps):
    # Every batch has mean 5: Keras's moving mean climbs from 0 towards 5, and what it still lacks is the share
    # its start of 0 keeps.
    layer = keras.layers.BatchNormalization(momentum=momentum)
    batch = np.random.default_rng(0).normal(5.0, 1.0, (64, 3)).astype("float32")
    batch += 5.0 - batch.mean(axis=0)
    for _ in range(steps):
        layer(batch, training=True)
    moving_mean = keras.ops.convert_to_numpy(layer.moving_mean)
    np.testing.assert_allclose(1 - moving_mean / 5.0, start_share(momentum, steps), rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("style", STYLES)
def test_model_layers_are_the_shared_list_in_order_without_the_input_layer(style):
    from lib.engine.models import lenet5_layers, model_layers

    names = [layer.name for layer in model_layers(build_model("lenet5", style, dropout=0.2, batch_norm=True))]
    assert names == [layer.name for layer in lenet5_layers(dropout=0.2, batch_norm=True)]
    assert names[0] == "scale" and names[-1] == "output"


def test_a_subclassed_model_is_read_through_its_stack():
    from lib.engine.models import model_layers

    model = build_model("dense", "subclassed")
    assert isinstance(model, SubclassedNet) and model_layers(model) == list(model.stack)


@pytest.mark.parametrize("style", STYLES)
def test_find_layer_returns_the_layer_holding_the_weights(style):
    from lib.engine.models import find_layer

    model = build_model("lenet5", style)
    conv1 = find_layer(model, "conv1")
    assert conv1.name == "conv1" and conv1.get_weights()[0].shape == (5, 5, 1, 6)


@pytest.mark.parametrize("style", STYLES)
def test_find_layer_names_the_layers_a_model_has_when_one_is_missing(style):
    from lib.engine.models import find_layer

    with pytest.raises(ValueError, match="no layer 'conv7'; it has scale, flatten, dense1, output"):
        find_layer(build_model("dense", style), "conv7")


@pytest.mark.parametrize("style", STYLES)
def test_summary_rows_are_the_same_in_every_style(style):
    from lib.engine.models import summary_rows

    rows = summary_rows(build_model("lenet5", style))
    assert [row["layer"] for row in rows][:2] == ["scale", "conv1"]
    assert sum(row["parameters"] for row in rows) == 61706


@pytest.mark.parametrize("architecture", ["lenet5", "dense"])
@pytest.mark.parametrize("style", STYLES)
def test_a_model_has_one_output_per_class(architecture, style):
    model = build_model(architecture, style, num_classes=4)
    assert model(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 4)
    assert model.count_params() == build_model(architecture, style).count_params() - 6 * (84 if architecture ==
                                                                                          "lenet5" else 128) - 6


def test_a_saved_subclassed_model_keeps_its_number_of_classes_and_old_ones_have_ten(tmp_path):
    build_model("lenet5", "subclassed", num_classes=3).save(tmp_path / "model.keras")
    assert keras.saving.load_model(tmp_path / "model.keras")(np.zeros((1, 28, 28, 1), np.float32)).shape == (1, 3)
    old_config = {"name": "lenet5_subclassed", "trainable": True, "architecture": "lenet5", "l1": 0.0, "l2": 0.0,
                  "dropout": 0.0, "batch_norm": False}
    assert SubclassedNet.from_config(old_config).stack[-1].units == 10


@pytest.mark.parametrize("bad", [1, 0, 2.5, True])
def test_fewer_than_two_classes_are_refused(bad):
    with pytest.raises(ValueError, match="num_classes must be a whole number of at least 2"):
        build_model("lenet5", num_classes=bad)


@pytest.mark.parametrize("architecture", ["lenet5", "dense"])
def test_the_widths_pages_read_are_those_of_the_built_model(architecture):
    from lib.engine.architectures import input_depths, layer_widths

    model = build_model(architecture)
    built = {layer.name: getattr(layer, "filters", None) or layer.units for layer in model.layers
             if layer.name in layer_widths(architecture)}
    assert built == layer_widths(architecture)
    kernels = {layer.name: layer.kernel.shape[2] for layer in model.layers if layer.name.startswith("conv")}
    assert kernels == input_depths(architecture)
