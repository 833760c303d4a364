"""lib.explore.ops against TensorFlow itself, on a seeded sweep of random cases."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lib.explore.ops import (
    conv2d,
    conv_output_size,
    conv_step,
    padding_amounts,
    pool2d,
    pool_step,
    uncovered_inputs,
)

tf = pytest.importorskip("tensorflow")


def _conv_cases(count=240, seed=7):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        channels = int(rng.choice([1, 3]))
        kh, kw = (int(v) for v in rng.integers(1, 8, size=2))
        stride = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        dilation = int(rng.integers(1, 4))
        padding = rng.choice(["valid", "same", "explicit"])
        padding = int(rng.integers(0, 4)) if padding == "explicit" else str(padding)
        h, w = (int(v) for v in rng.integers(dilation * (max(kh, kw) - 1) + 1, 30, size=2))
        image = rng.normal(size=(h, w, channels))
        kernel = rng.normal(size=(kh, kw, channels))
        yield image, kernel, stride, padding, dilation


def _tf_padding(padding):
    if isinstance(padding, str):
        return padding.upper()
    return [[0, 0], [padding, padding], [padding, padding], [0, 0]]


def test_conv2d_matches_tf_nn_conv2d_on_random_cases():
    checked = 0
    for image, kernel, stride, padding, dilation in _conv_cases():
        expected = tf.nn.conv2d(image[None], kernel[..., None], strides=stride, padding=_tf_padding(padding),
                                dilations=dilation).numpy()[0, :, :, 0]
        actual = conv2d(image, kernel, stride, padding, dilation)
        assert actual.shape == expected.shape, (image.shape, kernel.shape, stride, padding, dilation)
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-4)
        checked += 1
    assert checked == 240


def test_conv2d_on_gray_image_with_2d_kernel_matches_tensorflow():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(17, 12)), rng.normal(size=(4, 4))
    expected = tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], strides=3, padding="SAME").numpy()
    np.testing.assert_allclose(conv2d(image, kernel, 3, "same"), expected[0, :, :, 0], rtol=1e-5, atol=1e-5)


def test_same_padding_puts_extra_row_at_bottom():
    # n=6, k=2, s=1: one padded row in all, and TensorFlow puts it after.
    assert padding_amounts(6, 2, 1, "same") == (0, 1)
    assert padding_amounts(7, 4, 2, "same") == (1, 2)


def test_output_size_formula_handles_strides_that_do_not_divide():
    assert conv_output_size(7, 3, 2, "valid") == 3
    assert conv_output_size(7, 3, 2, "same") == 4
    assert conv_output_size(7, 3, 2, 1) == 4
    assert conv_output_size(7, 3, 1, "valid", dilation=3) == 1
    assert conv_output_size(4, 5, 1, "valid") == 0


def test_kernel_larger_than_padded_image_gives_an_empty_output():
    assert conv2d(np.ones((3, 3)), np.ones((5, 5))).shape == (0, 0)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_matches_tf_nn_pool_on_random_cases(mode):
    rng = np.random.default_rng(11)
    for _ in range(120):
        channels = int(rng.choice([1, 3]))
        size = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
        stride = (int(rng.integers(1, size[0] + 1)), int(rng.integers(1, size[1] + 1)))
        padding = str(rng.choice(["valid", "same"]))
        image = rng.normal(size=(int(rng.integers(max(size), 25)), int(rng.integers(max(size), 25)), channels))
        expected = tf.nn.pool(image[None], size, mode.upper(), strides=stride, padding=padding.upper()).numpy()[0]
        actual = pool2d(image, size, stride, padding, mode)
        assert actual.shape == expected.shape
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_pool2d_stride_defaults_to_pool_size():
    image = np.arange(36.0).reshape(6, 6)
    assert pool2d(image, 2).shape == (3, 3)
    assert pool2d(image, 2)[0, 0] == 7.0


def test_same_average_pooling_ignores_padded_cells():
    image = np.full((3, 3), 4.0)
    assert np.all(pool2d(image, 2, 2, "same", "avg") == 4.0)


def _tf_pool2d(image, size, stride, padding, mode):
    # tf.nn.max_pool2d and avg_pool2d (what MaxPooling2D and AveragePooling2D call) accept any stride;
    # the generic tf.nn.pool refuses a stride larger than the window.
    pool = tf.nn.max_pool2d if mode == "max" else tf.nn.avg_pool2d
    return pool(image[None], size, strides=stride, padding=padding.upper()).numpy()[0]


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_matches_tensorflow_with_strides_larger_than_the_window(mode):
    rng = np.random.default_rng(12)
    for _ in range(120):
        channels = int(rng.choice([1, 3]))
        size = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        stride = (int(rng.integers(size[0] + 1, size[0] + 5)), int(rng.integers(1, size[1] + 5)))
        padding = str(rng.choice(["valid", "same"]))
        image = rng.normal(size=(int(rng.integers(max(size), 25)), int(rng.integers(max(size), 25)), channels))
        expected = _tf_pool2d(image, size, stride, padding, mode)
        actual = pool2d(image, size, stride, padding, mode)
        assert actual.shape == expected.shape
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_keras_max_pooling_layer_takes_a_stride_larger_than_its_window():
    keras = pytest.importorskip("keras")
    image = np.random.default_rng(5).normal(size=(11, 13, 1)).astype(np.float32)
    layer = keras.layers.MaxPooling2D(2, strides=3)
    np.testing.assert_allclose(pool2d(image, 2, 3), layer(image[None]).numpy()[0], rtol=1e-6)


def test_uncovered_inputs_are_exactly_those_pooling_gives_no_gradient():
    # Average pooling passes a positive gradient to every input a window reads, and none to the others.
    rng = np.random.default_rng(13)
    for _ in range(80):
        size = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        stride = (int(rng.integers(1, size[0] + 4)), int(rng.integers(1, size[1] + 4)))
        padding = str(rng.choice(["valid", "same"]))
        shape = (int(rng.integers(max(size), 20)), int(rng.integers(max(size), 20)))
        image = tf.Variable(rng.normal(size=(1, *shape, 1)))
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(tf.nn.avg_pool2d(image, size, strides=stride, padding=padding.upper()))
        untouched = tape.gradient(total, image).numpy()[0, :, :, 0] == 0
        np.testing.assert_array_equal(uncovered_inputs(shape, size, stride, padding), untouched)


def test_a_stride_no_larger_than_the_window_in_same_mode_leaves_no_input_out():
    assert not uncovered_inputs((9, 7), 3, 2, "same").any()
    # rows 0, 1, 3, 4, 6, 7 and columns 0, 1, 3, 4, 6 are read (six rows, five columns)
    assert uncovered_inputs((9, 7), 2, 3, "same").sum() == 9 * 7 - 6 * 5


def test_conv_step_sum_equals_the_convolution_output():
    rng = np.random.default_rng(3)
    image, kernel = rng.normal(size=(9, 10)), rng.normal(size=(3, 3))
    output = conv2d(image, kernel, 2, "same", 2)
    for y, x in [(0, 0), (2, 3), (output.shape[0] - 1, output.shape[1] - 1)]:
        step = conv_step(image, kernel, y, x, 2, "same", 2)
        assert step.value == pytest.approx(output[y, x])
        assert step.products.shape == (3, 3, 1)


def test_pool_step_value_equals_the_pooling_output():
    rng = np.random.default_rng(4)
    image = rng.normal(size=(7, 7))
    for mode in ("max", "avg"):
        output = pool2d(image, 3, 2, "same", mode)
        assert pool_step(image, 3, 3, 3, 2, "same", mode).value == pytest.approx(output[3, 3])


@pytest.mark.parametrize("bad", [dict(stride=0), dict(padding="full"), dict(padding=-1), dict(dilation=1.5)])
def test_bad_arguments_raise_value_error(bad):
    arguments = {"stride": 1, "padding": "valid", "dilation": 1, **bad}
    with pytest.raises(ValueError):
        conv2d(np.ones((5, 5)), np.ones((3, 3)), **arguments)


# Properties over small random geometries: the shape each op returns is the one conv_output_size promises,
# and the one TensorFlow gives. Few examples, since each calls TensorFlow.
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None)


@st.composite
def _conv_geometry(draw):
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dilation = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2, 3]))
    h, w = draw(st.integers(1, 16)), draw(st.integers(1, 16))
    stride = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    return h, w, kh, kw, stride, padding, dilation


@PROPERTY_SETTINGS
@given(_conv_geometry(), st.sampled_from([1, 3]))
def test_conv2d_output_shape_is_conv_output_size_and_tensorflows(geometry, channels):
    h, w, kh, kw, stride, padding, dilation = geometry
    expected = (conv_output_size(h, kh, stride[0], padding, dilation), conv_output_size(w, kw, stride[1], padding, dilation))
    image, kernel = np.ones((h, w, channels)), np.ones((kh, kw, channels))
    assert conv2d(image, kernel, stride, padding, dilation).shape == expected
    # TensorFlow refuses a kernel that does not fit rather than return an empty map; compare where it fits.
    assume(0 not in expected)
    found = tf.nn.conv2d(image[None], kernel[..., None], strides=stride, padding=_tf_padding(padding),
                         dilations=dilation).shape[1:3]
    assert tuple(found) == expected


@PROPERTY_SETTINGS
@given(st.integers(1, 16), st.integers(1, 16), st.integers(1, 5), st.sampled_from(["valid", "same"]),
       st.sampled_from(["max", "avg"]), st.data())
def test_pool2d_output_shape_is_conv_output_size_and_tensorflows(h, w, size, padding, mode, data):
    stride = data.draw(st.integers(1, size + 3), label="stride")
    expected = (conv_output_size(h, size, stride, padding), conv_output_size(w, size, stride, padding))
    image = np.arange(h * w, dtype=np.float64).reshape(h, w, 1)
    assert pool2d(image, size, stride, padding, mode).shape[:2] == expected
    assume(0 not in expected)
    found = _tf_pool2d(image, (size, size), (stride, stride), padding, mode).shape[:2]
    assert tuple(found) == expected
