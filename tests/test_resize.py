"""Why LeNet-5 needs 28 x 28 images: its conv part takes any size, its dense head and a batch do not."""

import numpy as np
import pytest

from lib.keras_views.resize import batch_error, enlarged, why_resize
from tests.conftest import ROOT

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def shipped():
    return keras.saving.load_model(ROOT / "saved_models/shipped/lenet5/model.keras")


@pytest.fixture(scope="module")
def digit():
    image = np.zeros((28, 28), np.uint8)
    image[6:22, 12:16] = 255
    return image


@pytest.fixture(scope="module")
def result(shipped, digit):
    return why_resize(shipped, digit, 64)


def test_the_dense_head_takes_exactly_what_a_28_pixel_digit_leaves(result, shipped):
    assert result["head_inputs"] == result["flat_small"] == shipped.get_layer("dense1").kernel.shape[0]
    assert result["rows"][-1]["small"] == (result["flat_small"],)


def test_conv_part_runs_on_64_pixels_and_leaves_more_values(result):
    pool2 = next(row for row in result["rows"] if row["layer"] == "pool2")
    # conv1 (same) keeps 64, pool 32, conv2 (valid, 5 x 5) 28, pool 14.
    assert pool2["large"] == (14, 14, 16)
    assert result["flat_large"] == int(np.prod(pool2["large"])) > result["head_inputs"]


def test_keras_refuses_the_larger_input_naming_both_sizes(result):
    assert result["dense_error"] is not None
    assert str(result["head_inputs"]) in result["dense_error"]
    assert str(result["flat_large"]) in result["dense_error"]


def test_a_batch_needs_one_shape(digit):
    assert batch_error(digit, enlarged(digit, 64)) is not None
    assert batch_error(digit, digit.copy()) is None


def test_unreasonable_size_is_refused(digit):
    with pytest.raises(ValueError, match="8-512"):
        enlarged(digit, 4000)
