"""A whole conv layer in numpy against Keras's Conv2D, and the Conv layer page's weights and proof."""

import numpy as np
import pytest

from lib.explore.conv_layer import conv_layer, conv_layer_parameters, conv_layer_step
from lib.explore.kernels import preset
from lib.explore.ops import conv2d
from lib.keras_views.layer_weights import learned_weights, preset_kernels, prove, random_weights

keras = pytest.importorskip("keras")


def _keras_layer(volume, kernels, biases, stride, padding, dilation, activation):
    """What Keras computes: explicit padding as a ZeroPadding2D in front of a valid Conv2D."""
    batch = volume[np.newaxis].astype(np.float32)
    if not isinstance(padding, str):
        batch = keras.layers.ZeroPadding2D(padding)(batch)
        padding = "valid"
    layer = keras.layers.Conv2D(kernels.shape[3], kernels.shape[:2], strides=stride, padding=padding,
                                dilation_rate=dilation, activation=activation, use_bias=biases is not None)
    layer.build(batch.shape)
    layer.set_weights([kernels.astype(np.float32)] + ([biases.astype(np.float32)] if biases is not None else []))
    return np.asarray(layer(batch))[0]


def _random_layers(count, seed):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        channels, kernels_count, k = int(rng.integers(1, 4)), int(rng.integers(1, 9)), int(rng.integers(1, 6))
        # Keras's Conv2D refuses strides > 1 together with dilation > 1.
        if rng.random() < 0.5:
            stride, dilation = int(rng.integers(1, 4)), 1
        else:
            stride, dilation = 1, int(rng.integers(1, 4))
        padding = rng.choice(["valid", "same", "explicit"])
        padding = int(rng.integers(0, 4)) if padding == "explicit" else str(padding)
        h, w = (int(v) for v in rng.integers(dilation * (k - 1) + 1, 24, size=2))
        volume = rng.normal(size=(h, w, channels)) * 50
        kernels = rng.normal(size=(k, k, channels, kernels_count))
        biases = rng.normal(size=kernels_count) if rng.random() < 0.7 else None
        activation = "relu" if rng.random() < 0.5 else None
        yield volume, kernels, biases, stride, padding, dilation, activation


def test_conv_layer_matches_keras_conv2d_on_random_layers():
    checked = 0
    for volume, kernels, biases, stride, padding, dilation, activation in _random_layers(120, seed=11):
        expected = _keras_layer(volume, kernels, biases, stride, padding, dilation, activation)
        actual = conv_layer(volume, kernels, biases, stride, padding, dilation, activation)
        case = (volume.shape, kernels.shape, stride, padding, dilation, activation)
        assert actual.shape == expected.shape, case
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-3, err_msg=str(case))
        checked += 1
    assert checked == 120


def test_conv_layer_with_stride_and_dilation_subsamples_the_dilated_output():
    rng = np.random.default_rng(3)
    volume, kernels = rng.normal(size=(20, 17, 2)), rng.normal(size=(3, 3, 2, 4))
    full = conv_layer(volume, kernels, dilation=2)
    np.testing.assert_allclose(conv_layer(volume, kernels, stride=3, dilation=2), full[::3, ::3])


def test_gray_volume_is_one_channel():
    rng = np.random.default_rng(4)
    image, kernels = rng.normal(size=(9, 9)), rng.normal(size=(3, 3, 1, 2))
    np.testing.assert_allclose(conv_layer(image, kernels), conv_layer(image[:, :, None], kernels))


def test_each_output_map_is_the_sum_of_channel_convolutions_plus_bias():
    rng = np.random.default_rng(5)
    volume, kernels, biases = rng.normal(size=(10, 11, 3)), rng.normal(size=(3, 3, 3, 2)), np.array([0.5, -2.0])
    maps = conv_layer(volume, kernels, biases, padding="same")
    for n in range(2):
        np.testing.assert_allclose(maps[:, :, n], conv2d(volume, kernels[:, :, :, n], padding="same") + biases[n])


def test_channel_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3, 3, 2, 4\).*\(8, 8, 3\)"):
        conv_layer(np.zeros((8, 8, 3)), np.zeros((3, 3, 2, 4)))


def test_bias_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="biases must be"):
        conv_layer(np.zeros((8, 8)), np.zeros((3, 3, 1, 4)), biases=np.zeros(3))


