"""Explanations of a digit, checked against their definitions on the shipped model and every cached one."""

from __future__ import annotations

import numpy as np
import pytest

from lib.keras_views.explain import (
    counterfactual,
    counterfactual_path,
    grad_cam,
    integrated_gradients,
    occlusion,
    smoothgrad,
)
from lib.keras_views.predict import Classifier
from lib.runs.store import SAVED_MODELS, SHIPPED_MODEL, book_model_path

CACHED_MODELS = sorted(SAVED_MODELS.glob("*/*/model.keras"))


@pytest.fixture(scope="module")
def shipped():
    return Classifier(SHIPPED_MODEL)


@pytest.fixture(scope="module")
def dense():
    return Classifier(book_model_path("dense baseline"))


@pytest.fixture(scope="module")
def digits():
    """MNIST test digits when MNIST is at hand, else blobs drawn from a seed (both are 28 x 28, 0-255)."""
    import os

    path = os.environ.get("MNIST_PATH")
    if path and os.path.isfile(path):
        with np.load(path) as data:
            return data["x_test"][:40].astype(np.float32)
    rng = np.random.default_rng(0)
    images = np.zeros((40, 28, 28), np.float32)
    for image in images:
        r, c = rng.integers(6, 22, 2)
        image[r - 5:r + 5, c - 2:c + 2] = 255
    return images


def occlusion_by_definition(classifier, image, target, patch, stride, fill):
    """The slow reference: one covered copy at a time, each drop added to the pixels it covers."""
    base = classifier.predict_proba(image)[0, target]
    total, count = np.zeros((28, 28)), np.zeros((28, 28))
    for r in range(0, 28 - patch + 1, stride):
        for c in range(0, 28 - patch + 1, stride):
            covered = image.copy()
            covered[r:r + patch, c:c + patch] = fill
            total[r:r + patch, c:c + patch] += base - classifier.predict_proba(covered)[0, target]
            count[r:r + patch, c:c + patch] += 1
    return np.where(count > 0, total / np.maximum(count, 1), 0.0)


@pytest.mark.parametrize(("patch", "stride", "fill"), [(4, 2, 0), (5, 3, 0), (3, 4, 255), (28, 1, 0), (1, 7, 128)])
def test_occlusion_matches_its_definition(shipped, digits, patch, stride, fill):
    for image in digits[:2]:
        target = int(shipped.predict_proba(image).argmax())
        fast = occlusion(shipped, image, target, patch=patch, stride=stride, fill=fill)
        np.testing.assert_allclose(fast, occlusion_by_definition(shipped, image, target, patch, stride, fill),
                                   atol=1e-6)


def test_occlusion_is_zero_where_no_square_reaches(shipped, digits):
    # With patch 4 and stride 5 the squares start at 0, 5, ..., 20 and end at 23: row and column 24-27 stay 0.
    result = occlusion(shipped, digits[0], 7, patch=4, stride=5)
    assert np.all(result[24:, :] == 0) and np.all(result[:, 24:] == 0)


def _completeness_gap(classifier, image, target, attributions):
    ends = classifier.predict_proba(np.stack([image, np.zeros_like(image)]))[:, target]
    expected = ends[0] - ends[1]
    return abs(attributions.sum() - expected), 0.05 * abs(expected) + 0.01


def test_integrated_gradients_add_up_to_the_change_in_probability(shipped, digits):
    for image in digits[:20]:
        for target in (int(shipped.predict_proba(image).argmax()), 3):
            attributions = integrated_gradients(shipped, image, target)
            gap, allowed = _completeness_gap(shipped, image, target, attributions)
            assert gap <= allowed
            assert np.all(attributions[image == 0] == 0)


@pytest.mark.parametrize("path", CACHED_MODELS, ids=[f"{p.parent.parent.name}/{p.parent.name}" for p in CACHED_MODELS])
def test_integrated_gradients_are_complete_and_zero_at_the_baseline_on_every_cached_model(path, digits):
    classifier = Classifier(path)
    rng = np.random.default_rng(1)
    for image in digits[:3]:
        target = int(rng.integers(10))
        attributions = integrated_gradients(classifier, image, target)
        gap, allowed = _completeness_gap(classifier, image, target, attributions)
        assert gap <= allowed
        assert np.all(attributions[image == 0] == 0)


def test_integrated_gradients_from_a_baseline_give_its_pixels_nothing(shipped, digits):
    baseline = np.full((28, 28), 40, np.float32)
    image = digits[0].copy()
    image[:5] = 40  # the top rows equal the baseline
    attributions = integrated_gradients(shipped, image, 2, baseline=baseline)
    assert np.all(attributions[:5] == 0)
    ends = shipped.predict_proba(np.stack([image, baseline]))[:, 2]
    assert abs(attributions.sum() - (ends[0] - ends[1])) <= 0.05 * abs(ends[0] - ends[1]) + 0.01


