"""Why CNNs: shifted digits, read by the shipped LeNet-5 and the dense baseline, and the caption of their chart."""

import json
import os
from itertools import pairwise

import numpy as np
import pytest
from scipy import ndimage

from lib.explore.why_cnns import accuracy_under_shift, shift_caption, shift_images
from tests.conftest import ROOT, open_app

SHIPPED = ROOT / "saved_models/shipped/lenet5"
DENSE = ROOT / "saved_models/baseline/dense-sgd"
SHIFTS = tuple(range(7))


@pytest.mark.parametrize("rows, cols", [(0, 0), (0, 3), (0, -2), (4, 0), (-5, 0), (2, -6), (-27, 1)])
def test_shift_images_moves_pixels_like_scipy_and_fills_with_black(rows, cols):
    images = np.random.default_rng(abs(rows * 31 + cols)).integers(1, 256, (3, 28, 28), dtype=np.uint8)
    expected = ndimage.shift(images, (0, rows, cols), order=0, mode="constant", cval=0)
    np.testing.assert_array_equal(shift_images(images, rows, cols), expected)


def test_a_shift_out_of_the_frame_is_refused():
    with pytest.raises(ValueError, match="out of its frame"):
        shift_images(np.zeros((1, 28, 28)), 0, 28)


class BrightPixelReader:
    """Reads class 1 when pixel (14, 14) or (14, 15) is bright, class 0 otherwise."""

    def predict_proba(self, images):
        bright = (images[:, 14, 14] > 0) | (images[:, 14, 15] > 0)
        return np.stack([~bright, bright], axis=1).astype(float)


def test_accuracy_at_a_shift_is_the_mean_over_right_left_down_and_up():
    images = np.zeros((2, 28, 28), np.uint8)
    images[:, 14, 14] = 255
    # Moved one pixel right the dot lands on (14, 15) and is still read; left, down and up it is not: 1 of 4.
    assert accuracy_under_shift(BrightPixelReader(), images, [1, 1], [0, 1, 2]) == [1.0, 0.25, 0.0]


def test_images_and_labels_must_pair_up():
    with pytest.raises(ValueError, match="one label per image"):
        accuracy_under_shift(BrightPixelReader(), np.zeros((2, 28, 28)), [1], [0])


def test_caption_names_the_first_telling_shift_and_who_is_ahead():
    caption = shift_caption([0, 1, 2, 3], [0.99, 0.98, 0.95, 0.85], [0.97, 0.93, 0.74, 0.48], 1000)
    assert caption.startswith("At 0 pixels LeNet-5 reads 99.0% of these 1,000 test digits and the dense network 97.0%.")
    # Shift 1 costs neither model ten points; shift 2 costs the dense network 23.
    assert "Moved 2 pixels, LeNet-5 loses 4.0 points (to 95.0%) and the dense network 23.0 (to 74.0%)." in caption
    assert "LeNet-5 is ahead at every shift." in caption
    assert caption.endswith("At 3 pixels: LeNet-5 85.0%, the dense network 48.0%.")


def test_caption_says_when_the_dense_network_is_ahead():
    caption = shift_caption([0, 1, 2], [0.99, 0.90, 0.95], [0.97, 0.95, 0.50], 500)
    assert "The dense network is ahead at 1 pixels only." in caption
    assert "LeNet-5 is ahead at every shift" not in caption


@pytest.fixture(scope="module")
def mnist_test_set():
    path = os.environ.get("MNIST_PATH")
    if not path or not os.path.isfile(path):
        pytest.skip("needs the real MNIST: set MNIST_PATH to mnist.npz")
    from lib.engine.data import load_mnist

    return load_mnist(path)[1]


@pytest.fixture(scope="module")
def readers():
    pytest.importorskip("keras")
    from lib.keras_views.predict import Classifier

    return {"LeNet-5": Classifier(SHIPPED / "model.keras"), "dense": Classifier(DENSE / "model.keras")}


@pytest.fixture(scope="module")
def thousand_digits_shifted(readers, mnist_test_set):
    x_test, y_test = mnist_test_set
    return {name: accuracy_under_shift(reader, x_test[:1000], y_test[:1000], SHIFTS) for name, reader in readers.items()}