@pytest.mark.parametrize("where", ["volume", "kernels", "biases"])
def test_non_finite_values_are_refused(where):
    arrays = {"volume": np.zeros((6, 6, 1)), "kernels": np.zeros((3, 3, 1, 2)), "biases": np.zeros(2)}
    arrays[where].flat[0] = np.nan
    with pytest.raises(ValueError, match=f"{where} holds 1 non-finite"):
        conv_layer(arrays["volume"], arrays["kernels"], arrays["biases"])


def test_unknown_activation_is_refused():
    with pytest.raises(ValueError, match="activation"):
        conv_layer(np.zeros((6, 6)), np.zeros((3, 3, 1, 1)), activation="tanh")


def test_unit_step_adds_channel_sums_and_bias_then_relu():
    rng = np.random.default_rng(6)
    volume, kernels, biases = rng.normal(size=(12, 12, 3)), rng.normal(size=(5, 5, 3, 4)), rng.normal(size=4)
    maps = conv_layer(volume, kernels, biases, stride=2, padding="same", activation="relu")
    for row, col, n in [(0, 0, 0), (3, 5, 2), (5, 5, 3)]:
        step = conv_layer_step(volume, kernels, biases, row, col, n, stride=2, padding="same", activation="relu")
        assert step.channel_sums.shape == (3,)
        assert step.pre_activation == pytest.approx(step.channel_sums.sum() + biases[n])
        assert step.value == pytest.approx(maps[row, col, n])


def test_parameter_count_is_n_times_dkk_plus_one():
    assert conv_layer_parameters(5, 1, 6) == 156  # LeNet-5's conv1
    assert conv_layer_parameters(5, 6, 16) == 2416  # and conv2
    layer = keras.layers.Conv2D(7, 3)
    layer.build((None, 40, 30, 4))
    assert conv_layer_parameters(3, 4, 7) == layer.count_params()


def test_preset_kernels_put_each_preset_on_the_chosen_channels():
    kernels = preset_kernels(["sobel_x", "box_blur"], [[0, 2], [1]], 3, 3)
    assert kernels.shape == (3, 3, 3, 2)
    np.testing.assert_allclose(kernels[:, :, 0, 0], preset("sobel_x", 3))
    assert not kernels[:, :, 1, 0].any() and not kernels[:, :, 0, 1].any()


def test_preset_kernels_refuse_a_channel_the_input_lacks():
    with pytest.raises(ValueError, match="input channel 3"):
        preset_kernels(["box_blur"], [[3]], 3, 3)


def test_random_weights_follow_the_seed_and_glorot_limits():
    first, biases = random_weights(5, 3, 8, seed=1)
    again, _ = random_weights(5, 3, 8, seed=1)
    other, _ = random_weights(5, 3, 8, seed=2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert first.shape == (5, 5, 3, 8) and biases.shape == (8,)
    assert np.abs(first).max() <= np.sqrt(6 / (75 + 200))


@pytest.mark.parametrize("padding", ["valid", "same", 2])
def test_proof_finds_numpy_book_layer_and_keras_agree(padding):
    kernels, biases = random_weights(3, 3, 4, seed=0)
    volume = np.random.default_rng(0).uniform(0, 255, (20, 15, 3))
    proof = prove(volume, kernels, biases, stride=2, padding=padding, activation="relu")
    assert proof.numpy_vs_book < 1e-3 and proof.numpy_vs_keras < 1e-3
    assert proof.largest_value > 1


def test_book_layer_is_tf_nn_conv2d_plus_bias():
    from lib.engine.models import SimpleConvolutionLayer

    layer = SimpleConvolutionLayer(num_kernels=3, kernel_size=(3, 3), stride=1)
    volume = np.random.default_rng(1).normal(size=(1, 8, 8, 2)).astype(np.float32)
    output = np.asarray(layer(volume))
    kernels, bias = (weight.numpy() for weight in layer.weights)
    assert output.shape == (1, 6, 6, 3) and layer.count_params() == 3 * (2 * 9 + 1)
    np.testing.assert_allclose(output[0], conv_layer(volume[0], kernels, bias), rtol=1e-4, atol=1e-4)


def test_learned_weights_of_shipped_lenet5_have_keras_layout():
    from tests.conftest import ROOT

    model = keras.saving.load_model(ROOT / "saved_models/shipped/lenet5/model.keras")
    kernels, biases = learned_weights(model, "conv2")
    assert kernels.shape == (5, 5, 6, 16) and biases.shape == (16,)
    with pytest.raises(ValueError, match="no layer"):
        learned_weights(model, "conv9")