def test_counterfactual_frames_start_at_the_input_stay_in_range_and_reach_the_target(shipped, digits):
    rng = np.random.default_rng(2)
    reached = 0
    for image in digits[:20]:
        guess = int(shipped.predict_proba(image).argmax())
        target = int((guess + 1 + rng.integers(9)) % 10)
        frames = counterfactual(shipped, image, target)
        np.testing.assert_array_equal(frames[0], image)
        assert all(frame.shape == (28, 28) and frame.min() >= 0 and frame.max() <= 255 for frame in frames)
        reached += shipped.predict_proba(frames[-1])[0, target] > 0.5
    assert reached >= 18


def test_counterfactual_reports_its_probabilities_and_the_pixel_change(shipped, digits):
    path = counterfactual_path(shipped, digits[0], 3)
    assert len(path.probabilities) == len(path.frames)
    np.testing.assert_allclose(path.probabilities, shipped.predict_proba(np.stack(path.frames))[:, 3], atol=1e-5)
    assert path.reached == (path.probabilities[-1] > 0.5)
    assert path.mean_change == pytest.approx(np.abs(path.frames[-1] - path.frames[0]).mean())


def test_counterfactual_to_the_current_answer_is_the_input_alone(shipped, digits):
    guess = int(shipped.predict_proba(digits[0]).argmax())
    if shipped.predict_proba(digits[0])[0, guess] > 0.5:
        assert len(counterfactual(shipped, digits[0], guess)) == 1


def test_grad_cam_is_a_non_negative_map_for_lenet_and_refused_for_a_dense_network(shipped, dense, digits):
    cam = grad_cam(shipped, digits[0], 7)
    assert cam.shape == (28, 28) and cam.min() >= 0
    with pytest.raises(ValueError, match="convolutional layer"):
        grad_cam(dense, digits[0], 7)


def test_smoothgrad_without_noise_is_the_plain_gradient(shipped, digits):
    from lib.keras_views.explain import gradients_for

    gradients = gradients_for(shipped)
    plain = gradients.run(gradients.probability_and_gradient, digits[0], 4)[1][0, ..., 0]
    np.testing.assert_allclose(smoothgrad(shipped, digits[0], 4, samples=3, noise=0.0), plain, rtol=1e-5, atol=1e-9)


def test_explanations_work_for_a_dense_network(dense, digits):
    assert occlusion(dense, digits[0], 1).shape == (28, 28)
    attributions = integrated_gradients(dense, digits[0], 1)
    gap, allowed = _completeness_gap(dense, digits[0], 1, attributions)
    assert gap <= allowed


@pytest.mark.parametrize(("call", "argument"), [
    (lambda c, image: occlusion(c, image, 10), "target"),
    (lambda c, image: occlusion(c, image, -1), "target"),
    (lambda c, image: occlusion(c, image, 3, patch=29), "patch"),
    (lambda c, image: occlusion(c, image, 3, patch=0), "patch"),
    (lambda c, image: occlusion(c, image, 3, stride=0), "stride"),
    (lambda c, image: integrated_gradients(c, image, 3, steps=0), "steps"),
    (lambda c, image: integrated_gradients(c, image[:20], 3), "image"),
    (lambda c, image: counterfactual(c, image * 2 + 300, 3), "image"),
    (lambda c, image: counterfactual(c, image, 3.5), "target"),
])
def test_bad_arguments_raise_value_error_naming_them(shipped, digits, call, argument):
    with pytest.raises(ValueError, match=f"^{argument}:"):
        call(shipped, digits[0])


def test_a_saturated_answer_explains_its_tiny_gradients_with_the_numbers_of_its_maps(shipped, digits):
    from lib.keras_views.explain import SATURATED, saturation_note

    probabilities = shipped.predict_batches(digits)
    answers = probabilities.argmax(axis=1)
    top = probabilities.max(axis=1)
    saturated, unsure = int(np.argmax(top)), int(np.argmin(top))
    assert top[saturated] > SATURATED >= top[unsure]  # the digits hold both kinds
    largest = {}
    for index in (saturated, unsure):
        maps = [smoothgrad(shipped, digits[index], answers[index]), grad_cam(shipped, digits[index], answers[index])]
        largest[index] = max(float(np.abs(values).max()) for values in maps)
        note = saturation_note(probabilities[index], answers[index], maps, str(answers[index]))
        if index == unsure:
            assert note is None
        else:
            # 1 - p as the other classes' share: p itself may be exactly 1.0 in float32.
            others = float(np.delete(probabilities[index].astype(np.float64), answers[index]).sum())
            assert others > 0
            scale = float(top[index]) * others
            assert f"p({answers[index]}) is {top[index]:.4f}" in note and f"= {scale:.1e}," in note
            assert f"(the largest {largest[index]:.1e})" in note and "both maps" in note
            assert "the map's" in saturation_note(probabilities[index], answers[index], maps[:1], "x")
    # What the note says of the maps: a saturated answer's gradients are far smaller than an unsure one's.
    assert largest[saturated] < largest[unsure] / 100
    assert saturation_note(np.array([0.5, 0.5]), 0, [np.ones(3)], "x") is None
    assert saturation_note(np.array([0.9999, 0.0001]), 0, [], "x") is None
    # A p of exactly 1.0 still gets the other classes' share, not 0.
    assert "= 1.0e-09," in saturation_note(np.array([1.0, 1e-9], np.float32), 0, [np.ones(3)], "x")