def test_unshifted_accuracy_is_each_models_saved_test_accuracy(readers, mnist_test_set):
    x_test, y_test = mnist_test_set
    for name, run in (("LeNet-5", SHIPPED), ("dense", DENSE)):
        saved = json.loads((run / "metrics.json").read_text())["test_accuracy"]
        assert accuracy_under_shift(readers[name], x_test, y_test, [0]) == [pytest.approx(saved, abs=1e-4)]


def test_both_models_lose_accuracy_as_digits_move_further(thousand_digits_shifted):
    for accuracies in thousand_digits_shifted.values():
        assert all(later <= earlier + 0.005 for earlier, later in pairwise(accuracies)), accuracies
        assert accuracies[-1] < accuracies[0] - 0.5


def test_lenet5_loses_far_less_than_the_dense_network_at_two_and_three_pixels(thousand_digits_shifted):
    lenet, dense = thousand_digits_shifted["LeNet-5"], thousand_digits_shifted["dense"]
    assert all(cnn > flat for cnn, flat in zip(lenet[1:], dense[1:]))
    # Measured: 2 pixels cost LeNet-5 about 3 points and the dense network about 23; 3 pixels 14 and 49.
    assert lenet[0] - lenet[2] < 0.06 and dense[0] - dense[2] > 0.15
    assert lenet[3] - dense[3] > 0.25


def test_page_computes_the_chart_only_when_asked_and_shows_the_lib_numbers(thousand_digits_shifted, monkeypatch):

    monkeypatch.setenv("MNIST_PATH", os.environ["MNIST_PATH"])
    app = open_app("pages/operations/why_cnns.py", timeout=180)
    assert not app.exception
    charts = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    assert not any(chart["layout"].get("xaxis", {}).get("title", {}).get("text") == "shift (pixels)"
                   for chart in charts)
    app.button(key="why_shift_run").click().run()
    assert not app.exception
    shift_chart = next(chart for chart in (json.loads(element.proto.spec) for element in app.get("plotly_chart"))
                       if chart["layout"]["xaxis"]["title"]["text"] == "shift (pixels)")
    assert shift_chart["layout"]["yaxis"]["title"]["text"] == "test accuracy"
    assert [trace["y"] for trace in shift_chart["data"]] == [thousand_digits_shifted["LeNet-5"],
                                                            thousand_digits_shifted["dense"]]
    expected = shift_caption(SHIFTS, thousand_digits_shifted["LeNet-5"], thousand_digits_shifted["dense"], 1000)
    assert expected in [caption.value for caption in app.caption]


def coins_small() -> np.ndarray:
    from lib.explore.images import sample_photo

    pixels = sample_photo("coins")
    step = max(1, max(pixels.shape) // 96)
    return pixels[::step, ::step]  # what the page shuffles


def test_unshuffled_edge_map_of_the_shuffled_coins_resembles_the_coins_not_their_edges():
    from lib.explore.why_cnns import shuffle_demo

    demo = shuffle_demo(coins_small())
    assert demo["restored_vs_image"] == pytest.approx(np.corrcoef(demo["conv_restored"].ravel(),
                                                                   coins_small().ravel())[0, 1])
    assert demo["restored_vs_image"] > 0.8 > demo["restored_vs_edges"]
    assert demo["centre_weight"] == 8.0


def test_correlation_of_a_flat_image_is_zero():
    from lib.explore.why_cnns import correlation

    assert correlation(np.ones((4, 4)), np.arange(16.0)) == 0.0


def test_page_says_what_the_unshuffled_picture_shows(monkeypatch):

    from lib.explore.why_cnns import shuffle_demo

    app = open_app("pages/operations/why_cnns.py", timeout=60)
    assert not app.exception
    demo = shuffle_demo(coins_small())
    text = "\n".join(element.value for element in app.markdown)
    assert (f"It correlates **{demo['restored_vs_image']:.2f}** with the original image and "
            f"**{demo['restored_vs_edges']:.2f}** with the edge map") in text
    captions = [image.caption for element in app.get("image") for image in element.proto.imgs]
    assert "Edge kernel on the shuffled image, put back in order: the picture returns, its edges do not" in captions
