"""Why a classifier read a digit as it did: occlusion, integrated gradients, SmoothGrad, Grad-CAM, counterfactuals.

Every function takes a `Classifier` (lib.keras_views.predict), a raw image `(28, 28)` with values 0-255 as the
Draw page's preprocessing gives it, and a target class. Gradients are taken with `tf.GradientTape` inside one
traced `tf.function` per classifier (see `Gradients`), never in eager loops; occlusion needs no gradients and
sends all its covered copies in one batched call. PAIR's `saliency` package implements the same methods, but
for a Keras model it is only a wrapper around such a tape, so the few lines here keep the dependency out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lib.i18n import _

SIDE = 28


def _check_image(image) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    if image.shape != (SIDE, SIDE):
        raise ValueError(f"image: must be {SIDE} x {SIDE} pixels; got shape {image.shape}")
    if not np.all(np.isfinite(image)) or image.min() < 0 or image.max() > 255:
        raise ValueError("image: values must be finite and within 0-255")
    return image


def _check_target(classifier, target) -> int:
    classes = classifier.model.output_shape[-1]
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target < classes:
        raise ValueError(f"target: must be a class number from 0 to {classes - 1}; got {target!r}")
    return int(target)


class Gradients:
    """One classifier's traced functions: a class probability and its gradient, and Grad-CAM's pieces."""

    def __init__(self, classifier):
        import keras
        import tensorflow as tf

        model = classifier.model
        images = tf.TensorSpec((None, SIDE, SIDE, 1), tf.float32)
        targets = tf.TensorSpec((None,), tf.int32)

        @tf.function(input_signature=[images, targets])
        def probability_and_gradient(batch, chosen):
            with tf.GradientTape() as tape:
                tape.watch(batch)
                probability = tf.gather(model(batch, training=False), chosen, batch_dims=1)
            return probability, tape.gradient(probability, batch)

        @tf.function(input_signature=[images, targets])
        def log_probability_gradient(batch, chosen):
            with tf.GradientTape() as tape:
                tape.watch(batch)
                probabilities = model(batch, training=False)
                log_probability = tf.math.log(tf.gather(probabilities, chosen, batch_dims=1) + 1e-12)
            return probabilities, tape.gradient(log_probability, batch)

        self.probability_and_gradient = probability_and_gradient
        self.log_probability_gradient = log_probability_gradient
        self.cam_layer = next((layer.name for layer in reversed(classifier.layers)
                               if isinstance(layer, keras.layers.Conv2D)), None)
        self.cam = None
        if self.cam_layer is not None:
            inputs = keras.Input(shape=(SIDE, SIDE, 1))
            x, feature = inputs, None
            for layer in classifier.layers:  # the same layers (same weights), wired to expose the last conv layer
                x = layer(x)
                if layer.name == self.cam_layer:
                    feature = x
            inside = keras.Model(inputs, [feature, x])

            @tf.function(input_signature=[images, targets])
            def cam(batch, chosen):
                with tf.GradientTape() as tape:
                    activations, probabilities = inside(batch, training=False)
                    probability = tf.gather(probabilities, chosen, batch_dims=1)
                return activations, tape.gradient(probability, activations)

            self.cam = cam

    def run(self, function, images: np.ndarray, target: int):
        batch = np.asarray(images, np.float32).reshape(-1, SIDE, SIDE, 1)
        chosen = np.full(len(batch), target, np.int32)
        return [tensor.numpy() for tensor in function(batch, chosen)]


@functools.lru_cache(maxsize=16)
def gradients_for(classifier) -> Gradients:
    """The traced gradient functions of one classifier, built once and kept while it is."""
    return Gradients(classifier)


def occlusion(classifier, image, target, patch: int = 4, stride: int = 2, fill: float = 0) -> np.ndarray:
    """Occlusion sensitivity (Zeiler and Fergus 2014): how much covering each part lowers p(target).

    For every top-left corner (r, c), r and c in range(0, 28 - patch + 1, stride), the patch x patch square is
    covered with `fill` and the drop p_target(image) - p_target(covered) recorded; a pixel's value is the mean
    drop over the squares that cover it, 0 where none does. Positive: evidence for the target.
    """
    image, target = _check_image(image), _check_target(classifier, target)
    if isinstance(patch, bool) or not isinstance(patch, (int, np.integer)) or not 1 <= patch <= SIDE:
        raise ValueError(f"patch: must be a whole number of pixels from 1 to {SIDE}; got {patch!r}")
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride: must be a whole number of at least 1; got {stride!r}")
    if not 0 <= fill <= 255:
        raise ValueError(f"fill: must be within 0-255; got {fill!r}")
    corners = [(r, c) for r in range(0, SIDE - patch + 1, stride) for c in range(0, SIDE - patch + 1, stride)]
    covered = np.repeat(image[np.newaxis], len(corners) + 1, axis=0)
    for index, (r, c) in enumerate(corners, start=1):
        covered[index, r:r + patch, c:c + patch] = fill
    probabilities = classifier.predict_proba(covered)[:, target]
    drops = probabilities[0] - probabilities[1:]
    total, count = np.zeros((SIDE, SIDE)), np.zeros((SIDE, SIDE))
    for drop, (r, c) in zip(drops, corners):
        total[r:r + patch, c:c + patch] += drop
        count[r:r + patch, c:c + patch] += 1
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)


def integrated_gradients(classifier, image, target, baseline=None, steps: int = 64) -> np.ndarray:
    """Integrated gradients of p(target) (Sundararajan et al. 2017), from a black baseline by default.

    (image - baseline) times the mean gradient along the straight path between them, by the trapezoid rule.
    Completeness holds: the attributions add up to p(image) - p(baseline). Where `steps` points are too few for
    that to within 1 % (+0.005), the path is sampled twice as finely, up to 16 times `steps`.
    """
    image, target = _check_image(image), _check_target(classifier, target)
    baseline = np.zeros_like(image) if baseline is None else _check_image(baseline)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 4096:
        raise ValueError(f"steps: must be a whole number from 1 to 4096; got {steps!r}")
    gradients = gradients_for(classifier)
    end_points = gradients.run(gradients.probability_and_gradient, np.stack([baseline, image]), target)[0]
    expected = float(end_points[1] - end_points[0])
    for points in (steps * factor for factor in (1, 2, 4, 8, 16)):
        alphas = np.linspace(0.0, 1.0, points + 1, dtype=np.float32)[:, np.newaxis, np.newaxis]
        path = baseline + alphas * (image - baseline)
        grads = np.concatenate([gradients.run(gradients.probability_and_gradient, path[i:i + 256], target)[1]
                                for i in range(0, len(path), 256)])[..., 0]
        mean_gradient = (grads[:-1] + grads[1:]).mean(axis=0) / 2
        attributions = (image - baseline) * mean_gradient
        if abs(attributions.sum() - expected) <= 0.01 * abs(expected) + 0.005:
            break
    return attributions.astype(np.float64)


def smoothgrad(classifier, image, target, samples: int = 32, noise: float = 0.15, seed: int = 0) -> np.ndarray:
    """SmoothGrad (Smilkov et al. 2017): the gradient of p(target) averaged over noisy copies of the image.

    `noise` is the noise's standard deviation as a share of the 0-255 range. Plain gradients are speckled: each
    says only how p changes for an infinitesimal nudge; averaging over nearby images keeps what they agree on.
    """
    image, target = _check_image(image), _check_target(classifier, target)
    if not 1 <= samples <= 512:
        raise ValueError(f"samples: must be from 1 to 512; got {samples!r}")
    if not 0 <= noise <= 1:
        raise ValueError(f"noise: must be a share from 0 to 1; got {noise!r}")
    rng = np.random.default_rng(seed)
    noisy = np.clip(image + rng.normal(0, noise * 255, (samples, SIDE, SIDE)), 0, 255)
    gradients = gradients_for(classifier)
    return gradients.run(gradients.probability_and_gradient, noisy, target)[1][..., 0].mean(axis=0).astype(np.float64)


# Past this probability the softmax is saturated: every gradient of p through it is scaled by p (1 - p), which is
# then under 0.001 (against 0.25 at p = 0.5), and gradient maps come out tiny.
SATURATED = 0.999


def saturation_note(probabilities, target: int, maps: list[np.ndarray], name: str) -> str | None:
    """Why gradient maps of p(`name`) (class `target` of `probabilities`; SmoothGrad's, Grad-CAM's: `maps`) show
    such small numbers, when they do; None otherwise. 1 - p is the other classes' share, added up: in float32 a
    saturated p is often exactly 1.0, and 1 - p would say 0."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    probability = float(probabilities[target])
    if probability <= SATURATED or not maps:
        return None
    rest = float(np.delete(probabilities, target).sum())
    values = dict(name=name, probability=probability, scale=probability * rest,
                  largest=max(float(np.abs(values).max()) for values in maps))
    if len(maps) == 1:
        return _("p({name}) is {probability:.4f}: the softmax is saturated, and every gradient of p through it is "
                 "scaled by p (1 - p) = {scale:.1e}, so the map's values are tiny (the largest {largest:.1e}). It "
                 "still shows where p is most sensitive, its colour scale set by its own largest value; occlusion "
                 "and integrated gradients measure whole changes of p and are not shrunk this way.").format(**values)
    return _("p({name}) is {probability:.4f}: the softmax is saturated, and every gradient of p through it is "
             "scaled by p (1 - p) = {scale:.1e}, so both maps' values are tiny (the largest {largest:.1e}). They "
             "still show where p is most sensitive, each colour scale set by its own map's largest value; occlusion "
             "and integrated gradients measure whole changes of p and are not shrunk this way.").format(**values)


