"""Explaining one drawing with the shipped model: occlusion plus integrated gradients, and a counterfactual.

Targets (issue 21): occlusion (patch 4, stride 2) plus integrated gradients (64 steps) of one digit in at most
0.3 s, a counterfactual in at most 1 s, on 2 CPU cores. Run: .venv/bin/python benchmarks/bench_explain.py
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from lib.explore.drawing import preprocess_drawing
from lib.keras_views.explain import counterfactual_path, integrated_gradients, occlusion
from lib.keras_views.predict import Classifier
from lib.runs.store import SHIPPED_MODEL
from tests.digit_strokes import DIGITS, place, rasterize


def main():
    classifier = Classifier(SHIPPED_MODEL)
    images = [preprocess_drawing(rasterize(place(strokes[style], 0.5, 0.2, 0.2))).image.astype(np.float32)
              for strokes in DIGITS.values() for style in range(2)]
    occlusion(classifier, images[0], 0)  # trace once, as the page's first explanation does
    integrated_gradients(classifier, images[0], 0)
    counterfactual_path(classifier, images[0], 1)
    both, counterfactuals, reached = [], [], 0
    for _ in range(5):
        for image in images:
            probabilities = classifier.predict_proba(image)[0]
            guess, runner_up = np.argsort(probabilities)[::-1][:2]
            start = time.perf_counter()
            occlusion(classifier, image, int(guess))
            integrated_gradients(classifier, image, int(guess))
            both.append(time.perf_counter() - start)
            start = time.perf_counter()
            reached += counterfactual_path(classifier, image, int(runner_up)).reached
            counterfactuals.append(time.perf_counter() - start)
    for name, values in (("occlusion + IG", both), ("counterfactual", counterfactuals)):
        values.sort()
        print(f"{name:15s} median {statistics.median(values) * 1000:6.1f} ms   p95 "
              f"{values[int(len(values) * 0.95)] * 1000:6.1f} ms   max {values[-1] * 1000:6.1f} ms")
    print(f"counterfactuals that reached the runner-up: {reached} of {len(counterfactuals)}")


if __name__ == "__main__":
    main()
