"""Shared fixtures: the repository root, small generated data, and the browser harness."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Keep TensorFlow quiet and single-minded in tests.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def small_mnist_npz(tmp_path) -> Path:
    """A file in the Keras MNIST layout, full shapes, filled with seeded noise."""
    rng = np.random.default_rng(0)
    path = tmp_path / "mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 60000, dtype=np.uint8),
        x_test=rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 10000, dtype=np.uint8),
    )
    return path


@pytest.fixture(scope="module")
def fake_mnist(tmp_path_factory):
    """A file in MNIST's layout (full shapes, so the loader accepts it) with learnable bars for digits."""
    rng = np.random.default_rng(1)
    path = tmp_path_factory.mktemp("mnist") / "mnist.npz"

    def digits(count):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = rng.integers(0, 40, (count, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels):
            image[2 + 2 * label: 4 + 2 * label, 4:24] = 255
        return images, labels

    (x_train, y_train), (x_test, y_test) = digits(60000), digits(10000)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


@pytest.fixture(scope="session")
def ray_cluster():
    """A real local Ray cluster of two CPUs in processes of its own, for the session; stopped after."""
    pytest.importorskip("ray")
    from tests.ray_cluster import LocalRayCluster

    cluster = LocalRayCluster(cpus=2).start()
    yield cluster
    import ray

    if ray.is_initialized():
        ray.shutdown()
    cluster.stop()


@pytest.fixture(scope="session")
def real_mnist_path() -> Path:
    """The real MNIST named by MNIST_PATH; tests that need it skip without it."""
    value = os.environ.get("MNIST_PATH")
    if not value or not Path(value).is_file():
        pytest.skip("needs the real MNIST: set MNIST_PATH to mnist.npz (CI sets it to ../shared/data/mnist.npz)")
    return Path(value)


# The browser harness lives in tests/browser.py; its fixtures are exported here
# so every test module can ask for `app_page`.
from tests.browser import app_page, browser, streamlit_server  # noqa: F401