def grad_cam(classifier, image, target) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017) on the last conv layer (LeNet-5's conv2), upsampled to 28 x 28.

    Each channel of that layer is weighted by the mean gradient of p(target) over it; the ReLU of the weighted
    sum is where the layer saw evidence for the target. Coarse (conv2 is 10 x 10 in LeNet-5) but smooth; a dense
    network has no such layer, and this raises ValueError saying so.
    """
    import tensorflow as tf

    image, target = _check_image(image), _check_target(classifier, target)
    gradients = gradients_for(classifier)
    if gradients.cam is None:
        raise ValueError(_("Grad-CAM needs a convolutional layer, and this model has none (a dense network)"))
    activations, grads = gradients.run(gradients.cam, image, target)
    weights = grads[0].mean(axis=(0, 1))
    cam = np.maximum((activations[0] * weights).sum(axis=-1), 0)
    return tf.image.resize(cam[..., np.newaxis], (SIDE, SIDE), method="bilinear").numpy()[..., 0].astype(np.float64)


@dataclass
class Counterfactual:
    frames: list[np.ndarray]  # the input first, then the image after each step, all within 0-255
    probabilities: list[float]  # p(target) of each frame
    reached: bool  # whether the last frame's p(target) passed 0.5

    @property
    def mean_change(self) -> float:
        """Mean absolute pixel change from the first frame to the last, in 0-255 units."""
        return float(np.abs(self.frames[-1] - self.frames[0]).mean())


def counterfactual_path(classifier, image, target, steps: int = 60, step_size: float = 200.0) -> Counterfactual:
    """Small steps on the pixels that raise p(target) most, until p(target) passes 0.5 (or `steps` run out).

    Each step moves the image along the gradient of log p(target), scaled to an L2 length of `step_size` (in
    0-255 units: 200 is one pixel turned most of the way from black to white, or many pixels a little), then
    clips to 0-255. The log keeps the gradient alive while p(target) is still tiny.
    """
    image, target = _check_image(image), _check_target(classifier, target)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= 1000:
        raise ValueError(f"steps: must be a whole number from 1 to 1000; got {steps!r}")
    if not 0 < step_size <= 5000:
        raise ValueError(f"step_size: must be above 0 and at most 5000; got {step_size!r}")
    gradients = gradients_for(classifier)
    frames, probabilities = [image.copy()], []
    current = image.copy()
    for _step in range(steps + 1):
        outputs, gradient = gradients.run(gradients.log_probability_gradient, current, target)
        probabilities.append(float(outputs[0, target]))
        if probabilities[-1] > 0.5 or len(frames) > steps:
            break
        gradient = gradient[0, ..., 0]
        length = float(np.linalg.norm(gradient))
        if length == 0:
            break
        current = np.clip(current + step_size * gradient / length, 0, 255).astype(np.float32)
        frames.append(current.copy())
    return Counterfactual(frames, probabilities, probabilities[-1] > 0.5)


def counterfactual(classifier, image, target, steps: int = 60) -> list[np.ndarray]:
    """The frames of `counterfactual_path`: the input itself first, each within 0-255."""
    return counterfactual_path(classifier, image, target, steps=steps).frames
