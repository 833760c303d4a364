"""Receptive fields read from a model's layers, checked against TensorFlow's gradients.

On a copy of the model with positive weights, no ReLU and average instead of
max pooling, every input pixel a unit depends on has a positive gradient, and
no other pixel has one: the pixels with a nonzero gradient are the field.
"""

import numpy as np
import pytest

from lib.explore.receptive import field_steps, input_region, output_size, receptive_field_size
from tests.conftest import ROOT

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
from keras import layers

from lib.engine.models import INPUT_SHAPE, model_layers


def net(model) -> tuple[list, tuple[int, int]]:
    """What the receptive-field functions read: the model's layers and its input's height and width."""
    try:
        size = tuple(model.inputs[0].shape[1:3])
    except (AttributeError, IndexError, TypeError, ValueError):  # a subclassed model has no symbolic input
        size = INPUT_SHAPE[:2]
    return model_layers(model), size


def linear_positive_copy(model) -> keras.Model:
    """The same geometry with positive weights, no activations and average pooling."""
    rng = np.random.default_rng(0)
    copy = [keras.Input(shape=model.inputs[0].shape[1:])]
    for layer in model.layers:
        config = layer.get_config()
        if isinstance(layer, layers.Conv2D):
            new = layers.Conv2D(config["filters"], config["kernel_size"], strides=config["strides"],
                                padding=config["padding"], dilation_rate=config["dilation_rate"])
        elif isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
            new = layers.AveragePooling2D(config["pool_size"], strides=config["strides"], padding=config["padding"])
        elif isinstance(layer, (layers.Flatten, layers.Dense, layers.Dropout)):
            break
        else:
            continue  # rescaling, activations, batch norm: pointwise, no change to the field
        copy.append(new)
    linear = keras.Sequential(copy)
    for layer in linear.layers:
        if layer.weights:
            layer.set_weights([rng.uniform(0.1, 1.0, w.shape).astype(np.float32) for w in layer.get_weights()])
    return linear


def gradient_box(model, layer_name, row, col):
    """The bounding box of input pixels with a nonzero gradient of unit (row, col, 0), and the nonzero mask."""
    linear = linear_positive_copy(model)
    spatial = [layer.name for layer in model.layers if isinstance(layer, (layers.Conv2D, layers.MaxPooling2D,
                                                                        layers.AveragePooling2D))]
    index = spatial.index(layer_name)
    probe = keras.Model(linear.inputs, linear.layers[index].output)
    image = tf.Variable(np.ones((1, *model.inputs[0].shape[1:]), np.float32))
    with tf.GradientTape() as tape:
        unit = probe(image)[0, row, col, 0]
    mask = np.abs(tape.gradient(unit, image).numpy()[0].sum(axis=-1)) > 0
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (rows[0], cols[0], rows[-1] + 1, cols[-1] + 1), mask


def _units(model, layer_name, rng, count=6):
    height, width = output_size(*net(model), layer_name)
    corners = [(0, 0), (height - 1, width - 1), (0, width - 1), (height // 2, width // 2)]
    return corners + [(int(rng.integers(height)), int(rng.integers(width))) for _ in range(count - len(corners))]


@pytest.fixture(scope="module")
def lenet5():
    return keras.saving.load_model(ROOT / "saved_models/shipped/lenet5/model.keras")


def test_lenet5_receptive_field_sizes_are_5_6_14_16(lenet5):
    sizes = [receptive_field_size(*net(lenet5), name) for name in ("conv1", "pool1", "conv2", "pool2")]
    assert sizes == [5, 6, 14, 16]
    assert [(step.size, step.jump) for step in field_steps(*net(lenet5), "pool2")] == [(5, 1), (6, 2), (14, 2), (16, 4)]


@pytest.mark.parametrize("layer_name", ["conv1", "pool1", "conv2", "pool2"])
def test_lenet5_regions_match_gradients(lenet5, layer_name):
    rng = np.random.default_rng(1)
    for row, col in _units(lenet5, layer_name, rng):
        box, mask = gradient_box(lenet5, layer_name, row, col)
        region = input_region(*net(lenet5), layer_name, row, col)
        assert region == box, (layer_name, row, col)
        top, left, bottom, right = region
        assert mask[top:bottom, left:right].all() and mask.sum() == (bottom - top) * (right - left)


def test_pool2_unit_in_the_middle_sees_16_by_16(lenet5):
    top, left, bottom, right = input_region(*net(lenet5), "pool2", 2, 2)
    assert (bottom - top, right - left) == (16, 16)


def _random_model(rng):
    stack = [keras.Input(shape=(int(rng.integers(20, 40)), int(rng.integers(20, 40)), 1))]
    for index in range(int(rng.integers(2, 5))):
        padding = str(rng.choice(["valid", "same"]))
        if rng.random() < 0.6:
            k, stride = int(rng.integers(1, 6)), int(rng.integers(1, 3))
            dilation = int(rng.integers(1, 3)) if stride == 1 else 1
            stack.append(layers.Conv2D(2, k, strides=stride, padding=padding, dilation_rate=dilation,
                                       activation="relu", name=f"conv{index}"))
        else:
            pool = int(rng.integers(2, 4))
            stride = int(rng.integers(1, pool + 1))
            stack.append(layers.MaxPooling2D(pool, strides=stride, padding=padding, name=f"pool{index}"))
    return keras.Sequential(stack)


def test_random_models_regions_bound_the_gradients():
    rng = np.random.default_rng(7)
    checked = 0
    while checked < 12:
        model = _random_model(rng)
        try:
            names = [layer.name for layer in model.layers]
            last = names[-1]
            if 0 in output_size(*net(model), last):
                continue
        except ValueError:
            continue
        for row, col in _units(model, last, rng, count=4):
            box, _ = gradient_box(model, last, row, col)
            assert input_region(*net(model), last, row, col) == box, (model.get_config(), row, col)
        checked += 1


def test_layer_after_flatten_has_no_spatial_units(lenet5):
    with pytest.raises(ValueError, match="no spatial units.*conv1, pool1, conv2, pool2"):
        input_region(*net(lenet5), "dense1", 0, 0)


def test_unknown_layer_and_outside_unit_are_refused(lenet5):
    with pytest.raises(ValueError, match="no layer 'conv7'"):
        receptive_field_size(*net(lenet5), "conv7")
    with pytest.raises(ValueError, match="outside pool2's 5 x 5"):
        input_region(*net(lenet5), "pool2", 5, 0)


def test_subclassed_and_functional_models_give_the_same_fields():
    from lib.engine.models import build_model

    regions = {style: input_region(*net(build_model("lenet5", style)), "conv2", 3, 4)
               for style in ("sequential", "functional", "subclassed")}
    assert len(set(regions.values())) == 1
