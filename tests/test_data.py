"""Loading MNIST from a file, and every way that file can be wrong."""

import numpy as np
import pytest

from lib.engine.data import MnistUnavailableError, as_model_input, load_mnist


def test_load_mnist_reads_the_file_named_by_mnist_path(small_mnist_npz, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(small_mnist_npz))
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8


def test_real_mnist_has_the_documented_class_counts(real_mnist_path):
    (_, y_train), (_, y_test) = load_mnist(real_mnist_path)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_missing_file_error_names_the_file(tmp_path):
    path = tmp_path / "nowhere.npz"
    with pytest.raises(MnistUnavailableError, match="nowhere.npz.*does not exist"):
        load_mnist(path)


def test_truncated_file_error_names_the_file_and_says_corrupt(small_mnist_npz):
    data = small_mnist_npz.read_bytes()
    small_mnist_npz.write_bytes(data[: len(data) // 2])
    with pytest.raises(MnistUnavailableError, match=r"mnist\.npz is corrupt or truncated"):
        load_mnist(small_mnist_npz)


def test_garbage_file_error_says_corrupt(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"this is not a zip archive at all")
    with pytest.raises(MnistUnavailableError, match="garbage.npz is corrupt"):
        load_mnist(path)


def test_wrong_shape_error_names_the_array_and_both_shapes(tmp_path):
    path = tmp_path / "small.npz"
    np.savez(path, x_train=np.zeros((10, 28, 28), np.uint8), y_train=np.zeros(10, np.uint8),
             x_test=np.zeros((10000, 28, 28), np.uint8), y_test=np.zeros(10000, np.uint8))
    with pytest.raises(MnistUnavailableError, match=r"x_train of shape \(10, 28, 28\); expected \(60000, 28, 28\)"):
        load_mnist(path)


def test_missing_array_error_lists_what_is_missing(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, x_train=np.zeros((60000, 28, 28), np.uint8))
    with pytest.raises(MnistUnavailableError, match="lacks the arrays y_train, x_test, y_test"):
        load_mnist(path)


def test_as_model_input_adds_batch_and_channel_axes_and_keeps_pixel_values():
    image = np.full((28, 28), 255, np.uint8)
    batch = as_model_input(image)
    assert batch.shape == (1, 28, 28, 1) and batch.dtype == np.float32
    assert batch.max() == 255.0


def test_as_model_input_refuses_other_sizes():
    with pytest.raises(ValueError, match=r"got \(32, 32\)"):
        as_model_input(np.zeros((32, 32)))
